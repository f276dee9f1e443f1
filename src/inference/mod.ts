/**
 * `streamdet/inference`: models. {@link loadModel} checks a model's manifest against its
 * ONNX graph and creates an onnxruntime-node session on the first execution provider that
 * starts; {@link startModel} runs sessions in Web Workers behind a cross-stream batcher,
 * each frame's `detect()` resolving with its own detections in source pixels. The
 * post-processing steps are exported for use on their own. Needs `--allow-ffi` and
 * `--allow-read`.
 *
 * @example
 * ```ts ignore
 * import { startModel } from "./mod.ts";
 * const model = await startModel("models/street-maskrcnn/manifest.json", { maxBatch: 4 });
 * const { detections, timing, batchSize } = await model.detect(frame, geometry);
 * await model.close();
 * ```
 *
 * @module
 */

export { ManifestError, ModelLoadError } from "../errors.ts";
export {
  type ClassSpec,
  type ModelManifest,
  type ModelOutputSpec,
  OUTPUT_ROLES,
  type OutputRole,
  parseManifest,
} from "./manifest.ts";
export {
  type LoadedModel,
  loadModel,
  type LoadModelOptions,
  type ProviderName,
  PROVIDERS,
} from "./load_model.ts";
export {
  type ModelRuntime,
  type ModelRuntimeOptions,
  type ModelStatus,
  startModel,
} from "./model_runtime.ts";
export type { BatchResult, BatchTiming, SubmitOptions } from "./batcher.ts";
export { type Normalization, normalizationCoefficients, preprocess } from "./preprocess.ts";
export {
  NMS_KINDS,
  type NmsKind,
  selectDetections,
  type Selection,
  type SelectOptions,
} from "./select_detections.ts";
export { boxesToSource, type SemanticLogits, semanticToSource } from "./to_source.ts";
export { keypointsToSource } from "./keypoints_to_source.ts";
export {
  type Detections,
  postprocess,
  type PostprocessOptions,
  postprocessOptions,
  type PostprocessTiming,
  type RawCandidates,
} from "./postprocess.ts";
