/**
 * `streamdet/tracking`: multi-object tracking of detections, in TypeScript on typed arrays.
 * Pure (no I/O, no permission, nothing native).
 *
 * - {@link ByteTracker}: ByteTrack as the official implementation (ifzhang/ByteTrack
 *   `BYTETracker`) computes it — same track ids and boxes frame after frame, checked against
 *   sequences recorded from the reference (tests/fixtures/tracking/) — plus the detection
 *   behind each track, classes and lifecycle events (`started`, `ended`) with stream times;
 * - {@link ClassTracker}: one ByteTrack per class (ids unique across classes), or one for
 *   all classes;
 * - {@link lapjv}: gatagat/lap's Jonker-Volgenant assignment solver, tie for tie.
 *
 * Boxes are N×4 `x1, y1, x2, y2` in pixels (`Float32Array`, or `Float64Array`), scores N;
 * every update returns the confirmed tracks as struct-of-arrays (`trackIds`, `boxes`,
 * `scores`, `detections`, `classIds`). Bad arguments throw a `TypeError` or `RangeError`
 * that names the argument, what was expected and what was found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteTracker } from "./mod.ts";
 * const tracker = new ByteTracker({ frameRate: 25 });
 * const first = tracker.update(new Float32Array([100, 100, 140, 200]), new Float32Array([0.92]));
 * const second = tracker.update(new Float32Array([103, 101, 143, 201]), new Float32Array([0.88]));
 * assert.deepEqual([...first.trackIds], [1]);
 * assert.deepEqual([...second.trackIds], [1]);
 * assert.deepEqual([...second.detections], [0]);
 * assert.equal(second.started.length, 0);
 * ```
 *
 * @module
 */

export { ByteTracker } from "./byte_tracker.ts";
export { ClassTracker } from "./class_tracker.ts";
export type { TrackLifecycle, TrackState } from "./track_state.ts";
export type {
  ByteTrackerOptions,
  ClassTrackerOptions,
  TrackerOutput,
  TrackerUpdateOptions,
} from "./tracker_types.ts";
export { lapjv, type LapjvOptions, type LapjvResult } from "./lapjv.ts";
