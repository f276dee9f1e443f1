/**
 * Writes bytes to a file right away. (A `FsFile.writable` stream may hold writes back
 * until it closes; a sink read while it runs, or killed, must have its lines on disk.)
 *
 * @module
 */

/**
 * Writes every byte of `data` at the file's position (or to a connection: anything whose
 * `write` may take part of what it is given).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile();
 * using file = await Deno.open(path, { write: true });
 * await writeAll(file, new TextEncoder().encode("line\n"));
 * assert.equal((await Deno.stat(path)).size, 5);
 * await Deno.remove(path);
 * ```
 */
export async function writeAll(
  file: { write(data: Uint8Array): Promise<number> },
  data: Uint8Array,
): Promise<void> {
  let done = 0;
  while (done < data.length) done += await file.write(data.subarray(done));
}
