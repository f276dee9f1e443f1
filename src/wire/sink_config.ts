/**
 * The `sinks` of a pipeline configuration: where results go besides WebSocket
 * subscribers. One schema per sink type, told apart by `type`: `jsonl` (a file), `mqtt`,
 * `nats` and `webhook` (docs/sinks.md). Secrets are never in the configuration: a sink
 * names the environment variables that hold them.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";
import { intIn } from "./ranges.ts";
import { idPhrase, STREAM_ID } from "./ids.ts";

/** A URL whose scheme is one of `schemes`, with a host; `phrase` says what is expected. */
function urlOf(schemes: readonly string[], phrase: string) {
  const pattern = new RegExp(`^(${schemes.join("|")})://[^/?#\\s]+`);
  return z.string().regex(pattern, { error: phrase, abort: true }).refine((url) => {
    try {
      return schemes.includes(new URL(url).protocol.slice(0, -1)) && new URL(url).host !== "";
    } catch {
      return false;
    }
  }, { error: phrase });
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The name of an environment variable (never its value). */
function envName(description: string) {
  return z.string().regex(ENV_NAME, {
    error: "the name of an environment variable (letters, digits and _)",
  }).optional().describe(description);
}

/** The fields every sink has. */
const common = {
  id: z.string().regex(STREAM_ID, { error: (issue) => idPhrase(issue.input, "a sink id") })
    .optional().describe(
      'The sink\'s id in metrics and status events (default: "<type>-<index>", e.g. "mqtt-1" for sinks[1]).',
    ),
  streams: z.array(z.string().min(1)).optional().describe(
    "Ids of the streams written (default: all).",
  ),
};

/** The fields of the sinks that deliver over a network: what, and how much to hold. */
const delivered = {
  events: z.boolean().default(true).describe(
    "Send the event messages (track, line, zone, counts) of tracked streams (default true).",
  ),
  results: z.boolean().default(false).describe(
    "Send a result message per frame too (default false: they are many).",
  ),
  masks: z.boolean().default(false).describe(
    "Result messages carry instance masks as RLE (default false).",
  ),
  buffer: intIn(1, 1_000_000).default(1000).describe(
    "Messages held while the destination is down or slow (default 1000); when full, the oldest is dropped and counted.",
  ),
  backoff: strictObject({
    initialDelayMs: intIn(1, 3_600_000).default(500).describe(
      "Delay before the first retry, ms (default 500); doubled at each failure.",
    ),
    maxDelayMs: intIn(1, 3_600_000).default(10_000).describe(
      "Longest delay between retries, ms (default 10000).",
    ),
  }, { description: "The backoff between reconnects or retries." }).prefault(() => ({})),
};

/**
 * A file sink: every result of the chosen streams as JSON Lines, one result message per
 * line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(JsonlSinkSchema, { type: "jsonl", path: "../out/r.jsonl" }), []);
 * ```
 */
export const JsonlSinkSchema = strictObject({
  type: z.literal("jsonl"),
  ...common,
  path: z.string().min(1).describe(
    "The output file (relative paths are relative to the configuration file).",
  ),
}, { description: "Result messages of the chosen streams as JSON Lines, one per line." });

/**
 * An MQTT sink: `<topicPrefix>/<stream>/events` (every event message),
 * `<topicPrefix>/<stream>/counts` (the latest `counts`, retained) and, with `results`,
 * `<topicPrefix>/<stream>/results`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(MqttSinkSchema, { type: "mqtt", url: "mqtt://broker:1883" }), []);
 * assert.deepEqual(checkWire(MqttSinkSchema, { type: "mqtt", url: "http://broker" }), [{
 *   path: ["url"],
 *   expected: "an mqtt://, mqtts://, ws:// or wss:// URL with a host",
 *   found: 'the string "http://broker"',
 * }]);
 * ```
 */
export const MqttSinkSchema = strictObject({
  type: z.literal("mqtt"),
  ...common,
  url: urlOf(
    ["mqtt", "mqtts", "ws", "wss"],
    "an mqtt://, mqtts://, ws:// or wss:// URL with a host",
  )
    .describe("The broker, e.g. mqtt://127.0.0.1:1883 (credentials: usernameEnv, passwordEnv)."),
  topicPrefix: z.string().regex(/^[^/#+\s]+(\/[^/#+\s]+)*$/, {
    error: 'topic levels joined by "/", without "+", "#", spaces or empty levels',
  }).default("streamdet").describe(
    'First levels of every topic (default "streamdet"): <topicPrefix>/<stream>/events, /counts, /results.',
  ),
  qos: intIn(0, 2).default(1).describe("MQTT QoS of every message: 0, 1 or 2 (default 1)."),
  retain: z.boolean().default(false).describe(
    "Retain event and result messages too (default false); counts are always retained.",
  ),
  clientId: z.string().min(1).max(128).optional().describe(
    'The MQTT client id (default "streamdet-<random>").',
  ),
  usernameEnv: envName(
    "Environment variable holding the username (default STREAMDET_MQTT_USERNAME; unset: anonymous).",
  ),
  passwordEnv: envName(
    "Environment variable holding the password (default STREAMDET_MQTT_PASSWORD).",
  ),
  ...delivered,
}, { description: "Event messages (and optionally results) published to an MQTT broker." });

/**
 * A NATS sink: core subjects `<subjectPrefix>.<stream>.results` and `.events`, and
 * optionally a JetStream stream over them for replay.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWire } from "./parse.ts";
 * const sink = parseWire(NatsSinkSchema, { type: "nats", url: "nats://127.0.0.1:4222" }, "p.json");
 * assert.deepEqual([sink.results, sink.events, sink.subjectPrefix], [true, true, "streamdet"]);
 * ```
 */
export const NatsSinkSchema = strictObject({
  type: z.literal("nats"),
  ...common,
  url: urlOf(["nats", "tls"], "a nats:// or tls:// URL with a host")
    .describe(
      "The server, e.g. nats://127.0.0.1:4222 (tls://: TLS required; credentials: tokenEnv, or userEnv and passwordEnv).",
    ),
  subjectPrefix: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
    error: 'subject tokens of letters, digits, "_" or "-" joined by "."',
  }).default("streamdet").describe(
    'First tokens of every subject (default "streamdet"): <subjectPrefix>.<stream>.results and .events.',
  ),
  jetstream: strictObject({
    stream: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
      error: 'a JetStream stream name of letters, digits, "_" or "-" (at most 64)',
    }).describe("The stream's name; created, or its subjects and limits updated, at connect."),
    maxAgeS: z.number().min(0).optional().describe(
      "Drop messages older than this, s (default: keep).",
    ),
    maxBytes: z.int().min(1).optional().describe(
      "Keep at most this many bytes (default: no limit).",
    ),
  }, { description: "A JetStream stream over the sink's subjects, for replay." }).optional(),
  tokenEnv: envName("Environment variable holding a token (default STREAMDET_NATS_TOKEN)."),
  userEnv: envName("Environment variable holding a user name (default STREAMDET_NATS_USER)."),
  passwordEnv: envName(
    "Environment variable holding the user's password (default STREAMDET_NATS_PASSWORD).",
  ),
  ...delivered,
  results: z.boolean().default(true).describe("Publish a result message per frame (default true)."),
}, { description: "Result and event messages published on NATS subjects." });

/**
 * A webhook sink: each event message (and optionally each result) POSTed as JSON, signed
 * with HMAC-SHA256 over the body (`X-Streamdet-Signature: sha256=<hex>`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWire } from "./parse.ts";
 * const sink = parseWire(WebhookSinkSchema, { type: "webhook", url: "https://example.com/hook" }, "p.json");
 * assert.deepEqual([sink.timeoutMs, sink.attempts, sink.results], [5000, 5, false]);
 * ```
 */
export const WebhookSinkSchema = strictObject({
  type: z.literal("webhook"),
  ...common,
  url: urlOf(["http", "https"], "an http:// or https:// URL with a host").describe(
    "Where messages are POSTed.",
  ),
  secretEnv: envName(
    "Environment variable holding the HMAC-SHA256 secret (default STREAMDET_WEBHOOK_SECRET); it must be set.",
  ),
  timeoutMs: intIn(1, 600_000).default(5000).describe(
    "A request not answered within this is abandoned and retried, ms (default 5000).",
  ),
  attempts: intIn(1, 100).default(5).describe(
    "Tries of a message (5xx, 408, 429, timeouts, network errors) before it is counted failed (default 5).",
  ),
  ...delivered,
}, { description: "Event messages (and optionally results) POSTed as signed JSON." });

/**
 * One sink, by its `type`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(SinkConfigSchema, { type: "csv", path: "x" }), [
 *   { path: ["type"], expected: 'one of "jsonl", "mqtt", "nats", "webhook"', found: 'the string "csv"' },
 * ]);
 * ```
 */
export const SinkConfigSchema = z.discriminatedUnion("type", [
  JsonlSinkSchema,
  MqttSinkSchema,
  NatsSinkSchema,
  WebhookSinkSchema,
]).describe("A destination of result messages, by type.");

/** A `jsonl` sink, defaults filled. */
export type JsonlSinkConfig = z.output<typeof JsonlSinkSchema>;
/** An `mqtt` sink, defaults filled. */
export type MqttSinkConfig = z.output<typeof MqttSinkSchema>;
/** A `nats` sink, defaults filled. */
export type NatsSinkConfig = z.output<typeof NatsSinkSchema>;
/** A `webhook` sink, defaults filled. */
export type WebhookSinkConfig = z.output<typeof WebhookSinkSchema>;
