/**
 * Box deltas as torchvision's `BoxCoder` (`torchvision/models/detection/_utils.py`)
 * encodes and decodes them: `(dx, dy, dw, dh)` relative to a reference box, divided by
 * weights, with `dw` and `dh` clamped at `log(1000 / 16)` before `exp`. Float32.
 *
 * @module
 */

import { checkBoxes, checkNumber } from "./validate.ts";
import { describe } from "../describe.ts";

/** Weights `(wx, wy, ww, wh)`. */
export type BoxCoderWeights = readonly [number, number, number, number];

/** Options of {@link decodeBoxes}. */
export interface DecodeBoxesOptions {
  /**
   * Weights dividing the deltas (default `[1, 1, 1, 1]`, the RPN's; torchvision's box
   * head uses `[10, 10, 5, 5]`).
   */
  weights?: BoxCoderWeights;
  /** Upper clamp of `dw` and `dh` (default `log(1000 / 16)`). */
  clip?: number;
}

const fround = Math.fround;
const DEFAULT_CLIP = Math.log(1000 / 16);

function checkWeights(fn: string, weights: unknown): BoxCoderWeights {
  if (!Array.isArray(weights) || weights.length !== 4) {
    throw new TypeError(
      `${fn}(): weights: expected 4 numbers (wx, wy, ww, wh), found ${describe(weights)}`,
    );
  }
  weights.forEach((w, k) => checkNumber(fn, `weights[${k}]`, w, Number.MIN_VALUE));
  return weights as unknown as BoxCoderWeights;
}

/**
 * Decodes deltas against reference boxes (anchors or proposals), as
 * `BoxCoder.decode_single`. `deltas` holds N×4K numbers (K boxes per reference, e.g.
 * one per class); the result has the same shape, `x1, y1, x2, y2` per box.
 *
 * @example A zero delta gives back the reference box
 * ```ts
 * import assert from "node:assert/strict";
 * const ref = new Float32Array([10, 20, 30, 60]);
 * assert.deepEqual([...decodeBoxes(new Float32Array(4), ref)], [10, 20, 30, 60]);
 * const wider = decodeBoxes(new Float32Array([0, 0, Math.log(2), 0]), ref);
 * assert.deepEqual([...wider], [0, 20, 40, 60]);
 * ```
 */
export function decodeBoxes(
  deltas: Float32Array,
  references: Float32Array,
  options: DecodeBoxesOptions = {},
): Float32Array {
  const fn = "decodeBoxes";
  const n = checkBoxes(fn, "references", references);
  const { weights = [1, 1, 1, 1], clip = DEFAULT_CLIP } = options;
  const [wx, wy, ww, wh] = checkWeights(fn, weights).map(fround);
  checkNumber(fn, "options.clip", clip);
  const expected = `a Float32Array of N×4K numbers for N = ${n} references`;
  if (!(deltas instanceof Float32Array)) {
    throw new TypeError(`${fn}(): deltas: expected ${expected}, found ${describe(deltas)}`);
  }
  if (n === 0 ? deltas.length !== 0 : deltas.length % (4 * n) !== 0) {
    throw new RangeError(`${fn}(): deltas: expected ${expected}, found length ${deltas.length}`);
  }
  const k = n === 0 ? 0 : deltas.length / (4 * n);
  const maxD = fround(clip);
  const out = new Float32Array(deltas.length);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const width = fround(references[o + 2] - references[o]);
    const height = fround(references[o + 3] - references[o + 1]);
    const cx = fround(references[o] + fround(0.5 * width));
    const cy = fround(references[o + 1] + fround(0.5 * height));
    for (let c = 0; c < k; c++) {
      const d = (i * k + c) * 4;
      const dx = fround(deltas[d] / wx), dy = fround(deltas[d + 1] / wy);
      const dw = Math.min(fround(deltas[d + 2] / ww), maxD);
      const dh = Math.min(fround(deltas[d + 3] / wh), maxD);
      const px = fround(fround(dx * width) + cx), py = fround(fround(dy * height) + cy);
      const halfW = fround(0.5 * fround(fround(Math.exp(dw)) * width));
      const halfH = fround(0.5 * fround(fround(Math.exp(dh)) * height));
      out[d] = px - halfW;
      out[d + 1] = py - halfH;
      out[d + 2] = px + halfW;
      out[d + 3] = py + halfH;
    }
  }
  return out;
}

/**
 * Encodes target boxes against reference boxes (proposals), as
 * `BoxCoder.encode_single`: `wx (gx - px) / pw`, `wy (gy - py) / ph`, `ww log(gw / pw)`,
 * `wh log(gh / ph)`, with centres and sizes of the target (g) and reference (p) boxes.
 *
 * @example Encoding then decoding gives back the target
 * ```ts
 * import assert from "node:assert/strict";
 * const ref = new Float32Array([10, 20, 30, 60]);
 * const target = new Float32Array([12, 18, 34, 70]);
 * const weights = [10, 10, 5, 5] as const;
 * const back = decodeBoxes(encodeBoxes(target, ref, weights), ref, { weights });
 * back.forEach((v, k) => assert.ok(Math.abs(v - target[k]) < 1e-4));
 * ```
 */
export function encodeBoxes(
  targets: Float32Array,
  references: Float32Array,
  weights: BoxCoderWeights = [1, 1, 1, 1],
): Float32Array {
  const fn = "encodeBoxes";
  const n = checkBoxes(fn, "targets", targets);
  const m = checkBoxes(fn, "references", references);
  if (m !== n) {
    throw new RangeError(
      `${fn}(): references: expected ${n} boxes (one per target), found ${m}`,
    );
  }
  const [wx, wy, ww, wh] = checkWeights(fn, weights).map(fround);
  const out = new Float32Array(n * 4);
  for (let o = 0; o < n * 4; o += 4) {
    const pw = fround(references[o + 2] - references[o]);
    const ph = fround(references[o + 3] - references[o + 1]);
    const px = fround(references[o] + fround(0.5 * pw));
    const py = fround(references[o + 1] + fround(0.5 * ph));
    const gw = fround(targets[o + 2] - targets[o]);
    const gh = fround(targets[o + 3] - targets[o + 1]);
    const gx = fround(targets[o] + fround(0.5 * gw));
    const gy = fround(targets[o + 1] + fround(0.5 * gh));
    out[o] = fround(wx * fround(gx - px)) / pw;
    out[o + 1] = fround(wy * fround(gy - py)) / ph;
    out[o + 2] = ww * fround(Math.log(fround(gw / pw)));
    out[o + 3] = wh * fround(Math.log(fround(gh / ph)));
  }
  return out;
}
