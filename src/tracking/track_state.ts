/**
 * One track of the ByteTrack port: the reference's `STrack` (`yolox/tracker/byte_tracker.py`,
 * `basetrack.py`) with its Kalman state, plus what the lifecycle reports need (the detection
 * and class that last updated it, stream times). Also the lifecycle types.
 *
 * @module
 */

import { kalmanInitiate, kalmanUpdate } from "./kalman_filter.ts";

/** A track's place in its lifecycle: `"tentative"` (started, not yet confirmed by a second
 * detection), `"confirmed"` (tracked), `"lost"` (not seen lately, may be found again),
 * `"removed"` (ended). */
export type TrackState = "tentative" | "confirmed" | "lost" | "removed";

/** One track's lifecycle, as the tracker reports it. Times are on the stream clock (ms). */
export interface TrackLifecycle {
  /** The track id (from 1, per tracker). */
  id: number;
  /** Its state when reported. */
  state: TrackState;
  /** The class of the detection that last updated it (-1 without classes). */
  classId: number;
  /** The frame (1-based, as the reference's `frame_id`) and time it started (tentative). */
  startFrame: number;
  startTime: number;
  /** The last frame and time a detection updated it. */
  lastFrame: number;
  lastTime: number;
  /** For an ended track: its last seen frame and time. */
  endFrame?: number;
  endTime?: number;
}

/** The reference's `TrackState` values. */
export const NEW = 0, TRACKED = 1, LOST = 2, REMOVED = 3;

/**
 * A track: `STrack` with a Float64 Kalman state. Ids, states and frames follow the
 * reference; `detection`, `classId` and the times are the lifecycle's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const track = new Track(0.9, 3, 1);
 * track.activate(7, 1, 0, [10, 20, 30, 40]);
 * assert.equal(track.id, 7);
 * assert.ok(track.activated);
 * const tlbr = new Float64Array(4);
 * track.tlbrInto(tlbr, 0);
 * assert.deepEqual([...tlbr], [10, 20, 40, 60]);
 * ```
 */
export class Track {
  id = 0;
  state = NEW;
  /** `is_activated`. */
  activated = false;
  readonly mean: Float64Array;
  readonly covariance: Float64Array;
  /** `frame_id`: the last frame that updated it (also `end_frame`). */
  frameId = 0;
  startFrame = 0;
  startTime = 0;
  lastTime = 0;
  /** Reported in `started` and not ended since. */
  announced = false;
  /** Appended to the reference's `removed_stracks` (which `sub_stracks` filters by). */
  everRemoved = false;
  /** Membership stamp for the reference's `joint_stracks` / `sub_stracks`. */
  mark = 0;

  constructor(
    /** Score of the detection that last updated it. */
    public score: number,
    /** Input index of that detection. */
    public detection: number,
    /** Its class (-1 without classes). */
    public classId: number,
  ) {
    const state = new Float64Array(72);
    this.mean = state.subarray(0, 8);
    this.covariance = state.subarray(8);
  }

  /** `STrack.activate`: starts the track from its detection's `tlwh`; confirmed at once on
   * frame 1. */
  activate(id: number, frameId: number, time: number, tlwh: ArrayLike<number>): void {
    this.id = id;
    const [x, y, w, h] = [tlwh[0], tlwh[1], tlwh[2], tlwh[3]];
    kalmanInitiate(this.mean, this.covariance, x + w / 2, y + h / 2, w / h, h);
    this.state = TRACKED;
    if (frameId === 1) this.activated = true;
    this.frameId = frameId;
    this.startFrame = frameId;
    this.startTime = time;
    this.lastTime = time;
  }

  /** `STrack.update` and `STrack.re_activate` (without a new id): corrects the state with a
   * detection's `tlwh` at `offset` and takes its score. */
  update(
    tlwh: ArrayLike<number>,
    offset: number,
    score: number,
    detection: number,
    classId: number,
    frameId: number,
    time: number,
  ): void {
    const x = tlwh[offset], y = tlwh[offset + 1], w = tlwh[offset + 2], h = tlwh[offset + 3];
    this.frameId = frameId;
    kalmanUpdate(this.mean, this.covariance, x + w / 2, y + h / 2, w / h, h);
    this.state = TRACKED;
    this.activated = true;
    this.score = score;
    this.detection = detection;
    this.classId = classId;
    this.lastTime = time;
  }

  /** Writes the reference's `tlbr` of the Kalman mean at `out[offset..offset+4)`. */
  tlbrInto(out: Float64Array | Float32Array, offset: number): void {
    const m = this.mean;
    const w = m[2] * m[3], h = m[3];
    const x = m[0] - w / 2, y = m[1] - h / 2;
    out[offset] = x;
    out[offset + 1] = y;
    out[offset + 2] = w + x;
    out[offset + 3] = h + y;
  }

  /** The lifecycle record, with `state` mapped from the reference's state. */
  lifecycle(state: TrackState = lifecycleState(this)): TrackLifecycle {
    const out: TrackLifecycle = {
      id: this.id,
      state,
      classId: this.classId,
      startFrame: this.startFrame,
      startTime: this.startTime,
      lastFrame: this.frameId,
      lastTime: this.lastTime,
    };
    if (state === "removed") {
      out.endFrame = this.frameId;
      out.endTime = this.lastTime;
    }
    return out;
  }
}

/**
 * The lifecycle state of a track: tracked and activated is `"confirmed"`, tracked and not yet
 * activated `"tentative"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const track = new Track(0.9, 0, -1);
 * track.activate(1, 2, 0, [0, 0, 10, 20]); // started on frame 2: not yet confirmed
 * assert.equal(lifecycleState(track), "tentative");
 * ```
 */
export function lifecycleState(track: Track): TrackState {
  if (track.state === TRACKED) return track.activated ? "confirmed" : "tentative";
  return track.state === LOST ? "lost" : "removed";
}
