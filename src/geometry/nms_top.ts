/**
 * Class-aware hard NMS that stops once it has kept enough boxes: `batched_nms(...)[:k]`,
 * as detectors' post-processing uses it (`keep = batched_nms(...); keep = keep[:k]`).
 *
 * @module
 */

import { areasInto, iouAbove } from "./boxes.ts";
import { reusable } from "./reusable.ts";
import { argsortDescending } from "./score_order.ts";
import { checkBoxes, checkInteger, checkLabels, checkNumber, checkScores } from "./validate.ts";

// Working memory kept between calls (see reusable.ts).
const orderBuffer = reusable((n) => new Int32Array(n));
const areaBuffer = reusable((n) => new Float32Array(n));
const nextBuffer = reusable((n) => new Int32Array(n));
const keepBuffer = reusable((n) => new Int32Array(n));

/**
 * The first `maxKeep` indices that `batchedNms(boxes, scores, classIds, iouThreshold)`
 * returns, found without running NMS past them: candidates are visited by decreasing score
 * (equal scores in input order), and each is kept unless a kept box of its class overlaps
 * it with IoU strictly above the threshold (the greedy rule, IoU as torchvision's kernel
 * computes it in float32). The work is bounded by the kept boxes: each candidate is
 * compared with the kept boxes of its class only, and the pass ends at the `maxKeep`-th
 * kept box, so a few hundred detections out of thousands of candidates cost a fraction of
 * a full NMS.
 *
 * @example The best two of three classes' boxes
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 0, 0, 10, 10, 50, 50, 60, 60]);
 * const scores = new Float32Array([0.9, 0.8, 0.7, 0.6]);
 * const keep = batchedNmsTop(boxes, scores, new Int32Array([1, 1, 2, 1]), 0.5, 2);
 * assert.deepEqual([...keep], [0, 2]); // box 1 is suppressed by box 0
 * ```
 */
export function batchedNmsTop(
  boxes: Float32Array,
  scores: Float32Array,
  classIds: Int32Array,
  iouThreshold: number,
  maxKeep: number,
): Int32Array {
  const fn = "batchedNmsTop";
  const n = checkBoxes(fn, "boxes", boxes);
  checkScores(fn, "scores", scores, n);
  checkLabels(fn, "classIds", classIds, n);
  checkNumber(fn, "iouThreshold", iouThreshold, 0);
  checkInteger(fn, "maxKeep", maxKeep, 0);
  const limit = Math.min(n, maxKeep);
  if (limit === 0) return new Int32Array(0);
  const order = argsortDescending(scores, orderBuffer(n));
  const areas = areasInto(boxes, n, areaBuffer(n));
  const keep = keepBuffer(limit), next = nextBuffer(limit);
  // The kept boxes of each class, as a list through `next` from the latest kept one.
  const latest = new Map<number, number>();
  let count = 0;
  for (let r = 0; r < n && count < limit; r++) {
    const j = order[r], label = classIds[j];
    const first = latest.get(label) ?? -1;
    let suppressed = false;
    const o = 4 * j, x1 = boxes[o], y1 = boxes[o + 1], x2 = boxes[o + 2], y2 = boxes[o + 3];
    for (let k = first; k >= 0; k = next[k]) {
      const i = keep[k], p = 4 * i;
      // Boxes that do not overlap have IoU 0: skip them before computing it.
      if (!(boxes[p] < x2 && x1 < boxes[p + 2] && boxes[p + 1] < y2 && y1 < boxes[p + 3])) continue;
      if (iouAbove(boxes, areas, i, j, iouThreshold, false)) {
        suppressed = true;
        break;
      }
    }
    if (suppressed) continue;
    keep[count] = j;
    next[count] = first;
    latest.set(label, count++);
  }
  return keep.slice(0, count);
}
