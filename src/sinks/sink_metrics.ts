/**
 * The Prometheus metrics of the sinks that deliver over a network, on the pipeline's
 * registry: `streamdet_sink_messages_total{sink,type,kind,outcome}`,
 * `streamdet_sink_buffered{sink}` and `streamdet_sink_connected{sink}`. A sink counts in
 * plain numbers (its listeners must stay cheap); the metrics read them when `/metrics` is
 * scraped.
 *
 * @module
 */

import client from "prom-client";
import type { DeliveryOutcome } from "./delivery_queue.ts";

/** What a sink sends: result messages, event messages, and (MQTT) a stream's counts. */
export type MessageKind = "result" | "event" | "counts";

/** Messages of each kind by outcome, counted by a sink. */
export type SinkCounts = Record<MessageKind, Record<DeliveryOutcome, number>>;

const OUTCOMES: readonly DeliveryOutcome[] = ["sent", "dropped", "failed"];

/**
 * Zero counts of every kind and outcome.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(emptyCounts().event, { sent: 0, dropped: 0, failed: 0 });
 * ```
 */
export function emptyCounts(): SinkCounts {
  const zero = () => ({ sent: 0, dropped: 0, failed: 0 });
  return { result: zero(), event: zero(), counts: zero() };
}

/** What the metrics read of a sink. */
export interface SinkMetricsSource {
  /** `mqtt`, `nats` or `webhook`. */
  type: string;
  /** The kinds it may send (their series start at 0). */
  kinds: readonly MessageKind[];
  /** Its counts (read, never written, by the metrics). */
  counts: SinkCounts;
  /** Messages waiting now. */
  buffered(): number;
  /** Whether its destination takes messages now. */
  connected(): boolean;
}

const ofRegistry = new WeakMap<client.Registry, SinkMetrics>();

/**
 * The sinks' metrics of one registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import client from "prom-client";
 * const registry = new client.Registry();
 * const counts = emptyCounts();
 * const unwatch = SinkMetrics.of(registry).watch("mqtt-0", {
 *   type: "mqtt", kinds: ["event"], counts, buffered: () => 3, connected: () => false,
 * });
 * counts.event.dropped += 2;
 * const text = await registry.metrics();
 * assert.match(text, /streamdet_sink_messages_total\{sink="mqtt-0",type="mqtt",kind="event",outcome="dropped"\} 2/);
 * assert.match(text, /streamdet_sink_buffered\{sink="mqtt-0"\} 3/);
 * assert.match(text, /streamdet_sink_connected\{sink="mqtt-0"\} 0/);
 * unwatch();
 * ```
 */
export class SinkMetrics {
  readonly messages: client.Counter<"sink" | "type" | "kind" | "outcome">;
  readonly buffered: client.Gauge<"sink">;
  readonly connected: client.Gauge<"sink">;
  #watched = new Map<string, SinkMetricsSource>();
  #reported = new Map<string, number>();

  private constructor(registry: client.Registry) {
    const registers = [registry];
    const update = () => this.#update();
    this.messages = new client.Counter({
      name: "streamdet_sink_messages_total",
      help:
        "Messages of each sink by kind (result, event, counts) and outcome: sent, dropped (its buffer was full, or it closed first) or failed (its last try failed)",
      labelNames: ["sink", "type", "kind", "outcome"],
      registers,
      collect: update,
    });
    this.buffered = new client.Gauge({
      name: "streamdet_sink_buffered",
      help: "Messages a sink holds, waiting for its destination",
      labelNames: ["sink"],
      registers,
      collect: update,
    });
    this.connected = new client.Gauge({
      name: "streamdet_sink_connected",
      help: "1 while a sink's destination takes messages, else 0",
      labelNames: ["sink"],
      registers,
      collect: update,
    });
  }

  /** The sinks' metrics of `registry` (registered there on first use). */
  static of(registry: client.Registry): SinkMetrics {
    let metrics = ofRegistry.get(registry);
    if (!metrics) {
      metrics = new SinkMetrics(registry);
      ofRegistry.set(registry, metrics);
    }
    return metrics;
  }

  /** Reports a sink from now on; the returned function stops (its last counts are
   * reported, its gauges removed). Throws if `sink` is watched already. */
  watch(sink: string, source: SinkMetricsSource): () => void {
    if (this.#watched.has(sink)) {
      throw new Error(`SinkMetrics.watch(): sink "${sink}" is reported already`);
    }
    this.#watched.set(sink, source);
    for (const kind of source.kinds) {
      for (const outcome of OUTCOMES) {
        this.messages.inc({ sink, type: source.type, kind, outcome }, 0);
      }
    }
    this.#update();
    return () => {
      this.#update();
      this.#watched.delete(sink);
      for (const key of this.#reported.keys()) {
        if (key.startsWith(`${sink}\u0000`)) this.#reported.delete(key);
      }
      this.buffered.remove({ sink });
      this.connected.remove({ sink });
    };
  }

  #update(): void {
    for (const [sink, source] of this.#watched) {
      for (const kind of Object.keys(source.counts) as MessageKind[]) {
        for (const outcome of OUTCOMES) {
          const key = `${sink}\u0000${kind}\u0000${outcome}`;
          const total = source.counts[kind][outcome];
          const delta = total - (this.#reported.get(key) ?? 0);
          if (delta > 0) {
            this.messages.inc({ sink, type: source.type, kind, outcome }, delta);
            this.#reported.set(key, total);
          }
        }
      }
      this.buffered.set({ sink }, source.buffered());
      this.connected.set({ sink }, source.connected() ? 1 : 0);
    }
  }
}
