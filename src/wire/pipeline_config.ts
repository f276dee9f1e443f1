/**
 * The pipeline configuration file (`pipelines/*.json`, or a TS module's default export):
 * models by id, streams, the folders sources may read, the server, sinks, the limits on
 * streams added at runtime, the log level. This schema is the file's format: its
 * TypeScript type, its defaults, its JSON Schema (`schemas/pipeline.schema.json`, which
 * editors use through the file's `$schema` key).
 * Rules between fields (a stream's model must exist, ids used once, paths relative to the
 * file) are `resolvePipelineConfig`'s, in `src/pipeline/config.ts`.
 *
 * @module
 */

import { z } from "zod";
import { ClusterConfigSchema } from "./cluster_config.ts";
import { strictObject } from "./strict_object.ts";
import { ModelConfigSchema } from "./model_config.ts";
import { ServerConfigSchema } from "./server_config.ts";
import { SinkConfigSchema } from "./sink_config.ts";
import { idPhrase, STREAM_ID, StreamConfigSchema } from "./stream_config.ts";

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

/**
 * What streams added while the pipeline runs (`POST /streams`, `Pipeline.addStream`) may
 * take. The configured streams are never refused, but count towards `maxStreams` and
 * `maxTotalPixelRate`. A stream's pixel rate is its input's width × height × frame rate as
 * the source reports it once open (an input that gives no rate counts as 30 fps), before
 * any `fps` resampling: ffmpeg decodes every frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWire } from "./parse.ts";
 * const limits = parseWire(LimitsConfigSchema, {}, "a.json: limits");
 * assert.deepEqual(limits, { maxStreams: 16, maxPixelRate: 250e6, maxTotalPixelRate: 1e9 });
 * assert.ok(3840 * 2160 * 30 <= limits.maxPixelRate); // 4K at 30 fps fits
 * assert.ok(7680 * 4320 * 60 > limits.maxPixelRate); // 8K at 60 fps does not
 * ```
 */
export const LimitsConfigSchema = strictObject({
  maxStreams: z.int().min(1).default(16).describe(
    "Streams at once, configured ones included: POST /streams beyond it is refused with 429 (default 16, the default maxSubscriptions).",
  ),
  maxPixelRate: z.number().min(1).default(250e6).describe(
    "Largest input of one added stream, in pixels per second (width × height × fps): beyond it POST /streams is refused with 400 (default 250000000: 3840×2160 at 30 fps fits).",
  ),
  maxTotalPixelRate: z.number().min(1).default(1e9).describe(
    "Pixels per second of every running stream together: an added stream that would pass it is refused with 429 (default 1000000000: sixteen 1920×1080 inputs at 30 fps).",
  ),
}, { description: "Limits on what streams added at runtime may take." });

/**
 * The log levels, least severe first: a line is written when its level is at or above
 * the configured one (`off` writes nothing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(LOG_LEVELS.indexOf("warn") > LOG_LEVELS.indexOf("info"));
 * ```
 */
export const LOG_LEVELS = Object.freeze(["info", "warn", "error", "off"] as const);

/**
 * How much the server writes to stderr: one JSON line per stream or model state change,
 * reconnect attempt, frame error and warning, at or above `level`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(LogConfigSchema, { level: "debug" }), [
 *   { path: ["level"], expected: 'one of "info", "warn", "error", "off"', found: 'the string "debug"' },
 * ]);
 * ```
 */
export const LogConfigSchema = strictObject({
  level: z.enum(LOG_LEVELS).default("info").describe(
    '"info" (default): every state change of streams and models; "warn": stalls, reconnect attempts, fallbacks, frame errors, warnings and failures; "error": failures; "off": nothing. The CLI\'s --log-level and STREAMDET_LOG override it.',
  ),
}, { description: "The server's log on stderr: one JSON object per line." });

/** A log level (see {@link LogConfigSchema}). */
export type LogLevel = z.output<typeof LogConfigSchema>["level"];

/** The limits on streams added at runtime, every default filled. */
export type LimitsConfig = z.output<typeof LimitsConfigSchema>;

/** The models of a pipeline, by id: at least one. */
const ModelsSchema = z.record(z.string().regex(STREAM_ID), ModelConfigSchema, {
  error: (issue) => issue.code === "invalid_key" ? idPhrase(issue.input, "a model id") : undefined,
}).refine((models) => Object.keys(models).length > 0, "at least one model")
  .meta({
    minProperties: 1,
    description:
      'The models, by id (the name streams refer to them by): one or more. Ids are letters, digits, "_", "." or "-", up to 64; not "." or "..".',
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
  limits: LimitsConfigSchema.prefault(() => ({})),
  log: LogConfigSchema.prefault(() => ({})),
  cluster: ClusterConfigSchema.optional().describe(
    "Cluster mode (docs/cluster.md): the streams are shared by every node of the cluster.",
  ),
}, {
  description: "A streamdet pipeline: models, streams, sources, server, sinks, limits, log.",
});

/** A pipeline configuration file as parsed: defaults filled, nothing resolved yet. */
export type PipelineConfigFile = z.output<typeof PipelineConfigSchema>;
