/**
 * COCO RLE of a cropped pasted mask, without building the full-frame plane.
 *
 * @module
 */

import type { PastedMask, Rle } from "../types.ts";
import { rleCountsToString } from "./rle_string.ts";
import { checkInteger } from "./validate.ts";
import { describe } from "../describe.ts";

/**
 * Encodes a {@link PastedMask} (cropped to its box) as the COCO RLE of the whole
 * `height × width` frame: column-major runs, compressed string, exactly what `encodeRle`
 * gives for the full plane.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeRle } from "./rle.ts";
 * const mask = { x: 1, y: 1, width: 2, height: 1, data: new Uint8Array([1, 1]) };
 * const full = new Uint8Array(3 * 4);
 * full[1 * 4 + 1] = full[1 * 4 + 2] = 1;
 * assert.deepEqual(pastedMaskToRle(mask, 3, 4), encodeRle(full, 3, 4));
 * ```
 */
export function pastedMaskToRle(mask: PastedMask, height: number, width: number): Rle {
  const fn = "pastedMaskToRle";
  checkInteger(fn, "height", height, 0);
  checkInteger(fn, "width", width, 0);
  if (mask.x < 0 || mask.y < 0 || mask.x + mask.width > width || mask.y + mask.height > height) {
    throw new RangeError(
      `${fn}(): mask: expected a crop inside ${width}×${height}, found ${mask.width}×${mask.height} at (${mask.x}, ${mask.y})`,
    );
  }
  if (!(mask.data instanceof Uint8Array) || mask.data.length !== mask.width * mask.height) {
    throw new RangeError(
      `${fn}(): mask.data: expected ${mask.width}×${mask.height} = ${
        mask.width * mask.height
      } bytes, found ${describe(mask.data)}`,
    );
  }
  const counts: number[] = [];
  let value = 0, run = 0;
  // Columns before the crop, then each crop column (rows above, crop, rows below).
  run = mask.x * height;
  const { data, width: w, height: h } = mask;
  for (let cx = 0; cx < w; cx++) {
    // The rows above the crop are zeros: close a run of ones left by the column before
    // (it ended on the frame's last row) before counting them.
    if (mask.y > 0 && value !== 0) {
      counts.push(run);
      value = 0;
      run = 0;
    }
    run += mask.y;
    for (let cy = 0; cy < h; cy++) {
      const v = data[cy * w + cx] ? 1 : 0;
      if (v !== value) {
        counts.push(run);
        value = v;
        run = 0;
      }
      run++;
    }
    if (height - mask.y - h > 0 && value !== 0) {
      counts.push(run);
      value = 0;
      run = 0;
    }
    run += height - mask.y - h;
  }
  if (value !== 0 && (width - mask.x - w) * height > 0) {
    counts.push(run);
    value = 0;
    run = 0;
  }
  run += (width - mask.x - w) * height;
  counts.push(run);
  return { size: [height, width], counts: rleCountsToString(counts) };
}
