/**
 * A running pipeline: its models (started once, shared by their streams), its streams,
 * metrics and sinks, and the listeners of its results and status events. Streams can be
 * added and removed while it runs; a stream or model that fails is reported and the
 * others go on. `Pipeline` wires the parts, each in its own module: the models
 * (`pipeline_model.ts`), the streams (`stream_slots.ts`, with the admission of a stream
 * added at runtime in `stream_admission.ts`), the listeners (`pipeline_listeners.ts`),
 * the demand for thumbnails and panoptic maps (`demand_counter.ts`) and the readiness
 * (`readiness.ts`).
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { type FfmpegBinary, resolveFfmpeg } from "../video/ffmpeg_binary.ts";
import type { PipelineConfig } from "./config.ts";
import { type ConfigOrigin, resolveStreamConfig } from "./config.ts";
import type { StatusEvent } from "./events.ts";
import { PipelineMetrics } from "./metrics.ts";
import type { StreamInfo } from "./stream_runner.ts";
import { type ModelInfo, PipelineModel } from "./pipeline_model.ts";
import type { StatusLog } from "./status_log.ts";
import { DemandCounter } from "./demand_counter.ts";
import { type PipelineListener, PipelineListeners } from "./pipeline_listeners.ts";
import { type Readiness, readinessOf } from "./readiness.ts";
import { streamSlotInfo } from "./stream_slot.ts";
import { StreamSlots } from "./stream_slots.ts";
import { configuredLoad, workloadOf } from "./stream_workload.ts";
import { z } from "zod";
import { LineConfigSchema, ZoneConfigSchema } from "../wire/analytics_config.ts";
import type { CountsMessage } from "../wire/event_messages.ts";
import { parseWire, wireMessage } from "../wire/parse.ts";
import {
  analyticsConfigIssues,
  type ResolvedLine,
  type ResolvedZone,
} from "./stream_analytics_config.ts";

export type { ModelInfo } from "./pipeline_model.ts";
export type { Readiness } from "./readiness.ts";

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
  /** A file that keeps the engine's tuning measurements between runs (models on
   * `"auto"`; default none: `deno task serve`, `demo` and `detect` use
   * `defaultTuningCache()`). */
  tuningCache?: string;
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
  #streams: StreamSlots;
  #listeners: PipelineListeners;
  #thumbnailDemand = new DemandCounter();
  #panopticDemand = new DemandCounter();
  #panopticMode: "always" | "on-demand";
  #tuningCache: string | undefined;
  #warn: (message: string) => void;
  #gaugeTimer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(config: PipelineConfig, ffmpeg: FfmpegBinary, options: PipelineOptions = {}) {
    this.config = config;
    this.ffmpeg = ffmpeg;
    this.metrics = options.metrics ?? new PipelineMetrics();
    const log = options.log;
    this.#warn = options.onWarning ?? (log ? (m) => log.warning(m) : (m) => console.warn(m));
    this.#listeners = new PipelineListeners(this.#warn);
    if (log) this.#listeners.on("status", (e) => log.status(e));
    this.#panopticMode = options.panoptic ?? "always";
    this.#tuningCache = options.tuningCache;
    for (const m of config.models) {
      this.#models.set(m.id, new PipelineModel(m));
    }
    this.#streams = new StreamSlots({
      config,
      ffmpeg,
      metrics: this.metrics,
      models: this.#models,
      listeners: this.#listeners,
      warn: this.#warn,
      wantsThumbnails: (id) => this.#thumbnailDemand.wanted(id),
      wantsPanoptic: (id) =>
        this.#panopticMode === "always" || this.#panopticDemand.wanted(id, "*"),
      onRemoved: (id) => this.#thumbnailDemand.delete(id),
    });
  }

  /** Loads the models and starts the configured streams (sinks are the caller's: see
   * `openSinks`). */
  async start(): Promise<void> {
    const emit = (event: StatusEvent) => this.#listeners.emit("status", event);
    // A model that tunes itself chooses for the streams configured to run on it.
    const workload = (id: string) =>
      workloadOf(this.config.streams.filter((s) => s.model === id).map(configuredLoad));
    await Promise.all(
      [...this.#models.values()].map((model) =>
        model.load(emit, this.#warn, workload(model.config.id), this.#tuningCache)
      ),
    );
    for (const [id, slot] of this.#models) {
      if (slot.runtime) this.metrics.engine.update(id, slot.runtime.status());
    }
    for (const stream of this.config.streams) await this.#streams.start(stream);
    this.#gaugeTimer = setInterval(() => {
      for (const [id, slot] of this.#models) {
        if (slot.runtime) {
          const status = slot.runtime.status();
          this.metrics.batcherQueue.set({ model: id }, status.queued);
          this.metrics.engine.update(id, status);
        }
      }
    }, 1000);
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof PipelineListener>(type: K, listener: PipelineListener[K]): () => void {
    return this.#listeners.on(type, listener);
  }

  /** Tells the status listeners (and the log) of an event from outside the pipeline's
   * streams and models: a sink's (`src/sinks/`). */
  emitStatus(event: StatusEvent): void {
    this.#listeners.emit("status", event);
  }

  /** Every stream, in the order added. */
  streams(): StreamInfo[] {
    return [...this.#streams.values()].map(streamSlotInfo);
  }

  /** One stream, or undefined. */
  stream(id: string): StreamInfo | undefined {
    const slot = this.#streams.get(id);
    return slot ? streamSlotInfo(slot) : undefined;
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
    return readinessOf(
      this.models(),
      [...this.#streams.values()].map((slot) => ({
        info: streamSlotInfo(slot),
        readyWithoutFrames: slot.config.readyWithoutFrames,
      })),
    );
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
    { firstFrame }: { firstFrame?: number } = {},
  ): Promise<StreamInfo> {
    if (this.#stopped) throw new ConfigError(`${origin.name}: the pipeline is stopping`);
    const config = resolveStreamConfig(input, this.config.models, origin);
    if (firstFrame !== undefined) config.firstFrame = firstFrame;
    return await this.#streams.add(config, origin.name);
  }

  /**
   * Replaces a stream's lines or zones while it runs (`what`: which; `input`: the new list,
   * as a configuration gives it; `where` names the request in errors). A line or zone that
   * is unchanged keeps its counts. Returns the stream's counts after the change (also sent
   * to its event listeners as a `counts` event), or undefined when there is no such stream.
   * Throws a `ConfigError` naming the field for bad geometry, a class the model has not, or
   * a stream without tracking.
   */
  setAnalytics(
    id: string,
    what: "lines" | "zones",
    input: unknown,
    where: string,
  ): Omit<CountsMessage, "v"> | undefined {
    const slot = this.#streams.get(id);
    if (!slot) return undefined;
    const fields = what === "lines"
      ? { lines: parseWire(z.array(LineConfigSchema), input, where, ConfigError) }
      : { zones: parseWire(z.array(ZoneConfigSchema), input, where, ConfigError) };
    const issues = analyticsConfigIssues(fields).map((i) => ({ ...i, path: i.path.slice(1) }));
    if (issues.length > 0) throw new ConfigError(wireMessage(where, issues), { issues });
    if (!slot.runner) {
      throw new ConfigError(`${where}: stream "${id}" is not running (${slot.error ?? "failed"})`);
    }
    return slot.runner.setAnalytics(fields, where);
  }

  /** A stream's lines and zones now (classes as ids): undefined for an unknown stream or
   * one without tracking. */
  analyticsOf(id: string): { lines: ResolvedLine[]; zones: ResolvedZone[] } | undefined {
    return this.#streams.get(id)?.runner?.analytics();
  }

  /** A stream's tracks and counts now: undefined for an unknown stream or one without
   * tracking. */
  counts(id: string): Omit<CountsMessage, "v"> | undefined {
    return this.#streams.get(id)?.runner?.counts();
  }

  /** Stops and removes a stream; false if there is none with that id. */
  async removeStream(id: string): Promise<boolean> {
    return await this.#streams.remove(id);
  }

  /** Counts a viewer that wants (`+1`) or no longer wants (`-1`) a stream's thumbnails. */
  wantThumbnails(streamId: string, delta: 1 | -1): void {
    if (!this.#streams.has(streamId)) return;
    this.#thumbnailDemand.change(streamId, delta);
  }

  /** Counts a listener that wants (`+1`) or no longer wants (`-1`) panoptic maps of a
   * stream, or of every stream (`"*"`). Matters with `panoptic: "on-demand"`. */
  wantPanoptic(streamId: string, delta: 1 | -1): void {
    this.#panopticDemand.change(streamId, delta);
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
        this.#listeners.emit("status", {
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
}
