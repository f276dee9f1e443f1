/**
 * Choosing detections among a raw graph's candidates: class-aware NMS of the configured
 * kind, score threshold, top-k.
 *
 * @module
 */

import { batchedNms } from "../geometry/nms.ts";
import { softNms } from "../geometry/soft_nms.ts";
import { matrixNmsBoxes } from "../geometry/matrix_nms_boxes.ts";
import { argsortDescending } from "../geometry/score_order.ts";
import {
  checkBoxes,
  checkChoice,
  checkInteger,
  checkLabels,
  checkNumber,
} from "../geometry/validate.ts";
import { NMS_KINDS, type NmsKind } from "../wire/nms_kinds.ts";

// The list lives in the wire layer (the manifest and the pipeline configuration name it).
export { NMS_KINDS, type NmsKind };

/** How detections are chosen. */
export interface SelectOptions {
  nms: NmsKind;
  /** IoU threshold of hard and linear Soft-NMS (0.5). */
  iouThreshold?: number;
  /** Gaussian sigma of Soft-NMS (0.5) and Matrix NMS (2.0). */
  sigma?: number;
  /** Detections scoring below this after NMS are dropped. */
  scoreThreshold: number;
  /** At most this many detections, the highest scores. */
  maxDetections: number;
}

/** Chosen candidates: their indices and (possibly decayed) scores, by decreasing score. */
export interface Selection {
  index: Int32Array;
  scores: Float32Array;
}

/**
 * Applies class-aware NMS of `options.nms` to candidates (`boxes` N×4, `scores`,
 * `labels`), then the score threshold and top-k. Soft-NMS is class-aware the way mmcv's
 * `batched_nms` makes it so: boxes of each class are shifted by `label × (max + 1)`
 * (`label × (max - min + 1)` when some coordinates are negative, where mmcv's shift lets
 * classes overlap).
 *
 * @example Two overlapping cars and a person
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 10, 10, 1, 0, 11, 10, 0, 0, 10, 10]);
 * const scores = new Float32Array([0.9, 0.8, 0.7]);
 * const labels = new Int32Array([1, 1, 2]);
 * const hard = selectDetections(boxes, scores, labels, { nms: "hard", scoreThreshold: 0.05, maxDetections: 10 });
 * assert.deepEqual([...hard.index], [0, 2]);
 * const soft = selectDetections(boxes, scores, labels, { nms: "soft-gaussian", scoreThreshold: 0.05, maxDetections: 10 });
 * assert.deepEqual([...soft.index], [0, 2, 1]); // the second car decays, not removed
 * ```
 */
export function selectDetections(
  boxes: Float32Array,
  scores: Float32Array,
  labels: Int32Array,
  options: SelectOptions,
): Selection {
  const fn = "selectDetections";
  // Soft-NMS reads labels only to shift boxes: check them here, as the others do.
  const n = checkBoxes(fn, "boxes", boxes);
  checkLabels(fn, "labels", labels, n);
  checkChoice(fn, "options.nms", options.nms, NMS_KINDS);
  checkNumber(fn, "options.scoreThreshold", options.scoreThreshold);
  checkInteger(fn, "options.maxDetections", options.maxDetections, 0);
  const iou = options.iouThreshold ?? 0.5;
  let index: Int32Array, decayed: Float32Array;
  switch (options.nms) {
    case "hard":
      index = batchedNms(boxes, scores, labels, iou);
      decayed = scores;
      break;
    case "soft-linear":
    case "soft-gaussian": {
      const method = options.nms === "soft-linear" ? "linear" : "gaussian";
      const result = softNms(offsetByLabel(boxes, labels), scores, {
        method,
        iouThreshold: iou,
        sigma: options.sigma ?? 0.5,
        // Soft-NMS takes no negative floor; the threshold itself applies in topK.
        minScore: Math.max(options.scoreThreshold, 0),
      });
      return topK(result.keep, gatherScores(result.keep, result.scores), options);
    }
    case "matrix":
      decayed = matrixNmsBoxes(boxes, labels, scores, {
        kernel: "gaussian",
        sigma: options.sigma ?? 2,
      });
      index = argsortDescending(decayed);
      break;
    default:
      decayed = scores;
      index = argsortDescending(scores);
  }
  return topK(index, decayed, options);
}

/** Keeps `order` (decreasing score) entries scoring at least the threshold, at most k. */
function topK(order: Int32Array, scores: Float32Array, options: SelectOptions): Selection {
  let n = 0;
  const index = new Int32Array(Math.min(order.length, options.maxDetections));
  const out = new Float32Array(index.length);
  for (let r = 0; r < order.length && n < index.length; r++) {
    const s = scores[order[r]];
    if (s < options.scoreThreshold) continue;
    index[n] = order[r];
    out[n++] = s;
  }
  return { index: index.slice(0, n), scores: out.slice(0, n) };
}

/** Soft-NMS returns scores aligned with `keep`; spread them back by candidate index. */
function gatherScores(keep: Int32Array, keptScores: Float32Array): Float32Array {
  let max = 0;
  for (const k of keep) max = Math.max(max, k);
  const out = new Float32Array(max + 1);
  for (let r = 0; r < keep.length; r++) out[keep[r]] = keptScores[r];
  return out;
}

/**
 * Boxes shifted by `label × (max coordinate + 1)`, so that classes never overlap. That is
 * mmcv's offset when coordinates are non-negative; with negative ones it is not enough
 * (boxes spanning `min..max` need a step above `max - min`), so the step becomes
 * `max - min + 1` there.
 */
function offsetByLabel(boxes: Float32Array, labels: Int32Array): Float32Array {
  let max = 0, min = 0;
  for (const v of boxes) {
    if (v > max) max = v;
    if (v < min) min = v;
  }
  const step = max - min + 1;
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < labels.length; i++) {
    const offset = labels[i] * step;
    for (let k = 0; k < 4; k++) out[4 * i + k] = boxes[4 * i + k] + offset;
  }
  return out;
}
