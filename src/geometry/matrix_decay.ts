/**
 * The decay step shared by the two Matrix NMS variants (SOLOv2's on masks, PaddlePaddle's
 * and OpenVINO's on boxes). With candidates sorted by decreasing score:
 *
 * - `compensate_i` = max IoU of candidate i with a higher-scoring one of its label (0 if none);
 * - `decay_j` = min over higher-scoring i of the same label of `f(IoU_ij) / f(compensate_i)`,
 *   and never above 1 (SOLO's `min` over the whole column includes a row worth exactly 1);
 * - `f(x) = exp(-sigma x²)` (gaussian) or `1 - x` (linear); the new score is `score_j * decay_j`.
 *
 * Pairs with IoU 0 give a ratio >= 1 and cannot lower the minimum, so only overlapping
 * pairs are visited. For the linear kernel, a candidate with `compensate_i = 1` (a
 * duplicate) would give x/0 or 0/0: it is skipped, which is what PaddlePaddle's
 * `std::min` does with the inf or NaN (SOLO's torch code propagates the NaN instead).
 *
 * @module
 */

import type { MatrixNmsKernel } from "../types.ts";
import { reusable } from "./reusable.ts";
import { argsortDescending } from "./score_order.ts";

const fround = Math.fround;

/**
 * Gaussian decay formula: SOLO divides two float32 exponentials, PaddlePaddle takes one
 * exponential of the difference. Mathematically equal; kept apart to match each in float32.
 */
export type GaussianForm = "ratio" | "difference";

/** Candidates that overlap, one list per candidate (see `OverlapAdjacency`). */
export interface Neighbours {
  start: Int32Array;
  neighbours: Int32Array;
}

const orderBuffer = reusable((n) => new Int32Array(n));
const rankBuffer = reusable((n) => new Int32Array(n));
const compensateBuffer = reusable((n) => new Float32Array(n));

/**
 * Decayed scores, in input order. `overlaps` lists, for each candidate, the candidates
 * of its label that may overlap it; `iou(i, j)` gives their IoU (0 when they do not).
 *
 * @example Two overlapping boxes of one label: the lower one decays
 * ```ts
 * import assert from "node:assert/strict";
 * const overlaps = { start: new Int32Array([0, 1, 2]), neighbours: new Int32Array([1, 0]) };
 * const scores = new Float32Array([0.9, 0.8]);
 * const out = matrixDecay(scores, "linear", 2, "ratio", overlaps, () => 0.5);
 * assert.deepEqual([...out], [Math.fround(0.9), Math.fround(0.4)]);
 * ```
 */
export function matrixDecay(
  scores: Float32Array,
  kernel: MatrixNmsKernel,
  sigma: number,
  form: GaussianForm,
  overlaps: Neighbours,
  iou: (i: number, j: number) => number,
): Float32Array {
  const n = scores.length;
  const order = argsortDescending(scores, orderBuffer(n));
  const rank = rankBuffer(n);
  for (let r = 0; r < n; r++) rank[order[r]] = r;
  const compensate = compensateBuffer(n);
  const out = new Float32Array(n);
  const { start, neighbours } = overlaps;
  const gaussian = kernel === "gaussian";
  const s = fround(sigma);
  for (let r = 0; r < n; r++) {
    const j = order[r];
    let decay = 1, maxIou = 0;
    for (let k = start[j], end = start[j + 1]; k < end; k++) {
      const i = neighbours[k];
      if (rank[i] >= r) continue;
      const v = iou(i, j);
      if (!(v > 0)) continue;
      if (v > maxIou) maxIou = v;
      const c = compensate[i];
      let f: number;
      if (gaussian) {
        f = form === "ratio"
          ? fround(gaussianF32(v, s) / gaussianF32(c, s))
          : fround(Math.exp(fround(fround(fround(c * c) - fround(v * v)) * s)));
      } else {
        if (c >= 1) continue;
        f = fround(fround(1 - v) / fround(1 - c));
      }
      if (f < decay) decay = f;
    }
    compensate[j] = maxIou;
    out[j] = fround(scores[j] * decay);
  }
  return out;
}

/** `exp(-1 * sigma * x ** 2)` as SOLO's torch code evaluates it in float32. */
function gaussianF32(x: number, sigma: number): number {
  return fround(Math.exp(fround(-sigma * fround(x * x))));
}
