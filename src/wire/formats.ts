/**
 * Every wire format that has a committed JSON Schema under `schemas/`: the list that
 * `deno task generate` writes and the schema test checks.
 *
 * @module
 */

import type { WireFormat } from "./json_schema.ts";
import { ResultMessageSchema } from "./result_message.ts";
import { PipelineConfigSchema } from "./pipeline_config.ts";
import { ManifestSchema } from "./manifest.ts";
import { ClientMessageSchema } from "./ws_client_messages.ts";
import { ServerMessageSchema } from "./ws_server_messages.ts";
import { EventMessageSchema } from "./event_messages.ts";
import { CocoGroundTruthSchema, CocoResultsSchema } from "./coco.ts";
import { PanopticRleJsonSchema } from "./panoptic.ts";

/**
 * The wire formats with a JSON Schema file, in the order of `schemas/README.md`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(WIRE_FORMATS.every((f) => f.file.endsWith(".schema.json")));
 * ```
 */
export const WIRE_FORMATS: readonly WireFormat[] = [
  // Each format adds one entry here: { file, title, description, schema }.
  {
    file: "result-message.schema.json",
    title: "streamdet result message",
    description:
      "The detections of one frame: a WebSocket server message of type result, and one line of a JSON Lines results file.",
    schema: ResultMessageSchema,
  },
  {
    file: "event-message.schema.json",
    title: "streamdet event message",
    description:
      "An event of tracked objects (track started or ended, line crossed, zone entered, exited or occupancy changed) or a stream's counts: a WebSocket server message for clients subscribed with events, and a line of a JSON Lines results file between result messages.",
    schema: EventMessageSchema,
  },
  {
    file: "ws-client-message.schema.json",
    title: "streamdet WebSocket client message",
    description:
      "What a WebSocket client sends the server (/ws): subscribe, unsubscribe or ping, one JSON text per message.",
    schema: ClientMessageSchema,
  },
  {
    file: "ws-server-message.schema.json",
    title: "streamdet WebSocket server message",
    description:
      "What the server sends a WebSocket client (/ws), one JSON text per message: hello, subscribed, status, result, track, line, zone, counts, thumbnail, dropped, error or pong, each with v and type.",
    schema: ServerMessageSchema,
  },
  {
    file: "pipeline.schema.json",
    title: "streamdet pipeline configuration",
    description:
      "A pipeline configuration file (pipelines/*.json): models by id, streams, the folders sources may read, the server, sinks. Relative paths are relative to the file.",
    schema: PipelineConfigSchema,
  },
  {
    file: "manifest.schema.json",
    title: "streamdet model manifest",
    description:
      "A model's manifest.json (models/<name>/manifest.json): its ONNX graph, input, outputs by role, classes, and post-processing defaults.",
    schema: ManifestSchema,
  },
  {
    file: "coco-ground-truth.schema.json",
    title: "COCO ground truth (as deno task eval reads it)",
    description:
      "A COCO instances JSON (--gt): images, annotations with bbox, area, iscrowd and polygon or RLE segmentation (keypoints [x, y, v] × K and num_keypoints for keypoint datasets), categories. Ids are integers, unique per list; other tools' fields (info, licenses, supercategory, keypoints...) are allowed, as pycocotools allows them.",
    schema: CocoGroundTruthSchema,
  },
  {
    file: "coco-results.schema.json",
    title: "COCO results (as deno task eval reads them)",
    description:
      "A COCO results JSON array (--results): one detection per entry, with image_id, category_id, score and a bbox [x, y, w, h], a segmentation and/or keypoints [x, y, score] × K. Other fields are allowed, as pycocotools allows them.",
    schema: CocoResultsSchema,
  },
  {
    file: "panoptic-ground-truth.schema.json",
    title: "COCO panoptic ground truth with RLE segments",
    description:
      "A COCO panoptic JSON whose segments carry their masks as compressed RLE in segmentation (--panoptic-gt, models/demo/panoptic.json): images, categories with isthing, annotations with segments_info. Other fields are allowed.",
    schema: PanopticRleJsonSchema,
  },
];
