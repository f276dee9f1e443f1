/**
 * The rescoring kernels of the sparse Soft-NMS path (soft_nms_sparse.ts): one selected
 * box against its live overlapping neighbours, on arrays indexed by position.
 *
 * @module
 */

import { pairIou } from "./boxes.ts";
import { HARD, type Params } from "./soft_nms_params.ts";

const fround = Math.fround;

/**
 * The boxes still in play after the first selection, renumbered by position (valid
 * boxes by `x1`, then the empty or inverted ones, which overlap nothing). All arrays are
 * indexed by position except `atSlot`, indexed by slot.
 */
export interface Positions {
  /** Slots in use: the boxes in play are in slots 1 .. count-1 (slot 0 is decided). */
  count: number;
  /** Positions `0 .. valid-1` hold the valid boxes, sorted by x1. */
  valid: number;
  /** Input index of the box at each position. */
  boxOf: Int32Array;
  /** Slot of the box at each position. */
  slotOf: Int32Array;
  /** Position of the box in each slot. */
  atSlot: Int32Array;
  x1: Float64Array;
  y1: Float64Array;
  x2: Float64Array;
  y2: Float64Array;
  area: Float64Array;
  /** Current float32 score. */
  score: Float32Array;
  /** 1 while the box is neither selected nor dropped. */
  live: Uint8Array;
}

// exp(-y / EXP_STEPS) for y < EXP_STEPS * EXP_LIMIT is EXP_TABLE[k] * exp(r) with k the
// nearest integer to y and |r| <= 1 / (2 * EXP_STEPS), where a degree-5 polynomial is
// within 1e-19: the weight is as accurate as Math.exp (within 2 float64 ulps, so the
// float32 scores come out the same), at under half its cost (~4 ns against ~10 ns per
// rescoring).
const EXP_STEPS = 256, EXP_LIMIT = 16;
const EXP_TABLE = Float64Array.from(
  { length: EXP_STEPS * EXP_LIMIT + 1 },
  (_, k) => Math.exp(-k / EXP_STEPS),
);
/** Adding and subtracting 1.5 * 2^52 rounds a float64 in [0, 2^51) to an integer. */
const ROUND = 6755399441055744;

// The rescoring loops below compute the intersection of two boxes that are known to
// overlap as `min(b, d) - max(a, c) = ((b - a) + (d - c) - |b - d| - |a - c|) / 2` per
// axis: no branches to mispredict. They write it out rather than call a helper: a
// helper that V8 leaves out of line (its inlining budget runs out in big callers, and
// which ones depends on compile order) returns a boxed float, which costs an allocation
// per rescoring and made whole runs twice as slow.

/**
 * Gaussian rescoring of the boxes `neighbours[0 .. count-1]`, all live and overlapping
 * box `s`: `score *= exp(-IoU² / sigma)`. The IoU is float64; the score is float32, as
 * in mmcv. Lists the boxes that fall below `minScore` in `dropping` and returns how many.
 * (Numbers come in `p`, not as arguments: a call that V8 does not inline boxes them.)
 *
 * Two passes, IoUs into `work` and then weights: as one loop, the compiled code runs out
 * of registers and each rescoring takes a fifth longer.
 *
 * @example Box 1 at IoU 1/3 with box 0: its score falls by exp(-(1/3)² / 0.5)
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveOptions } from "./soft_nms_params.ts";
 * const { x1, y1, x2, y2, area, score } = examplePositions();
 * const p = resolveOptions("softNms", { method: "gaussian" });
 * const drops = rescoreGaussian(new Int32Array([1]), 1, 0, x1, y1, x2, y2, area, score, p, new Float64Array(1), new Int32Array(1));
 * assert.equal(drops, 0);
 * assert.ok(Math.abs(score[1] - 0.8 * Math.exp(-1 / 9 / 0.5)) < 1e-7);
 * ```
 */
export function rescoreGaussian(
  neighbours: Int32Array,
  count: number,
  s: number,
  x1: Float64Array,
  y1: Float64Array,
  x2: Float64Array,
  y2: Float64Array,
  area: Float64Array,
  score: Float32Array,
  p: Params,
  work: Float64Array,
  dropping: Int32Array,
): number {
  const scale = EXP_STEPS / p.sigma, minScore = p.minScore;
  const sx1 = x1[s], sy1 = y1[s], sx2 = x2[s], sy2 = y2[s], sArea = area[s];
  for (let k = 0; k < count; k++) {
    const e = neighbours[k];
    const ex1 = x1[e], ey1 = y1[e], ex2 = x2[e], ey2 = y2[e];
    const inter = ((sx2 - sx1) + (ex2 - ex1) - Math.abs(sx2 - ex2) - Math.abs(sx1 - ex1)) *
      ((sy2 - sy1) + (ey2 - ey1) - Math.abs(sy2 - ey2) - Math.abs(sy1 - ey1)) * 0.25;
    const union = sArea + area[e] - inter;
    work[k] = (inter * inter) / (union * union) * scale; // IoU² / sigma, times EXP_STEPS
  }
  let drops = 0;
  for (let k = 0; k < count; k++) {
    const y = work[k], e = neighbours[k];
    let w: number;
    if (y < EXP_STEPS * EXP_LIMIT) {
      const near = (y + ROUND) - ROUND, r = (near - y) * (1 / EXP_STEPS), r2 = r * r;
      w = EXP_TABLE[near | 0] *
        ((1 + r) + r2 * ((0.5 + r * (1 / 6)) + r2 * ((1 / 24) + r * (1 / 120))));
    } else {
      w = Math.exp(-y / EXP_STEPS);
    }
    const v = fround(score[e] * w);
    score[e] = v;
    if (v < minScore) dropping[drops++] = e;
  }
  return drops;
}

/**
 * Linear and hard rescoring of the boxes `neighbours[0 .. count-1]`, all live and
 * overlapping box `s`: boxes at IoU >= `threshold` get `score *= 1 - IoU`, or 0 when
 * `hard`. The IoU is float64, and the threshold is decided on the exact float32 IoU
 * (mmcv's) when the two are within 1e-5. Lists the boxes that fall below `minScore` in
 * `dropping` and returns how many.
 *
 * @example Box 1 at IoU 1/3 with box 0: at threshold 0.3, its score falls to 0.8 × 2/3
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveOptions } from "./soft_nms_params.ts";
 * const at = examplePositions();
 * const boxes = new Float32Array([0, 0, 10, 10, 5, 0, 15, 10]), areas = new Float32Array([100, 100]);
 * const p = resolveOptions("softNms", { method: "linear" });
 * rescoreAbove(new Int32Array([1]), 1, 0, at, p, new Int32Array(1), boxes, areas);
 * assert.equal(at.score[1], Math.fround(0.8 * (2 / 3)));
 * ```
 */
export function rescoreAbove(
  neighbours: Int32Array,
  count: number,
  s: number,
  at: Positions,
  p: Params,
  dropping: Int32Array,
  boxes: Float32Array,
  areas: Float32Array,
): number {
  const { x1, y1, x2, y2, area, score, boxOf } = at;
  const { threshold, minScore } = p, hard = p.method === HARD;
  const sx1 = x1[s], sy1 = y1[s], sx2 = x2[s], sy2 = y2[s], sArea = area[s];
  let drops = 0;
  for (let k = 0; k < count; k++) {
    const e = neighbours[k];
    const ex1 = x1[e], ey1 = y1[e], ex2 = x2[e], ey2 = y2[e];
    const inter = ((sx2 - sx1) + (ex2 - ex1) - Math.abs(sx2 - ex2) - Math.abs(sx1 - ex1)) *
      ((sy2 - sy1) + (ey2 - ey1) - Math.abs(sy2 - ey2) - Math.abs(sy1 - ey1)) * 0.25;
    let ovr = inter / (sArea + area[e] - inter);
    if (Math.abs(ovr - threshold) < 1e-5) ovr = pairIou(boxes, areas, boxOf[s], boxOf[e]);
    if (ovr < threshold) continue;
    const v = fround(score[e] * (hard ? 0 : 1 - ovr));
    score[e] = v;
    if (v < minScore) dropping[drops++] = e;
  }
  return drops;
}

/** Two boxes at IoU 1/3 as a one-selection {@link Positions} (for the examples). */
export function examplePositions(): Positions {
  return {
    count: 3,
    valid: 2,
    boxOf: new Int32Array([0, 1]),
    slotOf: new Int32Array([1, 2]),
    atSlot: new Int32Array([0, 0, 1]),
    x1: new Float64Array([0, 5]),
    y1: new Float64Array([0, 0]),
    x2: new Float64Array([10, 15]),
    y2: new Float64Array([10, 10]),
    area: new Float64Array([100, 100]),
    score: new Float32Array([0.9, 0.8]),
    live: new Uint8Array([0, 1]),
  };
}
