/**
 * ByteTrack's association costs (`yolox/tracker/matching.py`): IoU with inclusive pixel
 * coordinates as cython_bbox's `bbox_overlaps` computes it (width `x2 - x1 + 1`), the IoU
 * distance `1 − IoU`, and `fuse_score`. The float64 operations are the reference's, in its
 * order, so costs are bit-identical.
 *
 * @module
 */

/**
 * IoU of every box of `a` (n×4 `x1, y1, x2, y2`) with every box of `b` (k×4), as
 * cython_bbox's `bbox_overlaps(a, b)`: coordinates are inclusive pixels, so a box's width is
 * `x2 − x1 + 1`, and boxes that merely touch overlap by one pixel. Returns n×k, row-major.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const iou = inclusiveIou(new Float64Array([0, 0, 10, 10]), new Float64Array([5, 5, 15, 15]));
 * assert.ok(Math.abs(iou[0] - 36 / 206) < 1e-12);
 * ```
 */
export function inclusiveIou(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  out: Float64Array = new Float64Array((a.length >> 2) * (b.length >> 2)),
): Float64Array {
  const n = a.length >> 2, k = b.length >> 2;
  out.fill(0, 0, n * k);
  for (let q = 0; q < k; q++) {
    const qx1 = b[q * 4], qy1 = b[q * 4 + 1], qx2 = b[q * 4 + 2], qy2 = b[q * 4 + 3];
    const boxArea = (qx2 - qx1 + 1) * (qy2 - qy1 + 1);
    for (let p = 0; p < n; p++) {
      const x1 = a[p * 4], y1 = a[p * 4 + 1], x2 = a[p * 4 + 2], y2 = a[p * 4 + 3];
      const iw = (x2 < qx2 ? x2 : qx2) - (x1 > qx1 ? x1 : qx1) + 1;
      if (iw > 0) {
        const ih = (y2 < qy2 ? y2 : qy2) - (y1 > qy1 ? y1 : qy1) + 1;
        if (ih > 0) {
          const ua = (x2 - x1 + 1) * (y2 - y1 + 1) + boxArea - iw * ih;
          out[p * k + q] = iw * ih / ua;
        }
      }
    }
  }
  return out;
}

/**
 * ByteTrack's `iou_distance`: `1 − IoU` of track boxes `a` against detection boxes `b`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const cost = iouDistance(new Float64Array([0, 0, 9, 9]), new Float64Array([0, 0, 9, 9, 50, 50, 60, 60]));
 * assert.deepEqual([...cost], [0, 1]);
 * ```
 */
export function iouDistance(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const cost = inclusiveIou(a, b);
  for (let i = 0; i < cost.length; i++) cost[i] = 1 - cost[i];
  return cost;
}

/**
 * The association cost of tracks `a` (n×4 tlbr) against detections `b` (k×4):
 * `iou_distance`, then `fuse_score` with `scores` when given — the same numbers as
 * {@link iouDistance} and {@link fuseScore}, computed only for the pairs whose x-ranges can
 * meet (the others have IoU 0, cost exactly 1). Detections are sorted by `x1`; a pair can
 * overlap only when `b.x1 < a.x2 + 2` and `b.x1 > a.x1 − 4 − (widest b)`, which holds with
 * room to spare for the rounding of the `+ 1` formula. `pairs`, when given, receives the
 * position `i·k + j` of every overlapping pair (every entry that may differ from 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const a = new Float64Array([0, 0, 9, 9, 100, 0, 120, 9]);
 * const b = new Float64Array([0, 0, 9, 9, 50, 50, 60, 60, 101, 0, 121, 9]);
 * assert.deepEqual(associationCost(a, b), iouDistance(a, b));
 * assert.deepEqual(associationCost(a, b, [0.9, 0.8, 0.7]), fuseScore(iouDistance(a, b), [0.9, 0.8, 0.7]));
 * ```
 */
export function associationCost(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  scores?: ArrayLike<number>,
  pairs?: number[],
): Float64Array {
  const n = a.length >> 2, k = b.length >> 2;
  const cost = new Float64Array(n * k).fill(1);
  if (n === 0 || k === 0) return cost;
  if (n * k <= 4096) {
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < k; q++) pairCost(a, b, scores, p, q, k, cost, pairs);
    }
    return cost;
  }
  const order: number[] = [];
  let widest = -Infinity;
  for (let q = 0; q < k; q++) {
    order.push(q);
    widest = Math.max(widest, b[q * 4 + 2] - b[q * 4]);
  }
  order.sort((p, q) => b[p * 4] - b[q * 4]);
  const x1s = new Float64Array(k);
  for (let s = 0; s < k; s++) x1s[s] = b[order[s] * 4];
  for (let p = 0; p < n; p++) {
    const lo = a[p * 4] - 4 - widest, hi = a[p * 4 + 2] + 2;
    for (let s = lowerBound(x1s, lo); s < k && x1s[s] < hi; s++) {
      pairCost(a, b, scores, p, order[s], k, cost, pairs);
    }
  }
  return cost;
}

/** Cost of track p and detection q into `cost` when they overlap (else it stays 1). */
function pairCost(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  scores: ArrayLike<number> | undefined,
  p: number,
  q: number,
  k: number,
  cost: Float64Array,
  pairs: number[] | undefined,
): void {
  const x1 = a[p * 4], y1 = a[p * 4 + 1], x2 = a[p * 4 + 2], y2 = a[p * 4 + 3];
  const qx1 = b[q * 4], qy1 = b[q * 4 + 1], qx2 = b[q * 4 + 2], qy2 = b[q * 4 + 3];
  const iw = (x2 < qx2 ? x2 : qx2) - (x1 > qx1 ? x1 : qx1) + 1;
  if (!(iw > 0)) return;
  const ih = (y2 < qy2 ? y2 : qy2) - (y1 > qy1 ? y1 : qy1) + 1;
  if (!(ih > 0)) return;
  const boxArea = (qx2 - qx1 + 1) * (qy2 - qy1 + 1);
  const ua = (x2 - x1 + 1) * (y2 - y1 + 1) + boxArea - iw * ih;
  const c = 1 - iw * ih / ua;
  cost[p * k + q] = scores ? 1 - (1 - c) * scores[q] : c;
  pairs?.push(p * k + q);
}

/** The first position of sorted `values` holding a value above `bound`. */
function lowerBound(values: Float64Array, bound: number): number {
  let lo = 0, hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] > bound) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * ByteTrack's `fuse_score`, in place: `1 − (1 − cost) · score` per detection column, on a
 * rows × `scores.length` cost matrix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const cost = fuseScore(new Float64Array([0.25, 1]), [0.5, 0.9]);
 * assert.deepEqual([...cost], [0.625, 1]);
 * ```
 */
export function fuseScore(cost: Float64Array, scores: ArrayLike<number>): Float64Array {
  const k = scores.length;
  for (let row = 0; row < cost.length; row += k) {
    for (let j = 0; j < k; j++) {
      const iouSim = 1 - cost[row + j];
      cost[row + j] = 1 - iouSim * scores[j];
    }
  }
  return cost;
}
