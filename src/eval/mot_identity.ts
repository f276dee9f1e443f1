/**
 * The identity metrics (IDF1, IDR, IDP; Ristani et al. 2016) of one sequence, as
 * TrackEval's `Identity.eval_sequence` (trackeval/metrics/identity.py, threshold 0.5)
 * computes them: one global assignment of ground-truth ids to tracker ids.
 *
 * @module
 */

import { linearSumAssignment } from "./mot_lsa.ts";
import type { MotSequence } from "./mot_types.ts";

/** TrackEval's Identity fields of one sequence. */
export interface IdentityResult {
  idf1: number;
  idr: number;
  idp: number;
  idtp: number;
  idfn: number;
  idfp: number;
}

/** TrackEval's `Identity` threshold: a pair counts when its IoU >= 0.5 (no eps here). */
const THRESHOLD = 0.5;

/**
 * `Identity().eval_sequence(data)`. With no tracker box (or no ground truth) it returns
 * early as TrackEval does: IDFN (IDFP) only, the ratios 0.
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
 * const res = identitySequence(seq);
 * assert.deepEqual([res.idtp, res.idfn, res.idfp, res.idf1], [1, 1, 1, 0.5]);
 * ```
 */
export function identitySequence(data: MotSequence): IdentityResult {
  const res: IdentityResult = { idf1: 0, idr: 0, idp: 0, idtp: 0, idfn: 0, idfp: 0 };
  if (data.numTrackerDets === 0) {
    res.idfn = data.numGtDets;
    return res;
  }
  if (data.numGtDets === 0) {
    res.idfp = data.numTrackerDets;
    return res;
  }
  const G = data.numGtIds, T = data.numTrackerIds;
  const potential = new Float64Array(G * T);
  const gtCount = new Float64Array(G);
  const trCount = new Float64Array(T);
  for (let t = 0; t < data.gtIds.length; t++) {
    const gIds = data.gtIds[t], tIds = data.trackerIds[t], sim = data.similarity[t];
    const nt = tIds.length;
    for (let i = 0; i < gIds.length; i++) {
      for (let j = 0; j < nt; j++) {
        if (sim[i * nt + j] >= THRESHOLD) potential[gIds[i] * T + tIds[j]] += 1;
      }
      gtCount[gIds[i]] += 1;
    }
    for (let j = 0; j < nt; j++) trCount[tIds[j]] += 1;
  }

  // (G + T)² costs: gt id g with tracker id k, or with its own dummy (T + g); a tracker
  // id with its own dummy (G + k); dummy with dummy costs 0; any other pairing 1e10.
  const N = G + T;
  const fn = new Float64Array(N * N), fp = new Float64Array(N * N);
  for (let r = G; r < N; r++) fp.fill(1e10, r * N, r * N + T);
  for (let g = 0; g < G; g++) fn.fill(1e10, g * N + T, g * N + N);
  for (let g = 0; g < G; g++) {
    fn.fill(gtCount[g], g * N, g * N + T);
    fn[g * N + T + g] = gtCount[g];
  }
  for (let k = 0; k < T; k++) {
    for (let g = 0; g < G; g++) fp[g * N + k] = trCount[k];
    fp[(k + G) * N + k] = trCount[k];
  }
  for (let g = 0; g < G; g++) {
    for (let k = 0; k < T; k++) {
      fn[g * N + k] -= potential[g * T + k];
      fp[g * N + k] -= potential[g * T + k];
    }
  }
  const cost = new Float64Array(N * N);
  for (let i = 0; i < N * N; i++) cost[i] = fn[i] + fp[i];
  const { rowInd, colInd } = linearSumAssignment(cost, N, N);
  let idfn = 0, idfp = 0, gtTotal = 0;
  for (let k = 0; k < rowInd.length; k++) {
    idfn += fn[rowInd[k] * N + colInd[k]];
    idfp += fp[rowInd[k] * N + colInd[k]];
  }
  for (let g = 0; g < G; g++) gtTotal += gtCount[g];
  res.idfn = Math.trunc(idfn);
  res.idfp = Math.trunc(idfp);
  res.idtp = Math.trunc(gtTotal - res.idfn);
  res.idr = res.idtp / Math.max(1, res.idtp + res.idfn);
  res.idp = res.idtp / Math.max(1, res.idtp + res.idfp);
  res.idf1 = res.idtp / Math.max(1, res.idtp + 0.5 * res.idfp + 0.5 * res.idfn);
  return res;
}
