/**
 * The pipeline configuration file (`pipelines/*.json`, or a TS module's default export):
 * models by id, streams, the folders sources may read, the server, sinks. This schema is
 * the file's format: its TypeScript type, its defaults, its JSON Schema
 * (`schemas/pipeline.schema.json`, which editors use through the file's `$schema` key).
 * Rules between fields (a stream's model must exist, ids used once, paths relative to the
 * file) are `resolvePipelineConfig`'s, in `src/pipeline/config.ts`.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";
import { ModelConfigSchema } from "./model_config.ts";
import { ServerConfigSchema } from "./server_config.ts";
import { SinkConfigSchema } from "./sink_config.ts";
import { STREAM_ID, STREAM_ID_PHRASE, StreamConfigSchema } from "./stream_config.ts";

/**
 * The folders that file and image sources must lie in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(SourcesConfigSchema, { roots: [".."] }), []);
 * ```
 */
export const SourcesConfigSchema = strictObject({
  roots: z.array(z.string().min(1)).optional().describe(
    "Folders that file and image sources must lie in (default: the configuration file's folder; relative paths are relative to it).",
  ),
}, { description: "Where sources may read from." });

/** The models of a pipeline, by id: at least one. */
const ModelsSchema = z.record(z.string().regex(STREAM_ID), ModelConfigSchema, {
  error: (issue) => issue.code === "invalid_key" ? `a model id of ${STREAM_ID_PHRASE}` : undefined,
}).refine((models) => Object.keys(models).length > 0, "at least one model")
  .meta({
    minProperties: 1,
    description:
      'The models, by id (the name streams refer to them by): one or more. Ids are letters, digits, "_", "." or "-", up to 64.',
  });

/**
 * A whole pipeline configuration file, as written (defaults filled when parsed; paths
 * still relative, streams' models not yet chosen).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWire } from "./parse.ts";
 * const config = parseWire(PipelineConfigSchema, {
 *   models: { street: { manifest: "../models/street-maskrcnn/manifest.json" } },
 *   streams: [{ id: "demo", source: "../models/demo/street.mp4", loop: true }],
 * }, "pipelines/demo.json");
 * assert.equal(config.models.street.maxBatch, undefined); // resolved from the graph when it loads
 * assert.equal(config.server.port, 8080);
 * assert.throws(
 *   () => parseWire(PipelineConfigSchema, { models: {}, streams: [] }, "a.json"),
 *   { message: "a.json: models: expected at least one model, found an empty object" },
 * );
 * ```
 */
export const PipelineConfigSchema = strictObject({
  $schema: z.string().optional().describe(
    "The JSON Schema of this file, for editors: ../schemas/pipeline.schema.json.",
  ),
  description: z.string().optional().describe("What this pipeline is for."),
  models: ModelsSchema,
  streams: z.array(StreamConfigSchema).default(() => []).describe(
    "The streams that start with the pipeline (more can be added with POST /streams).",
  ),
  sources: SourcesConfigSchema.default(() => ({})),
  server: ServerConfigSchema.prefault(() => ({})),
  sinks: z.array(SinkConfigSchema).default(() => []).describe(
    "Where results are written besides WebSocket subscribers.",
  ),
  // Later: `cluster` (how several processes share the streams) is one entry here.
}, { description: "A streamdet pipeline: models, streams, sources, server, sinks." });

/** A pipeline configuration file as parsed: defaults filled, nothing resolved yet. */
export type PipelineConfigFile = z.output<typeof PipelineConfigSchema>;
