/**
 * Every wire format that has a committed JSON Schema under `schemas/`: the list that
 * `deno task schemas` writes and the schema test checks.
 *
 * @module
 */

import type { WireFormat } from "./json_schema.ts";
import { ResultMessageSchema } from "./result_message.ts";
import { PipelineConfigSchema } from "./pipeline_config.ts";
import { ManifestSchema } from "./manifest.ts";
import { ClientMessageSchema } from "./ws_client_messages.ts";
import { ServerMessageSchema } from "./ws_server_messages.ts";

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
      "What the server sends a WebSocket client (/ws), one JSON text per message: hello, subscribed, status, result, thumbnail, dropped, error or pong, each with v and type.",
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
];
