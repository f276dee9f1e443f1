/**
 * The CLEAR MOT metrics (MOTA, MOTP, IDSW, Frag, MT/PT/ML) of one sequence, as TrackEval's
 * `CLEAR.eval_sequence` (trackeval/metrics/clear.py, threshold 0.5) computes them.
 *
 * @module
 */

import { EPS } from "./mot_data.ts";
import { linearSumAssignment } from "./mot_lsa.ts";
import type { MotSequence } from "./mot_types.ts";

/** TrackEval's CLEAR fields of one sequence. */
export interface ClearResult {
  mota: number;
  motp: number;
  idsw: number;
  frag: number;
  mt: number;
  pt: number;
  ml: number;
  tp: number;
  fn: number;
  fp: number;
}

/** TrackEval's `CLEAR` threshold: a match needs an IoU >= 0.5 (less eps). */
const THRESHOLD = 0.5;

/**
 * `CLEAR().eval_sequence(data)`. With no tracker box (or no ground truth) it returns
 * early as TrackEval does: counts only, MOTA and MOTP 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const seq = {
 *   numTimesteps: 2, numGtIds: 1, numTrackerIds: 2, numGtDets: 2, numTrackerDets: 2,
 *   gtIds: [new Int32Array([0]), new Int32Array([0])],
 *   trackerIds: [new Int32Array([0]), new Int32Array([1])],
 *   similarity: [new Float64Array([0.9]), new Float64Array([0.7])],
 * };
 * const res = clearSequence(seq);
 * assert.deepEqual([res.tp, res.idsw, res.mota, res.motp], [2, 1, 0.5, 0.8]);
 * ```
 */
export function clearSequence(data: MotSequence): ClearResult {
  const res: ClearResult = {
    mota: 0,
    motp: 0,
    idsw: 0,
    frag: 0,
    mt: 0,
    pt: 0,
    ml: 0,
    tp: 0,
    fn: 0,
    fp: 0,
  };
  if (data.numTrackerDets === 0) {
    res.fn = data.numGtDets;
    res.ml = data.numGtIds;
    return res;
  }
  if (data.numGtDets === 0) {
    res.fp = data.numTrackerDets;
    return res;
  }
  const G = data.numGtIds;
  const gtCount = new Float64Array(G);
  const matchedCount = new Float64Array(G);
  const fragCount = new Float64Array(G);
  // -1 stands for numpy's NaN: "no tracker id" (relabelled ids are >= 0)
  const prevTrackerId = new Int32Array(G).fill(-1); // last match, any time back (IDSW)
  let prevStep = new Int32Array(G).fill(-1); // match of the previous non-empty timestep
  let nextStep = new Int32Array(G);
  let motpSum = 0;

  for (let t = 0; t < data.gtIds.length; t++) {
    const gIds = data.gtIds[t], tIds = data.trackerIds[t], sim = data.similarity[t];
    const ng = gIds.length, nt = tIds.length;
    if (ng === 0) {
      res.fp += nt;
      continue;
    }
    if (nt === 0) {
      res.fn += ng;
      for (let i = 0; i < ng; i++) gtCount[gIds[i]] += 1;
      continue;
    }
    // first keep the previous timestep's matches, then maximise the IoU
    const score = new Float64Array(ng * nt);
    for (let i = 0; i < ng; i++) {
      const previous = prevStep[gIds[i]];
      for (let j = 0; j < nt; j++) {
        const s = sim[i * nt + j];
        score[i * nt + j] = s < THRESHOLD - EPS ? 0 : (tIds[j] === previous ? 1000 : 0) + s;
      }
    }
    const cost = score.map((s) => -s);
    const { rowInd, colInd } = linearSumAssignment(cost, ng, nt);
    nextStep.fill(-1);
    let num = 0, simSum = 0;
    for (let k = 0; k < rowInd.length; k++) {
      const i = rowInd[k], j = colInd[k];
      if (!(score[i * nt + j] > 0 + EPS)) continue;
      const g = gIds[i], tr = tIds[j];
      if (prevTrackerId[g] !== -1 && prevTrackerId[g] !== tr) res.idsw++;
      matchedCount[g] += 1;
      prevTrackerId[g] = tr;
      nextStep[g] = tr;
      num++;
      simSum += sim[i * nt + j];
    }
    for (let i = 0; i < ng; i++) gtCount[gIds[i]] += 1;
    for (let g = 0; g < G; g++) if (prevStep[g] === -1 && nextStep[g] !== -1) fragCount[g] += 1;
    [prevStep, nextStep] = [nextStep, prevStep];
    res.tp += num;
    res.fn += ng - num;
    res.fp += nt - num;
    if (num > 0) motpSum += simSum;
  }

  let tracked = 0, mt = 0, pt = 0;
  for (let g = 0; g < G; g++) {
    if (gtCount[g] > 0) {
      const ratio = matchedCount[g] / gtCount[g];
      if (ratio > 0.8) mt++;
      if (ratio >= 0.2) tracked++;
    }
    if (fragCount[g] > 0) res.frag += fragCount[g] - 1;
  }
  pt = tracked - mt;
  res.mt = mt;
  res.pt = pt;
  res.ml = G - mt - pt;
  const denominator = Math.max(1, res.tp + res.fn);
  res.mota = (res.tp - res.fp - res.idsw) / denominator;
  res.motp = motpSum / Math.max(1, res.tp);
  return res;
}
