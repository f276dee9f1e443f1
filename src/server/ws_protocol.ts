/**
 * The WebSocket protocol, version 1: what clients send (subscribe, unsubscribe) and what
 * the server sends besides results (hello, subscribed, status, thumbnail, dropped,
 * error). Every server message is a JSON text with `v: 2` (`SCHEMA_VERSION`) and a `type`.
 *
 * @module
 */

import { SCHEMA_VERSION } from "../wire/result_message.ts";
import type { StatusEvent } from "../pipeline/events.ts";

/** A client's subscription to one stream. */
export interface Subscription {
  streamId: string;
  /** Only these class ids (names are resolved against the stream's model). */
  classes?: number[];
  /** Class names as the client sent them, resolved per stream. */
  classNames?: string[];
  minScore: number;
  masks: boolean;
  panoptic: boolean;
  thumbnails: boolean;
  /** The filter as a string (classes, minScore, masks, panoptic): subscriptions with the
   * same key get the same message. Set when the subscription is made. */
  filterKey?: string;
}

/** `{"type": "subscribe", "streams": [...] | "*", ...filters}` */
export interface SubscribeRequest {
  type: "subscribe";
  /** Stream ids, or `"*"` for every stream, present and future. */
  streams: string[] | "*";
  /** Class ids or names to keep (default all). */
  classes?: (number | string)[];
  /** Minimum score (default 0). */
  minScore?: number;
  /** Instance masks as RLE (default false). */
  masks?: boolean;
  /** Panoptic segments as RLE (default false). */
  panoptic?: boolean;
  /** JPEG thumbnails of the frames, as `thumbnail` messages (default false). */
  thumbnails?: boolean;
}

/** `{"type": "unsubscribe", "streams": [...] | "*"}` */
export interface UnsubscribeRequest {
  type: "unsubscribe";
  streams: string[] | "*";
}

/** Anything a client may send. */
export type ClientMessage = SubscribeRequest | UnsubscribeRequest | { type: "ping" };

/** `status`: a stream or model changed state (see `StatusEvent`); `event` is its kind. */
export type StatusMessage =
  & {
    v: typeof SCHEMA_VERSION;
    type: "status";
  }
  & Omit<StatusEvent, "type">
  & { event: StatusEvent["type"] | "removed" };

/** `thumbnail`: a JPEG of a frame (sent shortly after its result). */
export interface ThumbnailMessage {
  v: typeof SCHEMA_VERSION;
  type: "thumbnail";
  streamId: string;
  frame: number;
  ptsMs: number;
  width: number;
  height: number;
  sourceWidth: number;
  sourceHeight: number;
  mime: "image/jpeg";
  /** Base64 of the JPEG bytes. */
  data: string;
}

/**
 * Reads a client's message; throws a `TypeError` that says what was expected otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const m = parseClientMessage('{"type":"subscribe","streams":["cam1"],"minScore":0.5}');
 * assert.deepEqual(m, { type: "subscribe", streams: ["cam1"], minScore: 0.5 });
 * assert.throws(() => parseClientMessage('{"type":"subscribe"}'), /streams: expected an array of stream ids or "\*"/);
 * assert.throws(() => parseClientMessage("hello"), /expected a JSON object/);
 * ```
 */
export function parseClientMessage(text: string): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError(`expected a JSON object, found ${JSON.stringify(text.slice(0, 40))}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`expected a JSON object, found ${JSON.stringify(text.slice(0, 40))}`);
  }
  const m = value as Record<string, unknown>;
  if (m.type === "ping") return { type: "ping" };
  if (m.type !== "subscribe" && m.type !== "unsubscribe") {
    throw new TypeError(
      `type: expected "subscribe", "unsubscribe" or "ping", found ${JSON.stringify(m.type)}`,
    );
  }
  const streams = m.streams;
  if (
    streams !== "*" &&
    (!Array.isArray(streams) || streams.length === 0 ||
      streams.some((s) => typeof s !== "string" || s.length === 0))
  ) {
    throw new TypeError(
      `streams: expected an array of stream ids or "*", found ${JSON.stringify(streams)}`,
    );
  }
  if (m.type === "unsubscribe") return { type: "unsubscribe", streams: streams as string[] | "*" };
  const out: SubscribeRequest = { type: "subscribe", streams: streams as string[] | "*" };
  if (m.classes !== undefined) {
    if (
      !Array.isArray(m.classes) ||
      m.classes.some((c) => typeof c !== "string" && !Number.isInteger(c))
    ) {
      throw new TypeError(
        `classes: expected an array of class ids or names, found ${JSON.stringify(m.classes)}`,
      );
    }
    out.classes = m.classes as (number | string)[];
  }
  if (m.minScore !== undefined) {
    if (typeof m.minScore !== "number" || !(m.minScore >= 0 && m.minScore <= 1)) {
      throw new TypeError(
        `minScore: expected a number in [0, 1], found ${JSON.stringify(m.minScore)}`,
      );
    }
    out.minScore = m.minScore;
  }
  for (const key of ["masks", "panoptic", "thumbnails"] as const) {
    if (m[key] !== undefined) {
      if (typeof m[key] !== "boolean") {
        throw new TypeError(`${key}: expected true or false, found ${JSON.stringify(m[key])}`);
      }
      out[key] = m[key] as boolean;
    }
  }
  const known = ["type", "streams", "classes", "minScore", "masks", "panoptic", "thumbnails"];
  const unknown = Object.keys(m).find((k) => !known.includes(k));
  if (unknown) {
    throw new TypeError(`unknown field ${JSON.stringify(unknown)} (expected ${known.join(", ")})`);
  }
  return out;
}

/**
 * A server message that is not a result: `v` and `type` first, then `fields`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(serverMessage("dropped", { count: 3 }), '{"v":2,"type":"dropped","count":3}');
 * ```
 */
export function serverMessage(type: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ v: SCHEMA_VERSION, type, ...fields });
}
