/**
 * Soft-NMS (Bodla et al. 2017) with mmcv's semantics (`mmcv/ops/nms.py` `soft_nms`,
 * CPU kernel `softnms_cpu`; docs/REFERENCE.md "Soft-NMS").
 *
 * mmcv's kernel keeps the boxes in working arrays and swaps them around: the selected
 * box moves to the front, a box whose score falls below `minScore` is replaced by the
 * last one. Those positions ("slots") decide ties (the earliest slot wins), so they are
 * simulated exactly (soft_nms_sparse.ts); only the rescoring is made sparse, because a
 * box that does not overlap the selected one keeps its score.
 *
 * @module
 */

import { areasInto, pairIou } from "./boxes.ts";
import {
  HARD,
  type Params,
  resolveOptions,
  type SoftNmsOptions,
  type SoftNmsResult,
  weight,
} from "./soft_nms_params.ts";
import { softNmsSparse } from "./soft_nms_sparse.ts";
import { checkBoxes, checkScores } from "./validate.ts";

export type { SoftNmsOptions, SoftNmsResult } from "./soft_nms_params.ts";

const fround = Math.fround;

/**
 * Soft-NMS as mmcv's `soft_nms(boxes, scores, iou_threshold=0.3, sigma=0.5,
 * min_score=1e-3, method='linear', offset=0)`: repeatedly selects the highest remaining
 * score and rescores every other remaining box by its IoU `o` with it —
 * `"linear"`: `s *= 1 - o` when `o >= iouThreshold`; `"gaussian"`: `s *= exp(-o² / sigma)`;
 * `"hard"` (mmcv's `"naive"`): dropped when `o >= iouThreshold` — and drops boxes whose
 * score falls below `minScore`. Arithmetic is float32, as in mmcv.
 *
 * Differs from mmcv only where mmcv computes 0/0 (two empty boxes): mmcv's IoU is NaN
 * there and poisons the score; here it is 0.
 *
 * @example mmcv's own test vectors
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([6, 3, 8, 7, 3, 6, 9, 11, 3, 7, 10, 12, 1, 4, 13, 7]);
 * const scores = new Float32Array([0.6, 0.9, 0.7, 0.2]);
 * const out = softNms(boxes, scores, { method: "linear", iouThreshold: 0.3, minScore: 0.01 });
 * assert.deepEqual([...out.keep], [1, 0, 2, 3]);
 * assert.ok(Math.abs(out.scores[2] - 0.29024392) < 1e-6);
 * ```
 */
export function softNms(
  boxes: Float32Array,
  scores: Float32Array,
  options: SoftNmsOptions = {},
): SoftNmsResult {
  const n = checkBoxes("softNms", "boxes", boxes);
  checkScores("softNms", "scores", scores, n, true);
  const p = resolveOptions("softNms", options);
  if (n === 0) return { keep: new Int32Array(0), scores: new Float32Array(0) };
  // With "hard" at threshold 0 every pair counts, overlapping or not: only the plain
  // loop does that. Everything else takes the sparse path.
  if (p.method === HARD && p.threshold <= 0) return denseLoop(boxes, scores, p);
  return softNmsSparse(boxes, scores, p);
}

/**
 * The literal O(N²) loop of mmcv's `softnms_cpu` on a slot → box permutation: same
 * arguments and result as {@link softNms}, slower, and with mmcv's float32 IoU where
 * `softNms` rescores with a float64 one (kept scores may differ by a float32 ulp).
 * `softNms` uses it for `"hard"` at threshold 0 (where non-overlapping boxes count too);
 * tests use it as a cross-check.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11]);
 * const scores = new Float32Array([0.8, 0.9]);
 * const dense = softNmsDense(boxes, scores), sparse = softNms(boxes, scores);
 * assert.deepEqual(dense.keep, sparse.keep);
 * assert.ok(Math.abs(dense.scores[1] - sparse.scores[1]) < 1e-6);
 * ```
 */
export function softNmsDense(
  boxes: Float32Array,
  scores: Float32Array,
  options: SoftNmsOptions = {},
): SoftNmsResult {
  const n = checkBoxes("softNmsDense", "boxes", boxes);
  checkScores("softNmsDense", "scores", scores, n, true);
  return denseLoop(boxes, scores, resolveOptions("softNmsDense", options));
}

function denseLoop(boxes: Float32Array, scores: Float32Array, p: Params): SoftNmsResult {
  const n = scores.length;
  const areas = areasInto(boxes, n);
  const sc = Float32Array.from(scores);
  const slot = Int32Array.from({ length: n }, (_, k) => k);
  const selected = new Float32Array(n);
  let count = n;
  for (let i = 0; i < count; i++) {
    let maxPos = i;
    for (let pos = i + 1; pos < count; pos++) if (sc[slot[maxPos]] < sc[slot[pos]]) maxPos = pos;
    const s = slot[maxPos];
    slot[maxPos] = slot[i];
    slot[i] = s;
    selected[i] = sc[s];
    for (let pos = i + 1; pos < count; pos++) {
      const e = slot[pos];
      sc[e] = fround(sc[e] * weight(p, pairIou(boxes, areas, s, e)));
      if (sc[e] < p.minScore) slot[pos--] = slot[--count];
    }
  }
  return { keep: slot.slice(0, count), scores: selected.slice(0, count) };
}
