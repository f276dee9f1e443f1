/**
 * The check of a {@link TrackedFrame} handed to `StreamAnalytics.update()`: typed arrays
 * of matching lengths, finite numbers, each track once.
 *
 * @module
 */

import { describe } from "../describe.ts";
import type { TrackedFrame } from "./analytics_types.ts";

const FN = "StreamAnalytics.update()";

/**
 * Checks a frame and returns its number of tracks K. Throws a `TypeError` (wrong kind of
 * value) or a `RangeError` (wrong length or value) naming the field, what was expected
 * and what was found. `seen` is scratch space (cleared here) for the duplicate check.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const frame = {
 *   pts: 40,
 *   trackIds: new Int32Array([3, 3]),
 *   boxes: new Float32Array(8),
 *   classIds: new Int32Array(2),
 * };
 * assert.throws(() => checkFrame(frame, new Map()), {
 *   name: "RangeError",
 *   message: "StreamAnalytics.update(): frame.trackIds[1]: expected a track id not given before in this frame, found the number 3, as trackIds[0]",
 * });
 * ```
 */
export function checkFrame(frame: TrackedFrame, seen: Map<number, number>): number {
  if (typeof frame !== "object" || frame === null) {
    throw new TypeError(`${FN}: frame: expected a TrackedFrame, found ${describe(frame)}`);
  }
  const { pts, trackIds, boxes, classIds, ended } = frame;
  if (typeof pts !== "number") {
    throw new TypeError(`${FN}: frame.pts: expected a number (ms), found ${describe(pts)}`);
  }
  if (!Number.isFinite(pts)) {
    throw new RangeError(`${FN}: frame.pts: expected a finite number (ms), found ${pts}`);
  }
  if (!(trackIds instanceof Int32Array)) {
    throw new TypeError(
      `${FN}: frame.trackIds: expected an Int32Array of track ids, found ${describe(trackIds)}`,
    );
  }
  const k = trackIds.length;
  typed(boxes, Float32Array, "boxes", 4 * k, `a Float32Array of ${k}×4 numbers (x1, y1, x2, y2)`);
  typed(classIds, Int32Array, "classIds", k, `an Int32Array of ${k} class ids (one per track)`);
  if (ended !== undefined && !(ended instanceof Int32Array)) {
    throw new TypeError(
      `${FN}: frame.ended: expected an Int32Array of track ids (or nothing), found ${
        describe(ended)
      }`,
    );
  }
  for (let i = 0; i < 4 * k; i++) {
    const v = boxes[i];
    if (v - v !== 0) {
      throw new RangeError(`${FN}: frame.boxes[${i}]: expected a finite number, found ${v}`);
    }
  }
  seen.clear();
  for (let i = 0; i < k; i++) {
    const id = trackIds[i];
    const before = seen.get(id);
    if (before !== undefined) {
      throw new RangeError(
        `${FN}: frame.trackIds[${i}]: expected a track id not given before in this frame, found ${
          describe(id)
        }, as trackIds[${before}]`,
      );
    }
    seen.set(id, i);
  }
  return k;
}

function typed(
  value: unknown,
  type: typeof Float32Array | typeof Int32Array,
  name: string,
  length: number,
  expected: string,
): void {
  if (!(value instanceof type)) {
    throw new TypeError(`${FN}: frame.${name}: expected ${expected}, found ${describe(value)}`);
  }
  if (value.length !== length) {
    throw new RangeError(
      `${FN}: frame.${name}: expected ${expected}, found length ${value.length}`,
    );
  }
}
