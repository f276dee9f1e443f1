/**
 * The pipeline's Prometheus metrics (prom-client): latency per stage, frames in and out,
 * queue depths, drops, reconnects, batch sizes, WebSocket clients and messages, and the
 * process's own metrics (memory, CPU, file descriptors: `process_metrics.ts`).
 *
 * @module
 */

import client from "prom-client";
import { type LatencyBreakdown, STAGES } from "./timeline.ts";
import { STREAM_STATES } from "../wire/ws_server_messages.ts";
import { registerProcessMetrics } from "./process_metrics.ts";
import { EngineMetrics } from "./engine_metrics.ts";
import { TrackingMetrics } from "./tracking_metrics.ts";

/**
 * The latency histograms' bucket bounds in seconds: 0.1 ms to 10 s, three per decade
 * (1, 2.5, 5), so that the sub-millisecond stages are seen as well as a stalled second.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([LATENCY_BUCKETS[0], LATENCY_BUCKETS.at(-1)], [0.0001, 10]);
 * ```
 */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** Every metric of a pipeline, in one registry of its own. */
export class PipelineMetrics {
  /** The registry `/metrics` serves. */
  readonly registry: client.Registry = new client.Registry();
  readonly stageLatency: client.Histogram<"stream" | "model" | "stage">;
  readonly endToEnd: client.Histogram<"stream" | "model">;
  readonly framesIn: client.Counter<"stream">;
  readonly framesOut: client.Counter<"stream" | "model">;
  readonly dropped: client.Counter<"stream" | "where">;
  readonly reconnects: client.Counter<"stream">;
  readonly queueDepth: client.Gauge<"stream" | "queue">;
  readonly batchSize: client.Histogram<"model">;
  readonly batcherQueue: client.Gauge<"model">;
  readonly fps: client.Gauge<"stream" | "direction">;
  readonly wsClients: client.Gauge;
  readonly wsSent: client.Counter;
  /** WebSocket messages sent so far, read when the metrics are collected (set by the
   * server's hub, which counts them per client). */
  wsSentTotal: () => number = () => 0;
  readonly wsDropped: client.Counter;
  readonly wsDisconnected: client.Counter<"reason">;
  readonly streamUp: client.Gauge<"stream" | "state">;
  readonly rss: client.Gauge;
  readonly heap: client.Gauge<"kind">;
  /** Tracks, line crossings and zone occupancy (`tracking_metrics.ts`). */
  readonly tracking: TrackingMetrics;
  /** Each model's engine setting and tuning (`engine_metrics.ts`). */
  readonly engine: EngineMetrics;

  /**
   * Creates the metrics; `collectDefault` adds the process's own (`streamdet_process_*`,
   * read at scrape time: `process_metrics.ts`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * const m = new PipelineMetrics({ collectDefault: false });
   * m.observeLatency("cam1", "street", { decode: 1, wait: 0, batch: 2, preprocess: 0.5, session: 0,
   *   inference: 30, postprocess: 4, fusion: 2, publish: 1, totalMs: 40.5 });
   * const text = await m.registry.metrics();
   * assert.match(text, /streamdet_stage_latency_seconds_count\{stream="cam1",model="street",stage="inference"\} 1/);
   * ```
   */
  constructor({ collectDefault = true } = {}) {
    const registers = [this.registry];
    if (collectDefault) registerProcessMetrics(this.registry, { prefix: "streamdet_" });
    this.stageLatency = new client.Histogram({
      name: "streamdet_stage_latency_seconds",
      help: `Time a frame spent in each stage (${STAGES.join(", ")})`,
      labelNames: ["stream", "model", "stage"],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    this.endToEnd = new client.Histogram({
      name: "streamdet_end_to_end_latency_seconds",
      help: "Capture to published, per frame",
      labelNames: ["stream", "model"],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    this.framesIn = new client.Counter({
      name: "streamdet_frames_in_total",
      help: "Frames read from the decoder",
      labelNames: ["stream"],
      registers,
    });
    this.framesOut = new client.Counter({
      name: "streamdet_frames_out_total",
      help: "Frames whose results were published",
      labelNames: ["stream", "model"],
      registers,
    });
    this.dropped = new client.Counter({
      name: "streamdet_frames_dropped_total",
      help:
        "Frames dropped: by the live source queue (where=source) or failed in inference (where=inference)",
      labelNames: ["stream", "where"],
      registers,
    });
    this.reconnects = new client.Counter({
      name: "streamdet_reconnects_total",
      help: "Source restarts after an error, an end or a stall",
      labelNames: ["stream"],
      registers,
    });
    this.queueDepth = new client.Gauge({
      name: "streamdet_queue_depth",
      help: "Frames waiting: in the source queue (queue=source) or in the model (queue=inflight)",
      labelNames: ["stream", "queue"],
      registers,
    });
    this.batchSize = new client.Histogram({
      name: "streamdet_inference_batch_size",
      help: "Frames per inference batch, per frame published",
      labelNames: ["model"],
      buckets: [1, 2, 3, 4, 6, 8, 12, 16, 32],
      registers,
    });
    this.batcherQueue = new client.Gauge({
      name: "streamdet_batcher_queue_depth",
      help: "Frames waiting for a batch, per model",
      labelNames: ["model"],
      registers,
    });
    this.fps = new client.Gauge({
      name: "streamdet_fps",
      help:
        "Frames per second over the last 5 s: decoded (direction=in) and published (direction=out)",
      labelNames: ["stream", "direction"],
      registers,
    });
    this.wsClients = new client.Gauge({
      name: "streamdet_ws_clients",
      help: "WebSocket clients connected",
      registers,
    });
    const sentSoFar = () => this.wsSentTotal();
    let sentReported = 0;
    this.wsSent = new client.Counter({
      name: "streamdet_ws_messages_sent_total",
      help: "WebSocket messages sent",
      registers,
      collect() {
        const total = sentSoFar();
        if (total > sentReported) this.inc(total - sentReported);
        sentReported = Math.max(sentReported, total);
      },
    });
    this.wsDropped = new client.Counter({
      name: "streamdet_ws_messages_dropped_total",
      help: "WebSocket messages dropped from slow clients' queues",
      registers,
    });
    this.wsDisconnected = new client.Counter({
      name: "streamdet_ws_disconnects_total",
      help: "WebSocket clients disconnected by the server, by reason",
      labelNames: ["reason"],
      registers,
    });
    this.rss = new client.Gauge({
      name: "streamdet_memory_rss_bytes",
      help: "Resident set size of the process (Deno.memoryUsage)",
      registers,
      collect() {
        this.set(Deno.memoryUsage().rss);
      },
    });
    this.heap = new client.Gauge({
      name: "streamdet_memory_heap_bytes",
      help: "JavaScript heap used and total, and memory held outside it (Deno.memoryUsage)",
      labelNames: ["kind"],
      registers,
      collect() {
        const m = Deno.memoryUsage();
        this.set({ kind: "used" }, m.heapUsed);
        this.set({ kind: "total" }, m.heapTotal);
        this.set({ kind: "external" }, m.external);
      },
    });
    this.streamUp = new client.Gauge({
      name: "streamdet_stream_state",
      help: "1 for the state each stream is in now",
      labelNames: ["stream", "state"],
      registers,
    });
    this.tracking = new TrackingMetrics(this.registry);
    this.engine = new EngineMetrics(this.registry);
  }

  /** Records one published frame's latency breakdown. */
  observeLatency(stream: string, model: string, latency: LatencyBreakdown): void {
    for (const stage of STAGES) {
      this.stageLatency.observe({ stream, model, stage }, latency[stage] / 1000);
    }
    this.endToEnd.observe({ stream, model }, latency.totalMs / 1000);
  }

  /** Forgets a removed stream's gauges (its counters and histograms stay, as Prometheus
   * expects of counters). */
  removeStream(stream: string): void {
    for (const direction of ["in", "out"]) this.fps.remove({ stream, direction });
    for (const queue of ["source", "inflight"]) this.queueDepth.remove({ stream, queue });
    for (const state of STREAM_STATES) this.streamUp.remove({ stream, state });
    this.tracking.removeStream(stream);
  }

  /** Sets the stream's state gauge: 1 for `state`, 0 for the others. */
  setState(stream: string, state: string): void {
    for (const s of STREAM_STATES) this.streamUp.set({ stream, state: s }, s === state ? 1 : 0);
  }
}
