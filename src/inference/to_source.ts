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
  const winner = cellWinners(data, classes, h, w);
  // Per pair of logit rows, the class each 2×2 block of cells agrees on (by a margin no
  // rounding can undo), or -1: a blend of such cells is a convex combination, so that
  // class wins at every pixel between them too. Block j spans cells j and j + 1 (taps
  // clamp at the last cell, so the last block is that cell alone).
  const agreed = new Int32Array(w);
  let blockRows = -1;
  const xi0 = xs.i0, xi1 = xs.i1, xf = xs.f, label = Int32Array.from(labels);
  const pending = new Int32Array(W);
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const fy = ys.f[y];
    const r0 = ys.i0[y] * w, r1 = ys.i1[y] * w, row = y * W;
    if (blockRows !== ys.i0[y] * h + ys.i1[y]) {
      blockRows = ys.i0[y] * h + ys.i1[y];
      for (let j = 0; j < w; j++) {
        const j1 = j + 1 < w ? j + 1 : j, c = winner[r0 + j];
        agreed[j] = winner[r0 + j1] === c && winner[r1 + j] === c && winner[r1 + j1] === c ? c : -1;
      }
    }
    let mixed = 0;
    for (let x = 0; x < W; x++) {
      const c = agreed[xi0[x]];
      if (c >= 0) out[row + x] = label[c];
      else pending[mixed++] = x;
    }
    // The pixels between cells that disagree, class by class (a loop of its own keeps the
    // one above tight).
    for (let k = 0; k < mixed; k++) {
      const x = pending[k];
      out[row + x] = label[blend(logits, r0, r1, fy, xi0[x], xi1[x], xf[x])];
    }
  }
  return out;
}

/**
 * The class with the largest logit (the first on ties) where source row `r0`/`r1` (cell
 * offsets) and columns `i0`/`i1` blend with weights `fy`, `fx`, in the order and arithmetic
 * of a separable interpolation (across the row first).
 */
function blend(
  logits: SemanticLogits,
  r0: number,
  r1: number,
  fy: number,
  i0: number,
  i1: number,
  fx: number,
): number {
  const { data, classes, height: h, width: w } = logits;
  const gx = 1 - fx, gy = 1 - fy;
  let best = -Infinity, arg = 0;
  for (let k = 0; k < classes; k++) {
    const a = k * h * w + r0, b = k * h * w + r1;
    const v = gy * (gx * data[a + i0] + fx * data[a + i1]) +
      fy * (gx * data[b + i0] + fx * data[b + i1]);
    if (k === 0 || v > best) {
      best = v;
      arg = k;
    }
  }
  return arg;
}

/**
 * Per logit cell, the class with the largest logit (the first on ties), or -1 where the
 * runner-up comes within a relative 1e-9 of it (a blend of such cells is decided pixel by
 * pixel).
 */
function cellWinners(data: Float32Array, classes: number, h: number, w: number): Int32Array {
  const cells = h * w;
  const winner = new Int32Array(cells);
  for (let p = 0; p < cells; p++) {
    let best = data[p], second = -Infinity, arg = 0;
    for (let k = 1; k < classes; k++) {
      const v = data[k * cells + p];
      if (v > best) {
        second = best;
        best = v;
        arg = k;
      } else if (v > second) second = v;
    }
    const margin = 1e-9 * (Math.abs(best) + Math.abs(second) + 1);
    winner[p] = classes === 1 || best - second > margin ? arg : -1;
  }
  return winner;
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
