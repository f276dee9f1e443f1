/**
 * pycocotools' `COCOeval.accumulate` (precision / recall curves) and `summarize` (the
 * 12 numbers of `stats`), on the buffers that `evaluateImage` fills.
 *
 * @module
 */

import { type CocoEvalBuffer, IGNORED, MATCHED } from "./coco_match.ts";
import { numpySum } from "./coco_params.ts";

/** `np.spacing(1)`, added to the precision's denominator. */
const EPS = 2.220446049250313e-16;

/**
 * Accumulated curves, numpy's shapes flattened row-major, -1 where a category has no
 * ground truth (in that area range): `precision` and `scores` are T×R×K×A×M
 * (`(((t * R + r) * K + k) * A + a) * M + m`), `recall` is T×K×A×M.
 */
export interface CocoCurves {
  /** `[T, R, K, A, M]`: IoU thresholds, recall points, categories, area ranges, maxDets. */
  counts: [number, number, number, number, number];
  /** Interpolated precision at each recall point. */
  precision: Float64Array;
  /** Highest recall reached. */
  recall: Float64Array;
  /** Score of the detection where each recall point is reached (0 beyond the last). */
  scores: Float64Array;
}

/**
 * Curves of the right shape, every entry -1 (`-np.ones`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const curves = createCurves(10, 101, 2, 4, 3);
 * assert.equal(curves.precision.length, 10 * 101 * 2 * 4 * 3);
 * assert.equal(curves.recall[0], -1);
 * ```
 */
export function createCurves(T: number, R: number, K: number, A: number, M: number): CocoCurves {
  return {
    counts: [T, R, K, A, M],
    precision: new Float64Array(T * R * K * A * M).fill(-1),
    recall: new Float64Array(T * K * A * M).fill(-1),
    scores: new Float64Array(T * R * K * A * M).fill(-1),
  };
}

/**
 * `accumulate` for category `k`, area range `a` and maxDets index `m`: keeps each
 * image's first `maxDet` detections, sorts them all by decreasing score (stable, images
 * in id order), counts true and false positives (ignored detections are neither), and
 * writes recall, precision made non-increasing from the right, sampled at the recall
 * points with `searchsorted(side="left")`, and the scores there. Leaves -1 when no image
 * has ground truth or detections, or no ground truth is left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEvalBuffer, MATCHED } from "./coco_match.ts";
 * // one image, two detections, one ground truth: a miss (0.9) then a hit (0.8)
 * const buffer = createEvalBuffer();
 * buffer.scores.push(0.9, 0.8);
 * buffer.ranks.push(0, 1);
 * buffer.flags.push(0, MATCHED); // one IoU threshold
 * buffer.numPositives = 1;
 * buffer.numImages = 1;
 * const curves = createCurves(1, 3, 1, 1, 1);
 * accumulateCurves(buffer, 100, new Float64Array([0, 0.5, 1]), curves, 0, 0, 0);
 * assert.deepEqual([...curves.recall], [1]);
 * // precision 0 then 1/2, made non-increasing from the right: 1/2 at every recall point
 * assert.deepEqual([...curves.precision], [0.5, 0.5, 0.5]);
 * assert.deepEqual([...curves.scores], [0.9, 0.8, 0.8]);
 * ```
 */
export function accumulateCurves(
  buffer: CocoEvalBuffer,
  maxDet: number,
  recallThresholds: Float64Array,
  curves: CocoCurves,
  k: number,
  a: number,
  m: number,
): void {
  const [T, R, K, A, M] = curves.counts;
  if (buffer.numImages === 0) return;
  const npig = buffer.numPositives;
  if (npig === 0) return;
  const kept: number[] = [];
  for (let j = 0; j < buffer.ranks.length; j++) if (buffer.ranks[j] < maxDet) kept.push(j);
  const { scores, flags } = buffer;
  const order = Int32Array.from(kept);
  order.sort((x, y) => scores[y] - scores[x] || x - y);
  const nd = order.length;
  const rc = new Float64Array(nd);
  const pr = new Float64Array(nd);
  for (let t = 0; t < T; t++) {
    let tp = 0;
    let fp = 0;
    for (let j = 0; j < nd; j++) {
      const f = flags[order[j] * T + t];
      if (!(f & IGNORED)) {
        if (f & MATCHED) tp++;
        else fp++;
      }
      rc[j] = tp / npig;
      pr[j] = tp / (fp + tp + EPS);
    }
    curves.recall[((t * K + k) * A + a) * M + m] = nd ? rc[nd - 1] : 0;
    for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
    let p = 0;
    for (let r = 0; r < R; r++) {
      const at = (((t * R + r) * K + k) * A + a) * M + m;
      const threshold = recallThresholds[r];
      while (p < nd && rc[p] < threshold) p++;
      if (p < nd) {
        curves.precision[at] = pr[p];
        curves.scores[at] = scores[order[p]];
      } else {
        curves.precision[at] = 0;
        curves.scores[at] = 0;
      }
    }
  }
}

/**
 * `_summarize`: the mean (numpy's, see {@link numpySum}) of the entries > -1 of
 * `precision[t, :, k, a, m]` (`ap`) or `recall[t, k, a, m]` (not `ap`) over the given
 * IoU threshold indices and categories, in numpy's order; -1 when none is left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const curves = createCurves(1, 2, 2, 1, 1);
 * curves.precision.set([0.5, -1, 1, -1]); // [t][r][k]: category 1 has no ground truth
 * assert.equal(summarizeCurves(curves, true, [0], [0, 1], 0, 0), 0.75);
 * assert.equal(summarizeCurves(curves, false, [0], [0, 1], 0, 0), -1);
 * ```
 */
export function summarizeCurves(
  curves: CocoCurves,
  ap: boolean,
  thresholds: number[],
  categories: number[],
  a: number,
  m: number,
): number {
  const [, R, K, A, M] = curves.counts;
  const values: number[] = [];
  for (const t of thresholds) {
    if (ap) {
      for (let r = 0; r < R; r++) {
        for (const k of categories) {
          const v = curves.precision[(((t * R + r) * K + k) * A + a) * M + m];
          if (v > -1) values.push(v);
        }
      }
    } else {
      for (const k of categories) {
        const v = curves.recall[((t * K + k) * A + a) * M + m];
        if (v > -1) values.push(v);
      }
    }
  }
  return values.length === 0 ? -1 : numpySum(values) / values.length;
}
