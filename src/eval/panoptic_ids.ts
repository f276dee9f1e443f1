/**
 * Segment ids of panoptic PNG files, as `cocodataset/panopticapi`
 * `panopticapi/utils.py` encodes them: a pixel's colour is its segment id in base 256,
 * `id = R + 256 G + 256² B`, so ids run from 0 (void, black) to 2²⁴ - 1.
 *
 * The pixels are row-major, interleaved (`R, G, B, R, G, B...`), as PNG decoders give
 * them; the id maps are row-major `Int32Array`s, as in `PanopticResult`.
 *
 * @module
 */

import { checkInteger } from "../geometry/validate.ts";
import { describe } from "../describe.ts";

/** The largest id that a colour can hold, `256³ - 1`. */
const MAX_ID = 0xffffff;

/**
 * Decodes the colours of a panoptic PNG into segment ids, as panopticapi's `rgb2id`:
 * `id = R + 256 G + 256² B`.
 *
 * `channels` is 3 for RGB pixels (the default) or 4 for RGBA ones (a canvas'
 * `ImageData`), whose alpha is ignored.
 *
 * @param rgb `height × width × channels` bytes, row-major, channels interleaved.
 * @returns a new row-major `Int32Array` of `height × width` ids.
 * @throws {TypeError} when `rgb` is not a `Uint8Array` or `Uint8ClampedArray`.
 * @throws {RangeError} when a size is not a non-negative integer or the length of
 * `rgb` is not `height × width × channels`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // One black (void) pixel and one of colour (1, 2, 3).
 * const ids = idsFromRgb(new Uint8Array([0, 0, 0, 1, 2, 3]), 1, 2);
 * assert.deepEqual(ids, new Int32Array([0, 1 + 2 * 256 + 3 * 65536]));
 * ```
 */
export function idsFromRgb(
  rgb: Uint8Array | Uint8ClampedArray,
  height: number,
  width: number,
  channels: 3 | 4 = 3,
): Int32Array {
  const fn = "idsFromRgb";
  checkInteger(fn, "height", height, 0);
  checkInteger(fn, "width", width, 0);
  if (channels !== 3 && channels !== 4) {
    const err = typeof channels === "number" ? RangeError : TypeError;
    throw new err(`${fn}(): channels: expected 3 or 4, found ${describe(channels)}`);
  }
  const n = height * width;
  const expected = `a Uint8Array of height × width × ${channels} = ${n * channels} bytes`;
  if (!(rgb instanceof Uint8Array || rgb instanceof Uint8ClampedArray)) {
    throw new TypeError(`${fn}(): rgb: expected ${expected}, found ${describe(rgb)}`);
  }
  if (rgb.length !== n * channels) {
    throw new RangeError(`${fn}(): rgb: expected ${expected}, found length ${rgb.length}`);
  }
  const ids = new Int32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    ids[i] = rgb[j] | (rgb[j + 1] << 8) | (rgb[j + 2] << 16);
  }
  return ids;
}

/**
 * Encodes segment ids as the colours of a panoptic PNG, as panopticapi's `id2rgb`:
 * `R = id mod 256`, `G = ⌊id / 256⌋ mod 256`, `B = ⌊id / 256²⌋ mod 256`.
 *
 * Unlike `id2rgb`, which silently wraps, an id that no colour can hold (negative, or
 * above `256³ - 1 = 16777215`) is a `RangeError`: its PNG would decode to another id.
 *
 * @param ids `height × width` segment ids, row-major.
 * @returns a new `Uint8Array` of `height × width × 3` bytes, row-major, `R, G, B`.
 * @throws {TypeError} when `ids` is not an `Int32Array`.
 * @throws {RangeError} when a size is not a non-negative integer, the length of `ids`
 * is not `height × width`, or an id is outside `[0, 16777215]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const ids = new Int32Array([0, 1 + 2 * 256 + 3 * 65536]);
 * const rgb = rgbFromIds(ids, 1, 2);
 * assert.deepEqual(rgb, new Uint8Array([0, 0, 0, 1, 2, 3]));
 * assert.deepEqual(idsFromRgb(rgb, 1, 2), ids); // round trip
 * ```
 */
export function rgbFromIds(ids: Int32Array, height: number, width: number): Uint8Array {
  const fn = "rgbFromIds";
  checkInteger(fn, "height", height, 0);
  checkInteger(fn, "width", width, 0);
  const n = height * width;
  const expected = `an Int32Array of height × width = ${n} ids`;
  if (!(ids instanceof Int32Array)) {
    throw new TypeError(`${fn}(): ids: expected ${expected}, found ${describe(ids)}`);
  }
  if (ids.length !== n) {
    throw new RangeError(`${fn}(): ids: expected ${expected}, found length ${ids.length}`);
  }
  const rgb = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const id = ids[i];
    if (id < 0 || id > MAX_ID) {
      throw new RangeError(
        `${fn}(): ids[${i}]: expected an id in [0, ${MAX_ID}] (R + 256 G + 256² B), found ${id}`,
      );
    }
    rgb[j] = id & 0xff;
    rgb[j + 1] = (id >> 8) & 0xff;
    rgb[j + 2] = id >> 16;
  }
  return rgb;
}
