/**
 * The MQTT sink (mqtt.js): every event message on `<topicPrefix>/<stream>/events`, the
 * stream's latest counts (a `counts` event message) retained on
 * `<topicPrefix>/<stream>/counts` whenever they change and at each (re)connect, and, with
 * `results`, every result message on `<topicPrefix>/<stream>/results`. What Home Assistant
 * users subscribe to (docs/sinks.md).
 *
 * mqtt.js's own queue is kept out of the way: it reconnects at a fixed period, so this
 * sink drives its reconnects itself with backoff (`reconnectPeriod: 0`, then
 * `client.reconnect()` after each delay), publishes only while connected, and queues
 * nothing in mqtt.js (`queueQoSZero: false`); the sink's bounded buffer is the only queue.
 * A batch in flight when the connection drops is sent again after the reconnect (QoS 1:
 * at least once).
 *
 * @module
 */

import mqtt, { type MqttClient } from "mqtt";
import type { StreamEvent } from "../pipeline/events.ts";
import type { MqttSinkConfig } from "../wire/sink_config.ts";
import { SCHEMA_VERSION } from "../wire/result_message.ts";
import { Backoff } from "./backoff.ts";
import { NetworkSink, type NetworkSinkOptions } from "./network_sink.ts";
import {
  errorText,
  processEnv,
  redactUrl,
  secretFromEnv,
  type SinkHost,
  type SinkLink,
  type SinkMessage,
  type SinkTransport,
} from "./sink.ts";
import type { MessageKind } from "./sink_metrics.ts";

/** The default environment variables of the MQTT credentials. */
export const MQTT_ENV = {
  username: "STREAMDET_MQTT_USERNAME",
  password: "STREAMDET_MQTT_PASSWORD",
} as const;

/**
 * Opens an MQTT sink on a pipeline: returns at once, connecting (and reconnecting) in the
 * background. Throws a `ConfigError` when an environment variable the configuration names
 * is not set.
 *
 * @example
 * ```ts ignore
 * const sink = openMqttSink(pipeline, parseWire(MqttSinkSchema, { type: "mqtt", url: "mqtt://127.0.0.1:1883" }, "sink"));
 * await sink.close();
 * ```
 */
export function openMqttSink(
  host: SinkHost,
  config: MqttSinkConfig,
  { id = config.id ?? "mqtt", where = "sink", env = processEnv }: NetworkSinkOptions = {},
): NetworkSink {
  const username = secretFromEnv(
    env,
    config.usernameEnv,
    MQTT_ENV.username,
    `${where}.usernameEnv`,
  );
  const password = secretFromEnv(
    env,
    config.passwordEnv,
    MQTT_ENV.password,
    `${where}.passwordEnv`,
  );
  const transport = new MqttTransport(config, { username, password });
  return new NetworkSink(host, id, "mqtt", redactUrl(config.url), config, transport);
}

/** An MQTT connection that takes batches of sink messages. */
class MqttTransport implements SinkTransport {
  readonly batch = 64;
  readonly maxAttempts = 10;
  readonly kinds: readonly MessageKind[];
  #config: MqttSinkConfig;
  #credentials: { username?: string; password?: string };
  #backoff: Backoff;
  #client: MqttClient | undefined;
  #link: SinkLink | undefined;
  #connected = false;
  #closing = false;
  #attempt = 0;
  #lastError: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Rejects the deliveries under way when the connection is lost. */
  #lost = new Set<(error: Error) => void>();
  /** Streams whose counts are queued already. */
  #countsQueued = new Set<string>();

  constructor(config: MqttSinkConfig, credentials: { username?: string; password?: string }) {
    this.#config = config;
    this.#credentials = credentials;
    this.#backoff = new Backoff(config.backoff);
    this.kinds = config.results ? ["result", "event", "counts"] : ["event", "counts"];
  }

  ready(): boolean {
    return this.#connected;
  }

  start(link: SinkLink): void {
    this.#link = link;
    const client = mqtt.connect(this.#config.url, {
      clientId: this.#config.clientId ?? `streamdet-${link.runId.slice(0, 8)}`,
      ...this.#credentials,
      reconnectPeriod: 0,
      queueQoSZero: false,
      clean: true,
      resubscribe: false,
      connectTimeout: 10_000,
      keepalive: 30,
    });
    this.#client = client;
    client.on("connect", () => {
      this.#connected = true;
      this.#attempt = 0;
      this.#backoff.reset();
      this.#queueAllCounts(link);
      link.connected();
    });
    client.on("error", (error) => this.#lastError = errorText(error));
    client.on("close", () => this.#onClose(link));
  }

  async deliver(batch: SinkMessage[]): Promise<void> {
    const client = this.#client;
    const link = this.#link;
    if (!client || !link || !this.#connected) throw new Error("not connected");
    const { qos, retain } = this.#config;
    const q = qos as 0 | 1 | 2;
    const sends: Promise<unknown>[] = [];
    const publish = (streamId: string, level: string, body: string, keep: boolean) =>
      sends.push(client.publishAsync(this.#topic(streamId, level), body, { qos: q, retain: keep }));
    for (const m of batch) {
      if (m.kind === "counts") {
        this.#countsQueued.delete(m.streamId);
        const counts = link.host.counts(m.streamId);
        if (counts) {
          publish(m.streamId, "counts", JSON.stringify({ v: SCHEMA_VERSION, ...counts }), true);
        }
      } else if (m.kind === "result") {
        publish(m.streamId, "results", m.body, retain);
      } else {
        publish(m.streamId, "events", m.body, retain);
        if (m.eventType === "counts") publish(m.streamId, "counts", m.body, true);
      }
    }
    let reject: (error: Error) => void = () => {};
    const lost = new Promise<never>((_, r) => reject = r);
    this.#lost.add(reject);
    try {
      await Promise.race([Promise.all(sends), lost]);
    } finally {
      this.#lost.delete(reject);
    }
  }

  onEvent(event: StreamEvent): void {
    // Any event may change the counts (tracks, crossings, occupancy); one `counts`
    // message per stream waits at a time, made when it is delivered.
    if (event.type === "counts" || this.#countsQueued.has(event.streamId)) return;
    this.#countsQueued.add(event.streamId);
    this.#link?.push("counts", event.streamId, "");
  }

  onDiscard(message: SinkMessage): void {
    if (message.kind === "counts") this.#countsQueued.delete(message.streamId);
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#timer);
    this.#loseDeliveries("the sink closed");
    await this.#client?.endAsync(true);
  }

  #topic(streamId: string, level: string): string {
    return `${this.#config.topicPrefix}/${streamId}/${level}`;
  }

  /** Queues the counts of every tracked stream (retained messages are refreshed at each
   * connect: a broker restarted without persistence has lost them). */
  #queueAllCounts(link: SinkLink): void {
    for (const { id } of link.host.streams()) {
      if (!link.wants(id) || this.#countsQueued.has(id) || !link.host.counts(id)) continue;
      this.#countsQueued.add(id);
      link.push("counts", id, "");
    }
  }

  #onClose(link: SinkLink): void {
    this.#connected = false;
    this.#loseDeliveries("the connection closed");
    if (this.#closing) return;
    this.#attempt++;
    link.disconnected(this.#lastError ?? "the connection closed", this.#attempt);
    this.#lastError = undefined;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closing) this.#client?.reconnect();
    }, this.#backoff.next());
  }

  #loseDeliveries(why: string): void {
    const error = new Error(why);
    for (const reject of this.#lost) reject(error);
    this.#lost.clear();
  }
}
