/**
 * Post-processing of one image's raw candidates: NMS and top-k, boxes back to the source
 * frame, RoI masks pasted at source resolution, and panoptic fusion with the semantic map.
 *
 * @module
 */

import type { PanopticResult, PastedMask } from "../types.ts";
import type { FrameGeometry } from "../types.ts";
import type { ModelManifest } from "./manifest.ts";
import { pasteMask } from "../geometry/paste_mask.ts";
import { panopticFusion, type PanopticFusionOptions } from "../geometry/panoptic_fusion.ts";
import { selectDetections, type SelectOptions } from "./select_detections.ts";
import { boxesToSource, type SemanticLogits, semanticToSource } from "./to_source.ts";
import { now } from "../clock.ts";
import { keypointsToSource } from "./keypoints_to_source.ts";
import type { SingleStageRaw } from "./single_stage_outputs.ts";
import type { Solov2Raw } from "./solov2_outputs.ts";
import { singleStageDetections, solov2Result } from "./postprocess_kinds.ts";

/** One image's outputs of a raw (no final NMS) graph. */
export interface RawCandidates {
  /** N×4 boxes in model-input pixels. */
  boxes: Float32Array;
  scores: Float32Array;
  labels: Int32Array;
  /** N×M×M RoI mask logits (before sigmoid), when the model has masks. */
  maskLogits?: Float32Array;
  /** M. */
  maskSize?: number;
  /** The semantic head's logits, when the model has one. */
  semantic?: SemanticLogits;
  /** Masks already pasted at the input size (torchvision's standard export): N planes of
   * `height × width` probabilities. */
  inputMasks?: { data: Float32Array; height: number; width: number };
  /** N×K×M×M keypoint heatmap logits (keypoint models with heatmaps). */
  keypointLogits?: Float32Array;
  /** N×K×2 keypoints in model-input pixels (keypoint models that regress them). */
  keypointCoords?: Float32Array;
  /** K, with either keypoint output. */
  keypointCount?: number;
  /** M, with `keypointLogits`. */
  heatmapSize?: number;
  /** A single-stage graph's head outputs (FCOS, RetinaNet): decoded here instead of
   * choosing among `boxes`, which are empty. */
  singleStage?: SingleStageRaw;
  /** A SOLOv2 graph's category scores and cell masks: post-processed here as SOLO does. */
  solov2?: Solov2Raw;
}

/** How to post-process. */
export interface PostprocessOptions extends SelectOptions {
  /** Mask probability threshold when pasting (0.5). */
  maskThreshold?: number;
  /** Category id of each semantic channel (0 = "things"); needed for panoptic output. */
  semanticCategories?: readonly number[];
  /** Fusion settings; `false` skips the panoptic map. */
  panoptic?: PanopticFusionOptions | false;
}

/**
 * A model's post-processing settings: its manifest's defaults (NMS kind and parameters,
 * thresholds, semantic classes, fusion), with `overrides` on top. Graphs with NMS inside
 * get `nms: "none"`. The manifest's `sigma` belongs to its default NMS kind: when
 * `overrides` picks another kind and no sigma, that kind's own default applies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseManifest } from "./manifest.ts";
 * const manifest = parseManifest({
 *   format: "streamdet-model/1", name: "m", kind: "fasterrcnn",
 *   input: { name: "images", layout: "NCHW", dtype: "float32", height: 32, width: 32, batch: "dynamic", std: [1, 1, 1] },
 *   outputs: ["boxes", "scores", "labels"].map((r) => ({ name: r, role: r, dtype: "float32", shape: ["n"] })),
 *   postprocess: { nmsInGraph: false },
 *   classes: [{ id: 1, name: "car", isThing: true }],
 * }, "/m/manifest.json");
 * const options = postprocessOptions(manifest, { scoreThreshold: 0.05 });
 * assert.deepEqual([options.nms, options.iouThreshold, options.scoreThreshold], ["hard", 0.5, 0.05]);
 * assert.equal(postprocessOptions(manifest, { nms: "matrix" }).sigma, undefined); // Matrix NMS's own 2.0
 * ```
 */
export function postprocessOptions(
  manifest: Pick<ModelManifest, "defaults" | "postprocess" | "semantic">,
  overrides: Partial<PostprocessOptions> = {},
): PostprocessOptions {
  const d = manifest.defaults;
  const kind = manifest.postprocess.nmsInGraph ? "none" : d.nms.kind;
  const sameKind = overrides.nms === undefined || overrides.nms === kind;
  return {
    nms: kind,
    iouThreshold: d.nms.iouThreshold,
    sigma: sameKind ? d.nms.sigma : undefined,
    scoreThreshold: d.scoreThreshold,
    maxDetections: d.maxDetections,
    maskThreshold: d.maskThreshold,
    semanticCategories: manifest.semantic?.classes,
    panoptic: d.panoptic,
    ...overrides,
  };
}

/**
 * Where one image's post-processing time went, filled by {@link postprocess}: durations in
 * milliseconds, and the moments each part ended, taken with `now()` (src/clock.ts) on the
 * thread that ran it.
 */
export interface PostprocessTiming {
  /** Selection, box mapping and mask pasting. */
  postMs: number;
  /** Semantic upsampling and panoptic fusion (0 without a semantic head). */
  fusionMs: number;
  /** Epoch ms when selection, box mapping and mask pasting were done. */
  postprocessEnd?: number;
  /** Epoch ms when fusion was done (= `postprocessEnd` without fusion). */
  fusionEnd?: number;
}

/** Final detections of one image, in source pixels. */
export interface Detections {
  /** N×4 `x1, y1, x2, y2` in source pixels. */
  boxes: Float32Array;
  scores: Float32Array;
  classIds: Int32Array;
  /** One mask per detection, cropped to its box, at source resolution. */
  masks?: PastedMask[];
  /** Panoptic segmentation of the source frame. */
  panoptic?: PanopticResult;
  /** N×K×3 `x, y, score` per keypoint, in source pixels (keypoint models). */
  keypoints?: Float32Array;
  /** The pyramid level each detection came from (FCOS / RetinaNet: the head's level; SOLOv2: its grid's). */
  levels?: Int32Array;
}

/**
 * Chooses detections among `raw` (see `selectDetections`), maps them to the source frame
 * described by `geometry`, pastes their masks there, and fuses them with the semantic map
 * into a panoptic segmentation when the model has a semantic head.
 *
 * @example A single box, no masks
 * ```ts
 * import assert from "node:assert/strict";
 * const g = { sourceWidth: 200, sourceHeight: 100, width: 100, height: 50, scaledWidth: 100,
 *   scaledHeight: 50, scaleX: 0.5, scaleY: 0.5, padX: 0, padY: 0 };
 * const raw = { boxes: new Float32Array([10, 10, 20, 20]), scores: new Float32Array([0.9]),
 *   labels: new Int32Array([3]) };
 * const d = postprocess(raw, g, { nms: "hard", scoreThreshold: 0.5, maxDetections: 10 });
 * assert.deepEqual([...d.boxes], [20, 20, 40, 40]);
 * assert.deepEqual([...d.classIds], [3]);
 * const timing = { postMs: 0, fusionMs: 0 }; // optional: where the time went
 * postprocess(raw, g, { nms: "hard", scoreThreshold: 0.5, maxDetections: 10 }, timing);
 * assert.equal(timing.fusionMs, 0); // no semantic head, no fusion
 * ```
 */
export function postprocess(
  raw: RawCandidates,
  geometry: FrameGeometry,
  options: PostprocessOptions,
  timing?: PostprocessTiming,
): Detections {
  const t0 = now();
  if (raw.singleStage) return singleStageDetections(raw.singleStage, geometry, options, t0, timing);
  if (raw.solov2) return solov2Result(raw.solov2, geometry, options, t0, timing);
  let postprocessEnd = NaN;
  const { index, scores } = selectDetections(raw.boxes, raw.scores, raw.labels, options);
  const n = index.length;
  const picked = new Float32Array(n * 4);
  const classIds = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    picked.set(raw.boxes.subarray(index[r] * 4, index[r] * 4 + 4), r * 4);
    classIds[r] = raw.labels[index[r]];
  }
  const boxes = boxesToSource(picked, geometry);
  const out: Detections = { boxes, scores, classIds };
  if (raw.keypointCount) out.keypoints = keypointsToSource(raw, index, picked, scores, geometry);
  if (raw.inputMasks) {
    out.masks = resampleAll(raw.inputMasks, index, boxes, geometry, options.maskThreshold ?? 0.5);
  } else if (raw.maskLogits && raw.maskSize) {
    out.masks = pasteAll(raw.maskLogits, raw.maskSize, index, boxes, geometry, options);
    if (raw.semantic && options.semanticCategories && options.panoptic !== false) {
      postprocessEnd = now();
      const labels = semanticToSource(raw.semantic, geometry, options.semanticCategories);
      out.panoptic = panopticFusion(
        { masks: out.masks, scores, classIds },
        { height: geometry.sourceHeight, width: geometry.sourceWidth, labels },
        options.panoptic,
      );
    }
  }
  const end = now();
  if (Number.isNaN(postprocessEnd)) postprocessEnd = end;
  if (timing) {
    timing.postMs = postprocessEnd - t0;
    timing.fusionMs = end - postprocessEnd;
    timing.postprocessEnd = postprocessEnd;
    timing.fusionEnd = end;
  }
  return out;
}

function pasteAll(
  logits: Float32Array,
  size: number,
  index: Int32Array,
  boxes: Float32Array,
  geometry: FrameGeometry,
  options: PostprocessOptions,
): PastedMask[] {
  const cells = size * size;
  const probs = new Float32Array(cells);
  const masks: PastedMask[] = [];
  for (let r = 0; r < index.length; r++) {
    const from = index[r] * cells;
    for (let k = 0; k < cells; k++) probs[k] = 1 / (1 + Math.exp(-logits[from + k]));
    masks.push(
      pasteMask(
        probs,
        size,
        boxes.subarray(r * 4, r * 4 + 4),
        geometry.sourceHeight,
        geometry.sourceWidth,
        options.maskThreshold ?? 0.5,
      ),
    );
  }
  return masks;
}

/** Input-size mask planes, cropped to each source box and sampled at source pixel centres
 * (nearest input pixel), thresholded. */
function resampleAll(
  planes: { data: Float32Array; height: number; width: number },
  index: Int32Array,
  boxes: Float32Array,
  geometry: FrameGeometry,
  threshold: number,
): PastedMask[] {
  const { height: H, width: W, data } = planes;
  const { scaleX, scaleY, padX, padY, sourceWidth, sourceHeight } = geometry;
  const masks: PastedMask[] = [];
  for (let r = 0; r < index.length; r++) {
    const x0 = Math.max(0, Math.floor(boxes[4 * r])),
      y0 = Math.max(0, Math.floor(boxes[4 * r + 1]));
    const x1 = Math.min(sourceWidth, Math.ceil(boxes[4 * r + 2]));
    const y1 = Math.min(sourceHeight, Math.ceil(boxes[4 * r + 3]));
    const width = Math.max(0, x1 - x0), height = Math.max(0, y1 - y0);
    const out = new Uint8Array(width * height);
    const plane = data.subarray(index[r] * H * W, (index[r] + 1) * H * W);
    for (let y = 0; y < height; y++) {
      const iy = Math.min(H - 1, Math.max(0, Math.floor((y0 + y + 0.5) * scaleY + padY)));
      for (let x = 0; x < width; x++) {
        const ix = Math.min(W - 1, Math.max(0, Math.floor((x0 + x + 0.5) * scaleX + padX)));
        out[y * width + x] = plane[iy * W + ix] >= threshold ? 1 : 0;
      }
    }
    masks.push({ x: x0, y: y0, width, height, data: out });
  }
  return masks;
}
