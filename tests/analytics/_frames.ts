/**
 * Frames of tracked objects for the analytics tests, written by anchor position.
 *
 * @module
 */

import type { AnalyticsEvent, TrackedFrame } from "../../src/analytics/analytics_types.ts";
import type { StreamAnalytics } from "../../src/analytics/stream_analytics.ts";

/** A track in a frame: its id, its box's bottom centre `(x, y)`, and its class (default 0). */
export interface At {
  id: number;
  x: number;
  y: number;
  classId?: number;
}

/**
 * A frame whose boxes are 20 × 40 with their bottom centre at each track's `(x, y)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...frame(0, [{ id: 1, x: 10, y: 50 }]).boxes], [0, 10, 20, 50]);
 * ```
 */
export function frame(pts: number, tracks: At[], ended: number[] = []): TrackedFrame {
  const boxes = new Float32Array(tracks.length * 4);
  tracks.forEach(({ x, y }, i) => boxes.set([x - 10, y - 40, x + 10, y], 4 * i));
  return {
    pts,
    trackIds: Int32Array.from(tracks, (t) => t.id),
    boxes,
    classIds: Int32Array.from(tracks, (t) => t.classId ?? 0),
    ended: Int32Array.from(ended),
  };
}

/**
 * Feeds one track's path to `analytics`, one point per frame `step` ms apart starting
 * at `start`, and returns every event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamAnalytics } from "../../src/analytics/stream_analytics.ts";
 * assert.deepEqual(walk(new StreamAnalytics({}), 1, [[0, 0], [1, 1]]), []);
 * ```
 */
export function walk(
  analytics: StreamAnalytics,
  id: number,
  path: [number, number][],
  { start = 0, step = 40, classId = 0 } = {},
): AnalyticsEvent[] {
  return path.flatMap(([x, y], i) =>
    analytics.update(frame(start + i * step, [{ id, x, y, classId }]))
  );
}

/** The line events of `events` as `"in@pts"` / `"out@pts"` strings. */
export function crossings(events: AnalyticsEvent[]): string[] {
  return events.flatMap((e) => e.type === "line" ? [`${e.direction}@${e.pts}`] : []);
}
