/**
 * Result messages of versions 1 and 2 and their upgrade to version 3, for the JSON Lines files
 * that older runs wrote and `deno task eval` still reads.
 *
 * Version 1 differs from version 2 (`result_message.ts`) in two ways: a panoptic segment
 * named its class `categoryId`; version 2 calls it `classId`, as detections do (the ids
 * are the same: the manifest's class ids). And its latency had no `session` stage: the
 * time a prepared batch waited for its session was counted in `batch`. Upgrading renames
 * the field, sets `latency.session` to 0 (the wait stays inside `batch`, where version 1
 * put it) and sets `v`; nothing else changes. Version 2 lacks only what version 3 added
 * (a detection's `trackId`; the event messages). See `schemas/CHANGELOG.md`.
 *
 * @module
 */

import { z } from "zod";
import {
  DetectionMessageSchema,
  LatencySchema,
  PanopticSegmentMessageSchema,
  type ResultMessage,
  ResultMessageSchema,
  SCHEMA_VERSION,
} from "./result_message.ts";
import { strictObject } from "./strict_object.ts";

const { classId: _classId, ...segmentFields } = PanopticSegmentMessageSchema.shape;

/** One panoptic segment of a version 1 result message: the class is `categoryId`. */
export const PanopticSegmentMessageV1Schema = strictObject({
  id: segmentFields.id,
  categoryId: z.int().describe("the manifest's class id (version 2 calls it classId)"),
  label: segmentFields.label,
  isThing: segmentFields.isThing,
  score: segmentFields.score,
  area: segmentFields.area,
  rle: segmentFields.rle,
});

const { session: _session, ...latencyFields } = LatencySchema.shape;
const { trackId: _trackId, keypoints: _keypoints, level: _level, ...detectionFieldsV2 } =
  DetectionMessageSchema.shape;

/** A result message of version 1. */
export const ResultMessageV1Schema = strictObject({
  ...ResultMessageSchema.shape,
  v: z.literal(1),
  detections: z.array(strictObject(detectionFieldsV2)),
  panoptic: strictObject({ segments: z.array(PanopticSegmentMessageV1Schema) }).optional(),
  latency: strictObject(latencyFields),
});

/** A result message of version 1. */
export type ResultMessageV1 = z.infer<typeof ResultMessageV1Schema>;

/**
 * Upgrades a version 1 result message to version 3: each panoptic segment's
 * `categoryId` becomes `classId` (same id), `latency.session` is 0 (version 1 counted that
 * wait in `batch`), and `v` becomes 3.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const rle = { size: [1, 1] as [number, number], counts: "01" };
 * const v1 = {
 *   v: 1 as const, type: "result" as const, streamId: "cam", model: "m", frame: 0, ptsMs: 0,
 *   width: 1, height: 1, detections: [],
 *   panoptic: { segments: [{ id: 1, categoryId: 7, label: "road", isThing: false, area: 1, rle }] },
 *   latency: { decode: 0, wait: 0, batch: 0, preprocess: 0, inference: 0, postprocess: 0,
 *     fusion: 0, publish: 0, totalMs: 0 },
 *   capturedAt: 0, publishedAt: 0, batchSize: 1,
 * };
 * const v2 = upgradeResultMessageV1(v1);
 * assert.equal(v2.v, 3);
 * assert.deepEqual(v2.panoptic!.segments[0], { id: 1, classId: 7, label: "road", isThing: false, area: 1, rle });
 * assert.equal(v2.latency.session, 0);
 * ```
 */
export function upgradeResultMessageV1(message: ResultMessageV1): ResultMessage {
  const { panoptic, latency, ...rest } = message;
  const upgraded: ResultMessage = {
    ...rest,
    v: SCHEMA_VERSION,
    latency: { ...latency, session: 0 },
  };
  if (panoptic !== undefined) {
    upgraded.panoptic = {
      segments: panoptic.segments.map(({ categoryId, ...s }) => ({ ...s, classId: categoryId })),
    };
  }
  return upgraded;
}

/** A result message of version 2: as version 3, without tracks (`trackId`). */
export const ResultMessageV2Schema = strictObject({
  ...ResultMessageSchema.shape,
  v: z.literal(2),
  detections: z.array(strictObject(detectionFieldsV2)),
});

/**
 * A result message of version 1, 2 or 3 (chosen by `v`), given as version 3: what a reader
 * of stored JSON Lines parses each line with. Version 2 differs from 3 only in what 3
 * adds (`trackId`), so it is read as is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(AnyResultMessageSchema, { v: 4, type: "result" }), [
 *   { path: ["v"], expected: "one of 1, 2, 3", found: "the number 4" },
 * ]);
 * ```
 */
export const AnyResultMessageSchema = z.discriminatedUnion("v", [
  ResultMessageV1Schema,
  ResultMessageV2Schema,
  ResultMessageSchema,
]).transform((m): ResultMessage =>
  m.v === 1 ? upgradeResultMessageV1(m) : m.v === 2 ? { ...m, v: SCHEMA_VERSION } : m
);
