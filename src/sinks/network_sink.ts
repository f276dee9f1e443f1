/**
 * What the MQTT, NATS and webhook sinks share: the pipeline's listeners push each message
 * of the chosen streams into one bounded {@link DeliveryQueue} (one `JSON.stringify` per
 * result or event, shared by every sink, and nothing else on the pipeline's path); the
 * queue's loop hands them to the sink's transport; the sink counts what was sent, dropped
 * and failed, reports them in `/metrics`, and tells the pipeline's status listeners when
 * its destination connects, is lost, or its buffer starts dropping.
 *
 * @module
 */

import type { SinkState } from "../pipeline/events.ts";
import { DeliveryQueue } from "./delivery_queue.ts";
import type { BackoffConfig } from "./backoff.ts";
import { emptyCounts, type SinkCounts, SinkMetrics } from "./sink_metrics.ts";
import { eventText, resultText } from "./sink_messages.ts";
import {
  type EnvReader,
  errorText,
  type Sink,
  type SinkHost,
  type SinkLink,
  type SinkMessage,
  type SinkStats,
  type SinkTransport,
} from "./sink.ts";

/** The configuration fields every network sink has. */
export interface NetworkSinkConfig {
  streams?: string[];
  events: boolean;
  results: boolean;
  masks: boolean;
  buffer: number;
  backoff: BackoffConfig;
}

/** Options of the functions that open a network sink (`openMqttSink`...). */
export interface NetworkSinkOptions {
  /** The sink's id (default: `config.id`, else the type). */
  id?: string;
  /** Where its fields are, for errors (e.g. `sinks[1]`). */
  where?: string;
  /** Reads the environment variables of credentials (default: the process's). */
  env?: EnvReader;
}

/** How long `close()` lets a connected sink deliver what it holds, ms. */
export const CLOSE_DRAIN_MS = 2000;

/**
 * A sink that delivers the pipeline's messages through a transport.
 *
 * @example
 * ```ts ignore
 * const sink = new NetworkSink(pipeline, "mqtt-0", "mqtt", "mqtt://127.0.0.1:1883", config,
 *   new MqttTransport(config, credentials));
 * await sink.close();
 * ```
 */
export class NetworkSink implements Sink {
  readonly id: string;
  readonly type: "mqtt" | "nats" | "webhook";
  /** The destination, without credentials. */
  readonly url: string;
  /** Messages by kind and outcome so far. */
  readonly counts: SinkCounts = emptyCounts();
  #host: SinkHost;
  #transport: SinkTransport;
  #queue: DeliveryQueue<SinkMessage>;
  #off: (() => void)[] = [];
  #unwatch: () => void;
  #connected = false;
  #state: SinkState | undefined;
  #lastError: string | undefined;
  #seq = 0;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(
    host: SinkHost,
    id: string,
    type: "mqtt" | "nats" | "webhook",
    url: string,
    config: NetworkSinkConfig,
    transport: SinkTransport,
  ) {
    this.id = id;
    this.type = type;
    this.url = url;
    this.#host = host;
    this.#transport = transport;
    this.#queue = new DeliveryQueue(transport, {
      capacity: config.buffer,
      batch: transport.batch,
      maxAttempts: transport.maxAttempts,
      backoff: config.backoff,
      onOutcome: (message, outcome) => {
        this.counts[message.kind][outcome]++;
        if (outcome === "sent") return;
        transport.onDiscard?.(message);
        if (outcome === "dropped" && !this.#closed && this.#state !== "dropping") {
          this.#status("dropping", { dropped: this.stats.dropped, reason: this.#lastError });
        }
      },
      onError: (error) => this.#lastError = errorText(error),
      onDelivered: () => {
        // A slow destination that caught up: no longer dropping.
        if (this.#state === "dropping" && this.#connected && this.#queue.buffered === 0) {
          this.#status("connected", { dropped: this.stats.dropped });
        }
      },
    });
    this.#unwatch = SinkMetrics.of(host.metrics.registry).watch(id, {
      type,
      kinds: transport.kinds,
      counts: this.counts,
      buffered: () => this.#queue.buffered,
      connected: () => this.#connected,
    });
    const wanted = config.streams ? new Set(config.streams) : undefined;
    const wants = (streamId: string) => !wanted || wanted.has(streamId);
    const push = (kind: SinkMessage["kind"], streamId: string, body: string) =>
      this.#queue.push({ kind, streamId, body, seq: this.#seq++, attempts: 0 });
    if (config.results) {
      this.#off.push(host.on("result", (r) => {
        if (wants(r.streamId)) {
          push("result", r.streamId, resultText(r, host.labels(r.model), config.masks));
        }
      }));
    }
    this.#off.push(host.on("event", (e) => {
      if (!wants(e.streamId)) return;
      if (config.events) {
        this.#queue.push({
          kind: "event",
          streamId: e.streamId,
          body: eventText(e),
          eventType: e.type,
          seq: this.#seq++,
          attempts: 0,
        });
      }
      transport.onEvent?.(e);
    }));
    const link: SinkLink = {
      id,
      runId: crypto.randomUUID(),
      host,
      connected: () => {
        this.#connected = true;
        if (this.#state !== "connected") {
          const dropped = this.stats.dropped;
          this.#status("connected", dropped > 0 ? { dropped } : {});
        }
        this.#queue.wake();
      },
      disconnected: (reason, attempt) => {
        this.#connected = false;
        this.#lastError = reason;
        if (!this.#closed) this.#status("disconnected", { reason, attempt });
      },
      warn: (reason) => this.#status(this.#state ?? "disconnected", { reason }),
      push,
      wants,
    };
    transport.start(link);
  }

  /** Its figures now. */
  get stats(): SinkStats {
    let sent = 0, dropped = 0, failed = 0;
    for (const kind of Object.values(this.counts)) {
      sent += kind.sent;
      dropped += kind.dropped;
      failed += kind.failed;
    }
    return { sent, dropped, failed, buffered: this.#queue.buffered, connected: this.#connected };
  }

  /** Stops listening, lets a connected destination take what is buffered (at most
   * `drainMs`), then closes the transport; what is left is counted dropped. */
  close({ drainMs = CLOSE_DRAIN_MS }: { drainMs?: number } = {}): Promise<void> {
    return this.#closing ??= this.#close(drainMs);
  }

  async #close(drainMs: number): Promise<void> {
    for (const off of this.#off) off();
    await this.#queue.drain(drainMs);
    this.#closed = true;
    const stopped = this.#queue.stop();
    await this.#transport.close();
    await stopped;
    this.#connected = false;
    this.#unwatch();
  }

  #status(state: SinkState, fields: { reason?: string; attempt?: number; dropped?: number }) {
    this.#state = state;
    this.#host.emitStatus({
      type: "sink",
      sink: this.id,
      sinkType: this.type,
      url: this.url,
      state,
      at: Date.now(),
      ...(fields.attempt === undefined ? {} : { attempt: fields.attempt }),
      ...(fields.reason === undefined ? {} : { reason: fields.reason }),
      ...(fields.dropped === undefined ? {} : { dropped: fields.dropped }),
    });
  }
}
