/**
 * From the model's input frame back to the source frame: boxes (undoing the letterbox or
 * resize) and the semantic head's low-resolution logits (upsampled, then argmax).
 *
 * @module
 */

import type { FrameGeometry } from "../types.ts";

/**
 * Maps `boxes` (N×4 `x1, y1, x2, y2` in model-input pixels) to source pixels, clipped to
 * the source frame: source `x = (x_in - padX) / scaleX`.
 *
 * @example Letterboxed 1280×720 → 640×640 (scale 0.5, 140 px bars)
 * ```ts
 * import assert from "node:assert/strict";
 * const g = { sourceWidth: 1280, sourceHeight: 720, width: 640, height: 640, scaledWidth: 640,
 *   scaledHeight: 360, scaleX: 0.5, scaleY: 0.5, padX: 0, padY: 140 };
 * assert.deepEqual([...boxesToSource(new Float32Array([10, 150, 20, 600]), g)], [20, 20, 40, 720]);
 * ```
 */
export function boxesToSource(boxes: Float32Array, geometry: FrameGeometry): Float32Array {
  const { scaleX, scaleY, padX, padY, sourceWidth, sourceHeight } = geometry;
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = clamp((boxes[i] - padX) / scaleX, sourceWidth);
    out[i + 1] = clamp((boxes[i + 1] - padY) / scaleY, sourceHeight);
    out[i + 2] = clamp((boxes[i + 2] - padX) / scaleX, sourceWidth);
    out[i + 3] = clamp((boxes[i + 3] - padY) / scaleY, sourceHeight);
  }
  return out;
}

function clamp(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}

/** A semantic head's output for one image: `classes × height × width` logits. */
export interface SemanticLogits {
  data: Float32Array;
  classes: number;
  height: number;
  width: number;
  /** Input pixels per logit cell (4 for Panoptic FPN). */
  stride: number;
}

/**
 * The per-pixel class of the source frame: each source pixel's centre is mapped into the
 * model input, the logits are sampled there bilinearly (PyTorch's `interpolate`,
 * `align_corners=False`), and the argmax class becomes `labels[class]` (e.g. the category
 * id of each semantic channel, 0 for "things").
 *
 * @example Two classes, the right half wins class 1
 * ```ts
 * import assert from "node:assert/strict";
 * const logits = { data: new Float32Array([1, 0, 0, 1]), classes: 2, height: 1, width: 2, stride: 1 };
 * const g = { sourceWidth: 2, sourceHeight: 1, width: 2, height: 1, scaledWidth: 2,
 *   scaledHeight: 1, scaleX: 1, scaleY: 1, padX: 0, padY: 0 };
 * assert.deepEqual([...semanticToSource(logits, g, [0, 7])], [0, 7]);
 * ```
 */
export function semanticToSource(
  logits: SemanticLogits,
  geometry: FrameGeometry,
  labels: readonly number[],
): Uint8Array {
  const { data, classes, height: h, width: w, stride } = logits;
  if (data.length !== classes * h * w || labels.length !== classes) {
    throw new RangeError(
      `semanticToSource(): expected ${classes}×${h}×${w} logits and ${classes} labels, found ${data.length} values and ${labels.length} labels`,
    );
  }
  const { sourceWidth: W, sourceHeight: H, scaleX, scaleY, padX, padY } = geometry;
  const xs = taps(W, scaleX, padX, stride, w);
  const ys = taps(H, scaleY, padY, stride, h);
  // Separable: each logit row is first interpolated across the source columns (classes ×
  // h rows of W), then each source row blends two of those rows, class after class,
  // keeping the best class per column (the first one on ties, as an argmax).
  const across = new Float64Array(classes * h * W);
  for (let c = 0; c < classes; c++) {
    for (let r = 0; r < h; r++) {
      const src = (c * h + r) * w, dst = (c * h + r) * W;
      for (let x = 0; x < W; x++) {
        const fx = xs.f[x];
        across[dst + x] = (1 - fx) * data[src + xs.i0[x]] + fx * data[src + xs.i1[x]];
      }
    }
  }
  const out = new Uint8Array(W * H);
  const best = new Float64Array(W);
  const arg = new Int32Array(W);
  for (let y = 0; y < H; y++) {
    const fy = ys.f[y], gy = 1 - fy;
    for (let c = 0; c < classes; c++) {
      const a = (c * h + ys.i0[y]) * W, b = (c * h + ys.i1[y]) * W;
      if (c === 0) {
        for (let x = 0; x < W; x++) best[x] = gy * across[a + x] + fy * across[b + x];
        arg.fill(0);
        continue;
      }
      for (let x = 0; x < W; x++) {
        const v = gy * across[a + x] + fy * across[b + x];
        if (v > best[x]) {
          best[x] = v;
          arg[x] = c;
        }
      }
    }
    const row = y * W;
    for (let x = 0; x < W; x++) out[row + x] = labels[arg[x]];
  }
  return out;
}

/** Bilinear taps along one axis for each source pixel. */
function taps(n: number, scale: number, pad: number, stride: number, cells: number) {
  const i0 = new Int32Array(n), i1 = new Int32Array(n), f = new Float32Array(n);
  for (let s = 0; s < n; s++) {
    const input = (s + 0.5) * scale + pad; // continuous input coordinate of the centre
    let u = input / stride - 0.5;
    if (u < 0) u = 0;
    if (u > cells - 1) u = cells - 1;
    const lo = Math.floor(u);
    i0[s] = lo;
    i1[s] = Math.min(lo + 1, cells - 1);
    f[s] = u - lo;
  }
  return { i0, i1, f };
}
