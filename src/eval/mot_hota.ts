/**
 * HOTA (Luiten et al., IJCV 2020) of one sequence, as TrackEval's `HOTA.eval_sequence`
 * (trackeval/metrics/hota.py) computes it, operation for operation in float64.
 *
 * @module
 */

import { EPS } from "./mot_data.ts";
import { linearSumAssignment } from "./mot_lsa.ts";
import { columnSums, pairwiseSum, rowSums } from "./mot_numeric.ts";
import type { MotSequence } from "./mot_types.ts";

/**
 * The 19 α thresholds of HOTA, 0.05 … 0.95, as `np.arange(0.05, 0.99, 0.05)` makes
 * them (so 0.15000000000000002, as TrackEval compares against).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(HOTA_ALPHAS.length, 19);
 * assert.equal(HOTA_ALPHAS[0], 0.05);
 * assert.equal(HOTA_ALPHAS[2], 0.15000000000000002);
 * ```
 */
export const HOTA_ALPHAS: Float64Array = (() => {
  // numpy's arange fill: start, start + step, then start + i * (second - first)
  const alphas = new Float64Array(19);
  alphas[0] = 0.05;
  alphas[1] = 0.05 + 0.05;
  const delta = alphas[1] - alphas[0];
  for (let i = 2; i < 19; i++) alphas[i] = 0.05 + i * delta;
  return alphas;
})();

/** TrackEval's HOTA fields of one sequence, one value per α. */
export interface HotaResult {
  /** `HOTA`: `sqrt(DetA · AssA)`. */
  hota: Float64Array;
  /** `DetA`. */
  detA: Float64Array;
  /** `AssA`. */
  assA: Float64Array;
  /** `DetRe`. */
  detRe: Float64Array;
  /** `DetPr`. */
  detPr: Float64Array;
  /** `AssRe`. */
  assRe: Float64Array;
  /** `AssPr`. */
  assPr: Float64Array;
  /** `LocA`. */
  locA: Float64Array;
  /** `HOTA_TP` (counts, as float64 like TrackEval's). */
  tp: Float64Array;
  /** `HOTA_FN`. */
  fn: Float64Array;
  /** `HOTA_FP`. */
  fp: Float64Array;
}

function emptyResult(): HotaResult {
  const z = () => new Float64Array(HOTA_ALPHAS.length);
  return {
    hota: z(),
    detA: z(),
    assA: z(),
    detRe: z(),
    detPr: z(),
    assRe: z(),
    assPr: z(),
    locA: z(),
    tp: z(),
    fn: z(),
    fp: z(),
  };
}

/**
 * `HOTA().eval_sequence(data)`: every per-α field. With no tracker box (or no
 * ground truth) it returns early as TrackEval does: all zero but FN (FP) and LocA = 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const seq = {
 *   numTimesteps: 1, numGtIds: 1, numTrackerIds: 1, numGtDets: 1, numTrackerDets: 1,
 *   gtIds: [new Int32Array([0])], trackerIds: [new Int32Array([0])], similarity: [new Float64Array([0.6])],
 * };
 * const res = hotaSequence(seq);
 * assert.equal(res.hota[0], 1); // α = 0.05: matched
 * assert.equal(res.hota[18], 0); // α = 0.95: not
 * ```
 */
export function hotaSequence(data: MotSequence): HotaResult {
  const res = emptyResult();
  const A = HOTA_ALPHAS.length;
  if (data.numTrackerDets === 0 || data.numGtDets === 0) {
    const side = data.numTrackerDets === 0 ? res.fn : res.fp;
    side.fill(data.numTrackerDets === 0 ? data.numGtDets : data.numTrackerDets);
    res.locA.fill(1);
    return res;
  }
  const G = data.numGtIds, T = data.numTrackerIds;
  const potential = new Float64Array(G * T);
  const gtCount = new Float64Array(G);
  const trCount = new Float64Array(T);

  // First pass: global association counts, weighted by the normalised similarity.
  for (let t = 0; t < data.gtIds.length; t++) {
    const gIds = data.gtIds[t], tIds = data.trackerIds[t], sim = data.similarity[t];
    const ng = gIds.length, nt = tIds.length;
    const colSum = columnSums(sim, ng, nt), rowSum = rowSums(sim, ng, nt);
    for (let i = 0; i < ng; i++) {
      for (let j = 0; j < nt; j++) {
        const s = sim[i * nt + j];
        const denom = colSum[j] + rowSum[i] - s;
        if (denom > EPS) potential[gIds[i] * T + tIds[j]] += s / denom;
      }
    }
    for (let i = 0; i < ng; i++) gtCount[gIds[i]] += 1;
    for (let j = 0; j < nt; j++) trCount[tIds[j]] += 1;
  }
  const alignment = new Float64Array(G * T);
  for (let g = 0; g < G; g++) {
    for (let k = 0; k < T; k++) {
      const p = potential[g * T + k];
      alignment[g * T + k] = p / (gtCount[g] + trCount[k] - p);
    }
  }
  const matches = Array.from({ length: A }, () => new Float64Array(G * T));

  // Second pass: match each timestep, count per α.
  for (let t = 0; t < data.gtIds.length; t++) {
    const gIds = data.gtIds[t], tIds = data.trackerIds[t], sim = data.similarity[t];
    const ng = gIds.length, nt = tIds.length;
    if (ng === 0 || nt === 0) {
      const counts = ng === 0 ? res.fp : res.fn;
      for (let a = 0; a < A; a++) counts[a] += ng + nt;
      continue;
    }
    const cost = new Float64Array(ng * nt);
    for (let i = 0; i < ng; i++) {
      for (let j = 0; j < nt; j++) {
        cost[i * nt + j] = -(alignment[gIds[i] * T + tIds[j]] * sim[i * nt + j]);
      }
    }
    const { rowInd, colInd } = linearSumAssignment(cost, ng, nt);
    for (let a = 0; a < A; a++) {
      const threshold = HOTA_ALPHAS[a] - EPS;
      let num = 0, simSum = 0;
      for (let k = 0; k < rowInd.length; k++) {
        const s = sim[rowInd[k] * nt + colInd[k]];
        if (s >= threshold) {
          num++;
          simSum += s;
          matches[a][gIds[rowInd[k]] * T + tIds[colInd[k]]] += 1;
        }
      }
      res.tp[a] += num;
      res.fn[a] += ng - num;
      res.fp[a] += nt - num;
      if (num > 0) res.locA[a] += simSum;
    }
  }

  // Association scores per α, averaged over the matched detections.
  const assA = new Float64Array(G * T), assRe = new Float64Array(G * T);
  const assPr = new Float64Array(G * T);
  for (let a = 0; a < A; a++) {
    const m = matches[a];
    for (let g = 0; g < G; g++) {
      for (let k = 0; k < T; k++) {
        const c = m[g * T + k];
        assA[g * T + k] = c * (c / Math.max(1, gtCount[g] + trCount[k] - c));
        assRe[g * T + k] = c * (c / Math.max(1, gtCount[g]));
        assPr[g * T + k] = c * (c / Math.max(1, trCount[k]));
      }
    }
    const tp = Math.max(1, res.tp[a]);
    res.assA[a] = pairwiseSum(assA, 0, G * T) / tp;
    res.assRe[a] = pairwiseSum(assRe, 0, G * T) / tp;
    res.assPr[a] = pairwiseSum(assPr, 0, G * T) / tp;
  }
  for (let a = 0; a < A; a++) {
    res.locA[a] = Math.max(1e-10, res.locA[a]) / Math.max(1e-10, res.tp[a]);
    const tp = res.tp[a], fn = res.fn[a], fp = res.fp[a];
    res.detRe[a] = tp / Math.max(1, tp + fn);
    res.detPr[a] = tp / Math.max(1, tp + fp);
    res.detA[a] = tp / Math.max(1, tp + fn + fp);
    res.hota[a] = Math.sqrt(res.detA[a] * res.assA[a]);
  }
  return res;
}
