/**
 * COCO RLEs of every segment of a segment-id map, in one column-major pass.
 *
 * @module
 */

import type { Rle } from "../types.ts";
import { rleCountsToString } from "./rle_string.ts";

/**
 * Encodes each non-zero id of a row-major `height × width` id map as its own COCO RLE
 * (compressed counts, column-major, as pycocotools writes them), in one pass over the map.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRle } from "./rle.ts";
 * const ids = new Int32Array([1, 1, 2, 0, 2, 2]); // 2 rows, 3 columns
 * const rles = segmentRles(ids, 2, 3);
 * assert.deepEqual([...rles.keys()], [1, 2]);
 * assert.deepEqual([...decodeRle(rles.get(2)!)], [0, 0, 1, 0, 1, 1]); // row-major again
 * ```
 */
export function segmentRles(ids: Int32Array, height: number, width: number): Map<number, Rle> {
  if (ids.length !== height * width) {
    throw new RangeError(
      `segmentRles(): ids: expected ${height}×${width} = ${
        height * width
      } values, found ${ids.length}`,
    );
  }
  // Per id: the runs so far, where its last run of ones ended, and whether one is open.
  const runs = new Map<number, number[]>();
  const lastEnd = new Map<number, number>();
  let prev = -1, runStart = 0;
  const close = (id: number, start: number, end: number) => {
    if (id <= 0) return;
    let r = runs.get(id);
    if (!r) runs.set(id, r = []);
    const zeros = start - (lastEnd.get(id) ?? 0);
    r.push(zeros, end - start);
    lastEnd.set(id, end);
  };
  let k = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++, k++) {
      const id = ids[y * width + x];
      if (id !== prev) {
        close(prev, runStart, k);
        prev = id;
        runStart = k;
      }
    }
  }
  close(prev, runStart, k);
  const out = new Map<number, Rle>();
  for (const id of [...runs.keys()].sort((a, b) => a - b)) {
    const r = runs.get(id)!;
    const tail = k - lastEnd.get(id)!;
    if (tail > 0) r.push(tail);
    out.set(id, { size: [height, width], counts: rleCountsToString(r) });
  }
  return out;
}
