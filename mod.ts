/**
 * streamdet: a streaming video detection runtime for Deno. This module is its library
 * API; so far it holds the post-processing and evaluation core, pure TypeScript on
 * typed arrays, matching the reference implementations users compare against:
 *
 * - boxes: {@link boxArea}, {@link boxIou}, {@link clipBoxes}, {@link removeSmallBoxes},
 *   {@link decodeBoxes} / {@link encodeBoxes} (torchvision);
 * - suppression: {@link nms}, {@link batchedNms} (torchvision), {@link softNms} (mmcv),
 *   {@link matrixNms} (SOLOv2), {@link matrixNmsBoxes} (PaddlePaddle / OpenVINO);
 * - masks: {@link pasteMask} / {@link pasteMasks} (detectron2), COCO RLE with
 *   {@link encodeRle} / {@link decodeRle} / {@link rleIou} (pycocotools), and
 *   {@link panopticFusion} (detectron2);
 * - evaluation: {@link evaluateCoco} (pycocotools' COCOeval) and {@link panopticQuality}
 *   (panopticapi);
 * - video: {@link FrameSource} decodes files, live streams, cameras, image folders and test
 *   patterns with ffmpeg ({@link resolveFfmpeg} finds it), lossless or with a bounded live
 *   queue, reconnecting with backoff and reporting its status;
 * - inference: {@link loadModel} / {@link startModel} run ONNX graphs in worker sessions
 *   behind a cross-stream {@link Batcher};
 * - runtime: {@link createPipeline} wires sources, models and post-processing from a
 *   configuration ({@link loadPipelineConfig}) with a per-frame latency timeline and
 *   Prometheus metrics; {@link serve} serves it (REST, WebSocket results, viewer).
 *
 * Boxes are `Float32Array`s of N×4 `x1, y1, x2, y2` in pixels, scores `Float32Array`s,
 * class ids `Int32Array`s; bad arguments throw a `TypeError` or `RangeError` that names
 * the argument, what was expected and what was found.
 *
 * @example Keep the best box of each cluster, then score what is left
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateCoco, nms } from "./mod.ts";
 *
 * const boxes = new Float32Array([10, 10, 50, 50, 12, 11, 51, 49, 100, 100, 140, 150]);
 * const scores = new Float32Array([0.9, 0.8, 0.7]);
 * const keep = nms(boxes, scores, 0.5); // [0, 2]
 * assert.deepEqual([...keep], [0, 2]);
 *
 * const groundTruth = {
 *   images: [{ id: 1, width: 200, height: 200 }],
 *   categories: [{ id: 1, name: "car" }],
 *   annotations: [
 *     { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 40, 40], area: 1600, iscrowd: 0 },
 *     { id: 2, image_id: 1, category_id: 1, bbox: [100, 100, 40, 50], area: 2000, iscrowd: 0 },
 *   ],
 * };
 * const results = [...keep].map((i) => ({
 *   image_id: 1,
 *   category_id: 1,
 *   score: scores[i],
 *   bbox: [boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2] - boxes[i * 4], boxes[i * 4 + 3] - boxes[i * 4 + 1]],
 * }));
 * const { stats } = evaluateCoco(groundTruth, results, "bbox");
 * assert.ok(stats[0] > 0.999); // AP
 * ```
 *
 * @module
 */

export type {
  DropPolicy,
  Frame,
  FrameGeometry,
  MatrixNmsKernel,
  PanopticResult,
  PanopticSegment,
  PastedMask,
  PixelFormat,
  Rle,
  SoftNmsMethod,
  SourceState,
  SourceStatus,
  UncompressedRle,
} from "./src/types.ts";
export {
  ConfigError,
  ManifestError,
  ModelLoadError,
  SourceError,
  StreamdetError,
} from "./src/errors.ts";

// Boxes
export { boxArea, boxIou, clipBoxes, removeSmallBoxes } from "./src/geometry/boxes.ts";
export {
  type BoxCoderWeights,
  decodeBoxes,
  type DecodeBoxesOptions,
  encodeBoxes,
} from "./src/geometry/box_coder.ts";

// Suppression
export { batchedNms, nms } from "./src/geometry/nms.ts";
export { softNms, type SoftNmsOptions, type SoftNmsResult } from "./src/geometry/soft_nms.ts";
export { matrixNms, type MatrixNmsOptions } from "./src/geometry/matrix_nms.ts";
export { matrixNmsBoxes } from "./src/geometry/matrix_nms_boxes.ts";

// Masks
export { pasteMask, pasteMasks } from "./src/geometry/paste_mask.ts";
export { pastedMaskToRle } from "./src/geometry/pasted_rle.ts";
export { compressRle, decodeRle, encodeRle } from "./src/geometry/rle.ts";
export { rleArea, rleMerge, rleToBbox } from "./src/geometry/rle_ops.ts";
export { bboxIou, rleIou } from "./src/geometry/rle_iou.ts";
export { polygonsToRle } from "./src/geometry/polygon_rle.ts";
export { rleCountsFromString, rleCountsToString } from "./src/geometry/rle_string.ts";
export {
  type InstanceMasks,
  panopticFusion,
  type PanopticFusionOptions,
  type SemanticMap,
} from "./src/geometry/panoptic_fusion.ts";

// Evaluation
export {
  type CocoAnnotation,
  type CocoCategory,
  type CocoClassResult,
  type CocoEvalOptions,
  type CocoEvalResult,
  type CocoGroundTruth,
  type CocoImage,
  type CocoIouType,
  type CocoResult,
  evaluateCoco,
} from "./src/eval/coco_eval.ts";
export {
  COCO_AREA_LABELS,
  COCO_AREA_RANGES,
  COCO_IOU_THRESHOLDS,
  COCO_MAX_DETS,
  COCO_RECALL_THRESHOLDS,
  COCO_STAT_NAMES,
} from "./src/eval/coco_params.ts";
export {
  type PanopticCategory,
  type PanopticGroundTruth,
  type PanopticGroundTruthSegment,
  type PanopticPrediction,
  type PanopticPredictionSegment,
  panopticQuality,
  type PanopticQualityClass,
  type PanopticQualityReport,
  type PanopticQualityScores,
} from "./src/eval/panoptic_quality.ts";
export { idsFromRgb, rgbFromIds } from "./src/eval/panoptic_ids.ts";
export {
  panopticFromRle,
  type PanopticRleAnnotation,
  type PanopticRleJson,
  type PanopticRleSegment,
} from "./src/eval/panoptic_rle.ts";

// Video
export {
  FrameSource,
  type FrameSourceOptions,
  type SourceInfo,
  type SourceStats,
} from "./src/video/frame_source.ts";
export {
  type FfmpegBinary,
  type FfmpegOrigin,
  resolveFfmpeg,
  type ResolveFfmpegOptions,
} from "./src/video/ffmpeg_binary.ts";
export {
  type FileInput,
  type ImagesInput,
  type LavfiInput,
  parseSourceInput,
  type SourceInput,
  type SourceKind,
  type UrlInput,
  type V4l2Input,
} from "./src/video/source_spec.ts";
export { frameGeometry, type OutputSpec } from "./src/video/ffmpeg_args.ts";
export { DEFAULT_RECONNECT, type ReconnectOptions } from "./src/video/backoff.ts";
export { type InputInfo } from "./src/video/ffmpeg_log.ts";
export { handOverSignals } from "./src/video/child_registry.ts";

// Inference
export {
  type ClassSpec,
  type ModelManifest,
  type ModelOutputSpec,
  OUTPUT_ROLES,
  type OutputRole,
  parseManifest,
} from "./src/inference/manifest.ts";
export {
  type Normalization,
  normalizationCoefficients,
  preprocess,
} from "./src/inference/preprocess.ts";
export {
  NMS_KINDS,
  type NmsKind,
  selectDetections,
  type Selection,
  type SelectOptions,
} from "./src/inference/select_detections.ts";
export { boxesToSource, type SemanticLogits, semanticToSource } from "./src/inference/to_source.ts";
export {
  type Detections,
  postprocess,
  type PostprocessOptions,
  type RawCandidates,
} from "./src/inference/postprocess.ts";
export { splitRawOutputs, type TensorLike } from "./src/inference/raw_outputs.ts";
export { checkGraph, type GraphValue } from "./src/inference/check_graph.ts";
export {
  type LoadedModel,
  loadModel,
  type LoadModelOptions,
  type ProviderName,
  PROVIDERS,
} from "./src/inference/load_model.ts";
export { type WorkerRunResult, WorkerSession } from "./src/inference/worker_session.ts";
export {
  Batcher,
  type BatcherOptions,
  type BatchResult,
  type BatchTiming,
} from "./src/inference/batcher.ts";
export {
  type ModelRuntime,
  type ModelRuntimeOptions,
  type ModelStatus,
  startModel,
} from "./src/inference/model_runtime.ts";
export { type PostprocessTiming } from "./src/inference/postprocess.ts";

// Pipeline
export {
  type ConfigOrigin,
  type ModelConfig,
  type PipelineConfig,
  resolvePipelineConfig,
  resolveStreamConfig,
  type ServerConfig,
  type SinkConfig,
  type StreamConfig,
} from "./src/pipeline/config.ts";
export { loadPipelineConfig } from "./src/pipeline/load_config.ts";
export {
  createPipeline,
  type ModelInfo,
  Pipeline,
  type PipelineOptions,
  type Readiness,
} from "./src/pipeline/pipeline.ts";
export type { StreamInfo } from "./src/pipeline/stream_runner.ts";
export type {
  FrameErrorEvent,
  ModelStatusEvent,
  StatusEvent,
  StreamResult,
  StreamState,
  StreamStatusEvent,
  StreamThumbnail,
} from "./src/pipeline/events.ts";
export {
  CaptureClock,
  type FrameTimeline,
  type LatencyBreakdown,
  latencyBreakdown,
  type StageName,
  STAGES,
} from "./src/pipeline/timeline.ts";
export { PipelineMetrics } from "./src/pipeline/metrics.ts";
export {
  type DetectionMessage,
  type PanopticSegmentMessage,
  type ResultFilter,
  type ResultMessage,
  resultMessage,
  SCHEMA_VERSION,
} from "./src/pipeline/result_message.ts";
export { type Thumbnail, ThumbnailEncoder } from "./src/pipeline/thumbnail_encoder.ts";
export { segmentRles } from "./src/geometry/segment_rles.ts";

// Server and sinks
export { type RunningServer, serve } from "./src/server/serve.ts";
export { createApp } from "./src/server/app.ts";
export { WsHub } from "./src/server/ws_hub.ts";
export {
  type ClientMessage,
  parseClientMessage,
  type SubscribeRequest,
  type Subscription,
} from "./src/server/ws_protocol.ts";
export { JsonlSink, openSinks } from "./src/sinks/jsonl_sink.ts";

// Batch, sinks and reports
export { expandInputs, VIDEO_EXTENSIONS } from "./src/batch/expand_inputs.ts";
export {
  type DetectOptions,
  type DetectReporter,
  type InputOutcome,
  type OutputPaths,
  outputPaths,
  runDetect,
} from "./src/batch/detect_job.ts";
export { cocoResults } from "./src/sinks/coco_results.ts";
export { AtomicOutput, atomicWriteFile, atomicWriteText } from "./src/sinks/atomic_file.ts";
export { AnnotatedVideoError, AnnotatedVideoWriter } from "./src/sinks/annotated_video.ts";
export { drawOverlay, type OverlayOptions } from "./src/sinks/overlay.ts";
export { drawText } from "./src/sinks/bitmap_font.ts";
export { writeAll } from "./src/sinks/write_all.ts";
export {
  type EvalMetrics,
  type EvalReportInput,
  evaluateReport,
  writeEvalReport,
} from "./src/report/eval_report.ts";
export { EvalInputError, parseResults, readResults } from "./src/report/results_input.ts";
