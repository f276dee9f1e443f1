/**
 * Types of multi-object tracking evaluation: one frame of ids and boxes (ground truth or
 * tracker output), the metrics `evaluateTracking` returns, and the per-sequence data that
 * TrackEval's metrics read (its `data` dict, struct-of-arrays).
 *
 * @module
 */

/** The ids and boxes of one frame, ground truth or tracker output. */
export interface TrackingFrame {
  /** The frame number, an integer >= 1 (MOTChallenge numbers frames from 1). */
  frame: number;
  /** K track ids, unique within the frame. */
  ids: Int32Array;
  /** K×4 boxes `x1, y1, x2, y2`, row k for `ids[k]`. */
  boxes: Float32Array;
}

/**
 * The metrics of one sequence as TrackEval computes them: fractions (not percentages),
 * counts as integers. HOTA's numbers are the means over the 19 α thresholds, as
 * TrackEval's summary prints them.
 */
export interface TrackingMetrics {
  /** HOTA: `sqrt(DetA · AssA)`, mean over α. */
  hota: number;
  /** Detection accuracy `TP / (TP + FN + FP)`, mean over α. */
  deta: number;
  /** Association accuracy, mean over α. */
  assa: number;
  /** Localisation accuracy (mean IoU of the matches), mean over α. */
  loca: number;
  /** Detection recall, mean over α. */
  detre: number;
  /** Detection precision, mean over α. */
  detpr: number;
  /** Association recall, mean over α. */
  assre: number;
  /** Association precision, mean over α. */
  asspr: number;
  /** HOTA at each α of {@link HOTA_ALPHAS} (19 values, α = 0.05 … 0.95). */
  hotaAlpha: Float64Array;
  /** MOTA `(TP − FP − IDSW) / (TP + FN)` (CLEAR, IoU >= 0.5). */
  mota: number;
  /** MOTP: mean IoU of the CLEAR matches. */
  motp: number;
  /** Identity switches. */
  idsw: number;
  /** Fragmentations: times a ground-truth track is picked up again after being lost. */
  frag: number;
  /** Mostly tracked ground-truth ids (matched in more than 80% of their frames). */
  mt: number;
  /** Partially tracked ground-truth ids (20% to 80%). */
  pt: number;
  /** Mostly lost ground-truth ids (under 20%). */
  ml: number;
  /** CLEAR true positives. */
  clrTp: number;
  /** CLEAR false negatives. */
  clrFn: number;
  /** CLEAR false positives. */
  clrFp: number;
  /** IDF1 `IDTP / (IDTP + (IDFP + IDFN) / 2)`. */
  idf1: number;
  /** ID recall. */
  idr: number;
  /** ID precision. */
  idp: number;
}

/** Options of `evaluateTracking`. */
export interface TrackingOptions {
  /**
   * The number of timesteps (TrackEval's `num_timesteps`, the sequence length of
   * `seqinfo.ini`); default: the largest frame number of either side. Frames must not be
   * past it.
   */
  frames?: number;
}

/**
 * One sequence as TrackEval's metrics read it (`get_preprocessed_seq_data`): ids
 * relabelled to `0..n-1` in increasing order of the original ids, and per timestep the
 * IoU of every ground truth (rows) with every tracker box (columns), both in input order.
 * Only timesteps where either side has a box are kept, in increasing frame order (every
 * metric skips a timestep empty on both sides, so leaving them out changes nothing).
 */
export interface MotSequence {
  /** TrackEval's `num_timesteps`. */
  numTimesteps: number;
  /** Distinct ground-truth ids. */
  numGtIds: number;
  /** Distinct tracker ids. */
  numTrackerIds: number;
  /** Ground-truth boxes over all frames. */
  numGtDets: number;
  /** Tracker boxes over all frames. */
  numTrackerDets: number;
  /** Per kept timestep: the relabelled ground-truth ids. */
  gtIds: Int32Array[];
  /** Per kept timestep: the relabelled tracker ids. */
  trackerIds: Int32Array[];
  /** Per kept timestep: the IoU matrix, `gtIds.length × trackerIds.length`, row-major. */
  similarity: Float64Array[];
}
