/**
 * Multi-object tracking metrics of one sequence: HOTA, CLEAR (MOTA, MOTP, IDSW, Frag,
 * MT/PT/ML) and Identity (IDF1), as TrackEval (JonathonLuiten/TrackEval) computes them.
 *
 * @module
 */

import { buildMotSequence } from "./mot_data.ts";
import { clearSequence } from "./mot_clear.ts";
import { HOTA_ALPHAS, hotaSequence } from "./mot_hota.ts";
import { identitySequence } from "./mot_identity.ts";
import { mean } from "./mot_numeric.ts";
import type { TrackingFrame, TrackingMetrics, TrackingOptions } from "./mot_types.ts";

export { HOTA_ALPHAS };
export type { TrackingFrame, TrackingMetrics, TrackingOptions };

/**
 * Evaluates a tracker's output against the ground truth of one sequence (one class) with
 * TrackEval's semantics, exactly: the data dict of MotChallenge2DBox's
 * `get_preprocessed_seq_data` (ids relabelled to 0..n-1 in increasing order, the box IoU
 * of `_calculate_box_ious`), then `HOTA`, `CLEAR` and `Identity` `eval_sequence` with
 * their default thresholds (CLEAR and Identity match at IoU >= 0.5), every assignment by
 * a port of scipy's `linear_sum_assignment` (so ties break as TrackEval's do), every sum
 * in numpy's order, in float64.
 *
 * Values are fractions, not percentages; HOTA's are the means over the 19 α of
 * {@link HOTA_ALPHAS}, as TrackEval's summary; counts are integers. A frame missing on one
 * side is an empty timestep there. TrackEval's early returns are kept: with no tracker
 * box at all (or no ground truth), every ratio is 0 (MOTA included, not −FP), LocA is 1,
 * and all ground-truth ids are mostly lost. So is CLEAR's quirk: a timestep where either
 * side has no box is skipped before the "tracked in the previous timestep" state is
 * updated, so a frame with no tracker box at all neither breaks a track (no Frag) nor
 * loses the preference for its previous match.
 *
 * Not done, unlike MotChallenge2DBox: its distractor and class preprocessing (tracker
 * boxes matched to distractor classes removed, ground truth of other classes or with the
 * consider flag 0 dropped). The input is one class with no distractors; drop ignored
 * ground truth before (as `parseMotText` does). Ids may be any int32: they are relabelled
 * in increasing order, which is TrackEval's relabelling for the non-negative ids it reads.
 *
 * Bad input throws an `EvalInputError` naming the side, the frame's index, the field,
 * what was expected and what was found: frame numbers must be integers >= 1 (at most
 * `options.frames`), each once per side; `ids` an Int32Array of K ids unique in the frame
 * (TrackEval refuses duplicates too), `boxes` a Float32Array of K×4 finite numbers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const frame = (frame: number, ids: number[], boxes: number[]) =>
 *   ({ frame, ids: Int32Array.from(ids), boxes: Float32Array.from(boxes) });
 * const gt = [frame(1, [1, 2], [0, 0, 10, 10, 20, 0, 30, 10]), frame(2, [1, 2], [1, 0, 11, 10, 21, 0, 31, 10])];
 * const perfect = evaluateTracking(gt, gt.map((f) => ({ ...f, ids: f.ids.map((id) => id + 100) })));
 * assert.deepEqual([perfect.hota, perfect.mota, perfect.idf1, perfect.idsw], [1, 1, 1, 0]);
 * const missed = evaluateTracking(gt, [frame(1, [7], [0, 0, 10, 10])]);
 * assert.deepEqual([missed.clrTp, missed.clrFn, missed.clrFp, missed.mota], [1, 3, 0, 0.25]);
 * ```
 */
export function evaluateTracking(
  groundTruth: readonly TrackingFrame[],
  results: readonly TrackingFrame[],
  options?: TrackingOptions,
): TrackingMetrics {
  const data = buildMotSequence(groundTruth, results, options ?? {});
  const hota = hotaSequence(data);
  const clear = clearSequence(data);
  const identity = identitySequence(data);
  return {
    hota: mean(hota.hota),
    deta: mean(hota.detA),
    assa: mean(hota.assA),
    loca: mean(hota.locA),
    detre: mean(hota.detRe),
    detpr: mean(hota.detPr),
    assre: mean(hota.assRe),
    asspr: mean(hota.assPr),
    hotaAlpha: hota.hota,
    mota: clear.mota,
    motp: clear.motp,
    idsw: clear.idsw,
    frag: clear.frag,
    mt: clear.mt,
    pt: clear.pt,
    ml: clear.ml,
    clrTp: clear.tp,
    clrFn: clear.fn,
    clrFp: clear.fp,
    idf1: identity.idf1,
    idr: identity.idr,
    idp: identity.idp,
  };
}
