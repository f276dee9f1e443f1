/**
 * The WebSocket protocol as the server uses it: reading a client's message (with the
 * schema of `src/wire/ws_client_messages.ts`), writing a server message (whose schemas
 * are in `src/wire/ws_server_messages.ts`: JSON texts with `v: 3` and a `type`), and a
 * client's subscription to one stream.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { formatIssue } from "../wire/issues.ts";
import { parseWire } from "../wire/parse.ts";
import { SCHEMA_VERSION } from "../wire/result_message.ts";
import { type ClientMessage, ClientMessageSchema } from "../wire/ws_client_messages.ts";
import type { ServerMessage, StatusMessage } from "../wire/ws_server_messages.ts";
import type { SinkStatusEvent, StatusEvent } from "../pipeline/events.ts";

export type {
  ClientMessage,
  SubscribeRequest,
  UnsubscribeRequest,
} from "../wire/ws_client_messages.ts";
export type {
  DroppedMessage,
  ErrorMessage,
  HelloMessage,
  ServerMessage,
  StatusMessage,
  ThumbnailMessage,
} from "../wire/ws_server_messages.ts";

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
  /** `track`, `line`, `zone` and `counts` messages (streams with tracking). */
  events: boolean;
  /** The filter as a string (classes, minScore, masks, panoptic): subscriptions with the
   * same key get the same message. Set when the subscription is made. */
  filterKey?: string;
}

/** The `where` of every error about a client's message: `message: <field>: expected...`. */
export const MESSAGE = "message";

/**
 * Reads a client's message; throws a `ProtocolError` that names the field, what was
 * expected and what was found otherwise (`message: minScore: expected a number <= 1,
 * found the number 2`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const m = parseClientMessage('{"type":"subscribe","streams":["cam1"],"minScore":0.5}');
 * assert.deepEqual(m, { type: "subscribe", streams: ["cam1"], minScore: 0.5 });
 * assert.throws(() => parseClientMessage('{"type":"subscribe","streams":"*","minScore":2}'), {
 *   name: "ProtocolError",
 *   message: "message: minScore: expected a number <= 1, found the number 2",
 * });
 * assert.throws(() => parseClientMessage("hello"), {
 *   name: "ProtocolError",
 *   message: 'message: expected a JSON object, found text that is not JSON: "hello"',
 * });
 * ```
 */
export function parseClientMessage(text: string): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw protocolError([], "a JSON object", `text that is not JSON: ${quote(text)}`, cause);
  }
  return parseWire(ClientMessageSchema, value, MESSAGE, ProtocolError);
}

/**
 * A `ProtocolError` about a client's message, in the style of the schema's own:
 * `message: <path>: expected <what>, found <what>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const e = protocolError(["streams", 0], "the id of a stream", 'the string "x"');
 * assert.equal(e.message, 'message: streams[0]: expected the id of a stream, found the string "x"');
 * assert.deepEqual(e.issues, [{ path: ["streams", 0], expected: "the id of a stream", found: 'the string "x"' }]);
 * ```
 */
export function protocolError(
  path: (string | number)[],
  expected: string,
  found: string,
  cause?: unknown,
): ProtocolError {
  const issue = { path, expected, found };
  return new ProtocolError(formatIssue(MESSAGE, issue), { issues: [issue], cause });
}

/**
 * The text of a server message: `v` first, then `type` and the other fields. The server
 * builds its messages with their schema's types and sends them unchecked (the tests check
 * what it sends against `ServerMessageSchema`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(serverMessage({ type: "dropped", count: 3, total: 5 }), '{"v":3,"type":"dropped","count":3,"total":5}');
 * ```
 */
export function serverMessage(message: Unversioned<ServerMessage>): string {
  return JSON.stringify({ v: SCHEMA_VERSION, ...message });
}

/**
 * The `status` message of a pipeline's status event: its `type` becomes `event`. Sinks'
 * events are not WebSocket messages (they are logged and in `/metrics`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const event = { type: "stream", streamId: "cam1", state: "connected", at: 1 } as const;
 * assert.deepEqual(statusMessage(event), { type: "status", event: "stream", streamId: "cam1", state: "connected", at: 1 });
 * ```
 */
export function statusMessage(
  event: Exclude<StatusEvent, SinkStatusEvent>,
): Unversioned<StatusMessage> {
  // One case per event, so that the compiler checks each against its message's type.
  switch (event.type) {
    case "stream": {
      const { type, ...fields } = event;
      return { type: "status", event: type, ...fields };
    }
    case "frame-error": {
      const { type, ...fields } = event;
      return { type: "status", event: type, ...fields };
    }
    case "model": {
      const { type, ...fields } = event;
      return { type: "status", event: type, ...fields };
    }
  }
}

/** A server message without its `v` (each member of a union on its own). */
export type Unversioned<T> = T extends unknown ? Omit<T, "v"> : never;

/** A client's text, for an error: JSON-quoted, its first 40 characters. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}
