/**
 * Loading reference vectors from `tests/fixtures/` (the test task grants read access
 * to that folder only) and decoding the base64 arrays the fixture scripts write.
 *
 * @module
 */

/**
 * Reads and parses `tests/fixtures/<path>`.
 *
 * @example
 * ```ts ignore
 * const { cases } = await loadFixture<{ cases: unknown[] }>("geometry/nms.json");
 * ```
 */
export async function loadFixture<T>(path: string): Promise<T> {
  const url = new URL(`../fixtures/${path}`, import.meta.url);
  return JSON.parse(await Deno.readTextFile(url)) as T;
}

/**
 * Bytes of a base64 string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...bytesFromBase64("AQID")], [1, 2, 3]);
 * ```
 */
export function bytesFromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * Little-endian float32 values of a base64 string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...float32FromBase64("AACAPw==")], [1]);
 * ```
 */
export function float32FromBase64(text: string): Float32Array {
  const bytes = bytesFromBase64(text);
  return new Float32Array(bytes.buffer, 0, bytes.length / 4);
}

/**
 * Little-endian int32 values of a base64 string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...int32FromBase64("BwAAAA==")], [7]);
 * ```
 */
export function int32FromBase64(text: string): Int32Array {
  const bytes = bytesFromBase64(text);
  return new Int32Array(bytes.buffer, 0, bytes.length / 4);
}

/**
 * One byte (0 or 1) per bit of `np.packbits(..., bitorder="little")` output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...bitsFromBase64("BQ==", 4)], [1, 0, 1, 0]);
 * ```
 */
export function bitsFromBase64(text: string, count: number): Uint8Array {
  const packed = bytesFromBase64(text);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (packed[i >> 3] >> (i & 7)) & 1;
  return out;
}
