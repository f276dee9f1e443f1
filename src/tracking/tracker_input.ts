/**
 * Argument checks of the trackers, in the style of src/geometry/validate.ts: a `TypeError`
 * or `RangeError` whose message names the call, the argument, what was expected and what
 * was found. Also the resolution of options into ByteTrack's parameters, and the output
 * arrays built from a list of tracks.
 *
 * @module
 */

import { describe } from "../describe.ts";
import { checkInteger, checkLabels, checkNumber } from "../geometry/validate.ts";
import type { CoreParams } from "./byte_track_core.ts";
import type { Track, TrackLifecycle } from "./track_state.ts";
import type { ByteTrackerOptions, TrackerOutput } from "./tracker_types.ts";

const OPTION_KEYS = ["trackThresh", "matchThresh", "trackBuffer", "frameRate", "mot20"];

/**
 * Resolves and checks tracker options: ByteTrack's parameters and the frame rate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const { params } = resolveTrackerOptions("ByteTracker", { frameRate: 15 });
 * assert.equal(params.maxTimeLost, 15);
 * assert.throws(() => resolveTrackerOptions("ByteTracker", { trackThresh: 2 }), RangeError);
 * ```
 */
export function resolveTrackerOptions(
  fn: string,
  options: ByteTrackerOptions,
  extraKeys: readonly string[] = [],
): { params: CoreParams; frameRate: number } {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${fn}(): options: expected an object, found ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key) && !extraKeys.includes(key)) {
      const known = [...OPTION_KEYS, ...extraKeys].join(", ");
      throw new RangeError(
        `${fn}(): options: expected only ${known}, found an unknown option "${key}"`,
      );
    }
  }
  const { trackThresh = 0.5, matchThresh = 0.8, trackBuffer = 30, frameRate = 30 } = options;
  const mot20 = options.mot20 ?? false;
  checkNumber(fn, "options.trackThresh", trackThresh, 0, 1);
  checkNumber(fn, "options.matchThresh", matchThresh, 0, 1);
  checkInteger(fn, "options.trackBuffer", trackBuffer, 0);
  checkNumber(fn, "options.frameRate", frameRate, 0);
  if (frameRate === 0) {
    throw new RangeError(`${fn}(): options.frameRate: expected a finite number > 0, found 0`);
  }
  if (typeof mot20 !== "boolean") {
    throw new TypeError(`${fn}(): options.mot20: expected a boolean, found ${describe(mot20)}`);
  }
  const params: CoreParams = {
    trackThresh,
    matchThresh,
    detThresh: trackThresh + 0.1,
    maxTimeLost: Math.trunc(frameRate / 30.0 * trackBuffer),
    mot20,
  };
  return { params, frameRate };
}

/**
 * Checks one frame's detections — `boxes` N×4 and `scores` N, both `Float32Array` or
 * `Float64Array` of finite numbers, and `classIds` (an `Int32Array` of N) when given — and
 * returns N.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(checkDetections("ByteTracker.update", new Float32Array(8), new Float32Array(2)), 2);
 * assert.throws(() => checkDetections("ByteTracker.update", new Float32Array(8), new Float32Array(3)), RangeError);
 * ```
 */
export function checkDetections(
  fn: string,
  boxes: unknown,
  scores: unknown,
  classIds?: unknown,
): number {
  const boxesExpected = "a Float32Array or Float64Array of N×4 numbers (x1, y1, x2, y2)";
  if (!(boxes instanceof Float32Array || boxes instanceof Float64Array)) {
    throw new TypeError(`${fn}(): boxes: expected ${boxesExpected}, found ${describe(boxes)}`);
  }
  if (boxes.length % 4 !== 0) {
    throw new RangeError(
      `${fn}(): boxes: expected ${boxesExpected}, found length ${boxes.length}, not a multiple of 4`,
    );
  }
  const n = boxes.length / 4;
  const scoresExpected = `a Float32Array or Float64Array of ${n} scores (one per box)`;
  if (!(scores instanceof Float32Array || scores instanceof Float64Array)) {
    throw new TypeError(`${fn}(): scores: expected ${scoresExpected}, found ${describe(scores)}`);
  }
  if (scores.length !== n) {
    throw new RangeError(
      `${fn}(): scores: expected ${scoresExpected}, found length ${scores.length}`,
    );
  }
  const corner = ["x1", "y1", "x2", "y2"];
  for (let i = 0; i < boxes.length; i++) {
    if (!Number.isFinite(boxes[i])) {
      throw new RangeError(
        `${fn}(): boxes[${i}] (box ${i >> 2}, ${corner[i & 3]}): expected a finite number, found ${
          boxes[i]
        }`,
      );
    }
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) {
      throw new RangeError(`${fn}(): scores[${i}]: expected a finite number, found ${scores[i]}`);
    }
  }
  if (classIds !== undefined) checkLabels(fn, "classIds", classIds, n);
  return n;
}

/**
 * Checks a frame time (ms), or returns the default one of frame `frameId` at `frameRate`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(frameTime("ByteTracker.update", undefined, 3, 25), 80);
 * assert.equal(frameTime("ByteTracker.update", 1234.5, 3, 25), 1234.5);
 * ```
 */
export function frameTime(
  fn: string,
  time: unknown,
  frameId: number,
  frameRate: number,
): number {
  if (time === undefined) return (frameId - 1) * 1000 / frameRate;
  checkNumber(fn, "options.time", time);
  return time as number;
}

/**
 * Checks the per-update options argument: an object (or nothing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkUpdateOptions("ByteTracker.update", {});
 * assert.throws(() => checkUpdateOptions("ByteTracker.update", 5), TypeError);
 * ```
 */
export function checkUpdateOptions(fn: string, options: unknown): void {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${fn}(): options: expected an object, found ${describe(options)}`);
  }
}

/**
 * The output arrays of a list of tracks, with the lifecycle events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const out = trackerOutput([], [], []);
 * assert.equal(out.trackIds.length, 0);
 * ```
 */
export function trackerOutput(
  tracks: Track[],
  started: TrackLifecycle[],
  ended: TrackLifecycle[],
): TrackerOutput {
  const k = tracks.length;
  const out: TrackerOutput = {
    trackIds: new Int32Array(k),
    boxes: new Float32Array(k * 4),
    scores: new Float32Array(k),
    detections: new Int32Array(k),
    classIds: new Int32Array(k),
    started,
    ended,
  };
  for (let i = 0; i < k; i++) {
    const t = tracks[i];
    out.trackIds[i] = t.id;
    t.tlbrInto(out.boxes, i * 4);
    out.scores[i] = t.score;
    out.detections[i] = t.detection;
    out.classIds[i] = t.classId;
  }
  return out;
}
