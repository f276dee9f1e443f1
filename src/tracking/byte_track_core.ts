/**
 * `BYTETracker.update` of ifzhang/ByteTrack (`yolox/tracker/byte_tracker.py`), step by step:
 * the tracker's lists, the three associations, track births and deaths, and
 * `joint_stracks` / `sub_stracks` / `remove_duplicate_stracks`. The public classes
 * (ByteTracker, ClassTracker) validate input, build the output arrays and report lifecycles
 * around it.
 *
 * @module
 */

import { linearAssignment } from "./assignment.ts";
import {
  type DetectionSet,
  type FrameInput,
  pickDetections,
  splitDetections,
} from "./detections.ts";
import { kalmanPredict } from "./kalman_filter.ts";
import { associationCost } from "./track_iou.ts";
import { LOST, REMOVED, Track, TRACKED } from "./track_state.ts";

/** The tracker's parameters, resolved. */
export interface CoreParams {
  trackThresh: number;
  matchThresh: number;
  /** `det_thresh = track_thresh + 0.1`: the score a detection needs to start a track. */
  detThresh: number;
  /** `int(frame_rate / 30.0 * track_buffer)`. */
  maxTimeLost: number;
  mot20: boolean;
  /** Always solve with lapjv, without the unique-answer shortcut (tests, comparisons). */
  alwaysLapjv?: boolean;
}

/** What one update changed. */
export interface StepResult {
  /** `output_stracks`: tracked and activated tracks, in the reference's order. */
  output: Track[];
  /** Output tracks not reported as started before (or since they last ended). */
  started: Track[];
  /** Started tracks that left the tracker this update, or were marked removed. */
  ended: Track[];
}

/**
 * The state of one ByteTrack tracker and its update.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * let ids = 0;
 * const core = new ByteTrackCore(
 *   { trackThresh: 0.5, matchThresh: 0.8, detThresh: 0.6, maxTimeLost: 30, mot20: false },
 *   () => ++ids,
 * );
 * const step = core.step({ boxes: new Float32Array([0, 0, 10, 20]), scores: new Float32Array([0.9]) }, 0);
 * assert.equal(step.output[0].id, 1);
 * ```
 */
export class ByteTrackCore {
  /** `tracked_stracks` (activated and not yet activated). */
  tracked: Track[] = [];
  /** `lost_stracks`. */
  lost: Track[] = [];
  private stamp = 0;

  constructor(
    readonly params: CoreParams,
    private readonly nextId: () => number,
    /** `frame_id`: the number of updates so far (a per-class tracker starts at its
     * stream's frame count). */
    public frameId = 0,
  ) {}

  /** One `BYTETracker.update` on `input`; `time` stamps the lifecycles. */
  step(input: FrameInput, time: number): StepResult {
    const p = this.params;
    const frame = ++this.frameId;
    const { high, low } = splitDetections(input, p.trackThresh);
    const held = [...this.tracked, ...this.lost];
    const activated: Track[] = [], refind: Track[] = [], lostNow: Track[] = [];
    const removedNow: Track[] = [];
    const unconfirmed: Track[] = [], trackedActive: Track[] = [];
    for (const t of this.tracked) (t.activated ? trackedActive : unconfirmed).push(t);

    // Step 2: first association, high-score detections with tracked and lost tracks.
    const pool = this.joint(trackedActive, this.lost);
    for (const t of pool) {
      if (t.state !== TRACKED) t.mean[7] = 0;
      kalmanPredict(t.mean, t.covariance);
    }
    let pairs: number[] = [];
    let cost = associationCost(tlbrs(pool), high.tlbr, p.mot20 ? undefined : high.scores, pairs);
    const solve = { alwaysLapjv: p.alwaysLapjv, pairs };
    const first = linearAssignment(cost, pool.length, high.count, p.matchThresh, solve);
    for (let m = 0; m < first.rows.length; m++) {
      const track = pool[first.rows[m]];
      const wasTracked = track.state === TRACKED;
      this.apply(track, high, first.cols[m], frame, time);
      (wasTracked ? activated : refind).push(track);
    }

    // Step 3: second association, the remaining tracked tracks with low-score detections.
    const rTracked = first.unmatchedRows.map((i) => pool[i]).filter((t) => t.state === TRACKED);
    solve.pairs = pairs = [];
    cost = associationCost(tlbrs(rTracked), low.tlbr, undefined, pairs);
    const second = linearAssignment(cost, rTracked.length, low.count, 0.5, solve);
    for (let m = 0; m < second.rows.length; m++) {
      const track = rTracked[second.rows[m]];
      const wasTracked = track.state === TRACKED;
      this.apply(track, low, second.cols[m], frame, time);
      (wasTracked ? activated : refind).push(track);
    }
    for (const it of second.unmatchedRows) {
      const track = rTracked[it];
      if (track.state !== LOST) {
        track.state = LOST;
        lostNow.push(track);
      }
    }

    // Unconfirmed tracks (one frame old) with the high-score detections left.
    const rest = pickDetections(high, first.unmatchedCols);
    solve.pairs = pairs = [];
    cost = associationCost(tlbrs(unconfirmed), rest.tlbr, p.mot20 ? undefined : rest.scores, pairs);
    const third = linearAssignment(cost, unconfirmed.length, rest.count, 0.7, solve);
    for (let m = 0; m < third.rows.length; m++) {
      const track = unconfirmed[third.rows[m]];
      this.apply(track, rest, third.cols[m], frame, time);
      activated.push(track);
    }
    for (const it of third.unmatchedRows) {
      unconfirmed[it].state = REMOVED;
      removedNow.push(unconfirmed[it]);
    }

    // Step 4: new tracks.
    for (const k of third.unmatchedCols) {
      if (rest.scores[k] < p.detThresh) continue;
      const track = new Track(rest.scores[k], rest.index[k], rest.classIds[k]);
      track.activate(this.nextId(), frame, time, rest.tlwh.subarray(k * 4, k * 4 + 4));
      activated.push(track);
    }

    // Step 5: lost tracks past max_time_lost.
    for (const t of this.lost) {
      if (frame - t.frameId > p.maxTimeLost) {
        t.state = REMOVED;
        removedNow.push(t);
      }
    }

    let tracked = this.tracked.filter((t) => t.state === TRACKED);
    tracked = this.joint(tracked, activated);
    tracked = this.joint(tracked, refind);
    let lost = this.sub(this.lost, tracked);
    for (const t of lostNow) lost.push(t);
    lost = lost.filter((t) => !t.everRemoved); // sub_stracks(lost, removed_stracks)
    for (const t of removedNow) t.everRemoved = true;
    const [keptTracked, keptLost] = removeDuplicates(tracked, lost);
    this.tracked = keptTracked;
    this.lost = keptLost;

    const output = keptTracked.filter((t) => t.activated);
    const started = output.filter((t) => !t.announced);
    for (const t of started) t.announced = true;
    // Ended: started tracks marked removed, or gone from both lists (dropped as duplicates,
    // or lost again after being found in the frame after their removal).
    const stamp = ++this.stamp;
    for (const t of keptTracked) t.mark = stamp;
    for (const t of keptLost) t.mark = stamp;
    const ended: Track[] = [];
    for (const t of held) {
      if (t.announced && (t.mark !== stamp || t.state === REMOVED)) {
        t.announced = false;
        ended.push(t);
      }
    }
    return { output, started, ended };
  }

  /** `STrack.update` / `re_activate` with detection `k` of `set`. */
  private apply(track: Track, set: DetectionSet, k: number, frame: number, time: number): void {
    const score = set.scores[k], index = set.index[k], cls = set.classIds[k];
    track.update(set.tlwh, k * 4, score, index, cls, frame, time);
  }

  /** `joint_stracks(a, b)`: a, then the tracks of b not in a. */
  private joint(a: Track[], b: Track[]): Track[] {
    const stamp = ++this.stamp;
    const out: Track[] = [];
    for (const t of a) {
      t.mark = stamp;
      out.push(t);
    }
    for (const t of b) {
      if (t.mark !== stamp) {
        t.mark = stamp;
        out.push(t);
      }
    }
    return out;
  }

  /** `sub_stracks(a, b)`: the tracks of a not in b. */
  private sub(a: Track[], b: Track[]): Track[] {
    const stamp = ++this.stamp;
    for (const t of b) t.mark = stamp;
    return a.filter((t) => t.mark !== stamp);
  }
}

/** The reference's `tlbr` of each track, n×4. */
function tlbrs(tracks: Track[]): Float64Array {
  const out = new Float64Array(tracks.length * 4);
  for (let i = 0; i < tracks.length; i++) tracks[i].tlbrInto(out, i * 4);
  return out;
}

/**
 * `remove_duplicate_stracks(a, b)`: of a tracked and a lost track closer than IoU distance
 * 0.15, the one tracked for the shorter time (`frame_id − start_frame`; the tracked one on a
 * tie) goes.
 */
function removeDuplicates(a: Track[], b: Track[]): [Track[], Track[]] {
  if (a.length === 0 || b.length === 0) return [a, b];
  const pdist = associationCost(tlbrs(a), tlbrs(b));
  const dupA = new Uint8Array(a.length), dupB = new Uint8Array(b.length);
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      if (!(pdist[i * b.length + j] < 0.15)) continue;
      const timeP = a[i].frameId - a[i].startFrame;
      const timeQ = b[j].frameId - b[j].startFrame;
      if (timeP > timeQ) dupB[j] = 1;
      else dupA[i] = 1;
    }
  }
  return [a.filter((_, i) => !dupA[i]), b.filter((_, j) => !dupB[j])];
}
