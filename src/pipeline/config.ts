/**
 * The pipeline configuration, resolved: the file parsed with its wire schema
 * (`PipelineConfigSchema` in src/wire/pipeline_config.ts: fields, defaults, ranges), then
 * the rules between fields that a schema cannot say. A stream without `model` takes the
 * only model; a stream's `model` must name a defined model; stream ids are used once;
 * relative paths are resolved against the file's folder (a source that is not a URL or a
 * device is made absolute).
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import type { z } from "zod";
import { describe } from "../describe.ts";
import { ConfigError } from "../errors.ts";
import type { WireIssue } from "../wire/issues.ts";
import type { ModelConfigSchema } from "../wire/model_config.ts";
import { parseWire, wireMessage } from "../wire/parse.ts";
import { type LimitsConfig, type LogLevel, PipelineConfigSchema } from "../wire/pipeline_config.ts";
import type { ServerConfig } from "../wire/server_config.ts";
import type { ClusterConfig } from "../wire/cluster_config.ts";
import type { SinkConfigSchema } from "../wire/sink_config.ts";
import { StreamConfigSchema } from "../wire/stream_config.ts";
import { isRtspUrl } from "../video/url_input_args.ts";
import { analyticsConfigIssues } from "./stream_analytics_config.ts";

export type { ServerConfig } from "../wire/server_config.ts";
export type { LimitsConfig, LogLevel } from "../wire/pipeline_config.ts";

/** One model of a pipeline: its id (its key in the file's `models`) and its settings,
 * every default filled, `manifest` an absolute path. */
export type ModelConfig = { id: string } & z.output<typeof ModelConfigSchema>;

/** One stream of a pipeline, every default filled, `model` chosen, `source` absolute when
 * it is a path. */
export type StreamConfig = Omit<z.output<typeof StreamConfigSchema>, "model"> & {
  /** The id of the model it runs on. */
  model: string;
  /** The index of its first frame (not configurable: a stream a cluster node takes over
   * continues the numbering of the node that ran it). Default 0. */
  firstFrame?: number;
};

/** A sink, by `type` (`jsonl`: a JSON Lines file, its `path` absolute; `mqtt`, `nats`,
 * `webhook`: docs/sinks.md). */
export type SinkConfig = z.output<typeof SinkConfigSchema>;

/** A whole, checked pipeline configuration. */
export interface PipelineConfig {
  models: ModelConfig[];
  streams: StreamConfig[];
  /** Folders that file and image sources must lie in. */
  roots: string[];
  server: ServerConfig;
  sinks: SinkConfig[];
  /** What streams added at runtime may take (`maxStreams`, pixel rates). */
  limits: LimitsConfig;
  /** The level of the status log on stderr (the CLI's flags and environment override it). */
  log: { level: LogLevel };
  /** Cluster mode (the CLI's `--cluster` and `--node-id` fill or override it). */
  cluster?: ClusterConfig;
}

/** Where a configuration came from: names it in errors and anchors relative paths. */
export interface ConfigOrigin {
  /** Shown at the start of every error (a file path, or "POST /streams"). */
  name: string;
  /** Folder that relative paths are resolved against. */
  baseDir: string;
}

/**
 * Checks a configuration object (parsed JSON, or a TS module's default export) and fills
 * every default. Throws a {@link ConfigError} naming the field otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const config = resolvePipelineConfig({
 *   models: { street: { manifest: "../models/street-maskrcnn/manifest.json" } },
 *   streams: [{ id: "demo", source: "../models/demo/street.mp4", loop: true }],
 * }, { name: "pipelines/demo.json", baseDir: "/app/pipelines" });
 * assert.equal(config.models[0].manifest, "/app/models/street-maskrcnn/manifest.json");
 * assert.equal(config.streams[0].model, "street"); // the only model
 * assert.equal(config.server.hostname, "127.0.0.1");
 * assert.throws(
 *   () => resolvePipelineConfig({ models: {}, streams: [] }, { name: "a.json", baseDir: "/" }),
 *   { name: "ConfigError", message: "a.json: models: expected at least one model, found an empty object" },
 * );
 * ```
 */
export function resolvePipelineConfig(input: unknown, origin: ConfigOrigin): PipelineConfig {
  const file = parseWire(PipelineConfigSchema, input, origin.name, ConfigError);
  const base = origin.baseDir;
  const models = Object.entries(file.models).map(([id, model]): ModelConfig => ({
    id,
    ...model,
    manifest: absolute(base, model.manifest),
  }));
  const issues: WireIssue[] = [];
  const streams = file.streams.map((s, i) =>
    resolveStream(s, models, base, ["streams", i], issues)
  );
  streams.forEach((stream, i) => {
    const first = streams.findIndex((s) => s.id === stream.id);
    if (first < i) {
      issues.push({
        path: ["streams", i, "id"],
        expected: "an id no other stream has",
        found: `${describe(stream.id)}, the id of streams[${first}]`,
      });
    }
  });
  if (issues.length > 0) throw new ConfigError(wireMessage(origin.name, issues), { issues });
  return {
    models,
    streams,
    roots: (file.sources.roots ?? [base]).map((root) => absolute(base, root)),
    server: file.server,
    sinks: file.sinks.map((sink) =>
      sink.type === "jsonl" ? { ...sink, path: absolute(base, sink.path) } : sink
    ),
    limits: file.limits,
    log: file.log,
    ...(file.cluster ? { cluster: file.cluster } : {}),
  };
}

/**
 * Checks one stream (from a config file, or the body of `POST /streams`) against the
 * pipeline's models. A stream without `model` takes the only model, when there is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const models = [{ id: "street" }];
 * const s = resolveStreamConfig({ id: "cam1", source: "rtsp://10.0.0.2/live" }, models,
 *   { name: "POST /streams", baseDir: "/srv" });
 * assert.deepEqual([s.model, s.queueSize, s.reconnect], ["street", 1, {}]);
 * assert.throws(() => resolveStreamConfig({ id: "a b", source: "x.mp4" }, models,
 *   { name: "POST /streams", baseDir: "/" }), /ConfigError: POST \/streams: id: expected letters, digits/);
 * ```
 */
export function resolveStreamConfig(
  input: unknown,
  models: readonly { id: string }[],
  origin: ConfigOrigin,
): StreamConfig {
  const stream = parseWire(StreamConfigSchema, input, origin.name, ConfigError);
  const issues: WireIssue[] = [];
  const resolved = resolveStream(stream, models, origin.baseDir, [], issues);
  if (issues.length > 0) throw new ConfigError(wireMessage(origin.name, issues), { issues });
  return resolved;
}

/** A parsed stream with its model chosen and its source path absolute; a `model` that
 * names no model is added to `issues` (at `path`). */
function resolveStream(
  stream: z.output<typeof StreamConfigSchema>,
  models: readonly { id: string }[],
  baseDir: string,
  path: (string | number)[],
  issues: WireIssue[],
): StreamConfig {
  const ids = models.map((m) => m.id);
  const model = stream.model ?? (ids.length === 1 ? ids[0] : undefined);
  if (model === undefined || !ids.includes(model)) {
    issues.push({
      path: [...path, "model"],
      expected: ids.length > 0
        ? `one of ${ids.map((id) => JSON.stringify(id)).join(", ")}`
        : "a model id (the pipeline has no model)",
      found: describe(stream.model),
    });
  }
  const transport = stream.rtspTransport;
  const rtsps = /^rtsps:/i.test(stream.source);
  if (transport !== undefined && (!isRtspUrl(stream.source) || (rtsps && transport === "http"))) {
    issues.push({
      path: [...path, "rtspTransport"],
      expected: rtsps
        ? '"auto", "tcp" or "udp" for an rtsps:// source (HTTP tunnelling would not be encrypted)'
        : "no value for a source that is not an rtsp:// or rtsps:// URL",
      found: describe(transport),
    });
  }
  const url = /^[a-z][a-z0-9+.-]*:/i.test(stream.source) || stream.source.startsWith("/dev/");
  if (stream.imageRate !== undefined && url) {
    // A URL, a test pattern or a camera is never an image sequence (a path may be a
    // folder: that is known when the source opens).
    issues.push({
      path: [...path, "imageRate"],
      expected: "no value for a source that is not a folder or glob of images",
      found: describe(stream.imageRate),
    });
  }
  for (const issue of analyticsConfigIssues(stream)) {
    issues.push({ ...issue, path: [...path, ...issue.path] });
  }
  return {
    ...stream,
    source: url ? stream.source : absolute(baseDir, stream.source),
    model: model ?? "",
  };
}

function absolute(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
