/**
 * Soft-NMS options, as resolved once per call, and mmcv's rescoring weight: shared by
 * the literal loop (soft_nms.ts) and the sparse path (soft_nms_sparse.ts).
 *
 * @module
 */

import type { SoftNmsMethod } from "../types.ts";
import { iouAbove, pairIouFast } from "./boxes.ts";
import { checkChoice, checkNumber } from "./validate.ts";

/** Options of {@link softNms}; the defaults are mmcv's. */
export interface SoftNmsOptions {
  /** Rescoring rule (default `"linear"`). */
  method?: SoftNmsMethod;
  /** IoU at or above which `"linear"` and `"hard"` act (default 0.3). */
  iouThreshold?: number;
  /** Width of the `"gaussian"` penalty `exp(-IoU² / sigma)` (default 0.5). */
  sigma?: number;
  /** Boxes whose score falls below this are dropped (default 0.001). */
  minScore?: number;
}

/** Result of {@link softNms}: kept indices in selection order and their new scores. */
export interface SoftNmsResult {
  /** Indices into the input, in the order the boxes were selected. */
  keep: Int32Array;
  /** Score of each kept box when it was selected. */
  scores: Float32Array;
}

/** Method codes of {@link Params}. */
export const HARD = 0, LINEAR = 1, GAUSSIAN = 2;
const fround = Math.fround;

/** Options checked and resolved: numbers in float32, as mmcv's C++ takes them. */
export interface Params {
  method: number;
  threshold: number;
  sigma: number;
  minScore: number;
}

/**
 * Checks `options`, fills mmcv's defaults and rounds the numbers to float32.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const p = resolveOptions("softNms", { method: "gaussian" });
 * assert.equal(p.method, GAUSSIAN);
 * assert.equal(p.minScore, Math.fround(1e-3));
 * ```
 */
export function resolveOptions(fn: string, options: SoftNmsOptions): Params {
  const { method = "linear", iouThreshold = 0.3, sigma = 0.5, minScore = 1e-3 } = options;
  checkChoice(fn, "options.method", method, ["linear", "gaussian", "hard"]);
  checkNumber(fn, "options.iouThreshold", iouThreshold, 0);
  checkNumber(fn, "options.sigma", sigma, Number.MIN_VALUE);
  checkNumber(fn, "options.minScore", minScore, 0);
  return {
    method: method === "hard" ? HARD : method === "linear" ? LINEAR : GAUSSIAN,
    threshold: fround(iouThreshold),
    sigma: fround(sigma),
    minScore: fround(minScore),
  };
}

/**
 * mmcv's weight for a box at IoU `ovr` with the selected one, in float32.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const p = resolveOptions("softNms", { method: "linear", iouThreshold: 0.3 });
 * assert.equal(weight(p, 0.2), 1);
 * assert.equal(weight(p, 0.5), 0.5);
 * ```
 */
export function weight(p: Params, ovr: number): number {
  if (p.method === GAUSSIAN) return fround(Math.exp(fround(-fround(ovr * ovr) / p.sigma)));
  if (ovr < p.threshold) return 1;
  return p.method === LINEAR ? fround(1 - ovr) : 0;
}

/**
 * The same weight for boxes `s` and `e`, with the IoU in float64 (the weight moves by
 * at most a float32 ulp) and the threshold decided exactly as mmcv's float32 does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { boxArea } from "./boxes.ts";
 * const boxes = new Float32Array([0, 0, 10, 10, 0, 0, 10, 5]); // IoU 0.5
 * const p = resolveOptions("softNms", { method: "linear" });
 * assert.equal(weightOf(p, boxes, boxArea(boxes), 0, 1), 0.5);
 * ```
 */
export function weightOf(
  p: Params,
  boxes: Float32Array,
  areas: Float32Array,
  s: number,
  e: number,
): number {
  if (p.method === GAUSSIAN) {
    const ovr = pairIouFast(boxes, areas, s, e);
    return ovr === 0 ? 1 : Math.exp(-(ovr * ovr) / p.sigma);
  }
  if (!iouAbove(boxes, areas, s, e, p.threshold, true)) return 1;
  return p.method === LINEAR ? 1 - pairIouFast(boxes, areas, s, e) : 0;
}
