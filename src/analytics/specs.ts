/**
 * Lines and zones as a counter keeps them: a frozen copy of the known fields, the
 * defaults, and a key that tells whether two specs count the same way.
 *
 * @module
 */

import type { Anchor, LineSpec, ZoneSpec } from "./analytics_types.ts";

/** The default anchor: where an object stands. */
export const DEFAULT_ANCHOR: Anchor = "bottom_center";
/** The default `minFrames`. */
export const DEFAULT_MIN_FRAMES = 2;

/**
 * A deep, frozen copy of a line or zone with only its known fields (so that a caller's
 * later edits change nothing, and `StreamAnalytics.lines` shows what is used).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const spec = { name: "door", points: [[0, 1], [2, 3]] as [[number, number], [number, number]], color: "red" };
 * const copy = copySpec(spec);
 * assert.deepEqual(copy, { name: "door", points: [[0, 1], [2, 3]] });
 * assert.ok(Object.isFrozen(copy.points[0]));
 * ```
 */
export function copySpec<S extends LineSpec | ZoneSpec>(spec: S): S {
  const copy: Record<string, unknown> = {
    name: spec.name,
    points: Object.freeze(spec.points.map(([x, y]) => Object.freeze([x, y]))),
  };
  if (spec.anchor !== undefined) copy.anchor = spec.anchor;
  if (spec.classes !== undefined) copy.classes = Object.freeze([...spec.classes]);
  if (spec.minFrames !== undefined) copy.minFrames = spec.minFrames;
  return Object.freeze(copy) as unknown as S;
}

/**
 * A key equal for two specs exactly when they count the same way: name, points, anchor
 * and `minFrames` with defaults filled, classes as a sorted set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const a = { name: "lot", points: [[0, 0], [9, 0], [0, 9]] as [number, number][], classes: [2, 1] };
 * assert.equal(specKey(a), specKey({ ...a, classes: [1, 2, 2], minFrames: 2, anchor: "bottom_center" }));
 * assert.notEqual(specKey(a), specKey({ ...a, minFrames: 3 }));
 * ```
 */
export function specKey(spec: LineSpec | ZoneSpec): string {
  const classes = spec.classes ? [...new Set(spec.classes)].sort((a, b) => a - b) : null;
  return JSON.stringify([
    spec.name,
    spec.points,
    spec.anchor ?? DEFAULT_ANCHOR,
    classes,
    spec.minFrames ?? DEFAULT_MIN_FRAMES,
  ]);
}
