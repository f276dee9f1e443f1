/**
 * The floating-point order of the numpy reductions TrackEval's metrics use, so that sums
 * come out bit for bit as TrackEval's and ties in the assignments break the same way:
 * `np.sum` of a contiguous array is a pairwise sum (blocks of 8 accumulators, numpy's
 * `pairwise_sum`), the sum over the rows of a matrix (`sum(0)`) adds rows in order, and
 * Python's builtin `sum` adds left to right.
 *
 * @module
 */

/** numpy's `PW_BLOCKSIZE`. */
const BLOCK = 128;

/**
 * numpy's `pairwise_sum` of `n` values of `a` from `start`, `stride` apart: what `np.sum`
 * returns for a contiguous float64 array (and `sum(1)` for each row of a matrix).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(pairwiseSum(new Float64Array([1, 2, 3]), 0, 3), 6);
 * assert.equal(pairwiseSum(new Float64Array([9, 1, 9, 2]), 1, 2, 2), 3);
 * ```
 */
export function pairwiseSum(a: ArrayLike<number>, start: number, n: number, stride = 1): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i * stride];
    return res;
  }
  if (n <= BLOCK) {
    let r0 = a[start], r1 = a[start + stride], r2 = a[start + 2 * stride];
    let r3 = a[start + 3 * stride], r4 = a[start + 4 * stride], r5 = a[start + 5 * stride];
    let r6 = a[start + 6 * stride], r7 = a[start + 7 * stride];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const p = start + i * stride;
      r0 += a[p];
      r1 += a[p + stride];
      r2 += a[p + 2 * stride];
      r3 += a[p + 3 * stride];
      r4 += a[p + 4 * stride];
      r5 += a[p + 5 * stride];
      r6 += a[p + 6 * stride];
      r7 += a[p + 7 * stride];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[start + i * stride];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2, stride) + pairwiseSum(a, start + n2 * stride, n - n2, stride);
}

/**
 * `m.sum(0)` of a `rows × cols` row-major matrix: the rows added in order (numpy's
 * reduction over the outer axis), except that a single column is contiguous and summed
 * pairwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(columnSums(new Float64Array([1, 2, 3, 4]), 2, 2), new Float64Array([4, 6]));
 * ```
 */
export function columnSums(m: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols);
  if (cols === 1) {
    out[0] = pairwiseSum(m, 0, rows);
    return out;
  }
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) out[j] += m[row + j];
  }
  return out;
}

/**
 * `m.sum(1)` of a `rows × cols` row-major matrix: each row summed pairwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(rowSums(new Float64Array([1, 2, 3, 4]), 2, 2), new Float64Array([3, 7]));
 * ```
 */
export function rowSums(m: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = pairwiseSum(m, i * cols, cols);
  return out;
}

/**
 * `np.mean` of a float64 array: its pairwise sum divided by its length (NaN when empty).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(mean(new Float64Array([1, 2, 3, 6])), 3);
 * ```
 */
export function mean(a: Float64Array): number {
  return pairwiseSum(a, 0, a.length) / a.length;
}
