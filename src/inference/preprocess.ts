/**
 * Pre-processing: interleaved 8-bit frames (RGB or BGR, `height × width × 3`) to a model's
 * planar float input (`N × 3 × H × W`), scaled and normalised in one pass.
 *
 * @module
 */

import type { PixelFormat } from "../types.ts";
import { checkInteger } from "../geometry/validate.ts";
import { describe } from "../describe.ts";

/** How a model wants its pixels: `(pixel * scale - mean[c]) / std[c]`, in `colorOrder`. */
export interface Normalization {
  /** Multiplies the 0..255 values first, e.g. `1 / 255`. */
  scale: number;
  /** Per channel, in the model's channel order. */
  mean: readonly number[];
  /** Per channel, in the model's channel order. */
  std: readonly number[];
  /** Channel order the model expects. */
  colorOrder: "RGB" | "BGR";
}

/**
 * The per-channel affine coefficients `a = scale / std`, `b = -mean / std` (float64),
 * so that a model input value is `fround(pixel * a + b)`. Exporters compute reference
 * inputs with the same formula, so inputs match bit for bit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const { a, b } = normalizationCoefficients({ scale: 1, mean: [0, 0, 0], std: [2, 2, 2], colorOrder: "RGB" });
 * assert.deepEqual([...a, ...b], [0.5, 0.5, 0.5, -0, -0, -0]);
 * ```
 */
export function normalizationCoefficients(
  norm: Normalization,
): { a: Float64Array; b: Float64Array } {
  const a = new Float64Array(3), b = new Float64Array(3);
  for (let c = 0; c < 3; c++) {
    a[c] = norm.scale / norm.std[c];
    b[c] = -norm.mean[c] / norm.std[c];
  }
  return { a, b };
}

/**
 * Writes `frames` (each `height × width × 3` bytes in `format`) into `out` as
 * `frames.length × 3 × height × width` normalised floats in the model's channel order,
 * reusing `out` when it is large enough (pass the previous result back in).
 *
 * @example Two pixels, RGB frames into a BGR model
 * ```ts
 * import assert from "node:assert/strict";
 * const frame = new Uint8Array([255, 0, 0, 0, 0, 255]); // red, blue
 * const norm = { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], colorOrder: "BGR" as const };
 * const out = preprocess([frame], 2, 1, "rgb24", norm);
 * assert.deepEqual([...out], [0, 1, 0, 0, 1, 0]); // B plane, G plane, R plane
 * ```
 */
export function preprocess(
  frames: readonly Uint8Array[],
  width: number,
  height: number,
  format: PixelFormat,
  norm: Normalization,
  out?: Float32Array,
): Float32Array {
  const fn = "preprocess";
  checkInteger(fn, "width", width, 1);
  checkInteger(fn, "height", height, 1);
  const plane = width * height;
  for (let f = 0; f < frames.length; f++) {
    if (!(frames[f] instanceof Uint8Array) || frames[f].length !== plane * 3) {
      throw new RangeError(
        `${fn}(): frames[${f}]: expected a Uint8Array of ${height}×${width}×3 = ${
          plane * 3
        } bytes, found ${describe(frames[f])}`,
      );
    }
  }
  const size = frames.length * 3 * plane;
  const target = out && out.length >= size ? out.subarray(0, size) : new Float32Array(size);
  const { a, b } = normalizationCoefficients(norm);
  // Source byte k of a pixel feeds model channel c: swap when the orders differ.
  const swap = (format === "bgr24") !== (norm.colorOrder === "BGR");
  const s0 = swap ? 2 : 0, s2 = swap ? 0 : 2;
  const a0 = a[0], a1 = a[1], a2 = a[2], b0 = b[0], b1 = b[1], b2 = b[2];
  for (let f = 0; f < frames.length; f++) {
    const src = frames[f];
    let o0 = f * 3 * plane, o1 = o0 + plane, o2 = o1 + plane;
    const end = o1;
    for (let j = 0; o0 < end; j += 3) {
      target[o0++] = src[j + s0] * a0 + b0;
      target[o1++] = src[j + 1] * a1 + b1;
      target[o2++] = src[j + s2] * a2 + b2;
    }
  }
  return target;
}
