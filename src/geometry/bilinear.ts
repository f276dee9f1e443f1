/**
 * Bilinear resizing as PyTorch's `F.interpolate(mode="bilinear", align_corners=False)`
 * computes it: the taps of each output index along one axis, so that a resize is two
 * passes of blends (and a caller can resize only the part of a plane it needs).
 *
 * @module
 */

import { checkInteger } from "./validate.ts";

/** For each output index along an axis: the two input indices it blends and the weight of
 * the second. */
export interface BilinearTaps {
  i0: Int32Array;
  i1: Int32Array;
  /** Weight of `i1` (`1 - w` goes to `i0`), float32. */
  w: Float32Array;
}

const fround = Math.fround;

/**
 * The taps of resizing `inSize` samples to `outSize` along one axis, PyTorch's way with
 * `align_corners=False`: output index `o` reads the input at `(o + 0.5) · inSize / outSize −
 * 0.5`, clamped at 0, blending `floor` of that and the next index (the last one repeats at
 * the edge). Computed in float32, as PyTorch's CPU kernel does for float tensors.
 *
 * @example Doubling 2 samples: the outer outputs copy the edges
 * ```ts
 * import assert from "node:assert/strict";
 * const t = bilinearTaps(2, 4);
 * assert.deepEqual([...t.i0], [0, 0, 0, 1]);
 * assert.deepEqual([...t.i1], [1, 1, 1, 1]); // the last index repeats at the edge
 * assert.deepEqual([...t.w], [0, 0.25, 0.75, 0.25]);
 * ```
 */
export function bilinearTaps(inSize: number, outSize: number): BilinearTaps {
  checkInteger("bilinearTaps", "inSize", inSize, 1);
  checkInteger("bilinearTaps", "outSize", outSize, 1);
  const scale = fround(inSize / outSize);
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize), w = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    let src = fround(fround(scale * fround(o + 0.5)) - 0.5);
    if (src < 0) src = 0;
    const lo = Math.floor(src);
    i0[o] = lo;
    i1[o] = lo < inSize - 1 ? lo + 1 : lo;
    w[o] = fround(src - lo);
  }
  return { i0, i1, w };
}

/**
 * Resizes an `h × w` plane to `outH × outW` bilinearly (`align_corners=False`), row-major,
 * in float32 step by step.
 *
 * @example A 1×2 plane to 1×4
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...resizeBilinearPlane(new Float32Array([0, 1]), 1, 2, 1, 4)], [0, 0.25, 0.75, 1]);
 * ```
 */
export function resizeBilinearPlane(
  plane: Float32Array,
  h: number,
  w: number,
  outH: number,
  outW: number,
): Float32Array {
  if (plane.length !== h * w) {
    throw new RangeError(
      `resizeBilinearPlane(): plane: expected ${h}×${w} = ${h * w} values, found ${plane.length}`,
    );
  }
  const xs = bilinearTaps(w, outW), ys = bilinearTaps(h, outH);
  const out = new Float32Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    const r0 = ys.i0[y] * w, r1 = ys.i1[y] * w, fy = ys.w[y], gy = fround(1 - fy);
    for (let x = 0; x < outW; x++) {
      const c0 = xs.i0[x], c1 = xs.i1[x], fx = xs.w[x], gx = fround(1 - fx);
      const top = fround(fround(gx * plane[r0 + c0]) + fround(fx * plane[r0 + c1]));
      const bottom = fround(fround(gx * plane[r1 + c0]) + fround(fx * plane[r1 + c1]));
      out[y * outW + x] = fround(fround(gy * top) + fround(fy * bottom));
    }
  }
  return out;
}
