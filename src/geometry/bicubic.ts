/**
 * Bicubic resizing as PyTorch's CPU kernel computes it for
 * `F.interpolate(x, size=(h, w), mode="bicubic", align_corners=False)`
 * (`aten/src/ATen/native/UpSample.h`, `UpSampleBicubic2d.cpp`), bit for bit as Debian's
 * torch 1.13 build computes it:
 *
 * - scale = `float(in) / out` (sizes given, no scale factor);
 * - source index `src = scale * (i + 0.5) - 0.5` in double, not clamped at 0 (cubic);
 *   `floor` of it rounded to float32 is the base tap, `t = float(src - base)`;
 * - Keys' weights at A = -0.75: `W1(t)`, `W1(1 - t)` for the two inner taps,
 *   `W2(t + 1)`, `W2(2 - t)` for the outer ones, with the fused multiply-adds that build's
 *   compiler made (`W1 = fma(1.25, x, -2.25) * x * x + 1`,
 *   `W2 = fma(fma(-0.75, x, 3.75), x, -6) * x + 3`);
 * - taps `base - 1 .. base + 2`, clamped to `[0, in - 1]` (border replicate);
 * - each 4-tap sum is `fma(v3, w3, fma(v2, w2, fma(v0, w0, v1 * w1)))` in float32: along
 *   x for the 4 rows, then along y over those; the same size on both axes is a copy.
 *
 * Those fused operations were measured, not read: weights pulled out of torch with
 * one-hot inputs match this model on 161 size pairs, and resized random planes match it
 * bit for bit (tests/fixtures/make_keypoint_fixtures.py). A PyTorch build whose
 * compiler fuses differently (or not at all) differs from it by an ulp here and there.
 *
 * The 2D sum is separable in exactly that order, so rows are interpolated along x first
 * and then combined: O(in_h · out_w + out_h · out_w) per plane.
 *
 * @module
 */

const fround = Math.fround;

/**
 * `fmaf(a, b, c)` for float32 `a`, `b`, `c`: `a * b + c` rounded once to float32. The
 * product is exact in double; the double sum is corrected when it lands exactly halfway
 * between two floats (where rounding it again would round twice).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(fma32(2, 3, 1), 7);
 * // (1 + 2^-13)(1 - 2^-13) - 1 = -2^-26; rounding the product first gives 0
 * const [a, b] = [1 + 2 ** -13, 1 - 2 ** -13];
 * assert.equal(fma32(a, b, -1), -(2 ** -26));
 * assert.equal(Math.fround(Math.fround(a * b) - 1), 0);
 * // 2^30 + 64 + 2^-30 rounds up; its double, 2^30 + 64, would tie to even (down)
 * assert.equal(fma32(8 * (1 + 2 ** -12), 8 * (1 - 2 ** -12 + 2 ** -24), 2 ** 30), 2 ** 30 + 128);
 * ```
 */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = fround(s);
  if (r === s) return r;
  // Only a double exactly halfway between two floats can round the wrong way: then the
  // float on its other side is r + 2 (s - r), and the sum's lost bits decide.
  const other = r + 2 * (s - r);
  if (fround(other) !== other) return r;
  const bv = s - p;
  const e = (p - (s - bv)) + (c - bv);
  if (e === 0) return r;
  return (e > 0) === (other > r) ? other : r;
}

/** `cubic_convolution1`: `((A + 2) x - (A + 3)) x x + 1` at A = -0.75, for |x| <= 1. */
function cubic1(x: number): number {
  return fround(fround(fround(fma32(1.25, x, -2.25) * x) * x) + 1);
}

/** `cubic_convolution2`: `((A x - 5A) x + 8A) x - 4A` at A = -0.75, for 1 < |x| < 2. */
function cubic2(x: number): number {
  return fround(fround(fma32(fma32(-0.75, x, 3.75), x, -6) * x) + 3);
}

/** `x0 * w0 + x1 * w1 + x2 * w2 + x3 * w3` as the kernel fuses it. */
function dot4(
  v0: number,
  v1: number,
  v2: number,
  v3: number,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): number {
  return fma32(v3, w3, fma32(v2, w2, fma32(v0, w0, fround(v1 * w1))));
}

/** The 4 taps and weights of each output position along one axis. */
export interface CubicTaps {
  /** 4 clamped source indices per output position. */
  index: Int32Array;
  /** 4 float32 weights per output position. */
  weight: Float32Array;
}

/**
 * Taps of PyTorch's cubic interpolation along one axis from `inSize` to `outSize`
 * samples (`align_corners=False`, scale from the sizes).
 *
 * @example Same size: each output reads its own input with weight 1
 * ```ts
 * import assert from "node:assert/strict";
 * const taps = cubicTaps(4, 4);
 * assert.deepEqual([...taps.index.subarray(0, 4)], [0, 0, 1, 2]);
 * assert.deepEqual([...taps.weight.subarray(0, 4)], [0, 1, 0, 0]);
 * ```
 */
export function cubicTaps(inSize: number, outSize: number): CubicTaps {
  const index = new Int32Array(outSize * 4);
  const weight = new Float32Array(outSize * 4);
  const scale = fround(inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    const src = scale * (i + 0.5) - 0.5;
    const base = Math.floor(fround(src));
    const t = fround(src - base);
    const t2 = fround(1 - t);
    weight[i * 4] = cubic2(fround(t + 1));
    weight[i * 4 + 1] = cubic1(t);
    weight[i * 4 + 2] = cubic1(t2);
    weight[i * 4 + 3] = cubic2(fround(t2 + 1));
    for (let j = 0; j < 4; j++) {
      index[i * 4 + j] = Math.max(Math.min(base - 1 + j, inSize - 1), 0);
    }
  }
  return { index, weight };
}

/**
 * Resizes one row-major `inH × inW` float32 plane (starting at `offset` in `src`) to
 * `outH × outW` with PyTorch's CPU bicubic (`align_corners=False`), into `out`
 * (`outH × outW`). `rows` is working memory of at least `inH × outW` floats. The same
 * size on both axes is a copy, as in PyTorch.
 *
 * @example An impulse spreads with Keys' weights (−0.75), negative lobes included
 * ```ts
 * import assert from "node:assert/strict";
 * const src = new Float32Array(16);
 * src[5] = 1; // (1, 1) of a 4×4 plane
 * const out = new Float32Array(64);
 * resizeBicubicPlane(src, 0, 4, 4, 8, 8, out, new Float32Array(4 * 8));
 * assert.equal(out[2 * 8 + 2].toFixed(3), "0.772"); // (2, 2): 0.8789² of the peak
 * assert.ok(out[2] < 0); // row 0 dips below zero
 * ```
 */
export function resizeBicubicPlane(
  src: Float32Array,
  offset: number,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
  out: Float32Array,
  rows: Float32Array,
  xTaps: CubicTaps = cubicTaps(inW, outW),
  yTaps: CubicTaps = cubicTaps(inH, outH),
): void {
  if (inH === outH && inW === outW) {
    out.set(src.subarray(offset, offset + inH * inW));
    return;
  }
  const xi = xTaps.index, xw = xTaps.weight;
  for (let r = 0; r < inH; r++) {
    const row = offset + r * inW;
    const dst = r * outW;
    for (let x = 0, k = 0; x < outW; x++, k += 4) {
      rows[dst + x] = dot4(
        src[row + xi[k]],
        src[row + xi[k + 1]],
        src[row + xi[k + 2]],
        src[row + xi[k + 3]],
        xw[k],
        xw[k + 1],
        xw[k + 2],
        xw[k + 3],
      );
    }
  }
  const yi = yTaps.index, yw = yTaps.weight;
  for (let y = 0, k = 0; y < outH; y++, k += 4) {
    const r0 = yi[k] * outW, r1 = yi[k + 1] * outW, r2 = yi[k + 2] * outW, r3 = yi[k + 3] * outW;
    const w0 = yw[k], w1 = yw[k + 1], w2 = yw[k + 2], w3 = yw[k + 3];
    const dst = y * outW;
    for (let x = 0; x < outW; x++) {
      out[dst + x] = dot4(rows[r0 + x], rows[r1 + x], rows[r2 + x], rows[r3 + x], w0, w1, w2, w3);
    }
  }
}
