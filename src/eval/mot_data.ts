/**
 * The sequence TrackEval's metrics read, built from two lists of frames as
 * MotChallenge2DBox's `get_preprocessed_seq_data` builds its `data` dict (without its
 * distractor and class preprocessing), with the box IoU of TrackEval's
 * `_BaseDataset._calculate_box_ious`.
 *
 * @module
 */

import { checkTrackingFrames } from "./mot_check.ts";
import type { MotSequence, TrackingFrame, TrackingOptions } from "./mot_types.ts";

/** numpy's `np.finfo('float').eps`. */
export const EPS = 2.220446049250313e-16;

/**
 * TrackEval's `_calculate_box_ious` of corner boxes (`x0y0x1y1`), in float64: the
 * intersection over union of every box of `a` (rows) with every box of `b` (columns);
 * 0 where either box has an area <= eps or the union is <= eps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const iou = trackEvalBoxIou(new Float32Array([0, 0, 10, 10]), new Float32Array([0, 0, 10, 5, 5, 5, 5, 9]));
 * assert.deepEqual([...iou], [0.5, 0]);
 * ```
 */
export function trackEvalBoxIou(a: Float32Array, b: Float32Array): Float64Array {
  const n = a.length / 4, m = b.length / 4;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const ax1 = a[4 * i], ay1 = a[4 * i + 1], ax2 = a[4 * i + 2], ay2 = a[4 * i + 3];
    const area1 = (ax2 - ax1) * (ay2 - ay1);
    for (let j = 0; j < m; j++) {
      const bx1 = b[4 * j], by1 = b[4 * j + 1], bx2 = b[4 * j + 2], by2 = b[4 * j + 3];
      const area2 = (bx2 - bx1) * (by2 - by1);
      const iw = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0);
      const ih = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0);
      let intersection = iw * ih;
      let union = area1 + area2 - intersection;
      if (area1 <= EPS || area2 <= EPS || union <= EPS) intersection = 0;
      if (union <= EPS) union = 1;
      out[i * m + j] = intersection / union;
    }
  }
  return out;
}

/** The ids of one side in increasing order → 0..n-1. */
function relabel(frames: Iterable<TrackingFrame>): Map<number, number> {
  const distinct = new Set<number>();
  for (const f of frames) for (const id of f.ids) distinct.add(id);
  const sorted = Float64Array.from(distinct).sort();
  return new Map(Array.from(sorted, (id, k) => [id, k]));
}

function mapIds(frame: TrackingFrame | undefined, labels: Map<number, number>): Int32Array {
  if (frame === undefined) return new Int32Array(0);
  return Int32Array.from(frame.ids, (id) => labels.get(id)!);
}

const NO_BOXES = new Float32Array(0);

/**
 * Checks both sides and builds the {@link MotSequence} TrackEval's metrics read: ids
 * relabelled to 0..n-1 per side in increasing order, the IoU of each timestep. A frame
 * number missing on one side is an empty timestep of that side.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const box = new Float32Array([0, 0, 10, 10]);
 * const seq = buildMotSequence(
 *   [{ frame: 1, ids: new Int32Array([40]), boxes: box }, { frame: 3, ids: new Int32Array([12]), boxes: box }],
 *   [{ frame: 1, ids: new Int32Array([5]), boxes: box }],
 * );
 * assert.deepEqual([seq.numTimesteps, seq.numGtIds, seq.numTrackerIds, seq.numGtDets], [3, 2, 1, 2]);
 * assert.deepEqual(seq.gtIds.map((ids) => [...ids]), [[1], [0]]);
 * assert.deepEqual([...seq.similarity[0]], [1]);
 * ```
 */
export function buildMotSequence(
  groundTruth: readonly TrackingFrame[],
  results: readonly TrackingFrame[],
  options: TrackingOptions = {},
  where = "evaluateTracking()",
): MotSequence {
  const limit = options.frames;
  if (
    limit !== undefined &&
    (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0)
  ) {
    throw new RangeError(`${where}: options.frames: expected an integer >= 0, found ${limit}`);
  }
  const gt = checkTrackingFrames(where, "groundTruth", groundTruth, limit);
  const tr = checkTrackingFrames(where, "results", results, limit);
  const gtLabels = relabel(gt.values());
  const trLabels = relabel(tr.values());
  const frameNumbers = Float64Array.from(new Set([...gt.keys(), ...tr.keys()])).sort();
  const seq: MotSequence = {
    numTimesteps: limit ?? (frameNumbers.length ? frameNumbers[frameNumbers.length - 1] : 0),
    numGtIds: gtLabels.size,
    numTrackerIds: trLabels.size,
    numGtDets: 0,
    numTrackerDets: 0,
    gtIds: [],
    trackerIds: [],
    similarity: [],
  };
  for (const f of frameNumbers) {
    const g = gt.get(f), t = tr.get(f);
    const gtIds = mapIds(g, gtLabels), trackerIds = mapIds(t, trLabels);
    if (gtIds.length === 0 && trackerIds.length === 0) continue;
    seq.gtIds.push(gtIds);
    seq.trackerIds.push(trackerIds);
    seq.similarity.push(trackEvalBoxIou(g?.boxes ?? NO_BOXES, t?.boxes ?? NO_BOXES));
    seq.numGtDets += gtIds.length;
    seq.numTrackerDets += trackerIds.length;
  }
  return seq;
}
