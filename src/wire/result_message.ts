/**
 * The result message: what WebSocket subscribers receive and what JSON Lines sinks write,
 * one per frame; also the record `deno task eval` reads back. Its schema, its TypeScript
 * type, and the stage names of its latency breakdown. Changes are listed in
 * `schemas/CHANGELOG.md`.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";

/**
 * The version every server message carries in `v`. Version 3 adds tracking: a detection's
 * `trackId`, and the `track`, `line`, `zone` and `counts` messages. Version 2 named the
 * class of a panoptic segment `classId`, as detections do (version 1 said `categoryId`).
 */
export const SCHEMA_VERSION = 3;

/** The stages of a frame's trip, in order: the keys of a result's `latency`. */
export const STAGES = [
  "decode",
  "wait",
  "batch",
  "preprocess",
  "session",
  "inference",
  "postprocess",
  "fusion",
  "publish",
] as const;

/** One of {@link STAGES}:
 * - `decode`: capture (estimated from the stream's clock) to the frame read from ffmpeg;
 * - `wait`: in the source queue until the stream has a slot in the model;
 * - `batch`: in the batcher until its batch closed;
 * - `preprocess`: conversion of the closed batch into the model's input;
 * - `session`: the prepared batch waiting for its model session to finish the batch before
 *   it (a full batch is handed to a busy session, to run as soon as its current one ends);
 * - `inference`: the graph's run;
 * - `postprocess`: NMS, boxes to the source, masks pasted (after the batch's earlier images);
 * - `fusion`: semantic map and panoptic fusion;
 * - `publish`: back to the main thread and in stream order, until the result is handed to
 *   its publishers (each subscriber's message is built and queued right after). */
export type StageName = typeof STAGES[number];

const count = z.int().min(0);
const finite = z.number().refine(Number.isFinite, "a finite number");

/** COCO RLE in pycocotools' compressed string form, over a whole frame. */
export const RleSchema = strictObject({
  size: z.tuple([count, count]).describe("[height, width] of the frame"),
  counts: z.string().describe("compressed counts, as pycocotools writes them"),
});

/** One detection: a box `[x1, y1, x2, y2]` in source pixels, its class and score. */
export const DetectionMessageSchema = strictObject({
  box: z.tuple([finite, finite, finite, finite]).describe("[x1, y1, x2, y2] in source pixels"),
  classId: z.int().describe("the manifest's class id"),
  label: z.string().describe("the class name"),
  score: finite,
  trackId: z.int().min(1).optional().describe(
    "the object's track (streams with tracking): the same id on every frame the object is tracked",
  ),
  mask: RleSchema.optional().describe("the instance mask (when the subscriber asks for masks)"),
  level: z.int().min(0).optional().describe(
    "the pyramid level the detection came from: single-stage models (FCOS, RetinaNet) an index into the manifest's singleStage.levels, SOLOv2 the grid of its cell (an index into the manifest's solov2.grids)",
  ),
  keypoints: z.array(finite).optional().describe(
    "keypoint models: [x, y, score] per keypoint in the manifest's order (hello's model keypoints), source pixels; a heatmap keypoint's score is its heatmap logit, a regressed one's its detection's score",
  ),
});

/** One segment of a panoptic segmentation. */
export const PanopticSegmentMessageSchema = strictObject({
  id: z.int().min(1).describe("segment id, 1, 2, 3..."),
  classId: z.int().describe("the manifest's class id (a thing's class, or a stuff label)"),
  label: z.string(),
  isThing: z.boolean(),
  score: finite.optional().describe("the detection score, for things"),
  area: count.describe("pixels in the segment"),
  rle: RleSchema,
});

/** Milliseconds per stage (see {@link STAGES}) and end to end. */
export const LatencySchema = strictObject({
  ...Object.fromEntries(STAGES.map((s) => [s, z.number()])) as Record<StageName, z.ZodNumber>,
  totalMs: z.number().describe("capture to published"),
});

/** `type: "result"`: the detections of one frame of one stream. */
export const ResultMessageSchema = strictObject({
  v: z.literal(SCHEMA_VERSION),
  type: z.literal("result"),
  streamId: z.string().min(1),
  model: z.string().describe("the model id"),
  frame: count.describe("frame index in the stream, increasing"),
  ptsMs: z.number().describe("presentation time in milliseconds"),
  width: z.int().min(1).describe("source frame width: the space of boxes and masks"),
  height: z.int().min(1),
  detections: z.array(DetectionMessageSchema),
  panoptic: strictObject({ segments: z.array(PanopticSegmentMessageSchema) }).optional()
    .describe("panoptic segmentation (when asked for and the model makes one)"),
  latency: LatencySchema,
  capturedAt: z.number().describe("epoch ms the frame was captured (estimated for live sources)"),
  publishedAt: z.number().describe("epoch ms the result was published"),
  batchSize: z.int().min(1).describe("frames in the inference batch the frame ran in"),
  node: z.string().optional().describe(
    "the cluster node that ran the frame (cluster mode only: docs/cluster.md)",
  ),
  lease: z.int().min(1).optional().describe(
    "the revision of that node's lease on the stream when it published the frame (cluster mode only): a higher revision is a later owner",
  ),
  decoder: strictObject({
    delayFrames: count.describe(
      "packets ffmpeg's decoder had taken beyond this frame when it gave it back: its reordering delay (0 for a stream without B-frames)",
    ),
    holdMs: z.number().min(0).optional().describe(
      "ms from the frame's packet leaving the demuxer to the frame leaving the decoder (absent when its packet was not seen)",
    ),
  }).optional().describe(
    "what ffmpeg's decoder did with the frame (live and realtime sources, when ffmpeg's -debug_ts lines say it): not part of latency.decode, which the capture clock cannot see a constant hold in (docs/decode-latency.md)",
  ),
});

/** A COCO RLE of a result message. */
export type RleMessage = z.infer<typeof RleSchema>;
/** One detection of a result message. */
export type DetectionMessage = z.infer<typeof DetectionMessageSchema>;
/** One panoptic segment of a result message. */
export type PanopticSegmentMessage = z.infer<typeof PanopticSegmentMessageSchema>;
/** Milliseconds per stage, and end to end (capture to published). */
export type LatencyBreakdown = z.infer<typeof LatencySchema>;
/** `type: "result"`: the detections of one frame. */
export type ResultMessage = z.infer<typeof ResultMessageSchema>;
