/**
 * What the server sends a WebSocket client: `hello`, `subscribed`, `status`, `result`
 * (see `result_message.ts`), `track`, `line`, `zone` and `counts` (see
 * `event_messages.ts`), `thumbnail`, `dropped`, `error` and `pong`, each a JSON text
 * with `v` ({@link SCHEMA_VERSION}) and its `type`. Their schemas, their TypeScript types,
 * and the JSON Schema file `schemas/ws-server-message.schema.json` made from them.
 *
 * The server builds these messages itself and does not validate them as it sends them;
 * the tests check what a running server sends against these schemas. Changes are listed
 * in `schemas/CHANGELOG.md`.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";
import { ResultMessageSchema, SCHEMA_VERSION } from "./result_message.ts";
import {
  CountsMessageSchema,
  LineEventMessageSchema,
  TrackEventMessageSchema,
  ZoneEventMessageSchema,
} from "./event_messages.ts";

const v = z.literal(SCHEMA_VERSION);
const count = z.int().min(0);
const rgb = z.int().min(0).max(255);
const epochMs = z.number().describe("epoch ms");

/** States of a stream: `starting` before its source opens, then its source's states. */
export const STREAM_STATES = [
  "starting",
  "connecting",
  "connected",
  "stalled",
  "reconnecting",
  "ended",
  "failed",
  "stopped",
] as const;

/** States a model reports in `status` events. */
export const MODEL_EVENT_STATES = ["loading", "loaded", "fallback", "failed", "closed"] as const;

/** One class of a model, as `hello` lists it. */
export const ClassInfoSchema = strictObject({
  id: z.int().describe("the manifest's class id"),
  name: z.string(),
  isThing: z.boolean().describe("a thing (detected) or stuff (segmented only)"),
  color: z.tuple([rgb, rgb, rgb]).describe("[r, g, b] for drawing"),
});

/** `hello`: sent on connect: the streams, the models with their classes, the limits. */
export const HelloMessageSchema = strictObject({
  v,
  type: z.literal("hello"),
  schema: z.literal(SCHEMA_VERSION).describe("the version of every message, as in v"),
  streams: z.array(strictObject({
    id: z.string().min(1),
    model: z.string().describe("the model id"),
    state: z.enum(STREAM_STATES),
    node: z.string().optional().describe(
      "cluster mode: the node that runs it (absent while no node holds it)",
    ),
  })),
  models: z.array(strictObject({
    id: z.string().min(1),
    state: z.enum(["loading", "loaded", "failed"]),
    classes: z.array(ClassInfoSchema),
    keypoints: strictObject({
      names: z.array(z.string()).describe("the keypoints, in the order of a detection's keypoints"),
      skeleton: z.array(z.tuple([z.int().min(1), z.int().min(1)])).describe(
        "pairs of 1-based keypoint numbers to join when drawing (COCO's skeleton)",
      ),
    }).optional().describe("keypoint models: what a detection's keypoints are"),
  })),
  limits: strictObject({
    maxSubscriptions: z.int().min(1).describe("streams one client may subscribe to"),
    maxMessageBytes: z.int().min(1).describe("a longer client message closes the connection"),
    clientQueue: z.int().min(1).describe("messages waiting for a client before some are dropped"),
    slowClientMs: z.int().min(1).describe("dropping for this long disconnects the client"),
  }),
});

/**
 * `subscribed`: the client's subscriptions after a `subscribe` or `unsubscribe`, and
 * again when a stream appears that the client's capped wildcard cannot take.
 */
export const SubscribedMessageSchema = strictObject({
  v,
  type: z.literal("subscribed"),
  streams: z.array(z.string().min(1)).describe("every stream the client is subscribed to now"),
  capped: strictObject({
    maxSubscriptions: z.int().min(1).describe("the limit, as in hello's limits"),
    streams: z.array(z.string().min(1)).min(1).describe(
      "streams the wildcard left out, in the order they were added",
    ),
  }).optional().describe(
    'only when a wildcard subscription ("streams": "*") reached maxSubscriptions: the streams it did not take (they are not added later; subscribe to them by id after unsubscribing others)',
  ),
});

const status = { v, type: z.literal("status") };

/** `status` of a stream: its source connected, reconnects, ended, failed... */
export const StreamStatusMessageSchema = strictObject({
  ...status,
  event: z.literal("stream"),
  streamId: z.string().min(1),
  state: z.enum(STREAM_STATES),
  at: epochMs,
  attempt: z.int().min(1).optional().describe("reconnect attempt, 1, 2..."),
  reason: z.string().optional(),
  input: strictObject({
    width: z.int().min(1),
    height: z.int().min(1),
  }).optional().describe(
    "on connected: the input's picture size, upright as a player shows it; sent when the input opens and again (with a reason) whenever it changes size mid-stream",
  ),
  warning: z.string().optional().describe(
    "something wrong with the input that does not change the state (e.g. a file whose data ends early); sent with the current state",
  ),
});

/** `status` of a frame that failed in the model (the stream goes on). */
export const FrameErrorStatusMessageSchema = strictObject({
  ...status,
  event: z.literal("frame-error"),
  streamId: z.string().min(1),
  index: count.describe("the frame's index in the stream"),
  at: epochMs,
  reason: z.string(),
});

/** `status` of a model: loaded (possibly on a fallback provider), failed, closed. */
export const ModelStatusMessageSchema = strictObject({
  ...status,
  event: z.literal("model"),
  model: z.string().min(1),
  state: z.enum(MODEL_EVENT_STATES),
  at: epochMs,
  provider: z.string().optional().describe("the execution provider it runs on"),
  reason: z.string().optional(),
});

/** `status` of a stream removed (`DELETE /streams/:id`): its subscriptions are gone. */
export const RemovedStatusMessageSchema = strictObject({
  ...status,
  event: z.literal("removed"),
  streamId: z.string().min(1),
  at: epochMs,
});

/** `status` of the server: it is shutting down. */
export const ServerStatusMessageSchema = strictObject({
  ...status,
  event: z.literal("server"),
  state: z.literal("stopping"),
  at: epochMs,
});

/** `status`: a stream, frame, model or the server changed state, told apart by `event`. */
export const StatusMessageSchema = z.discriminatedUnion("event", [
  StreamStatusMessageSchema,
  FrameErrorStatusMessageSchema,
  ModelStatusMessageSchema,
  RemovedStatusMessageSchema,
  ServerStatusMessageSchema,
]);

/** `thumbnail`: a JPEG of a frame, sent shortly after its result (when asked for). */
export const ThumbnailMessageSchema = strictObject({
  v,
  type: z.literal("thumbnail"),
  streamId: z.string().min(1),
  frame: count.describe("the frame's index in the stream, as in its result"),
  ptsMs: z.number(),
  width: z.int().min(1).describe("the picture's width"),
  height: z.int().min(1),
  sourceWidth: z.int().min(1).describe("the source frame's width, which the picture shows"),
  sourceHeight: z.int().min(1),
  mime: z.literal("image/jpeg"),
  // A pattern, not zod's base64 format: JSON Schema has no such format, and strict
  // validators refuse unknown ones.
  data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64 text")
    .describe("the JPEG bytes, base64"),
});

/** `dropped`: messages a slow client lost since the last notice. */
export const DroppedMessageSchema = strictObject({
  v,
  type: z.literal("dropped"),
  count: z.int().min(1).describe("messages dropped since the last notice"),
  total: z.int().min(1).describe("messages dropped since the client connected"),
});

/** `error`: a client message the server could not use; the connection stays open. */
export const ErrorMessageSchema = strictObject({
  v,
  type: z.literal("error"),
  code: z.literal("bad-request"),
  message: z.string()
    .describe("what was wrong: message: <field>: expected <what>, found <what>"),
});

/** `pong`: the answer to a `ping`. */
export const PongMessageSchema = strictObject({
  v,
  type: z.literal("pong"),
  at: epochMs,
});

/**
 * Any message the server sends, told apart by `type` (and a `status` by `event`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(ServerMessageSchema, { v: 3, type: "dropped", count: 3, total: 5 }), []);
 * assert.deepEqual(checkWire(ServerMessageSchema, { v: 3, type: "status", event: "server", state: "stopping" }), [
 *   { path: ["at"], expected: "a number", found: "nothing" },
 * ]);
 * ```
 */
export const ServerMessageSchema = z.discriminatedUnion("type", [
  HelloMessageSchema,
  SubscribedMessageSchema,
  StatusMessageSchema,
  ResultMessageSchema,
  TrackEventMessageSchema,
  LineEventMessageSchema,
  ZoneEventMessageSchema,
  CountsMessageSchema,
  ThumbnailMessageSchema,
  DroppedMessageSchema,
  ErrorMessageSchema,
  PongMessageSchema,
]);

const TYPES: Record<ServerMessage["type"], true> = {
  hello: true,
  subscribed: true,
  status: true,
  result: true,
  track: true,
  line: true,
  zone: true,
  counts: true,
  thumbnail: true,
  dropped: true,
  error: true,
  pong: true,
};

/**
 * The `type` of every server message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(SERVER_MESSAGE_TYPES.includes("result"));
 * ```
 */
export const SERVER_MESSAGE_TYPES = Object.keys(TYPES) as readonly ServerMessage["type"][];

/** A class of a model, as `hello` lists it. */
export type ClassInfo = z.infer<typeof ClassInfoSchema>;
/** `hello`. */
export type HelloMessage = z.infer<typeof HelloMessageSchema>;
/** `subscribed`. */
export type SubscribedMessage = z.infer<typeof SubscribedMessageSchema>;
/** `status` of a stream. */
export type StreamStatusMessage = z.infer<typeof StreamStatusMessageSchema>;
/** `status`, any `event`. */
export type StatusMessage = z.infer<typeof StatusMessageSchema>;
/** `thumbnail`. */
export type ThumbnailMessage = z.infer<typeof ThumbnailMessageSchema>;
/** `dropped`. */
export type DroppedMessage = z.infer<typeof DroppedMessageSchema>;
/** `error`. */
export type ErrorMessage = z.infer<typeof ErrorMessageSchema>;
/** `pong`. */
export type PongMessage = z.infer<typeof PongMessageSchema>;
/** Any server message. */
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
