/**
 * The pipeline configuration: models, streams, server settings and sinks, checked once
 * with every default filled. Relative paths in a configuration file are relative to the
 * file's folder.
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import type { DropPolicy } from "../types.ts";
import { type ProviderName, PROVIDERS } from "../inference/load_model.ts";
import { NMS_KINDS, type NmsKind } from "../inference/select_detections.ts";
import type { PostprocessOptions } from "../inference/postprocess.ts";
import { type ServerConfig, serverConfig } from "./server_config.ts";
import {
  configBoolean,
  configChoice,
  configNumber,
  configObject,
  configString,
  configStrings,
} from "./config_checks.ts";

export type { ServerConfig } from "./server_config.ts";

/** One model of a pipeline. */
export interface ModelConfig {
  /** The name streams refer to it by. */
  id: string;
  /** Absolute path of the model's `manifest.json`. */
  manifest: string;
  /** Execution providers, in order of preference (default `["cpu"]`). */
  providers: ProviderName[];
  /** Worker sessions (default 1). */
  sessions: number;
  /** Batches close at this many frames (default 4)... */
  maxBatch: number;
  /** ...or this long after their first frame (default 10 ms). */
  maxWaitMs: number;
  /** Overrides of the manifest's post-processing defaults. */
  postprocess: Partial<PostprocessOptions>;
}

/** One stream of a pipeline. */
export interface StreamConfig {
  /** Id in results, status events, metrics and URLs (`[A-Za-z0-9_.-]`, up to 64). */
  id: string;
  /** What `parseSourceInput` reads: a file, URL, `/dev/videoN`, image glob or `lavfi:`. */
  source: string;
  /** The model id it runs on. */
  model: string;
  /** `"lossless"` or a drop policy; default: files lossless, live inputs `"drop-oldest"`. */
  policy?: "lossless" | DropPolicy;
  /** Live queue length (default 1: the freshest frame waits, older ones are dropped). */
  queueSize: number;
  /** Loop a file as a live stream (default false). */
  loop: boolean;
  /** Read at the input's own rate (default: live inputs and looping files). */
  realtime?: boolean;
  /** Resample to this frame rate in ffmpeg. */
  fps?: number;
  /** Reconnect a live input (default true) and its backoff. */
  reconnect: false | { initialDelayMs?: number; maxDelayMs?: number; maxAttempts?: number };
  /** A live input with no frame for this long is restarted (default 10 000 ms). */
  stallTimeoutMs: number;
  /** Frames of this stream in the model at once (default: 1 live, `2 × maxBatch × sessions` lossless). */
  maxInFlight?: number;
}

/** A file sink: every result of the chosen streams as JSON Lines. */
export interface SinkConfig {
  type: "jsonl";
  /** Absolute path of the output file. */
  path: string;
  /** Streams written (default: all). */
  streams?: string[];
}

/** A whole, checked pipeline configuration. */
export interface PipelineConfig {
  models: ModelConfig[];
  streams: StreamConfig[];
  /** Folders that file and image sources must lie in. */
  roots: string[];
  server: ServerConfig;
  sinks: SinkConfig[];
}

/** Where a configuration came from: names it in errors and anchors relative paths. */
export interface ConfigOrigin {
  /** Shown at the start of every error (a file path, or "POST /streams"). */
  name: string;
  /** Folder that relative paths are resolved against. */
  baseDir: string;
}

const STREAM_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const TOP = ["models", "streams", "sources", "server", "sinks", "$schema", "description"];
const MODEL_KEYS = ["manifest", "providers", "sessions", "maxBatch", "maxWaitMs", "postprocess"];
const POST_KEYS = [
  "nms",
  "iouThreshold",
  "sigma",
  "scoreThreshold",
  "maxDetections",
  "maskThreshold",
  "panoptic",
];
const STREAM_KEYS = [
  "id",
  "source",
  "model",
  "policy",
  "queueSize",
  "loop",
  "realtime",
  "fps",
  "reconnect",
  "stallTimeoutMs",
  "maxInFlight",
];

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
 *   /a.json: models: expected at least one model/,
 * );
 * ```
 */
export function resolvePipelineConfig(input: unknown, origin: ConfigOrigin): PipelineConfig {
  const at = origin.name;
  const top = configObject(at, input, TOP);
  const modelsIn = configObject(`${at}: models`, top.models);
  const models = Object.entries(modelsIn).map(([id, value]) =>
    modelConfig(`${at}: models.${id}`, id, value, origin.baseDir)
  );
  if (models.length === 0) {
    throw new ConfigError(`${at}: models: expected at least one model, found none`);
  }
  const sources = configObject(`${at}: sources`, top.sources ?? {}, ["roots"]);
  const roots = configStrings(`${at}: sources.roots`, sources.roots, [origin.baseDir])
    .map((r) => absolute(origin.baseDir, r));
  const streamsIn = top.streams ?? [];
  if (!Array.isArray(streamsIn)) {
    throw new ConfigError(`${at}: streams: expected an array, found ${typeof streamsIn}`);
  }
  const streams: StreamConfig[] = [];
  streamsIn.forEach((value, i) => {
    const stream = resolveStreamConfig(value, models, { ...origin, name: `${at}: streams[${i}]` });
    if (streams.some((s) => s.id === stream.id)) {
      throw new ConfigError(`${at}: streams[${i}].id: "${stream.id}" is used twice`);
    }
    streams.push(stream);
  });
  const server = serverConfig(`${at}: server`, top.server);
  const sinksIn = top.sinks ?? [];
  if (!Array.isArray(sinksIn)) {
    throw new ConfigError(`${at}: sinks: expected an array, found ${typeof sinksIn}`);
  }
  const sinks = sinksIn.map((value, i): SinkConfig => {
    const path = `${at}: sinks[${i}]`;
    const s = configObject(path, value, ["type", "path", "streams"]);
    configChoice(`${path}.type`, s.type, ["jsonl"]);
    return {
      type: "jsonl",
      path: absolute(origin.baseDir, configString(`${path}.path`, s.path)),
      ...(s.streams === undefined
        ? {}
        : { streams: configStrings(`${path}.streams`, s.streams, []) }),
    };
  });
  return { models, streams, roots, server, sinks };
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
 *   { name: "POST /streams", baseDir: "/" }), /POST \/streams.id: expected letters, digits/);
 * ```
 */
export function resolveStreamConfig(
  input: unknown,
  models: readonly { id: string }[],
  origin: ConfigOrigin,
): StreamConfig {
  const at = origin.name;
  const s = configObject(at, input, STREAM_KEYS);
  const id = configString(`${at}.id`, s.id);
  if (!STREAM_ID.test(id)) {
    throw new ConfigError(
      `${at}.id: expected letters, digits, "_", "." or "-" (at most 64), found ${
        JSON.stringify(id)
      }`,
    );
  }
  let source = configString(`${at}.source`, s.source);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(source) && !source.startsWith("/dev/")) {
    source = absolute(origin.baseDir, source);
  }
  const ids = models.map((m) => m.id);
  const model = s.model === undefined && ids.length === 1
    ? ids[0]
    : configChoice(`${at}.model`, s.model, ids);
  const reconnectIn = s.reconnect ?? {};
  let reconnect: StreamConfig["reconnect"] = false;
  if (reconnectIn !== false) {
    const r = configObject(`${at}.reconnect`, reconnectIn, [
      "initialDelayMs",
      "maxDelayMs",
      "maxAttempts",
    ]);
    reconnect = {};
    for (const key of ["initialDelayMs", "maxDelayMs", "maxAttempts"] as const) {
      if (r[key] !== undefined) {
        reconnect[key] = configNumber(`${at}.reconnect.${key}`, r[key], 0, { min: 0 });
      }
    }
  }
  const stream: StreamConfig = {
    id,
    source,
    model,
    queueSize: configNumber(`${at}.queueSize`, s.queueSize, 1, {
      min: 1,
      max: 1000,
      integer: true,
    }),
    loop: configBoolean(`${at}.loop`, s.loop, false),
    reconnect,
    stallTimeoutMs: configNumber(`${at}.stallTimeoutMs`, s.stallTimeoutMs, 10_000, { min: 1 }),
  };
  if (s.policy !== undefined) {
    stream.policy = configChoice<"lossless" | DropPolicy>(`${at}.policy`, s.policy, [
      "lossless",
      "wait",
      "drop-oldest",
      "drop-latest",
    ]);
  }
  if (s.realtime !== undefined) {
    stream.realtime = configBoolean(`${at}.realtime`, s.realtime, false);
  }
  if (s.fps !== undefined) stream.fps = configNumber(`${at}.fps`, s.fps, undefined, { min: 0.001 });
  if (s.maxInFlight !== undefined) {
    stream.maxInFlight = configNumber(`${at}.maxInFlight`, s.maxInFlight, undefined, {
      min: 1,
      max: 256,
      integer: true,
    });
  }
  return stream;
}

function modelConfig(at: string, id: string, value: unknown, baseDir: string): ModelConfig {
  if (!STREAM_ID.test(id)) {
    throw new ConfigError(`${at}: expected a model id of letters, digits, "_", "." or "-"`);
  }
  const m = configObject(at, value, MODEL_KEYS);
  const providers = configStrings(`${at}.providers`, m.providers, ["cpu"]);
  providers.forEach((p, i) => configChoice(`${at}.providers[${i}]`, p, PROVIDERS));
  const post = configObject(`${at}.postprocess`, m.postprocess ?? {}, POST_KEYS);
  const postprocess: Partial<PostprocessOptions> = {};
  if (post.nms !== undefined) {
    postprocess.nms = configChoice<NmsKind>(`${at}.postprocess.nms`, post.nms, NMS_KINDS);
  }
  for (const key of ["iouThreshold", "scoreThreshold", "maskThreshold"] as const) {
    if (post[key] !== undefined) {
      postprocess[key] = configNumber(`${at}.postprocess.${key}`, post[key], undefined, {
        min: 0,
        max: 1,
      });
    }
  }
  if (post.sigma !== undefined) {
    postprocess.sigma = configNumber(`${at}.postprocess.sigma`, post.sigma, undefined, {
      min: 1e-6,
    });
  }
  if (post.maxDetections !== undefined) {
    postprocess.maxDetections = configNumber(
      `${at}.postprocess.maxDetections`,
      post.maxDetections,
      undefined,
      {
        min: 0,
        integer: true,
      },
    );
  }
  if (post.panoptic !== undefined) {
    if (post.panoptic === false) postprocess.panoptic = false;
    else {
      const p = configObject(`${at}.postprocess.panoptic`, post.panoptic, [
        "overlapThreshold",
        "stuffAreaThreshold",
        "instanceScoreThreshold",
      ]);
      postprocess.panoptic = {};
      for (
        const key of ["overlapThreshold", "stuffAreaThreshold", "instanceScoreThreshold"] as const
      ) {
        if (p[key] !== undefined) {
          postprocess.panoptic[key] = configNumber(
            `${at}.postprocess.panoptic.${key}`,
            p[key],
            undefined,
            { min: 0 },
          );
        }
      }
    }
  }
  return {
    id,
    manifest: absolute(baseDir, configString(`${at}.manifest`, m.manifest)),
    providers: providers as ProviderName[],
    sessions: configNumber(`${at}.sessions`, m.sessions, 1, { min: 1, max: 64, integer: true }),
    maxBatch: configNumber(`${at}.maxBatch`, m.maxBatch, 4, { min: 1, max: 256, integer: true }),
    maxWaitMs: configNumber(`${at}.maxWaitMs`, m.maxWaitMs, 10, { min: 0, max: 10_000 }),
    postprocess,
  };
}

function absolute(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
