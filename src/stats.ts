/**
 * The statistics helper: quantiles with one meaning everywhere (linear interpolation
 * between the closest ranks, numpy's default `np.percentile` / `np.quantile`), the median
 * as the 0.5 quantile, and a summary of a sample. Reports, benchmarks and tests all use
 * these, so "p50" means the same number in each of them.
 *
 * @module
 */

/**
 * The `q` quantile (0..1) of `values`, interpolated linearly between the closest ranks
 * (numpy's default); NaN for no values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
 * assert.equal(quantile([1, 2, 3, 4], 0.9), 3.7);
 * assert.ok(Number.isNaN(quantile([], 0.5)));
 * ```
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  return sortedQuantile(Float64Array.from(values).sort(), q);
}

/**
 * {@link quantile} of values already sorted in increasing order (no copy).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(sortedQuantile([10, 20, 30], 0.25), 15);
 * ```
 */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = Math.min(1, Math.max(0, q)) * (n - 1);
  const lo = Math.floor(pos), hi = Math.min(n - 1, lo + 1);
  // toPrecision: 3.7, not 3.7000000000000006, as numpy prints it.
  return Number((sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)).toPrecision(12));
}

/**
 * The median: the 0.5 {@link quantile} (the mean of the two middle values of an even
 * count).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(median([3, 1, 2]), 2);
 * assert.equal(median([3, 1, 2, 10]), 2.5);
 * ```
 */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/**
 * The arithmetic mean; NaN for no values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(mean([1, 2, 3, 4]), 2.5);
 * ```
 */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length === 0 ? NaN : sum / values.length;
}

/** A sample summarised: count, mean, extremes and the usual percentiles. */
export interface Summary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Summarises a sample (NaN everywhere but `count` for no values).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const s = summarize([4, 1, 3, 2]);
 * assert.deepEqual([s.count, s.mean, s.min, s.p50, s.p90, s.max], [4, 2.5, 1, 2.5, 3.7, 4]);
 * ```
 */
export function summarize(values: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(values).sort();
  const q = (p: number) => sortedQuantile(sorted, p);
  return {
    count: sorted.length,
    mean: mean(sorted),
    min: sorted.length ? sorted[0] : NaN,
    p50: q(0.5),
    p90: q(0.9),
    p95: q(0.95),
    p99: q(0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}
