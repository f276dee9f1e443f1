/**
 * Per-image matching of COCO evaluation: pycocotools' `COCOeval.computeIoU` and
 * `evaluateImg` for one (category, image) cell, written as struct-of-arrays.
 *
 * @module
 */

import { bboxIouInto, runsIou } from "../geometry/rle_iou.ts";
import { cellOks } from "./coco_oks.ts";
import type { CocoIndex } from "./coco_types.ts";

/**
 * Bit of {@link CocoEvalBuffer.flags}: matched to a ground truth whose id is not 0
 * (pycocotools' `dtm != 0`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(MATCHED & IGNORED, 0);
 * ```
 */
export const MATCHED = 1;

/**
 * Bit of {@link CocoEvalBuffer.flags}: ignored, neither TP nor FP (matched to a crowd
 * or out-of-range ground truth, or unmatched and out of range itself; `dtIgnore`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const flag = MATCHED | IGNORED; // matched to a crowd region
 * assert.ok(flag & IGNORED);
 * ```
 */
export const IGNORED = 2;

/**
 * What `evaluateImg` returns for the images of one category and one area range,
 * concatenated in image order (pycocotools' `evalImgs` as `accumulate` reads them).
 */
export interface CocoEvalBuffer {
  /** Detection scores, each image's in decreasing order (cut at the last maxDets). */
  scores: number[];
  /** Position of each detection in its image's order (for the maxDets cut). */
  ranks: number[];
  /** T flags per detection ({@link MATCHED}, {@link IGNORED}), one per IoU threshold. */
  flags: number[];
  /** Ground truths that are not ignored, over the images (`npig`). */
  numPositives: number;
  /** Images that have ground truth or detections (pycocotools' `evalImgs` that are not None). */
  numImages: number;
}

/**
 * An empty {@link CocoEvalBuffer}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(createEvalBuffer().numImages, 0);
 * ```
 */
export function createEvalBuffer(): CocoEvalBuffer {
  return { scores: [], ranks: [], flags: [], numPositives: 0, numImages: 0 };
}

/**
 * Detections of a cell sorted by decreasing score (stable, as `np.argsort(-scores,
 * kind="mergesort")`), cut at `maxDet`: instance indices into `index.detections`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const scores = new Float64Array([0.5, 0.9, 0.5, 0.7]);
 * assert.deepEqual([...sortDetections(scores, 0, 4, 3)], [1, 3, 0]);
 * ```
 */
export function sortDetections(
  scores: Float64Array,
  start: number,
  end: number,
  maxDet: number,
): Int32Array {
  const order = new Int32Array(end - start);
  for (let j = 0; j < order.length; j++) order[j] = start + j;
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  return order.length > maxDet ? order.slice(0, maxDet) : order;
}

/**
 * `COCOeval.computeIoU` for cell `cell`: IoU of the sorted detections `order` with
 * the cell's ground truths (in input order), D×G row-major; empty when either is. For
 * `"keypoints"` it is `computeOks` (`cellOks`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { indexCoco } from "./coco_dataset.ts";
 * const index = indexCoco({
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1 }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, area: 100, iscrowd: 0, bbox: [0, 0, 10, 10] }],
 * }, [{ image_id: 1, category_id: 1, score: 1, bbox: [5, 0, 10, 10] }], "bbox");
 * assert.deepEqual([...cellIou(index, 0, new Int32Array([0]))], [50 / 150]);
 * ```
 */
export function cellIou(index: CocoIndex, cell: number, order: Int32Array): Float64Array {
  const gt = index.groundTruth;
  const dt = index.detections;
  const g0 = gt.cellStart[cell];
  const numGt = gt.cellStart[cell + 1] - g0;
  const numDt = order.length;
  if (numGt === 0 || numDt === 0) return new Float64Array(0);
  if (index.iouType === "keypoints") return cellOks(index, cell, order);
  const dtBoxes = new Float64Array(numDt * 4);
  for (let d = 0; d < numDt; d++) {
    dtBoxes.set(dt.boxes.subarray(order[d] * 4, order[d] * 4 + 4), d * 4);
  }
  const gtBoxes = gt.boxes.subarray(g0 * 4, (g0 + numGt) * 4);
  const crowd = gt.crowd.subarray(g0, g0 + numGt);
  if (index.iouType === "segm") {
    const dtMasks = Array.from(order, (j) => dt.masks[j]);
    return runsIou(dtMasks, dtBoxes, gt.masks.slice(g0, g0 + numGt), gtBoxes, crowd);
  }
  const out = new Float64Array(numDt * numGt);
  bboxIouInto(dtBoxes, numDt, gtBoxes, numGt, crowd, out);
  return out;
}

/**
 * `COCOeval.evaluateImg` for one cell and one area range `[lo, hi]`, appended to `out`:
 * ground truths ignored (crowd, keypoints without labelled ones: `ignore`) or out of
 * range (bounds inclusive) go last; each
 * detection, in score order and for each IoU threshold, takes the best remaining ground
 * truth with IoU >= the threshold (a crowd can be taken again; once matched to a
 * regular one it stops at the first ignored one); unmatched detections out of range are
 * ignored. A match to a ground truth with id 0 counts as unmatched, as pycocotools'
 * `dtm` (which stores ground-truth ids) makes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { indexCoco } from "./coco_dataset.ts";
 * const index = indexCoco({
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1 }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, area: 100, iscrowd: 0, bbox: [0, 0, 10, 10] }],
 * }, [{ image_id: 1, category_id: 1, score: 1, bbox: [1, 0, 10, 10] }], "bbox");
 * const order = new Int32Array([0]);
 * const out = createEvalBuffer();
 * evaluateImage(index, 0, order, cellIou(index, 0, order), [0, 1e10], new Float64Array([0.5, 0.9]), out);
 * assert.deepEqual(out.flags, [MATCHED, 0]); // IoU 0.818...: a match at 0.5, none at 0.9
 * assert.equal(out.numPositives, 1);
 * ```
 */
export function evaluateImage(
  index: CocoIndex,
  cell: number,
  order: Int32Array,
  ious: Float64Array,
  areaRange: readonly [number, number],
  iouThresholds: Float64Array,
  out: CocoEvalBuffer,
): void {
  const gt = index.groundTruth;
  const dt = index.detections;
  const g0 = gt.cellStart[cell];
  const numGt = gt.cellStart[cell + 1] - g0;
  const numDt = order.length;
  if (numGt === 0 && dt.cellStart[cell + 1] === dt.cellStart[cell]) return;
  const [lo, hi] = areaRange;
  out.numImages++;
  // Ground truths, ignored ones last (stable), as columns of `ious`.
  const gtOrder = new Int32Array(numGt);
  const gtIgnore = new Uint8Array(numGt);
  const gtCrowd = new Uint8Array(numGt);
  const gtIdZero = new Uint8Array(numGt);
  let g = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < numGt; j++) {
      const n = g0 + j;
      const area = gt.areas[n];
      const ignore = gt.ignore[n] || area < lo || area > hi ? 1 : 0;
      if (ignore !== pass) continue;
      gtOrder[g] = j;
      gtIgnore[g] = ignore;
      gtCrowd[g] = gt.crowd[n];
      gtIdZero[g] = gt.ids[n] === 0 ? 1 : 0;
      g++;
    }
    if (pass === 0) out.numPositives += g;
  }
  const numT = iouThresholds.length;
  const gtTaken = new Uint8Array(numT * numGt);
  const base = out.flags.length;
  for (let d = 0; d < numDt; d++) {
    out.scores.push(dt.scores[order[d]]);
    out.ranks.push(d);
    for (let t = 0; t < numT; t++) out.flags.push(0);
  }
  for (let t = 0; t < numT; t++) {
    const taken = gtTaken.subarray(t * numGt, (t + 1) * numGt);
    for (let d = 0; d < numDt; d++) {
      let best = Math.min(iouThresholds[t], 1 - 1e-10);
      let m = -1;
      const row = d * numGt;
      for (let k = 0; k < numGt; k++) {
        if (taken[k] && !gtCrowd[k]) continue;
        if (m > -1 && gtIgnore[m] === 0 && gtIgnore[k] === 1) break;
        const iou = ious[row + gtOrder[k]];
        if (iou < best) continue;
        best = iou;
        m = k;
      }
      const area = dt.areas[order[d]];
      const outside = area < lo || area > hi;
      let flag: number;
      if (m === -1) flag = outside ? IGNORED : 0;
      else {
        taken[m] = 1;
        const unmatched = gtIdZero[m] === 1;
        flag = (unmatched ? 0 : MATCHED) | (gtIgnore[m] || (unmatched && outside) ? IGNORED : 0);
      }
      out.flags[base + d * numT + t] = flag;
    }
  }
}
