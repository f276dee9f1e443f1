/**
 * Hard non-maximum suppression with torchvision's semantics (`torchvision.ops.nms`,
 * `batched_nms`; docs/REFERENCE.md "IoU and hard NMS").
 *
 * @module
 */

import { BoxGrid } from "./box_grid.ts";
import { areasInto, iouAbove } from "./boxes.ts";
import { reusable } from "./reusable.ts";
import { argsortDescending, groupByLabel } from "./score_order.ts";
import { checkBoxes, checkLabels, checkNumber, checkScores } from "./validate.ts";

// Working memory kept between calls (see reusable.ts).
const grid = new BoxGrid();
const orderBuffer = reusable((n) => new Int32Array(n));
const groupedBuffer = reusable((n) => new Int32Array(n));
const sortedBoxBuffer = reusable((n) => new Float32Array(n));
const areaBuffer = reusable((n) => new Float32Array(n));
const suppressedBuffer = reusable((n) => new Uint8Array(n));
const keptBuffer = reusable((n) => new Uint8Array(n));
const neighbourBuffer = reusable((n) => new Int32Array(n));
const keepBuffer = reusable((n) => new Int32Array(n));

/** Groups smaller than this are compared pair by pair, without building the grid. */
const SMALL_GROUP = 24;

/**
 * Greedy NMS: boxes in decreasing score order (stable), each kept unless an already
 * kept box of the same class (when `classIds` is given) overlaps it with IoU strictly
 * above `iouThreshold`.
 *
 * Classes never interact, so each class runs on its own: its boxes are copied in score
 * order into a compact array, where the greedy pass needs no order lookups and a spatial
 * index holds only boxes of that class. The kept boxes are then read off the global
 * score order.
 */
function greedyNms(
  boxes: Float32Array,
  scores: Float32Array,
  classIds: Int32Array | null,
  iouThreshold: number,
): Int32Array {
  const n = scores.length;
  if (n === 0) return new Int32Array(0);
  const order = argsortDescending(scores, orderBuffer(n));
  const grouped = classIds === null
    ? order
    : groupByLabel(order.subarray(0, n), classIds, groupedBuffer(n));
  const sorted = sortedBoxBuffer(4 * n);
  for (let k = 0; k < n; k++) {
    const o = grouped[k] * 4, p = k * 4;
    sorted[p] = boxes[o];
    sorted[p + 1] = boxes[o + 1];
    sorted[p + 2] = boxes[o + 2];
    sorted[p + 3] = boxes[o + 3];
  }
  const suppressed = suppressedBuffer(n).fill(0, 0, n);
  for (let start = 0; start < n;) {
    let end = start + 1;
    if (classIds !== null) {
      const label = classIds[grouped[start]];
      while (end < n && classIds[grouped[end]] === label) end++;
    } else end = n;
    suppressSorted(
      sorted.subarray(4 * start, 4 * end),
      suppressed.subarray(start, end),
      iouThreshold,
    );
    start = end;
  }
  const kept = keptBuffer(n);
  for (let k = 0; k < n; k++) kept[grouped[k]] = 1 - suppressed[k];
  const keep = keepBuffer(n);
  let count = 0;
  for (let r = 0; r < n; r++) if (kept[order[r]]) keep[count++] = order[r];
  return keep.slice(0, count);
}

/**
 * The greedy pass on boxes already in decreasing score order: marks in `suppressed`
 * each box whose IoU with an earlier kept box is above the threshold. Only overlapping
 * pairs are compared (see {@link BoxGrid}), which gives the same result as comparing
 * all pairs, since IoU > threshold >= 0 needs a positive intersection.
 */
function suppressSorted(boxes: Float32Array, suppressed: Uint8Array, iouThreshold: number): void {
  const m = suppressed.length;
  const areas = areasInto(boxes, m, areaBuffer(m));
  if (m < SMALL_GROUP) {
    for (let i = 0; i < m; i++) {
      if (suppressed[i]) continue;
      for (let j = i + 1; j < m; j++) {
        if (!suppressed[j] && iouAbove(boxes, areas, i, j, iouThreshold, false)) suppressed[j] = 1;
      }
    }
    return;
  }
  grid.reset(boxes, m);
  const neighbours = neighbourBuffer(m + 1);
  for (let i = 0; i < m; i++) {
    if (suppressed[i]) continue;
    // Boxes leave the index once kept or suppressed, so the neighbours found are the
    // later boxes still in play.
    grid.remove(i);
    const count = grid.overlapping(i, neighbours, iouThreshold);
    for (let k = 0; k < count; k++) {
      const j = neighbours[k];
      if (iouAbove(boxes, areas, i, j, iouThreshold, false)) {
        suppressed[j] = 1;
        grid.remove(j);
      }
    }
  }
}

/**
 * Hard NMS as `torchvision.ops.nms(boxes, scores, iou_threshold)`: returns the indices
 * of the kept boxes in decreasing score order (equal scores in input order). A box is
 * suppressed when its IoU with a kept, higher-scoring box is strictly above
 * `iouThreshold`; empty boxes are never suppressed and never suppress.
 *
 * @param boxes N×4 `x1, y1, x2, y2`.
 * @param scores N scores (no NaN).
 * @param iouThreshold IoU above which a lower-scoring box is dropped (>= 0).
 *
 * @example Keeping the higher-scoring box of an overlapping pair
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30]);
 * const keep = nms(boxes, new Float32Array([0.8, 0.9, 0.5]), 0.5);
 * assert.deepEqual([...keep], [1, 2]);
 * ```
 */
export function nms(boxes: Float32Array, scores: Float32Array, iouThreshold: number): Int32Array {
  const n = checkBoxes("nms", "boxes", boxes);
  checkScores("nms", "scores", scores, n);
  checkNumber("nms", "iouThreshold", iouThreshold, 0);
  return greedyNms(boxes, scores, null, iouThreshold);
}

/**
 * Class-aware NMS as `torchvision.ops.batched_nms`: boxes of different classes never
 * suppress each other. Returns kept indices in decreasing score order, equal scores in
 * input order (torchvision's own order for ties across classes depends on which of its
 * two code paths runs; this is the stable one).
 *
 * torchvision's default path for up to 1,000 boxes offsets each class's boxes by
 * `classId * (max coordinate + 1)`; in float32 that shifts coordinates by up to an ulp of
 * the offset, so IoUs within ~1e-6 of the threshold can come out on either side there.
 * This function compares the original coordinates, as torchvision's per-class path does.
 *
 * @example Boxes of different classes do not suppress each other
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 0, 0, 10, 10]);
 * const scores = new Float32Array([0.9, 0.8, 0.7]);
 * const keep = batchedNms(boxes, scores, new Int32Array([1, 1, 2]), 0.5);
 * assert.deepEqual([...keep], [0, 2]);
 * ```
 */
export function batchedNms(
  boxes: Float32Array,
  scores: Float32Array,
  classIds: Int32Array,
  iouThreshold: number,
): Int32Array {
  const n = checkBoxes("batchedNms", "boxes", boxes);
  checkScores("batchedNms", "scores", scores, n);
  checkLabels("batchedNms", "classIds", classIds, n);
  checkNumber("batchedNms", "iouThreshold", iouThreshold, 0);
  return greedyNms(boxes, scores, classIds, iouThreshold);
}
