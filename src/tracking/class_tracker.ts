/**
 * Multi-class tracking on top of ByteTrack (beyond the reference, which ignores classes):
 * one ByteTrack per class, or one for all classes.
 *
 * @module
 */

import { checkChoice, checkLabels } from "../geometry/validate.ts";
import { ByteTrackCore, type CoreParams } from "./byte_track_core.ts";
import { lifecycleState, type Track, type TrackLifecycle } from "./track_state.ts";
import {
  checkDetections,
  checkUpdateOptions,
  frameTime,
  resolveTrackerOptions,
  trackerOutput,
} from "./tracker_input.ts";
import type { ClassTrackerOptions, TrackerOutput } from "./tracker_types.ts";

const UPDATE = "ClassTracker.update";

/**
 * ByteTrack over detections with classes.
 *
 * `"per-class"` (default): one ByteTrack per class id, created when the class first
 * appears and stepped on every frame after (with no detections when the class has none,
 * so its lost tracks age as the stream's). A per-class tracker started after the stream's
 * first frame counts frames from the stream's count, so only the stream's first frame
 * confirms tracks at once. Output: the classes in ascending id order, each in ByteTrack's
 * order. `"class-agnostic"`: one ByteTrack for all detections; classes are only reported.
 *
 * Ids are unique across classes: one counter per ClassTracker, from 1.
 *
 * @example Two overlapping boxes of different classes keep separate tracks
 * ```ts
 * import assert from "node:assert/strict";
 * const tracker = new ClassTracker();
 * const boxes = new Float32Array([10, 10, 50, 90, 12, 10, 52, 90]);
 * const scores = new Float32Array([0.9, 0.8]);
 * const out = tracker.update(boxes, scores, new Int32Array([2, 0]));
 * assert.deepEqual([...out.classIds], [0, 2]);
 * assert.deepEqual([...out.detections], [1, 0]);
 * assert.deepEqual([...out.trackIds].sort(), [1, 2]);
 * ```
 */
export class ClassTracker {
  readonly #params: CoreParams;
  readonly #frameRate: number;
  readonly #perClass: boolean;
  #ids = 0;
  #frames = 0;
  /** Per-class trackers, by class id, and the class ids in ascending order. */
  #cores = new Map<number, ByteTrackCore>();
  #classes: number[] = [];

  constructor(options: ClassTrackerOptions = {}) {
    const resolved = resolveTrackerOptions("ClassTracker", options, ["mode"]);
    const mode = options.mode ?? "per-class";
    checkChoice("ClassTracker", "options.mode", mode, ["per-class", "class-agnostic"]);
    this.#params = resolved.params;
    this.#frameRate = resolved.frameRate;
    this.#perClass = mode === "per-class";
  }

  /** The number of updates so far. */
  get frameId(): number {
    return this.#frames;
  }

  /**
   * Tracks one frame's detections with their classes (`classIds`, an `Int32Array` of N).
   * `time`: the frame's time in ms on the stream clock (default frame-count based).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * const tracker = new ClassTracker({ mode: "class-agnostic" });
   * const out = tracker.update(new Float32Array([0, 0, 10, 10]), new Float32Array([0.9]), new Int32Array([5]));
   * assert.deepEqual([...out.classIds], [5]);
   * ```
   */
  update(
    boxes: Float32Array | Float64Array,
    scores: Float32Array | Float64Array,
    classIds: Int32Array,
    options: { time?: number } = {},
  ): TrackerOutput {
    checkUpdateOptions(UPDATE, options);
    const n = checkDetections(UPDATE, boxes, scores);
    checkLabels(UPDATE, "classIds", classIds, n);
    const time = frameTime(UPDATE, options.time, this.#frames + 1, this.#frameRate);
    const subsets = new Map<number, number[]>();
    if (this.#perClass) {
      for (let i = 0; i < classIds.length; i++) {
        const list = subsets.get(classIds[i]);
        if (list) list.push(i);
        else subsets.set(classIds[i], [i]);
      }
    }
    for (const cls of this.#perClass ? subsets.keys() : [0]) this.#coreOf(cls);
    this.#frames++;
    const tracks: Track[] = [];
    const started: TrackLifecycle[] = [], ended: TrackLifecycle[] = [];
    for (const cls of this.#classes) {
      const subset = this.#perClass ? Int32Array.from(subsets.get(cls) ?? []) : undefined;
      const step = this.#cores.get(cls)!.step({ boxes, scores, classIds, subset }, time);
      for (const t of step.output) tracks.push(t);
      for (const t of step.started) started.push(t.lifecycle("confirmed"));
      for (const t of step.ended) ended.push(t.lifecycle("removed"));
    }
    return trackerOutput(tracks, started, ended);
  }

  /**
   * Every track held, of every class, in its current state (see ByteTracker.tracks).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * const tracker = new ClassTracker();
   * tracker.update(new Float32Array([0, 0, 10, 10, 0, 0, 10, 10]), new Float32Array([0.9, 0.9]), new Int32Array([1, 2]));
   * assert.deepEqual(tracker.tracks().map((t) => [t.id, t.classId]), [[1, 1], [2, 2]]);
   * ```
   */
  tracks(): TrackLifecycle[] {
    const out: TrackLifecycle[] = [];
    for (const cls of this.#classes) {
      const core = this.#cores.get(cls)!;
      for (const t of [...core.tracked, ...core.lost]) out.push(t.lifecycle(lifecycleState(t)));
    }
    return out;
  }

  /**
   * How many tracks are held (tentative, confirmed and lost), all classes together.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * assert.equal(new ClassTracker().activeCount(), 0);
   * ```
   */
  activeCount(): number {
    let count = 0;
    for (const core of this.#cores.values()) count += core.tracked.length + core.lost.length;
    return count;
  }

  /**
   * Forgets every track and class, and restarts the frame count and the ids.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * const tracker = new ClassTracker();
   * tracker.update(new Float32Array([0, 0, 10, 10]), new Float32Array([0.9]), new Int32Array([1]));
   * tracker.reset();
   * assert.equal(tracker.activeCount(), 0);
   * ```
   */
  reset(): void {
    this.#ids = 0;
    this.#frames = 0;
    this.#cores.clear();
    this.#classes = [];
  }

  /** The tracker of class `cls`, created (at the stream's frame count) if new. */
  #coreOf(cls: number): ByteTrackCore {
    let core = this.#cores.get(cls);
    if (!core) {
      core = new ByteTrackCore(this.#params, () => ++this.#ids, this.#frames);
      this.#cores.set(cls, core);
      let at = this.#classes.length;
      while (at > 0 && this.#classes[at - 1] > cls) at--;
      this.#classes.splice(at, 0, cls);
    }
    return core;
  }
}
