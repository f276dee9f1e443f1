/**
 * Pasting RoI masks into the frame, as detectron2's `paste_masks_in_image`
 * (`detectron2/layers/mask_ops.py`; docs/REFERENCE.md "Mask pasting"): every frame pixel
 * near the box samples the M×M mask at its centre with `grid_sample(bilinear,
 * align_corners=False, padding zeros)`, then `>= threshold`.
 *
 * Bilinear sampling is separable, so each mask row is first interpolated at the crop's
 * columns, then each crop row blends two of those rows: O(M·w + h·w) per mask instead of
 * four taps per pixel.
 *
 * @module
 */

import type { PastedMask } from "../types.ts";
import { reusable } from "./reusable.ts";
import { checkBoxes, checkInteger, checkNumber } from "./validate.ts";
import { describe } from "../describe.ts";

const fround = Math.fround;

/** Sampling taps along one axis: indices into the mask and their weights (0 outside). */
class Taps {
  i0: Int32Array = new Int32Array(0);
  i1: Int32Array = new Int32Array(0);
  w0: Float32Array = new Float32Array(0);
  w1: Float32Array = new Float32Array(0);
  private readonly i0Buffer = reusable((n) => new Int32Array(n));
  private readonly i1Buffer = reusable((n) => new Int32Array(n));
  private readonly w0Buffer = reusable((n) => new Float32Array(n));
  private readonly w1Buffer = reusable((n) => new Float32Array(n));

  /**
   * Taps for `count` pixels from `start`, for a box edge `lo..hi` and a mask side
   * `size`, following detectron2 (`(p + 0.5 - lo) / (hi - lo) * 2 - 1`) and
   * grid_sample's CPU kernel (`(g + 1) * size / 2 - 0.5`) in float32.
   */
  set(start: number, count: number, lo: number, hi: number, size: number): this {
    const i0 = this.i0 = this.i0Buffer(count).fill(0, 0, count);
    const i1 = this.i1 = this.i1Buffer(count).fill(0, 0, count);
    const w0 = this.w0 = this.w0Buffer(count).fill(0, 0, count);
    const w1 = this.w1 = this.w1Buffer(count).fill(0, 0, count);
    const span = fround(hi - lo), half = fround(size / 2);
    for (let k = 0; k < count; k++) {
      const g = fround(fround(fround(fround(fround(start + k + 0.5) - lo) / span) * 2) - 1);
      const x = fround(fround(fround(g + 1) * half) - 0.5);
      const x0 = Math.floor(x);
      const frac = fround(x - x0);
      // Out-of-range taps read zeros (padding_mode="zeros"); NaN/inf (empty box) read none.
      if (x0 >= 0 && x0 < size) {
        i0[k] = x0;
        w0[k] = fround(1 - frac);
      }
      if (x0 + 1 >= 0 && x0 + 1 < size) {
        i1[k] = x0 + 1;
        w1[k] = frac;
      }
    }
    return this;
  }
}

// Working memory kept between calls (see reusable.ts).
const colTaps = new Taps(), rowTaps = new Taps();
const rowBuffer = reusable((n) => new Float32Array(n));

/**
 * Pastes one M×M mask of probabilities into an `imageHeight × imageWidth` frame at
 * `box` and binarises it with `>= threshold`. The result is cropped to the region
 * detectron2 touches: `floor(x1) - 1 .. ceil(x2) + 1` (same for y), clamped to the
 * frame; it is empty when the box lies outside the frame.
 *
 * @param mask M×M probabilities (after sigmoid), row-major.
 * @param maskSize M.
 * @param box `x1, y1, x2, y2` in frame pixels.
 * @param threshold Binarisation threshold (default 0.5, as detectron2).
 *
 * @example A uniform mask fills exactly the pixels whose centres lie in its box
 * ```ts
 * import assert from "node:assert/strict";
 * const pasted = pasteMask(new Float32Array(28 * 28).fill(1), 28, [10, 10, 20, 20], 100, 100);
 * assert.deepEqual([pasted.x, pasted.y, pasted.width, pasted.height], [9, 9, 12, 12]);
 * assert.equal(pasted.data.reduce((a, b) => a + b, 0), 10 * 10);
 * ```
 */
export function pasteMask(
  mask: Float32Array,
  maskSize: number,
  box: ArrayLike<number>,
  imageHeight: number,
  imageWidth: number,
  threshold = 0.5,
): PastedMask {
  const fn = "pasteMask";
  checkInteger(fn, "maskSize", maskSize, 1);
  checkMasks(fn, "mask", mask, 1, maskSize);
  if (box === null || typeof box !== "object" || box.length !== 4) {
    throw new TypeError(
      `${fn}(): box: expected 4 numbers (x1, y1, x2, y2), found ${describe(box)}`,
    );
  }
  checkFrame(fn, imageHeight, imageWidth, threshold);
  const r = region(box[0], box[1], box[2], box[3], imageHeight, imageWidth);
  return pasteOne(mask, maskSize, box, 0, r, threshold);
}

/**
 * Pastes N masks, one per box, as {@link pasteMask} does for each.
 *
 * @param masks N×M×M probabilities.
 * @param boxes N×4 `x1, y1, x2, y2` in frame pixels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const masks = new Float32Array(2 * 28 * 28).fill(1);
 * const boxes = new Float32Array([0, 0, 8, 8, 50, 40, 60, 48]);
 * const pasted = pasteMasks(masks, 28, boxes, 64, 64);
 * assert.deepEqual(pasted.map((p) => [p.x, p.y, p.width, p.height]), [[0, 0, 9, 9], [49, 39, 12, 10]]);
 * ```
 */
export function pasteMasks(
  masks: Float32Array,
  maskSize: number,
  boxes: Float32Array,
  imageHeight: number,
  imageWidth: number,
  threshold = 0.5,
): PastedMask[] {
  const fn = "pasteMasks";
  const n = checkBoxes(fn, "boxes", boxes);
  checkInteger(fn, "maskSize", maskSize, 1);
  checkMasks(fn, "masks", masks, n, maskSize);
  checkFrame(fn, imageHeight, imageWidth, threshold);
  // One allocation for all the crops (each mask gets its own view of it).
  const regions: Region[] = [];
  let bytes = 0;
  for (let o = 0; o < n * 4; o += 4) {
    const r = region(boxes[o], boxes[o + 1], boxes[o + 2], boxes[o + 3], imageHeight, imageWidth);
    regions.push(r);
    bytes += r.width * r.height;
  }
  const storage = new Uint8Array(bytes);
  const out: PastedMask[] = new Array(n);
  const plane = maskSize * maskSize;
  for (let i = 0, used = 0; i < n; i++) {
    const r = regions[i], mask = masks.subarray(i * plane, (i + 1) * plane);
    const data = storage.subarray(used, used += r.width * r.height);
    out[i] = pasteOne(mask, maskSize, boxes, i * 4, r, threshold, data);
  }
  return out;
}

function checkMasks(fn: string, name: string, masks: unknown, n: number, size: number): void {
  const expected = `a Float32Array of ${n === 1 ? "" : `${n}×`}${size}×${size} = ${
    n * size * size
  } probabilities`;
  if (!(masks instanceof Float32Array)) {
    throw new TypeError(`${fn}(): ${name}: expected ${expected}, found ${describe(masks)}`);
  }
  if (masks.length !== n * size * size) {
    throw new RangeError(`${fn}(): ${name}: expected ${expected}, found length ${masks.length}`);
  }
}

function checkFrame(fn: string, height: number, width: number, threshold: number): void {
  checkInteger(fn, "imageHeight", height, 0);
  checkInteger(fn, "imageWidth", width, 0);
  checkNumber(fn, "threshold", threshold);
}

/**
 * The frame region detectron2 pastes a box into: `floor(x1) - 1 .. ceil(x2) + 1` (same
 * for y) in float32 box coordinates, clamped to the frame (empty when outside it).
 */
interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

function region(
  bx1: number,
  by1: number,
  bx2: number,
  by2: number,
  imageHeight: number,
  imageWidth: number,
): Region {
  const x = Math.max(Math.floor(fround(bx1)) - 1, 0), y = Math.max(Math.floor(fround(by1)) - 1, 0);
  const width = Math.max(Math.min(Math.ceil(fround(bx2)) + 1, imageWidth) - x, 0) || 0;
  const height = Math.max(Math.min(Math.ceil(fround(by2)) + 1, imageHeight) - y, 0) || 0;
  return { x, y, width, height };
}

/** Pastes one mask whose box is `box[at .. at + 3]` into its region `r`. */
function pasteOne(
  mask: Float32Array,
  size: number,
  box: ArrayLike<number>,
  at: number,
  r: Region,
  threshold: number,
  data: Uint8Array = new Uint8Array(r.width * r.height),
): PastedMask {
  const { x, y, width, height } = r;
  if (width === 0 || height === 0) return { x, y, width, height, data };
  // Box coordinates live in a float32 tensor in detectron2.
  const x1 = fround(box[at]), y1 = fround(box[at + 1]);
  const x2 = fround(box[at + 2]), y2 = fround(box[at + 3]);
  const cols = colTaps.set(x, width, x1, x2, size), rows = rowTaps.set(y, height, y1, y2, size);

  // Each mask row interpolated at the crop's columns.
  const rowAt = rowBuffer(size * width);
  const { i0, i1, w0, w1 } = cols;
  for (let r = 0; r < size; r++) {
    const src = r * size, dst = r * width;
    for (let c = 0; c < width; c++) {
      rowAt[dst + c] = mask[src + i0[c]] * w0[c] + mask[src + i1[c]] * w1[c];
    }
  }
  const thr = fround(threshold);
  for (let r = 0; r < height; r++) {
    const a = rows.i0[r] * width, b = rows.i1[r] * width;
    const wa = rows.w0[r], wb = rows.w1[r], out = r * width;
    for (let c = 0; c < width; c++) {
      data[out + c] = +(wa * rowAt[a + c] + wb * rowAt[b + c] >= thr);
    }
  }
  return { x, y, width, height, data };
}
