/**
 * A running pipeline: its models (started once, shared by their streams), its streams,
 * metrics and sinks, and the listeners of its results and status events. Streams can be
 * added and removed while it runs; a stream or model that fails is reported and the
 * others go on.
 *
 * @module
 */

import { describe } from "../describe.ts";
import { ConfigError, ConflictError, type LimitError } from "../errors.ts";
import { type FfmpegBinary, resolveFfmpeg } from "../video/ffmpeg_binary.ts";
import { checkSource } from "./check_source.ts";
import type { PipelineConfig, StreamConfig } from "./config.ts";
import { type ConfigOrigin, resolveStreamConfig } from "./config.ts";
import type { StatusEvent, StreamResult, StreamThumbnail } from "./events.ts";
import { PipelineMetrics } from "./metrics.ts";
import { formatIssue } from "../wire/issues.ts";
import { type StreamInfo, StreamRunner } from "./stream_runner.ts";
import { type ModelInfo, PipelineModel } from "./pipeline_model.ts";
import type { StatusLog } from "./status_log.ts";
import { ADMISSION_WAIT_MS, pixelRate, pixelRateError, streamCountError } from "./stream_limits.ts";

export type { ModelInfo } from "./pipeline_model.ts";

/** What `GET /ready` reports. */
export interface Readiness {
  ready: boolean;
  models: { id: string; state: ModelInfo["state"]; error?: string }[];
  /** Each stream, `ready` once it has delivered a frame (or may be pending), unless it
   * failed; `reason`: why not, or its latest state's reason. */
  streams: { id: string; state: string; ready: boolean; reason?: string }[];
}

/** Options of {@link createPipeline}. */
export interface PipelineOptions {
  /** The ffmpeg to run (default: `resolveFfmpeg` with the process environment). */
  ffmpeg?: FfmpegBinary;
  /** Where metrics go (default: a new registry with process metrics). */
  metrics?: PipelineMetrics;
  /** Warnings (provider fallbacks...), default: the `log`'s warnings, else `console.warn`. */
  onWarning?: (message: string) => void;
  /** Where every status event is logged from the start (models loading included), and
   * warnings too unless `onWarning` is given (default: no log). */
  log?: StatusLog;
  /**
   * `"always"` (default) fuses a panoptic map for every frame of a model with a semantic
   * head; `"on-demand"` only for streams someone asked it of (`wantPanoptic`), which saves
   * the fusion (about 5 ms per 640×360 frame on the CPU) when nobody looks at it.
   */
  panoptic?: "always" | "on-demand";
}

type Listeners = {
  result: (r: StreamResult) => void;
  status: (e: StatusEvent) => void;
  thumbnail: (t: StreamThumbnail) => void;
};

interface StreamSlot {
  config: StreamConfig;
  runner?: StreamRunner;
  /** Why the stream never started (bad source, failed model). */
  error?: string;
  /** Its frames stopped flowing (ended, failed or stopped). */
  done?: boolean;
  /** Added at runtime: its input is held to `limits` each time its source connects, and
   * `opened` resolves when the source first connects, fails or starts reconnecting. */
  limited?: { where: string; opened: PromiseWithResolvers<void> };
  /** The limit that refused it: its runner is stopped and its later events dropped. */
  refused?: LimitError;
}

/**
 * Starts a pipeline: loads every model (one that fails is reported, its streams fail),
 * then starts every stream (one whose source is refused is reported, the others run).
 *
 * @example
 * ```ts ignore
 * const config = await loadPipelineConfig("pipelines/demo.json");
 * const pipeline = await createPipeline(config);
 * pipeline.on("result", (r) => console.log(r.streamId, r.index, r.latency.totalMs));
 * await pipeline.stop();
 * ```
 */
export async function createPipeline(
  config: PipelineConfig,
  options: PipelineOptions = {},
): Promise<Pipeline> {
  const ffmpeg = options.ffmpeg ?? await resolveFfmpeg({ env: Deno.env.toObject() });
  const pipeline = new Pipeline(config, ffmpeg, options);
  await pipeline.start();
  return pipeline;
}

/** See {@link createPipeline}. */
export class Pipeline {
  readonly config: PipelineConfig;
  readonly metrics: PipelineMetrics;
  readonly ffmpeg: FfmpegBinary;
  #models = new Map<string, PipelineModel>();
  #streams = new Map<string, StreamSlot>();
  #listeners: { [K in keyof Listeners]: Set<Listeners[K]> } = {
    result: new Set(),
    status: new Set(),
    thumbnail: new Set(),
  };
  #thumbnailDemand = new Map<string, number>();
  #panopticDemand = new Map<string, number>();
  #panopticMode: "always" | "on-demand";
  #warn: (message: string) => void;
  #gaugeTimer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(config: PipelineConfig, ffmpeg: FfmpegBinary, options: PipelineOptions = {}) {
    this.config = config;
    this.ffmpeg = ffmpeg;
    this.metrics = options.metrics ?? new PipelineMetrics();
    const log = options.log;
    this.#warn = options.onWarning ?? (log ? (m) => log.warning(m) : (m) => console.warn(m));
    if (log) this.#listeners.status.add((e) => log.status(e));
    this.#panopticMode = options.panoptic ?? "always";
    for (const m of config.models) {
      this.#models.set(m.id, new PipelineModel(m));
    }
  }

  /** Loads the models and starts the configured streams (sinks are the caller's: see
   * `openSinks`). */
  async start(): Promise<void> {
    const emit = (event: StatusEvent) => this.#emit("status", event);
    await Promise.all([...this.#models.values()].map((model) => model.load(emit, this.#warn)));
    for (const stream of this.config.streams) await this.#startStream(stream, false);
    this.#gaugeTimer = setInterval(() => {
      for (const [id, slot] of this.#models) {
        if (slot.runtime) {
          this.metrics.batcherQueue.set({ model: id }, slot.runtime.status().queued);
        }
      }
    }, 1000);
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Listeners>(type: K, listener: Listeners[K]): () => void {
    this.#listeners[type].add(listener);
    return () => this.#listeners[type].delete(listener);
  }

  /** Every stream, in the order added. */
  streams(): StreamInfo[] {
    return [...this.#streams.values()].map((s) => this.#streamInfo(s));
  }

  /** One stream, or undefined. */
  stream(id: string): StreamInfo | undefined {
    const slot = this.#streams.get(id);
    return slot ? this.#streamInfo(slot) : undefined;
  }

  /** Every model. */
  models(): ModelInfo[] {
    return [...this.#models.values()].map((m) => m.info());
  }

  /** Class names by id of a model (for result messages). */
  labels(model: string): ReadonlyMap<number, string> {
    return this.#models.get(model)?.labels ?? new Map();
  }

  /** Ready when every model has loaded and every stream has delivered a frame (or may
   * be pending: `readyWithoutFrames`) and none has failed. */
  readiness(): Readiness {
    const models = this.models().map((m) => ({
      id: m.id,
      state: m.state,
      ...(m.error ? { error: m.error } : {}),
    }));
    const streams = [...this.#streams.values()].map((slot) => {
      const s = this.#streamInfo(slot);
      const pending = s.stats.decoded === 0 && !slot.config.readyWithoutFrames;
      const ready = s.state !== "failed" && !pending;
      const reason = s.reason ?? (pending ? "no frame yet" : undefined);
      return { id: s.id, state: s.state, ready, ...(reason ? { reason } : {}) };
    });
    const ready = models.every((m) => m.state === "loaded") && streams.every((s) => s.ready);
    return { ready, models, streams };
  }

  /**
   * Adds a stream while running: `input` is checked as a config stream (relative paths
   * against `origin.baseDir`), its source against the roots, then it starts, and this
   * waits (at most `ADMISSION_WAIT_MS`) for its source to open, fail or start reconnecting.
   * Throws a `ConfigError` or `SourceError`; a `CapacityError` when `limits.maxStreams`
   * streams are listed or the total pixel budget is used up; once the source reports its
   * size, a `LimitError` (`limits.maxPixelRate`) or `CapacityError`
   * (`limits.maxTotalPixelRate`), the stream stopped and removed. A source that opens
   * later is checked when it connects (and on every reconnect): one over a limit then
   * fails, with the limit's error as its reason.
   */
  async addStream(
    input: unknown,
    origin: ConfigOrigin = { name: "stream", baseDir: Deno.cwd() },
  ): Promise<StreamInfo> {
    if (this.#stopped) throw new ConfigError(`${origin.name}: the pipeline is stopping`);
    const config = resolveStreamConfig(input, this.config.models, origin);
    if (this.#streams.has(config.id)) {
      throw streamExists(origin.name, config.id);
    }
    const model = this.#models.get(config.model)!;
    if (!model.runtime) {
      throw new ConfigError(
        `${origin.name}.model: model "${config.model}" is not loaded: ${
          model.error ?? "still loading"
        }`,
      );
    }
    const slot = await this.#startStream(config, true, origin.name);
    if (!slot.limited) return this.#streamInfo(slot);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      slot.limited.opened.promise,
      new Promise((resolve) => timer = setTimeout(resolve, ADMISSION_WAIT_MS)),
    ]);
    clearTimeout(timer);
    if (slot.refused) {
      // Refused at once: the stream was never added.
      if (this.#streams.get(config.id) === slot) this.#streams.delete(config.id);
      this.#thumbnailDemand.delete(config.id);
      await slot.runner?.stop();
      this.#updateExpected(config.model);
      throw slot.refused;
    }
    return this.#streamInfo(slot);
  }

  /** Stops and removes a stream; false if there is none with that id. */
  async removeStream(id: string): Promise<boolean> {
    const slot = this.#streams.get(id);
    if (!slot) return false;
    this.#streams.delete(id);
    this.#thumbnailDemand.delete(id);
    await slot.runner?.stop();
    this.#updateExpected(slot.config.model);
    return true;
  }

  /** Counts a viewer that wants (`+1`) or no longer wants (`-1`) a stream's thumbnails. */
  wantThumbnails(streamId: string, delta: 1 | -1): void {
    if (!this.#streams.has(streamId)) return;
    const n = Math.max(0, (this.#thumbnailDemand.get(streamId) ?? 0) + delta);
    this.#thumbnailDemand.set(streamId, n);
  }

  /** Counts a listener that wants (`+1`) or no longer wants (`-1`) panoptic maps of a
   * stream, or of every stream (`"*"`). Matters with `panoptic: "on-demand"`. */
  wantPanoptic(streamId: string, delta: 1 | -1): void {
    const n = Math.max(0, (this.#panopticDemand.get(streamId) ?? 0) + delta);
    this.#panopticDemand.set(streamId, n);
  }

  /** Stops every stream, then the models. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#gaugeTimer);
    await Promise.all([...this.#streams.values()].map((s) => s.runner?.stop()));
    await Promise.all([...this.#models.values()].map((m) => m.runtime?.close()));
    for (const m of this.#models.values()) {
      if (m.runtime) {
        this.#emit("status", {
          type: "model",
          model: m.config.id,
          state: "closed",
          at: Date.now(),
        });
      }
    }
  }

  /** Resolves when a stream's frames have all been published (its input ended, failed
   * or it was stopped); at once for an unknown or never-started stream. */
  async streamFinished(id: string): Promise<void> {
    await this.#streams.get(id)?.runner?.finished();
  }

  /** Resolves when every stream has finished (files at their end). */
  async finished(): Promise<void> {
    await Promise.all([...this.#streams.values()].map((s) => s.runner?.finished()));
  }

  #emit<K extends keyof Listeners>(type: K, value: Parameters<Listeners[K]>[0]): void {
    for (const listener of this.#listeners[type]) {
      try {
        (listener as (v: typeof value) => void)(value);
      } catch (error) {
        this.#warn(`a ${type} listener threw: ${(error as Error).message}`);
      }
    }
  }

  /** Starts a stream; `strict` (a stream added at runtime, `origin` naming the request)
   * rethrows a refused source, a taken id or a limit reached instead of recording a
   * failed stream, and holds the stream to `limits` when its source connects. */
  async #startStream(
    config: StreamConfig,
    strict: boolean,
    origin = "stream",
  ): Promise<StreamSlot> {
    const model = this.#models.get(config.model)!;
    const slot: StreamSlot = { config };
    const fail = (reason: string) => {
      slot.error = reason;
      this.metrics.setState(config.id, "failed");
      this.#emit("status", {
        type: "stream",
        streamId: config.id,
        state: "failed",
        at: Date.now(),
        reason,
      });
    };
    if (!model.runtime) {
      this.#streams.set(config.id, slot);
      fail(`model "${config.model}" failed to load: ${model.error}`);
      return slot;
    }
    try {
      await checkSource(config.source, this.config.roots);
    } catch (error) {
      if (strict) throw error;
      this.#streams.set(config.id, slot);
      fail((error as Error).message);
      return slot;
    }
    if (strict) {
      // Another request may have added the id while the source was checked.
      if (this.#streams.has(config.id)) throw streamExists(origin, config.id);
      const limits = this.config.limits;
      const full = streamCountError(origin, this.#streams.size, limits) ??
        pixelRateError(origin, undefined, this.#pixelRate(slot), limits);
      if (full) throw full;
      slot.limited = { where: origin, opened: Promise.withResolvers<void>() };
    }
    slot.runner = new StreamRunner(config, model.runtime, {
      ffmpeg: this.ffmpeg,
      roots: this.config.roots,
      metrics: this.metrics,
      onResult: (r) => this.#emit("result", r),
      onStatus: (e) => this.#onRunnerStatus(slot, e),
      onThumbnail: (t) => this.#emit("thumbnail", t),
      wantsThumbnails: () => (this.#thumbnailDemand.get(config.id) ?? 0) > 0,
      wantsPanoptic: () =>
        this.#panopticMode === "always" ||
        (this.#panopticDemand.get(config.id) ?? 0) + (this.#panopticDemand.get("*") ?? 0) > 0,
    });
    this.#streams.set(config.id, slot);
    this.#emit("status", {
      type: "stream",
      streamId: config.id,
      state: "starting",
      at: Date.now(),
    });
    this.#updateExpected(config.model);
    // The source opens in the background: a live camera may take its reconnects.
    const runner = slot.runner;
    runner.start().then(() => runner.finished()).catch(() => {}).finally(() => {
      slot.done = true;
      this.#updateExpected(config.model);
    });
    return slot;
  }

  /** A status event of a stream's runner: passed on, and for a stream added at runtime,
   * its limits checked each time its source connects. */
  #onRunnerStatus(slot: StreamSlot, event: StatusEvent): void {
    if (slot.refused) return; // its "failed" event said why; "stopped" would hide it
    this.#emit("status", event);
    const limited = slot.limited;
    if (!limited || event.type !== "stream") return;
    if (event.state === "connected") {
      const input = slot.runner?.source.info?.input;
      const error = pixelRateError(limited.where, input, this.#pixelRate(slot), this.config.limits);
      if (error) this.#refuse(slot, error);
    }
    if (event.state !== "starting" && event.state !== "connecting") limited.opened.resolve();
  }

  /** Stops a stream over a limit; it stays listed as failed with the limit's error (unless
   * `addStream`, still waiting for it, removes it). */
  #refuse(slot: StreamSlot, error: LimitError): void {
    const id = slot.config.id;
    slot.refused = error;
    slot.error = error.message;
    this.metrics.setState(id, "failed");
    this.#emit("status", {
      type: "stream",
      streamId: id,
      state: "failed",
      at: Date.now(),
      reason: error.message,
    });
    slot.runner?.stop().then(() => {
      // Stopping removed its metrics: a stream still listed shows as failed again.
      if (this.#streams.get(id) === slot) this.metrics.setState(id, "failed");
    }).catch((e) => this.#warn(`${id}: stopping after ${error.limit}: ${(e as Error).message}`));
  }

  /** Pixels per second of the inputs of every running stream but `except`. */
  #pixelRate(except: StreamSlot): number {
    let sum = 0;
    for (const s of this.#streams.values()) {
      if (s === except || s.done || s.refused) continue;
      const input = s.runner?.source.info?.input;
      if (input) sum += pixelRate(input);
    }
    return sum;
  }

  /** A model's batch closes early once every frame its running streams may have in
   * flight is queued. */
  #updateExpected(model: string): void {
    let sum = 0;
    for (const s of this.#streams.values()) {
      if (s.config.model === model && s.runner && !s.done) sum += s.runner.maxInFlight;
    }
    this.#models.get(model)?.runtime?.setExpectedFrames(sum);
  }

  #streamInfo(slot: StreamSlot): StreamInfo {
    if (slot.runner && slot.refused) {
      return { ...slot.runner.info(), state: "failed", reason: slot.refused.message };
    }
    if (slot.runner) return slot.runner.info();
    const c = slot.config;
    return {
      id: c.id,
      source: c.source,
      model: c.model,
      state: "failed",
      ...(slot.error ? { reason: slot.error } : {}),
      live: false,
      stats: {
        decoded: 0,
        delivered: 0,
        dropped: 0,
        queueDepth: 0,
        maxQueueDepth: 0,
        reconnects: 0,
        published: 0,
        inFlight: 0,
        failed: 0,
      },
      fps: { in: 0, out: 0 },
    };
  }
}

/** The error of a stream added with an id that exists already (HTTP 409). */
function streamExists(where: string, id: string): ConflictError {
  const issue = {
    path: ["id"],
    expected: "a new stream id",
    found: `${describe(id)}, which exists already`,
  };
  return new ConflictError(formatIssue(where, issue), { issues: [issue] });
}
