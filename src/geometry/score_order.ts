/**
 * Stable descending order of scores, as `torch.sort(scores, stable=True,
 * descending=True)` gives it: higher scores first, equal scores in input order,
 * `-0` equal to `+0`.
 *
 * @module
 */

import { reusable } from "./reusable.ts";

const RADIX_BITS = 11, RADIX = 1 << RADIX_BITS;
const counts = new Int32Array(RADIX);
const keyBuffer = reusable((n) => new Uint32Array(n));
const keyBuffer2 = reusable((n) => new Uint32Array(n));
const orderBuffer = reusable((n) => new Int32Array(n));

/**
 * Returns the indices of `scores` sorted by decreasing score; ties keep input order.
 * Scores must not be NaN (the public ops check that first). The result goes into `out`
 * (at least N long) when given.
 *
 * Each float's bits become an unsigned key that decreases as the score increases, and
 * a stable LSD radix sort (three 11-bit passes, skipping passes where every key has the
 * same digit) orders them: linear time, and ties stay in input order by construction.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const order = argsortDescending(new Float32Array([0.5, 0.9, 0.5, 0.7]));
 * assert.deepEqual([...order], [1, 3, 0, 2]);
 * ```
 */
export function argsortDescending(
  scores: Float32Array,
  out: Int32Array = new Int32Array(scores.length),
): Int32Array {
  const n = scores.length;
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, n);
  let keys: Uint32Array = keyBuffer(n), keys2: Uint32Array = keyBuffer2(n);
  let order: Int32Array = out, order2: Int32Array = orderBuffer(n);
  for (let i = 0; i < n; i++) {
    let b = bits[i];
    if (b === 0x80000000) b = 0; // -0 sorts as +0
    // Float bits to a key that increases with the value, then flipped.
    keys[i] = b & 0x80000000 ? b : ~b ^ 0x80000000;
    order[i] = i;
  }
  if (n <= 1) return out;
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & (RADIX - 1)]++;
    if (counts[(keys[0] >>> shift) & (RADIX - 1)] === n) continue; // one digit: nothing to do
    for (let d = 0, total = 0; d < RADIX; d++) {
      const c = counts[d];
      counts[d] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i], at = counts[(k >>> shift) & (RADIX - 1)]++;
      keys2[at] = k;
      order2[at] = order[i];
    }
    [keys, keys2] = [keys2, keys];
    [order, order2] = [order2, order];
  }
  if (order !== out) { for (let i = 0; i < n; i++) out[i] = order[i]; }
  return out;
}

const countBuffer = reusable((n) => new Int32Array(n));

/**
 * Reorders `order` (indices into `labels`) so that equal labels are contiguous, in
 * increasing label order, keeping the given order within each label (a stable counting
 * sort). Writes into `out` (at least `order.length` long) and returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const labels = new Int32Array([2, 1, 2, 1]);
 * assert.deepEqual([...groupByLabel(new Int32Array([0, 1, 2, 3]), labels)], [1, 3, 0, 2]);
 * ```
 */
export function groupByLabel(
  order: Int32Array,
  labels: Int32Array,
  out: Int32Array = new Int32Array(order.length),
): Int32Array {
  const n = order.length;
  if (n === 0) return out;
  let min = labels[order[0]], max = min;
  for (let k = 1; k < n; k++) {
    const l = labels[order[k]];
    if (l < min) min = l;
    if (l > max) max = l;
  }
  const range = max - min + 1;
  if (range > 4 * n + 1024) {
    // Labels too spread out for a count per value: a comparator sort on (label, place).
    const place = countBuffer(n);
    for (let k = 0; k < n; k++) place[k] = k;
    const sorted = place.subarray(0, n).sort((a, b) =>
      labels[order[a]] - labels[order[b]] || a - b
    );
    for (let k = 0; k < n; k++) out[k] = order[sorted[k]];
    return out;
  }
  const counts = countBuffer(range + 1).fill(0, 0, range + 1);
  for (let k = 0; k < n; k++) counts[labels[order[k]] - min + 1]++;
  for (let v = 0; v < range; v++) counts[v + 1] += counts[v];
  for (let k = 0; k < n; k++) out[counts[labels[order[k]] - min]++] = order[k];
  return out;
}
