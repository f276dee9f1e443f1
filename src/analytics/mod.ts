/**
 * Analytics of tracked objects: counting lines (crossings in and out, per class) and
 * zones (occupancy per class, entries, exits and dwell times), with the events they
 * emit. Pure TypeScript on typed arrays: no I/O, no permission.
 *
 * - {@link StreamAnalytics}: one stream's lines and zones, fed a {@link TrackedFrame}
 *   per frame (`update()` returns the frame's {@link AnalyticsEvent}s), with counts
 *   (`snapshot()`) and runtime edits that keep what did not change (`setLines()`,
 *   `setZones()`).
 * - Geometry checks in the project's error style, for configuration files and requests:
 *   {@link lineIssues}, {@link zoneIssues}, {@link analyticsIssues}; the constructor
 *   throws an {@link AnalyticsConfigError} (a `ConfigError`) with every issue.
 * - The geometry itself: {@link anchorPoint}, {@link lineSide}, {@link Polygon} /
 *   {@link pointInPolygon}, {@link selfIntersection}, {@link orient2d}, all exact.
 *
 * Conventions. Coordinates are source pixels of the picture upright, y pointing down;
 * times are pts in ms on the stream clock. A line runs from its first point A to its
 * second B: walking from A to B as the picture is seen, a crossing from your right-hand
 * side to your left-hand side is `in`, the other way `out` (supervision's `LineZone`
 * convention; on a line drawn left to right, moving up the picture is `in`). Only a
 * crossing through the segment counts, not through its extension, once the object has
 * stayed `minFrames` frames on its new side. A zone holds a track while its anchor is
 * inside the polygon (even-odd rule, the boundary inside) after `minFrames` frames; its
 * dwell runs from the first frame of the run inside to the first frame of the run
 * outside. `minFrames` is supervision's `minimum_crossing_threshold` (frames on the new
 * side, the arrival included; default 2 here, 1 there). Differences from supervision:
 * one anchor per box (supervision's `LineZone` follows a box's four corners by default
 * and skips a box whose corners straddle the line), the move from one frame to the next
 * must pass through the segment (supervision looks at each frame's anchors alone, inside
 * the strip perpendicular to the segment), a point exactly on the line keeps the side it
 * was on (supervision puts it on the `out` side), a track's crossings alternate in and
 * out (supervision counts a second `in` when a track dips back across for fewer than
 * `minimum_crossing_threshold` frames and returns), and exact predicates.
 * `tests/analytics/supervision_parity.test.ts` checks this against supervision itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamAnalytics } from "./mod.ts";
 * const analytics = new StreamAnalytics({
 *   lines: [{ name: "door", points: [[0, 100], [640, 100]], minFrames: 1 }],
 * });
 * const at = (pts: number, y: number) => ({
 *   pts,
 *   trackIds: new Int32Array([5]),
 *   boxes: new Float32Array([300, y - 40, 340, y]),
 *   classIds: new Int32Array([2]),
 * });
 * analytics.update(at(0, 80)); // above the line: its side, no count
 * const [event] = analytics.update(at(40, 120)); // down the picture across it: out
 * assert.equal(event.type === "line" && event.direction, "out");
 * assert.deepEqual(analytics.snapshot().lines[0], { name: "door", in: {}, out: { 2: 1 }, totalIn: 0, totalOut: 1 });
 * ```
 *
 * @module
 */

export type {
  AnalyticsEvent,
  AnalyticsSnapshot,
  Anchor,
  LineCounts,
  LineSpec,
  TrackedFrame,
  ZoneCounts,
  ZoneSpec,
} from "./analytics_types.ts";
export { anchorPoint, ANCHORS } from "./anchor.ts";
export { AnalyticsConfigError, analyticsIssues } from "./analytics_issues.ts";
export { lineIssues, zoneIssues } from "./spec_issues.ts";
export { lineSide, segmentsMeet } from "./line_geometry.ts";
export { type EdgeMeeting, pointInPolygon, Polygon, selfIntersection } from "./polygon.ts";
export { orient2d } from "./orient.ts";
export { StreamAnalytics, type StreamAnalyticsConfig } from "./stream_analytics.ts";
