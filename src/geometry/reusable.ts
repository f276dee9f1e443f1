/**
 * Grow-only working buffers that an op keeps from call to call. Allocating a typed
 * array costs microseconds (the backing store is zeroed and tracked as external
 * memory), so an op that allocated its ~20 working arrays per call on a 1,000-box input
 * spent a large share of its time there; each op keeps its own buffers instead.
 *
 * Only internal working memory is reused: arrays that an op returns are always new.
 *
 * @module
 */

/** A typed array that can be made from a length. */
type Buffer = Int8Array | Uint8Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/**
 * Returns a function that hands out a buffer of at least `n` elements, the same one
 * each time unless it has to grow. Its contents are whatever the last user left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const scratch = reusable((n) => new Int32Array(n));
 * const a = scratch(10);
 * assert.ok(a.length >= 10);
 * assert.equal(scratch(5), a); // reused
 * ```
 */
export function reusable<T extends Buffer>(make: (n: number) => T): (n: number) => T {
  let buffer = make(0);
  return (n: number): T => {
    if (buffer.length < n) buffer = make(Math.max(n, buffer.length * 2));
    return buffer;
  };
}
