/**
 * The JSON text of the messages sinks send: a result message (the WebSocket's, without
 * masks unless asked) and an event message with its version. Each text is made once per
 * result or event, whichever number of sinks send it.
 *
 * @module
 */

import type { StreamEvent, StreamResult } from "../pipeline/events.ts";
import { resultMessage } from "../pipeline/result_message.ts";
import { SCHEMA_VERSION } from "../wire/result_message.ts";

const plain = new WeakMap<StreamResult, string>();
const withMasks = new WeakMap<StreamResult, string>();
const events = new WeakMap<StreamEvent, string>();

/**
 * A result message's text (`masks`: with instance masks as RLE).
 *
 * @example
 * ```ts ignore
 * pipeline.on("result", (r) => send(resultText(r, pipeline.labels(r.model), false)));
 * ```
 */
export function resultText(
  result: StreamResult,
  labels: ReadonlyMap<number, string>,
  masks: boolean,
): string {
  const cache = masks ? withMasks : plain;
  let text = cache.get(result);
  if (text === undefined) {
    text = JSON.stringify(resultMessage(result, labels, { masks }));
    cache.set(result, text);
  }
  return text;
}

/**
 * An event message's text, `v` first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const event = { type: "counts" as const, streamId: "cam", at: 1, activeTracks: 0, tracks: 0, lines: [], zones: [] };
 * assert.equal(eventText(event), '{"v":3,"type":"counts","streamId":"cam","at":1,"activeTracks":0,"tracks":0,"lines":[],"zones":[]}');
 * ```
 */
export function eventText(event: StreamEvent): string {
  let text = events.get(event);
  if (text === undefined) {
    text = JSON.stringify({ v: SCHEMA_VERSION, ...event });
    events.set(event, text);
  }
  return text;
}
