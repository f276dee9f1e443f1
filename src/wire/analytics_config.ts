/**
 * A stream's tracking, counting lines and zones, as a configuration file, `POST /streams`
 * and the REST routes `PUT /streams/:id/lines` and `PUT /streams/:id/zones` give them.
 * Shapes, ranges and defaults are here; the rules of geometry (a zero-length line, a
 * self-intersecting polygon, names used twice) and class names are checked when a stream
 * is resolved against its model (`src/pipeline/stream_analytics_config.ts`).
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";
import { intIn, numberIn } from "./ranges.ts";
import { idPhrase, STREAM_ID } from "./ids.ts";

const coordinate = z.number({ error: "a finite number (pixels)" }).refine(
  Number.isFinite,
  "a finite number (pixels)",
);

/** A point `[x, y]` in source pixels (the picture upright, as a player shows it). */
export const PointSchema = z.tuple([coordinate, coordinate], {
  error: "a point [x, y] in pixels",
});

/**
 * The point of a box that lines and zones follow.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(ANCHORS[0], "bottom_center");
 * ```
 */
export const ANCHORS = Object.freeze(
  [
    "bottom_center",
    "center",
    "top_center",
    "top_left",
    "top_right",
    "bottom_left",
    "bottom_right",
  ] as const,
);

const classRef = z.union([z.int(), z.string().min(1)], {
  error: "a class id (an integer) or a class name",
});

const common = {
  name: z.string().regex(STREAM_ID, { error: (issue) => idPhrase(issue.input, "a name") })
    .describe("Its name in events, counts, metrics and URLs."),
  anchor: z.enum(ANCHORS).default("bottom_center").describe(
    'The point of a box that is followed (default "bottom_center": where an object stands).',
  ),
  classes: z.array(classRef).min(1, "at least one class").optional().describe(
    "Only these classes (names or ids; default: every class).",
  ),
  minFrames: intIn(1, 1000).default(2).describe(
    "Frames an object must stay on its new side (or inside, or outside) before it counts (default 2).",
  ),
};

/**
 * A counting line: a segment from `points[0]` (A) to `points[1]` (B). Walking from A to
 * B, an object crossing from right to left is counted `in`, from left to right `out`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWire } from "./parse.ts";
 * const line = parseWire(LineConfigSchema, { name: "door", points: [[0, 100], [640, 100]] }, "p.json");
 * assert.deepEqual([line.anchor, line.minFrames], ["bottom_center", 2]);
 * ```
 */
export const LineConfigSchema = strictObject({
  name: common.name,
  points: z.tuple([PointSchema, PointSchema], { error: "two points [[x, y], [x, y]]" })
    .describe("The segment from A to B in source pixels."),
  anchor: common.anchor,
  classes: common.classes,
  minFrames: common.minFrames,
}, { description: "A counting line: crossings in and out, per class." });

/**
 * A zone: a polygon (at least 3 points, not self-intersecting) in source pixels. An
 * object is inside while its anchor is (even-odd rule; a point on an edge is inside).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(ZoneConfigSchema, { name: "lot", points: [[0, 0], [10, 0]] }), [
 *   { path: ["points"], expected: "at least 3 points", found: "an array of 2 items" },
 * ]);
 * ```
 */
export const ZoneConfigSchema = strictObject({
  name: common.name,
  points: z.array(PointSchema).min(3, "at least 3 points").describe(
    "The polygon's corners in order, in source pixels.",
  ),
  anchor: common.anchor,
  classes: common.classes,
  minFrames: common.minFrames,
}, { description: "A zone: objects inside per class, entries, exits and dwell times." });

/**
 * A stream's tracker (ByteTrack's parameters, with its defaults).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWire } from "./parse.ts";
 * const t = parseWire(TrackingConfigSchema, {}, "p.json");
 * assert.deepEqual([t.trackThresh, t.matchThresh, t.trackBuffer, t.mot20, t.classes],
 *   [0.5, 0.8, 30, false, "per-class"]);
 * ```
 */
export const TrackingConfigSchema = strictObject({
  trackThresh: numberIn(0, 1).default(0.5).describe(
    "Detections scoring above this are associated first; new tracks need this + 0.1 (default 0.5).",
  ),
  matchThresh: numberIn(0, 1).default(0.8).describe(
    "The largest cost (1 - IoU, fused with the score) of a first association (default 0.8).",
  ),
  trackBuffer: intIn(1, 100_000).default(30).describe(
    "Frames (at 30 fps) a lost track is kept before it is removed (default 30).",
  ),
  mot20: z.boolean().default(false).describe(
    "MOT20 mode: no score fusion in the first association (default false).",
  ),
  frameRate: numberIn(0.001, 1000).optional().describe(
    "The frame rate the buffer is scaled by (default: the stream's).",
  ),
  classes: z.enum(["per-class", "class-agnostic"]).default("per-class").describe(
    '"per-class" (a tracker per class: a track keeps its class) or "class-agnostic" (one tracker; a track takes the class of its latest detection). Default "per-class".',
  ),
}, { description: "ByteTrack tracking of a stream's detections." });

/** A counting line, as given (defaults filled). */
export type LineConfig = z.output<typeof LineConfigSchema>;
/** A zone, as given (defaults filled). */
export type ZoneConfig = z.output<typeof ZoneConfigSchema>;
/** A stream's tracker settings (defaults filled). */
export type TrackingConfig = z.output<typeof TrackingConfigSchema>;
/** One of {@link ANCHORS}. */
export type AnchorName = typeof ANCHORS[number];
