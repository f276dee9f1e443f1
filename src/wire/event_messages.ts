/**
 * Events of tracked objects: `track` (a track started or ended), `line` (a line crossed),
 * `zone` (entered, exited, occupancy changed), and `counts` (a stream's counts now: sent
 * to a client when it subscribes with `events`, and whenever lines or zones change). What
 * WebSocket clients that subscribe with `events: true` receive and what JSON Lines sinks
 * write between result messages. Classes are given by id and by name (`label`); counts
 * per class are keyed by class name. Times: `ptsMs` on the stream's clock (presentation
 * time), `at` in epoch ms. Changes are listed in `schemas/CHANGELOG.md`.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";
import { SCHEMA_VERSION } from "./result_message.ts";

const v = z.literal(SCHEMA_VERSION);
const count = z.int().min(0);
const perClass = z.record(z.string(), count).describe("class name → count");

const base = {
  v,
  streamId: z.string().min(1),
  frame: count.describe("the frame the event was seen in"),
  ptsMs: z.number().describe("the frame's presentation time, ms"),
  at: z.number().describe("epoch ms the event was published"),
};

const object = {
  trackId: z.int().min(1),
  classId: z.int().describe("the manifest's class id"),
  label: z.string().describe("the class name"),
};

/** `track`: a track started (confirmed) or ended (removed after being lost too long). */
export const TrackEventMessageSchema = strictObject({
  ...base,
  type: z.literal("track"),
  event: z.enum(["started", "ended"]),
  ...object,
  startPtsMs: z.number().describe("when the track was first seen (stream clock, ms)"),
  durationMs: z.number().min(0).optional().describe(
    "ended only: last seen minus first seen, on the stream clock",
  ),
});

/** Counts of a line now, per class and in all. */
export const LineCountsSchema = strictObject({
  name: z.string().min(1),
  in: perClass,
  out: perClass,
  totalIn: count,
  totalOut: count,
});

/** Counts of a zone now: objects inside per class, entries and exits so far. */
export const ZoneCountsSchema = strictObject({
  name: z.string().min(1),
  occupancy: perClass,
  total: count.describe("objects inside now"),
  entered: perClass,
  exited: perClass,
});

/** `line`: a track crossed a line (and stayed on its new side `minFrames` frames). */
export const LineEventMessageSchema = strictObject({
  ...base,
  type: z.literal("line"),
  line: z.string().min(1),
  direction: z.enum(["in", "out"]).describe(
    "walking from the line's first point to its second: in = from right to left",
  ),
  ...object,
  counts: LineCountsSchema.describe("the line's counts after this crossing"),
});

/** `zone`: a track entered or exited a zone, or the zone's occupancy changed. */
export const ZoneEventMessageSchema = z.discriminatedUnion("event", [
  strictObject({
    ...base,
    type: z.literal("zone"),
    zone: z.string(),
    event: z.literal("entered"),
    ...object,
  }),
  strictObject({
    ...base,
    type: z.literal("zone"),
    zone: z.string(),
    event: z.literal("exited"),
    ...object,
    dwellMs: z.number().min(0).describe("time inside, on the stream clock"),
  }),
  strictObject({
    ...base,
    type: z.literal("zone"),
    zone: z.string(),
    event: z.literal("occupancy"),
    occupancy: perClass.describe("objects inside now, per class"),
    total: count,
  }),
]);

/** `counts`: a stream's tracks and counts now (for a client that just subscribed). */
export const CountsMessageSchema = strictObject({
  v,
  type: z.literal("counts"),
  streamId: z.string().min(1),
  frame: count.optional().describe("the last frame counted (none before the first)"),
  ptsMs: z.number().optional(),
  at: z.number().describe("epoch ms"),
  activeTracks: count.describe("tracks confirmed and tracked now"),
  tracks: count.describe("tracks started so far"),
  lines: z.array(LineCountsSchema),
  zones: z.array(ZoneCountsSchema),
});

/**
 * Any event message, told apart by `type`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(EventMessageSchema, {
 *   v: 3, type: "line", streamId: "cam", frame: 9, ptsMs: 600, at: 1, line: "door", direction: "in",
 *   trackId: 4, classId: 1, label: "person",
 *   counts: { name: "door", in: { person: 1 }, out: {}, totalIn: 1, totalOut: 0 },
 * }), []);
 * ```
 */
export const EventMessageSchema = z.discriminatedUnion("type", [
  TrackEventMessageSchema,
  LineEventMessageSchema,
  ZoneEventMessageSchema,
  CountsMessageSchema,
]);

/** `track`. */
export type TrackEventMessage = z.infer<typeof TrackEventMessageSchema>;
/** `line`. */
export type LineEventMessage = z.infer<typeof LineEventMessageSchema>;
/** `zone`. */
export type ZoneEventMessage = z.infer<typeof ZoneEventMessageSchema>;
/** `counts`. */
export type CountsMessage = z.infer<typeof CountsMessageSchema>;
/** A line's counts. */
export type LineCountsMessage = z.infer<typeof LineCountsSchema>;
/** A zone's counts. */
export type ZoneCountsMessage = z.infer<typeof ZoneCountsSchema>;
/** Any event message. */
export type EventMessage = z.infer<typeof EventMessageSchema>;
