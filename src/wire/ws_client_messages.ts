/**
 * What a WebSocket client may send the server: `subscribe`, `unsubscribe` and `ping`, as
 * JSON texts. Their schema, their TypeScript types, and the JSON Schema file
 * `schemas/ws-client-message.schema.json` made from it. The server's side is in
 * `ws_server_messages.ts`; changes are listed in `schemas/CHANGELOG.md`.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";

/** Stream ids, or `"*"` for every stream, present and future. */
const StreamsSchema = z.union([
  z.array(z.string().min(1)).min(1, "a non-empty array of stream ids"),
  z.literal("*"),
], {
  error: 'a non-empty array of stream ids, or "*"',
}).describe('stream ids, or "*" for every stream, present and future');

/** `{"type": "subscribe", "streams": [...] | "*", ...filters}`: subscribing again to a
 * stream replaces its filters. */
export const SubscribeRequestSchema = strictObject({
  type: z.literal("subscribe"),
  streams: StreamsSchema,
  classes: z.array(
    z.union([z.int(), z.string()], { error: "a class id (an integer) or a class name" }),
  ).optional().describe("class ids or names to keep (default: every class)"),
  minScore: z.number().min(0).max(1).optional()
    .describe("keep detections scoring at least this (default 0)"),
  masks: z.boolean().optional().describe("instance masks as COCO RLE (default false)"),
  panoptic: z.boolean().optional().describe("panoptic segments as COCO RLE (default false)"),
  thumbnails: z.boolean().optional()
    .describe("JPEG pictures of the frames, as thumbnail messages (default false)"),
  events: z.boolean().optional().describe(
    "track, line and zone events of streams with tracking, and their counts at once (default false)",
  ),
});

/** `{"type": "unsubscribe", "streams": [...] | "*"}` */
export const UnsubscribeRequestSchema = strictObject({
  type: z.literal("unsubscribe"),
  streams: StreamsSchema,
});

/** `{"type": "ping"}`: the server answers with `pong`. */
export const PingRequestSchema = strictObject({ type: z.literal("ping") });

/**
 * Any message a client may send, told apart by `type`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(ClientMessageSchema, { type: "subscribe", streams: "*", minScore: 2 }), [
 *   { path: ["minScore"], expected: "a number <= 1", found: "the number 2" },
 * ]);
 * assert.deepEqual(checkWire(ClientMessageSchema, { type: "pong" }), [
 *   { path: ["type"], expected: 'one of "subscribe", "unsubscribe", "ping"', found: 'the string "pong"' },
 * ]);
 * ```
 */
export const ClientMessageSchema = z.discriminatedUnion("type", [
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  PingRequestSchema,
], {
  // A value that is no object at all (zod types this hook for union issues only).
  error: (issue: { code?: string }) => issue.code === "invalid_type" ? "a JSON object" : undefined,
});

/** `subscribe`: streams and the filters of their result messages. */
export type SubscribeRequest = z.infer<typeof SubscribeRequestSchema>;
/** `unsubscribe`: streams to stop receiving. */
export type UnsubscribeRequest = z.infer<typeof UnsubscribeRequestSchema>;
/** `ping`. */
export type PingRequest = z.infer<typeof PingRequestSchema>;
/** Anything a client may send. */
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
