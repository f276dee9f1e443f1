/**
 * One stream of a pipeline: its source, a window of frames in the model, and results
 * published in frame order with their timelines.
 *
 * @module
 */

import type { Frame, SourceStatus } from "../types.ts";
import type { FrameSource } from "../video/frame_source.ts";
import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import type { TimedFrame } from "../video/decoder_delay.ts";
import type { BatchResult } from "../inference/batcher.ts";
import type { ModelRuntime } from "../inference/model_runtime.ts";
import type { StreamConfig } from "./config.ts";
import type {
  StatusEvent,
  StreamEvent,
  StreamResult,
  StreamState,
  StreamThumbnail,
} from "./events.ts";
import type { LineConfig, ZoneConfig } from "../wire/analytics_config.ts";
import type { CountsMessage } from "../wire/event_messages.ts";
import type { ResolvedLine, ResolvedZone } from "./stream_analytics_config.ts";
import { RunnerTracking } from "./runner_tracking.ts";
import type { PipelineMetrics } from "./metrics.ts";
import { CaptureClock, frameTimeline, latencyBreakdown } from "./timeline.ts";
import { StreamThumbnails } from "./stream_thumbnails.ts";
import { readMode, streamSource } from "./stream_source.ts";
import { RateMeter } from "./rate_meter.ts";
import { liveRate, streamWindow } from "./stream_workload.ts";
import { now } from "../clock.ts";
import type { StreamInfo } from "./stream_info.ts";

export type { StreamInfo };

/** What a runner needs from its pipeline. */
export interface RunnerContext {
  ffmpeg: FfmpegBinary;
  roots: string[];
  metrics: PipelineMetrics;
  onResult: (result: StreamResult) => void;
  onStatus: (event: StatusEvent) => void;
  onThumbnail: (thumbnail: StreamThumbnail) => void;
  /** Events of tracked objects (streams with tracking), right after their frame's result. */
  onEvent: (event: StreamEvent) => void;
  /** Names the stream's configuration in errors ("pipelines/a.json: streams[2]",
   * "POST /streams"). */
  where: string;
  /** Whether anyone wants this stream's thumbnails now. */
  wantsThumbnails: () => boolean;
  /** Whether anyone wants this stream's panoptic maps now (else fusion is skipped). */
  wantsPanoptic: () => boolean;
}

interface InFlight {
  frame: Frame;
  result: Promise<BatchResult | Error>;
  capturedAt: number;
}

/**
 * Runs one stream on a started model until its input ends, it fails, or `stop()`.
 *
 * @example
 * ```ts ignore
 * const runner = new StreamRunner(streamConfig, model, context);
 * await runner.start(); // rejects with a SourceError if the input cannot open
 * await runner.stop();
 * ```
 */
export class StreamRunner {
  readonly config: StreamConfig;
  readonly source: FrameSource;
  #model: ModelRuntime;
  #context: RunnerContext;
  #state: StreamState = "starting";
  #reason: string | undefined;
  #queue: InFlight[] = [];
  #wake: (() => void) | undefined;
  #slotFreed: (() => void) | undefined;
  #maxInFlight: number;
  #lossless: boolean;
  #realtime: boolean;
  #published = 0;
  #failed = 0;
  #clock = new CaptureClock();
  #thumbnails: StreamThumbnails;
  #inMeter = new RateMeter();
  #outMeter = new RateMeter();
  #tracking: RunnerTracking | undefined;
  #done: Promise<void> | undefined;
  #stopping = false;
  #settle: () => void = () => {};
  #settled: Promise<void> = new Promise((resolve) => this.#settle = resolve);

  constructor(config: StreamConfig, model: ModelRuntime, context: RunnerContext) {
    this.config = config;
    this.#model = model;
    this.#context = context;
    this.source = streamSource(config, model.manifest.input, context.ffmpeg, context.roots);
    ({ lossless: this.#lossless, realtime: this.#realtime } = readMode(config, this.source.kind));
    // Until the pipeline says otherwise (`setWindow`): a live stream as if it shared.
    this.#maxInFlight = streamWindow(
      { lossless: this.#lossless, maxInFlight: config.maxInFlight },
      { ...model.status(), outrun: false },
    );
    this.source.addEventListener("status", (e) => {
      const s = (e as CustomEvent<SourceStatus>).detail;
      if (s.state === "reconnecting") context.metrics.reconnects.inc({ stream: config.id });
      this.#setState(s.state, s.reason, s.attempt, s);
    });
    context.metrics.setState(config.id, "starting");
    this.#thumbnails = new StreamThumbnails(context.ffmpeg, context.onThumbnail);
    this.#tracking = RunnerTracking.of(config, model.manifest.classes, context.where);
  }

  /** Whether the stream tracks objects. */
  get tracked(): boolean {
    return this.#tracking !== undefined;
  }

  /**
   * Replaces the stream's lines or zones (`where` names the request in errors). A line or
   * zone that is unchanged keeps its counts. Throws a `ConfigError` for a class the model
   * has not, or when the stream has no tracking.
   */
  setAnalytics(
    what: { lines?: LineConfig[]; zones?: ZoneConfig[] },
    where: string,
  ): Omit<CountsMessage, "v"> {
    if (!this.#tracking) throw RunnerTracking.notTracked(where, this.config.id);
    const counts = this.#tracking.set(what, where);
    this.#context.onEvent(counts);
    return counts;
  }

  /** The stream's lines and zones now (streams with tracking). */
  analytics(): { lines: ResolvedLine[]; zones: ResolvedZone[] } | undefined {
    return this.#tracking?.analytics();
  }

  /** The stream's counts now (streams with tracking). */
  counts(): Omit<CountsMessage, "v"> | undefined {
    return this.#tracking?.counts();
  }

  /** Whether every frame goes to the model (a file), rather than the latest ones. */
  get lossless(): boolean {
    return this.#lossless;
  }

  /** Frames of this stream that may be in the model at once. */
  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  /** Lets `frames` of this stream be in the model at once from now on (see
   * `streamWindow`; the pipeline sets it as its model's streams and settings change). */
  setWindow(frames: number): void {
    this.#maxInFlight = Math.max(1, Math.floor(frames));
    this.#slotFreed?.();
  }

  /** The rate the stream delivers frames at, live streams only: its input's native rate
   * capped by its `fps` (see `liveRate`); undefined for a lossless stream, or while
   * neither is known. */
  get rate(): number | undefined {
    if (this.#lossless) return undefined;
    return liveRate(this.config.fps, this.source.info?.input.fps);
  }

  /** The stream's state now. */
  get state(): StreamState {
    return this.#state;
  }

  /** Starts the source; resolves once its input opened (rejects if it cannot). Frames
   * then flow until the input ends or {@link stop}. */
  async start(): Promise<void> {
    try {
      await this.source.start();
    } catch (error) {
      this.#settle();
      throw error;
    }
    this.#done ??= Promise.all([this.#feed(), this.#publish()]).then(() => this.#settle());
  }

  /** Stops the source, waits for the frames in the model, and stops thumbnails. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.source.stop();
    this.#slotFreed?.();
    await this.#done;
    this.#settle();
    await this.#thumbnails.close();
    this.#context.metrics.removeStream(this.config.id);
  }

  /** Resolves when the stream is over (input ended, failed, or stopped). */
  finished(): Promise<void> {
    return this.#settled;
  }

  /** What `GET /streams` shows. */
  info(): StreamInfo {
    const input = this.source.info?.input;
    return {
      id: this.config.id,
      source: this.config.source,
      model: this.config.model,
      state: this.#state,
      ...(this.#reason ? { reason: this.#reason } : {}),
      ...(input
        ? {
          input: {
            width: input.width,
            height: input.height,
            fps: input.fps,
            codec: input.codec,
            ...(input.durationMs === undefined ? {} : { durationMs: input.durationMs }),
          },
        }
        : {}),
      live: !this.#lossless,
      stats: {
        ...this.source.stats(),
        published: this.#published,
        inFlight: this.#queue.length,
        maxInFlight: this.#maxInFlight,
        failed: this.#failed,
      },
      fps: { in: this.#inMeter.rate(), out: this.#outMeter.rate() },
      ...(this.#tracking ? { tracking: this.#tracking.info() } : {}),
    };
  }

  #setState(
    state: StreamState,
    reason?: string,
    attempt?: number,
    extra: Pick<SourceStatus, "input" | "warning"> = {},
  ): void {
    // A warning tells something without changing the state, or its reason.
    if (extra.warning === undefined) {
      this.#state = state;
      this.#reason = reason;
      this.#context.metrics.setState(this.config.id, state);
    }
    this.#context.onStatus({
      type: "stream",
      streamId: this.config.id,
      state,
      at: Date.now(),
      ...(attempt ? { attempt } : {}),
      ...(reason ? { reason } : {}),
      ...(extra.input ? { input: extra.input } : {}),
      ...(extra.warning ? { warning: extra.warning } : {}),
    });
  }

  /** Reads frames while the window has room, and queues them in the model. */
  async #feed(): Promise<void> {
    const reader = this.source.frames().getReader();
    const { metrics } = this.#context;
    const stream = this.config.id;
    try {
      for (;;) {
        while (this.#queue.length >= this.#maxInFlight && !this.#stopping) {
          await new Promise<void>((resolve) => this.#slotFreed = resolve);
        }
        if (this.#stopping) break;
        const next = await reader.read();
        if (next.done) break;
        const frame = next.value;
        this.#inMeter.tick();
        metrics.framesIn.inc({ stream });
        const geometry = frame.geometry;
        const capturedAt = this.#realtime
          ? this.#clock.capturedAt(frame.ptsMs, frame.capturedAt)
          : frame.capturedAt;
        // A frame nobody else reads is lent to the inference worker, not copied.
        const thumbnail = this.#context.wantsThumbnails();
        if (thumbnail) this.#thumbnails.encode(frame, geometry);
        const item: InFlight = {
          frame,
          capturedAt,
          result: this.#model.detect(frame, geometry, {
            fusion: this.#context.wantsPanoptic(),
            lend: !thumbnail,
          }).catch((e) => e as Error),
        };
        this.#queue.push(item);
        this.#updateGauges();
        this.#wake?.();
      }
    } catch {
      // the source failed: its status event says why
    } finally {
      reader.releaseLock();
      this.#feeding = false;
      this.#wake?.();
    }
  }

  #feeding = true;

  /** Publishes results in frame order as they complete. */
  async #publish(): Promise<void> {
    const { metrics } = this.#context;
    const stream = this.config.id, model = this.config.model;
    for (;;) {
      const item = this.#queue[0];
      if (!item) {
        if (!this.#feeding) return;
        await new Promise<void>((resolve) => this.#wake = resolve);
        continue;
      }
      const result = await item.result;
      this.#queue.shift();
      this.#slotFreed?.();
      this.#updateGauges();
      if (result instanceof Error) {
        this.#failed++;
        metrics.dropped.inc({ stream, where: "inference" });
        if (!this.#stopping) {
          this.#context.onStatus({
            type: "frame-error",
            streamId: stream,
            index: item.frame.index,
            at: Date.now(),
            reason: result.message,
          });
        }
        continue;
      }
      const timeline = frameTimeline(item.capturedAt, item.frame.capturedAt, result.timing);
      // Tracking runs here, in frame order; its cost is counted in the publish stage.
      const tracked = this.#tracking?.track(
        result.detections,
        result.index,
        result.ptsMs,
        this.source.info?.input.fps,
      );
      timeline.publishedAt = now();
      const latency = latencyBreakdown(timeline);
      const geometry = item.frame.geometry; // the frame's own: an input may change size
      const { decoder } = item.frame as TimedFrame;
      this.#published++;
      this.#outMeter.tick();
      metrics.framesOut.inc({ stream, model });
      metrics.batchSize.observe({ model }, result.batchSize);
      metrics.observeLatency(stream, model, latency);
      this.#context.onResult({
        streamId: stream,
        model,
        index: result.index,
        ptsMs: result.ptsMs,
        width: geometry.sourceWidth,
        height: geometry.sourceHeight,
        detections: result.detections,
        ...(tracked ? { trackIds: tracked.trackIds } : {}),
        batchSize: result.batchSize,
        timeline,
        latency,
        ...(decoder ? { decoder } : {}),
      });
      if (tracked) {
        for (const event of tracked.events) {
          metrics.tracking.observe(event);
          this.#context.onEvent(event);
        }
        metrics.tracking.setActive(stream, this.#tracking!.info().activeTracks);
      }
    }
  }

  #updateGauges(): void {
    const { metrics } = this.#context;
    const stream = this.config.id;
    const stats = this.source.stats();
    metrics.queueDepth.set({ stream, queue: "source" }, stats.queueDepth);
    metrics.queueDepth.set({ stream, queue: "inflight" }, this.#queue.length);
    metrics.fps.set({ stream, direction: "in" }, this.#inMeter.rate());
    metrics.fps.set({ stream, direction: "out" }, this.#outMeter.rate());
    const dropped = stats.dropped - this.#droppedSeen;
    if (dropped > 0) metrics.dropped.inc({ stream, where: "source" }, dropped);
    this.#droppedSeen = stats.dropped;
  }

  #droppedSeen = 0;
}
