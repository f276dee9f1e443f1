/**
 * Anchor boxes as torchvision 0.14's `AnchorGenerator`
 * (`torchvision/models/detection/anchor_utils.py`) makes them for RetinaNet and FCOS:
 * zero-centred base anchors per (aspect ratio, size), rounded, shifted to every location of a
 * feature map. Float32, as the generator computes them.
 *
 * @module
 */

import { checkInteger, checkNumber } from "./validate.ts";
import { describe } from "../describe.ts";

const fround = Math.fround;

/**
 * RetinaNet's anchor sizes per FPN level (torchvision's `_default_anchorgen`): for x in
 * 32, 64, 128, 256, 512, the sizes `x`, `int(x · 2^(1/3))`, `int(x · 2^(2/3))`.
 *
 * @example The anchors of RetinaNet's first level on a 512×512 input
 * ```ts
 * import assert from "node:assert/strict";
 * const a = anchorsForLevel(RETINANET_ANCHOR_SIZES[0], RETINANET_ASPECT_RATIOS, 8, 64, 64);
 * assert.equal(a.length / 4, 64 * 64 * 9);
 * ```
 */
export const RETINANET_ANCHOR_SIZES: readonly (readonly number[])[] = Object.freeze([
  Object.freeze([32, 40, 50]),
  Object.freeze([64, 80, 101]),
  Object.freeze([128, 161, 203]),
  Object.freeze([256, 322, 406]),
  Object.freeze([512, 645, 812]),
]);

/**
 * RetinaNet's aspect ratios (height / width), the same on every level.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(RETINANET_ASPECT_RATIOS, [0.5, 1, 2]);
 * ```
 */
export const RETINANET_ASPECT_RATIOS: readonly number[] = Object.freeze([0.5, 1.0, 2.0]);

/**
 * FCOS's anchor sizes per level (one point per location; the size normalises its
 * regression), with aspect ratio 1.
 *
 * @example The points of FCOS's last level on a 512×512 input
 * ```ts
 * import assert from "node:assert/strict";
 * const a = anchorsForLevel(FCOS_ANCHOR_SIZES[4], [1], 128, 4, 4);
 * assert.deepEqual([...a.subarray(0, 4)], [-64, -64, 64, 64]);
 * ```
 */
export const FCOS_ANCHOR_SIZES: readonly (readonly number[])[] = Object.freeze(
  [[8], [16], [32], [64], [128]].map((s) => Object.freeze(s)),
);

/** Rounds half to even, as `torch.round`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x); // halves go up
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function checkPositiveList(fn: string, name: string, values: unknown): readonly number[] {
  if (!Array.isArray(values) || values.length === 0) {
    throw new TypeError(
      `${fn}(): ${name}: expected a non-empty array of positive numbers, found ${describe(values)}`,
    );
  }
  values.forEach((v, k) => checkNumber(fn, `${name}[${k}]`, v, Number.MIN_VALUE));
  return values;
}

/**
 * The zero-centred base anchors of one level, as `AnchorGenerator.generate_anchors`:
 * for each aspect ratio r (height / width) and then each size s, `h = sqrt(r)`, `w = 1 / h`,
 * the box `[-w s, -h s, w s, h s] / 2` rounded half to even. Returns
 * `sizes.length × aspectRatios.length` boxes, ratio-major.
 *
 * @example RetinaNet's first level
 * ```ts
 * import assert from "node:assert/strict";
 * const base = cellAnchors([32, 40, 50], [0.5, 1.0, 2.0]);
 * assert.equal(base.length, 9 * 4);
 * assert.deepEqual([...base.subarray(0, 4)], [-23, -11, 23, 11]); // ratio 0.5, size 32
 * assert.deepEqual([...base.subarray(16, 20)], [-20, -20, 20, 20]); // ratio 1, size 40
 * ```
 */
export function cellAnchors(
  sizes: readonly number[],
  aspectRatios: readonly number[],
): Float32Array {
  const fn = "cellAnchors";
  checkPositiveList(fn, "sizes", sizes);
  checkPositiveList(fn, "aspectRatios", aspectRatios);
  const out = new Float32Array(sizes.length * aspectRatios.length * 4);
  let o = 0;
  for (const ratio of aspectRatios) {
    const h = fround(Math.sqrt(fround(ratio)));
    const w = fround(1 / h);
    for (const size of sizes) {
      const s = fround(size);
      const ws = fround(w * s), hs = fround(h * s);
      out[o++] = roundHalfEven(fround(-ws / 2));
      out[o++] = roundHalfEven(fround(-hs / 2));
      out[o++] = roundHalfEven(fround(ws / 2));
      out[o++] = roundHalfEven(fround(hs / 2));
    }
  }
  return out;
}

/**
 * The stride torchvision's `AnchorGenerator.forward` gives a feature map: the padded
 * batch's size divided by the feature map's, rounded down, per axis. It need not equal
 * the network's nominal stride (a 320-pixel input with a 3×3 level gets 106).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(anchorStride(512, 640, 64, 80), [8, 8]);
 * assert.deepEqual(anchorStride(320, 320, 3, 3), [106, 106]);
 * ```
 */
export function anchorStride(
  imageHeight: number,
  imageWidth: number,
  featureHeight: number,
  featureWidth: number,
): [number, number] {
  const fn = "anchorStride";
  checkInteger(fn, "imageHeight", imageHeight, 0);
  checkInteger(fn, "imageWidth", imageWidth, 0);
  checkInteger(fn, "featureHeight", featureHeight, 1);
  checkInteger(fn, "featureWidth", featureWidth, 1);
  return [Math.floor(imageHeight / featureHeight), Math.floor(imageWidth / featureWidth)];
}

/**
 * The anchors of one feature map level, as torchvision's `AnchorGenerator` makes them:
 * for each location (row-major, y then x) at `(x · strideW, y · strideH)`, each base anchor
 * of {@link cellAnchors} shifted there. The order matches the heads' `HWA` outputs (anchor
 * index `(y · W + x) · A + a`, with `a` ratio-major over the sizes), so a head's row k
 * decodes against anchor k.
 *
 * @param sizes anchor sizes of this level (RetinaNet: 3; FCOS: 1, see {@link FCOS_ANCHOR_SIZES}).
 * @param aspectRatios height / width ratios (RetinaNet: 0.5, 1, 2; FCOS: 1).
 * @param stride pixels between locations: one number, or `[strideH, strideW]` (see {@link anchorStride}).
 * @returns `H × W × A` boxes `x1, y1, x2, y2`, A = sizes × ratios.
 *
 * @example FCOS's first level on a 16×24 input: 2×3 locations, one 8-pixel box each
 * ```ts
 * import assert from "node:assert/strict";
 * const anchors = anchorsForLevel([8], [1.0], 8, 2, 3);
 * assert.equal(anchors.length, 6 * 4);
 * assert.deepEqual([...anchors.subarray(0, 8)], [-4, -4, 4, 4, 4, -4, 12, 4]);
 * assert.deepEqual([...anchors.subarray(20, 24)], [12, 4, 20, 12]); // row 1, column 2
 * ```
 */
export function anchorsForLevel(
  sizes: readonly number[],
  aspectRatios: readonly number[],
  stride: number | readonly [number, number],
  featureHeight: number,
  featureWidth: number,
): Float32Array {
  const fn = "anchorsForLevel";
  const base = cellAnchors(sizes, aspectRatios);
  let strideH: number, strideW: number;
  if (typeof stride === "number") {
    strideH = strideW = stride;
  } else if (Array.isArray(stride) && stride.length === 2) {
    [strideH, strideW] = stride;
  } else {
    throw new TypeError(
      `${fn}(): stride: expected a number or [strideH, strideW], found ${describe(stride)}`,
    );
  }
  checkInteger(fn, "stride (height)", strideH, 0);
  checkInteger(fn, "stride (width)", strideW, 0);
  checkInteger(fn, "featureHeight", featureHeight, 0);
  checkInteger(fn, "featureWidth", featureWidth, 0);
  const a = base.length / 4;
  const out = new Float32Array(featureHeight * featureWidth * a * 4);
  let o = 0;
  for (let y = 0; y < featureHeight; y++) {
    const sy = y * strideH;
    for (let x = 0; x < featureWidth; x++) {
      const sx = x * strideW;
      for (let b = 0; b < base.length; b += 4) {
        out[o++] = sx + base[b];
        out[o++] = sy + base[b + 1];
        out[o++] = sx + base[b + 2];
        out[o++] = sy + base[b + 3];
      }
    }
  }
  return out;
}
