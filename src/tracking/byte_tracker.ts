/**
 * ByteTrack (Zhang et al. 2022), the official tracker of ifzhang/ByteTrack
 * (`yolox/tracker/byte_tracker.py` `BYTETracker`), ported to TypeScript: same ids, same
 * boxes (to float rounding), frame after frame (tests/tracking/byte_tracker_parity.test.ts
 * replays sequences recorded from the reference itself).
 *
 * @module
 */

import { ByteTrackCore } from "./byte_track_core.ts";
import { lifecycleState, type TrackLifecycle } from "./track_state.ts";
import {
  checkDetections,
  checkUpdateOptions,
  frameTime,
  resolveTrackerOptions,
  trackerOutput,
} from "./tracker_input.ts";
import type { ByteTrackerOptions, TrackerOutput, TrackerUpdateOptions } from "./tracker_types.ts";

const UPDATE = "ByteTracker.update";

/**
 * A ByteTrack tracker for one stream. Each {@link ByteTracker.update} is one
 * `BYTETracker.update` of the reference:
 *
 * 1. detections split into high (`score > trackThresh`) and low (`0.1 < score <
 *    trackThresh`; a score equal to a threshold belongs to neither);
 * 2. tracked and lost tracks, Kalman-predicted (`mean[7]`, the height velocity, of a
 *    track not tracked zeroed first), match the high detections by `1 − IoU` (inclusive pixels, `+1`) fused with the
 *    detection score (`1 − IoU·score`, unless `mot20`), solved by lap's `lapjv` with
 *    `cost_limit = matchThresh`;
 * 3. tracked tracks left match the low detections at cost ≤ 0.5 (plain IoU); those still
 *    unmatched become lost;
 * 4. tentative tracks (started the frame before) match the high detections left at ≤ 0.7,
 *    or are removed; a high detection left scoring ≥ `trackThresh + 0.1` starts a
 *    tentative track (confirmed at once on frame 1);
 * 5. lost tracks not seen for more than `int(frameRate / 30 · trackBuffer)` frames are
 *    removed, and of a tracked and a lost track at IoU distance < 0.15 the younger goes.
 *
 * The output is the confirmed tracks, in the reference's order, with their Kalman boxes.
 * Computation is float64, as the reference's numpy. Each assignment is lap's `lapjv`,
 * ported line by line (ties resolve as lap's do), except where its answer is provably
 * unique — every group of competing pairs small and its best matching ahead of the next by
 * more than 1e-9 — which is then taken directly, without solving the padded
 * (rows + cols)² problem (unique_assignment.ts): the same answer, much faster.
 *
 * Beyond the reference: the input index and class of the detection behind each output
 * track, lifecycle events and stream times. Deliberate differences:
 * - a box with `y2 <= y1` or `x2 < x1` is ignored (the reference divides by its height and
 *   fills its track with NaN or fails in the Cholesky factorisation);
 * - ids count from 1 per tracker (the reference's counter is global to the process);
 * - removed tracks are not kept (the reference's `removed_stracks` grows forever); a flag on
 *   each track gives the same filtering. The reference keeps a track removed from the lost
 *   list for one more frame, where the first association can still find it; so does this
 *   port, and such a track, reported in `ended`, comes back in `started` with its old id;
 * - a started track that leaves the tracker's lists without being marked removed is
 *   reported in `ended` too: one dropped by `remove_duplicate_stracks`, or one found again
 *   after its removal and later lost (the reference's `sub_stracks(lost, removed_stracks)`
 *   drops it at once, its id being in `removed_stracks`).
 *
 * @example A box moving right keeps its id
 * ```ts
 * import assert from "node:assert/strict";
 * const tracker = new ByteTracker();
 * for (let f = 0; f < 5; f++) {
 *   const out = tracker.update(new Float32Array([10 + 5 * f, 20, 60 + 5 * f, 120]), new Float32Array([0.9]));
 *   assert.deepEqual([...out.trackIds], [1]);
 *   if (f === 0) assert.equal(out.started[0].id, 1);
 * }
 * assert.equal(tracker.frameId, 5);
 * ```
 */
export class ByteTracker {
  #core: ByteTrackCore;
  #ids = 0;
  readonly #frameRate: number;

  constructor(options: ByteTrackerOptions = {}) {
    const { params, frameRate } = resolveTrackerOptions("ByteTracker", options);
    this.#frameRate = frameRate;
    this.#core = new ByteTrackCore(params, () => ++this.#ids);
  }

  /** The number of updates so far (the reference's `frame_id`). */
  get frameId(): number {
    return this.#core.frameId;
  }

  /**
   * Tracks one frame's detections: `boxes` N×4 `x1, y1, x2, y2`, `scores` N (`Float32Array`
   * or `Float64Array`, finite). Returns the confirmed tracks and this frame's lifecycle
   * events.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * const tracker = new ByteTracker({ trackThresh: 0.6 });
   * const out = tracker.update(new Float32Array([0, 0, 10, 10, 50, 50, 70, 90]), new Float32Array([0.9, 0.65]), {
   *   classIds: new Int32Array([3, 1]),
   *   time: 1000,
   * });
   * assert.deepEqual([...out.trackIds], [1]);
   * assert.deepEqual([...out.classIds], [3]);
   * assert.equal(out.started[0].startTime, 1000);
   * ```
   */
  update(
    boxes: Float32Array | Float64Array,
    scores: Float32Array | Float64Array,
    options: TrackerUpdateOptions = {},
  ): TrackerOutput {
    checkUpdateOptions(UPDATE, options);
    const classIds = options.classIds;
    checkDetections(UPDATE, boxes, scores, classIds);
    const time = frameTime(UPDATE, options.time, this.#core.frameId + 1, this.#frameRate);
    const step = this.#core.step({ boxes, scores, classIds }, time);
    return trackerOutput(
      step.output,
      step.started.map((t) => t.lifecycle("confirmed")),
      step.ended.map((t) => t.lifecycle("removed")),
    );
  }

  /**
   * Every track the tracker holds — tentative, confirmed, lost (tracked first, in the
   * reference's order) — in its current state. A removed track the reference keeps one
   * frame more in its lost list is listed as `"removed"`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * const tracker = new ByteTracker();
   * tracker.update(new Float32Array([0, 0, 10, 10]), new Float32Array([0.9]));
   * assert.deepEqual(tracker.tracks().map((t) => t.state), ["confirmed"]);
   * ```
   */
  tracks(): TrackLifecycle[] {
    return [...this.#core.tracked, ...this.#core.lost].map((t) => t.lifecycle(lifecycleState(t)));
  }

  /**
   * How many tracks the tracker holds (tentative, confirmed and lost): `tracks().length`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * const tracker = new ByteTracker();
   * tracker.update(new Float32Array([0, 0, 10, 10]), new Float32Array([0.9]));
   * assert.equal(tracker.activeCount(), 1);
   * ```
   */
  activeCount(): number {
    return this.#core.tracked.length + this.#core.lost.length;
  }

  /**
   * Forgets every track and restarts the frame count and the ids, as a new tracker with
   * the same options.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * const tracker = new ByteTracker();
   * tracker.update(new Float32Array([0, 0, 10, 10]), new Float32Array([0.9]));
   * tracker.reset();
   * assert.equal(tracker.frameId, 0);
   * assert.equal(tracker.activeCount(), 0);
   * ```
   */
  reset(): void {
    this.#ids = 0;
    this.#core = new ByteTrackCore(this.#core.params, () => ++this.#ids);
  }
}
