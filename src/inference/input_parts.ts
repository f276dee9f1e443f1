/**
 * Joining an input tensor from the parts a run sends: the whole tensor in one buffer
 * (used as it is), or one buffer per image (copied, in the worker, into a buffer kept
 * for the next run of the same size).
 *
 * @module
 */

/** The typed arrays an input tensor may be. */
export type InputArray = Float32Array | Uint8Array;

/**
 * Joins input parts into one tensor of `elements` elements of `dtype`, reusing `pool`'s
 * buffer for that size when parts must be copied. Bytes past the parts (a fixed-size
 * batch's missing images) are zeros. More bytes than the tensor holds is a `RangeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const pool = new Map<number, ArrayBuffer>();
 * const whole = new Uint8Array([1, 2, 3, 4]).buffer;
 * assert.equal(joinInput([whole], "uint8", 4, pool).buffer, whole); // no copy
 * const joined = joinInput([new Uint8Array([1, 2]).buffer], "uint8", 4, pool);
 * assert.deepEqual([...joined], [1, 2, 0, 0]);
 * ```
 */
export function joinInput(
  parts: readonly ArrayBuffer[],
  dtype: "float32" | "uint8",
  elements: number,
  pool: Map<number, ArrayBuffer>,
): InputArray {
  const bytesPer = dtype === "float32" ? 4 : 1;
  const bytes = elements * bytesPer;
  const view = (b: ArrayBuffer) =>
    dtype === "float32" ? new Float32Array(b, 0, elements) : new Uint8Array(b, 0, elements);
  if (parts.length === 1 && parts[0].byteLength === bytes) return view(parts[0]);
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  if (total > bytes) {
    throw new RangeError(
      `input: expected at most ${bytes} bytes (${elements} ${dtype} elements), found ${total} in ${parts.length} parts`,
    );
  }
  let target = pool.get(bytes);
  if (!target) pool.set(bytes, target = new ArrayBuffer(bytes));
  const out = new Uint8Array(target);
  let at = 0;
  for (const part of parts) {
    out.set(new Uint8Array(part), at);
    at += part.byteLength;
  }
  out.fill(0, at);
  return view(target);
}
