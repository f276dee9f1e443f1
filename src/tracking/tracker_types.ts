/**
 * Options and output of the trackers (ByteTracker, ClassTracker).
 *
 * @module
 */

import type { TrackLifecycle } from "./track_state.ts";

/** ByteTrack's parameters (the reference's `args` and `frame_rate`). */
export interface ByteTrackerOptions {
  /** `track_thresh` (default 0.5): detections scoring above it are "high", those in
   * `(0.1, trackThresh)` "low"; a track starts from a high detection scoring at least
   * `trackThresh + 0.1`. In [0, 1]. */
  trackThresh?: number;
  /** `match_thresh` (default 0.8): the highest cost of a first-association match. In [0, 1]. */
  matchThresh?: number;
  /** `track_buffer` (default 30): frames a lost track is kept, at 30 fps. Integer ≥ 0. */
  trackBuffer?: number;
  /** `frame_rate` (default 30): a lost track is kept `int(frameRate / 30 · trackBuffer)`
   * frames. Also the clock of the default lifecycle times. > 0. */
  frameRate?: number;
  /** `mot20` (default false): do not fuse detection scores into the IoU costs. */
  mot20?: boolean;
}

/** Per-update options of {@link ByteTracker.update}. */
export interface TrackerUpdateOptions {
  /** Class of each detection (N): reported per track; ignored by the matching. */
  classIds?: Int32Array;
  /** The frame's time in ms on the stream clock (pts), for lifecycle times. Default:
   * `(frameId − 1) · 1000 / frameRate`. */
  time?: number;
}

/** What one update returns: the tracks in the output (K), and the lifecycle events. */
export interface TrackerOutput {
  /** K track ids, in the reference's `output_stracks` order (tracked and activated). */
  trackIds: Int32Array;
  /** K×4 `x1, y1, x2, y2`: each track's Kalman estimate, the reference's `tlbr`. */
  boxes: Float32Array;
  /** K: the score of the detection that updated each track this frame. */
  scores: Float32Array;
  /** K: the input index of the detection that updated or started each track this frame. */
  detections: Int32Array;
  /** K: that detection's class (-1 without classes). */
  classIds: Int32Array;
  /** Tracks confirmed this frame: in the output for the first time (or again after they
   * ended, see ByteTracker). */
  started: TrackLifecycle[];
  /** Started tracks that left the tracker this frame, `endFrame` / `endTime` their last
   * seen frame and time. */
  ended: TrackLifecycle[];
}

/** Options of a {@link ClassTracker}. */
export interface ClassTrackerOptions extends ByteTrackerOptions {
  /** `"per-class"` (default): one ByteTrack per class, a detection only matches tracks of
   * its class; `"class-agnostic"`: one ByteTrack for all, classes only reported. */
  mode?: "per-class" | "class-agnostic";
}
