/**
 * What every sink is (`Sink`: an id, its figures, `close()`), what a sink needs of a
 * pipeline (`SinkHost`), and what the network sinks share: their messages, the link
 * between a transport (MQTT, NATS, HTTP) and its sink, credentials read from the
 * environment, and URLs shown without credentials.
 *
 * @module
 */

import type client from "prom-client";
import { ConfigError } from "../errors.ts";
import type { StatusEvent, StreamEvent } from "../pipeline/events.ts";
import type { PipelineListener } from "../pipeline/pipeline_listeners.ts";
import type { CountsMessage } from "../wire/event_messages.ts";
import type { DeliveryTarget, QueuedMessage } from "./delivery_queue.ts";
import type { MessageKind } from "./sink_metrics.ts";

/** A sink's figures so far. */
export interface SinkStats {
  /** Messages delivered (lines written, for a file). */
  sent: number;
  /** Messages dropped: its buffer was full, or it closed before they went. */
  dropped: number;
  /** Messages whose last try failed. */
  failed: number;
  /** Messages waiting now. */
  buffered: number;
  /** Whether its destination takes messages now. */
  connected: boolean;
}

/** A sink opened on a pipeline (see `openSinks`). */
export interface Sink {
  /** `id` in the configuration, else `<type>-<index>`. */
  readonly id: string;
  readonly type: "jsonl" | "mqtt" | "nats" | "webhook";
  /** Its figures now. */
  readonly stats: SinkStats;
  /** Stops listening, delivers what it holds (briefly), and lets go of its destination. */
  close(): Promise<void>;
}

/** What a sink needs of a pipeline (a `Pipeline` is one). */
export interface SinkHost {
  on<K extends keyof PipelineListener>(type: K, listener: PipelineListener[K]): () => void;
  /** Class names by id of a model. */
  labels(model: string): ReadonlyMap<number, string>;
  /** Tells the pipeline's status listeners (and its log). */
  emitStatus(event: StatusEvent): void;
  /** A tracked stream's counts now. */
  counts(streamId: string): Omit<CountsMessage, "v"> | undefined;
  /** The streams now. */
  streams(): readonly { id: string }[];
  readonly metrics: { readonly registry: client.Registry };
}

/** One message in a network sink's buffer. */
export interface SinkMessage extends QueuedMessage {
  kind: MessageKind;
  streamId: string;
  /** Its JSON text (empty for `counts`: made when it is delivered, so that it is the
   * latest). */
  body: string;
  /** An event message's `type`. */
  eventType?: StreamEvent["type"];
  /** Its number in the sink: with the sink's run id, its delivery id. */
  seq: number;
}

/** What a transport tells its sink, and may ask of it. */
export interface SinkLink {
  readonly id: string;
  /** A unique id of this sink's run (delivery ids are `<runId>-<seq>`). */
  readonly runId: string;
  readonly host: SinkHost;
  /** Its destination takes messages (again). */
  connected(): void;
  /** Its destination cannot be reached: the error, and the failed attempts in a row. */
  disconnected(reason: string, attempt: number): void;
  /** Something is wrong that does not stop delivery (e.g. a JetStream stream). */
  warn(reason: string): void;
  /** Queues a message of its own (MQTT: a stream's counts). */
  push(kind: MessageKind, streamId: string, body: string): void;
  /** Whether the sink sends a stream's messages. */
  wants(streamId: string): boolean;
}

/** How a network sink reaches its destination. */
export interface SinkTransport extends DeliveryTarget<SinkMessage> {
  /** Messages per delivery. */
  readonly batch: number;
  /** Tries of a message before it is counted failed. */
  readonly maxAttempts: number;
  /** The kinds of message it sends. */
  readonly kinds: readonly MessageKind[];
  /** Starts connecting (never waits: a destination that is down is retried). */
  start(link: SinkLink): void;
  /** Lets go of the destination; a delivery under way rejects. */
  close(): Promise<void>;
  /** Hears each event of a wanted stream after it is queued. */
  onEvent?(event: StreamEvent): void;
  /** Hears each message dropped or failed. */
  onDiscard?(message: SinkMessage): void;
}

/** Reads an environment variable (undefined when unset or not permitted). */
export type EnvReader = (name: string) => string | undefined;

/**
 * The process's environment, a variable that may not be read counting as unset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(processEnv("STREAMDET_SURELY_UNSET_VARIABLE"), undefined);
 * ```
 */
export function processEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * The value of the environment variable a sink's field names (`configured`), else of its
 * default name. A variable the configuration names itself must be set: a `ConfigError`
 * naming the field (`where`) otherwise; the default may be unset (`required`: it must be
 * set too).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const env = (name: string) => ({ MY_PASS: "s3cret" } as Record<string, string>)[name];
 * assert.equal(secretFromEnv(env, "MY_PASS", "STREAMDET_MQTT_PASSWORD", "sinks[0].passwordEnv"), "s3cret");
 * assert.equal(secretFromEnv(env, undefined, "STREAMDET_MQTT_PASSWORD", "sinks[0].passwordEnv"), undefined);
 * assert.throws(() => secretFromEnv(env, "OTHER", "STREAMDET_MQTT_PASSWORD", "sinks[0].passwordEnv"),
 *   { name: "ConfigError", message: 'sinks[0].passwordEnv: expected the name of a set environment variable, found "OTHER", which is not set' });
 * ```
 */
export function secretFromEnv(
  env: EnvReader,
  configured: string | undefined,
  defaultName: string,
  where: string,
  required = false,
): string | undefined {
  const name = configured ?? defaultName;
  const value = env(name);
  if ((value === undefined || value === "") && (configured !== undefined || required)) {
    throw new ConfigError(
      `${where}: expected the name of a set environment variable, found "${name}", which is not set`,
    );
  }
  return value === "" ? undefined : value;
}

/**
 * A URL as logs and status events show it: without user name or password.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(redactUrl("mqtt://user:secret@broker:1883"), "mqtt://broker:1883");
 * assert.equal(redactUrl("https://example.com/hook?x=1"), "https://example.com/hook?x=1");
 * ```
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.href.replace(/\/$/, url.endsWith("/") ? "/" : "");
  } catch {
    return url;
  }
}

/**
 * An error's message, for a status event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(errorText(new Error("connect ECONNREFUSED 127.0.0.1:1")), "connect ECONNREFUSED 127.0.0.1:1");
 * assert.equal(errorText("gone"), "gone");
 * ```
 */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const message = error.message || error.name;
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    return cause && !message.includes(cause) ? `${message}: ${cause}` : message;
  }
  return String(error);
}
