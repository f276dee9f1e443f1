/**
 * Checks of the tracking frames `evaluateTracking` and `formatMotText` take. A bad frame
 * is an {@link EvalInputError} whose message reads
 * `<function>: <side>[<index>].<field>: expected <what>, found <what>` and whose
 * `issues` hold the same path, expected and found.
 *
 * @module
 */

import { describe } from "../describe.ts";
import { EvalInputError } from "../errors.ts";
import type { TrackingFrame } from "./mot_types.ts";

/**
 * Throws the {@link EvalInputError} of one issue: `<where>: <path>: expected <what>,
 * found <what>`, with the issue in `issues`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => fail("evaluateTracking()", ["results", 2, "ids"], "an Int32Array", "null"),
 *   { message: "evaluateTracking(): results[2].ids: expected an Int32Array, found null" },
 * );
 * ```
 */
export function fail(
  where: string,
  path: (string | number)[],
  expected: string,
  found: string,
): never {
  const field = path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join("");
  throw new EvalInputError(`${where}: ${field}: expected ${expected}, found ${found}`, {
    issues: [{ path, expected, found }],
  });
}

/**
 * Checks one side's frames (an array of {@link TrackingFrame}: integer frame numbers >= 1,
 * each once and at most `maxFrame`; K ids, unique within the frame; K×4 finite box
 * numbers) and returns the frames by frame number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const frames = [{ frame: 2, ids: new Int32Array([7]), boxes: new Float32Array([0, 0, 4, 4]) }];
 * assert.equal(checkTrackingFrames("evaluateTracking()", "results", frames).get(2), frames[0]);
 * assert.throws(() => checkTrackingFrames("evaluateTracking()", "results", [{ ...frames[0], frame: 0 }]));
 * ```
 */
export function checkTrackingFrames(
  where: string,
  side: string,
  frames: unknown,
  maxFrame = Number.MAX_SAFE_INTEGER,
): Map<number, TrackingFrame> {
  if (!Array.isArray(frames)) {
    fail(where, [side], "an array of frames { frame, ids, boxes }", describe(frames));
  }
  const byFrame = new Map<number, TrackingFrame>();
  const seen = new Set<number>();
  frames.forEach((item: unknown, k: number) => {
    if (typeof item !== "object" || item === null) {
      fail(where, [side, k], "a frame { frame, ids, boxes }", describe(item));
    }
    const { frame, ids, boxes } = item as Record<string, unknown>;
    const range = maxFrame === Number.MAX_SAFE_INTEGER
      ? "an integer >= 1"
      : `an integer in [1, ${maxFrame}] (options.frames)`;
    if (typeof frame !== "number" || !Number.isInteger(frame) || frame < 1 || frame > maxFrame) {
      fail(where, [side, k, "frame"], range, describe(frame));
    }
    if (byFrame.has(frame)) {
      const first = frames.indexOf(byFrame.get(frame));
      fail(
        where,
        [side, k, "frame"],
        "a frame number not used yet",
        `${frame}, as ${side}[${first}]`,
      );
    }
    if (!(ids instanceof Int32Array)) fail(where, [side, k, "ids"], "an Int32Array", describe(ids));
    const n = ids.length;
    if (!(boxes instanceof Float32Array) || boxes.length !== 4 * n) {
      fail(
        where,
        [side, k, "boxes"],
        `a Float32Array of ${n}×4 numbers (x1, y1, x2, y2 for each of the ${n} ids)`,
        describe(boxes),
      );
    }
    for (let i = 0; i < boxes.length; i++) {
      if (!Number.isFinite(boxes[i])) {
        fail(where, [side, k, "boxes", i], "a finite number", describe(boxes[i]));
      }
    }
    seen.clear();
    for (let i = 0; i < n; i++) {
      if (seen.has(ids[i])) {
        fail(
          where,
          [side, k, "ids", i],
          `an id not used yet in frame ${frame}`,
          `${ids[i]}, as ids[${ids.indexOf(ids[i])}]`,
        );
      }
      seen.add(ids[i]);
    }
    byFrame.set(frame, item as TrackingFrame);
  });
  return byFrame;
}
