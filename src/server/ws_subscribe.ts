/**
 * Which streams a `subscribe` request takes: its ids checked against the streams there
 * are, a wildcard capped to the room a client has left, the total held to
 * `maxSubscriptions`.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { describe } from "../describe.ts";
import type { StreamThumbnail } from "../pipeline/events.ts";
import { protocolError, type SubscribeRequest, type Subscription } from "./ws_protocol.ts";

/**
 * The streams a request subscribes to, and those a wildcard left out for want of room.
 * Throws a `ProtocolError` naming the field for an unknown stream or too many.
 *
 * - `known`: every stream there is, in the order they were added;
 * - `subscribed`: the client's subscriptions now (they keep their place under a wildcard).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const known = new Set(["a", "b", "c"]);
 * assert.deepEqual(subscriptionIds({ type: "subscribe", streams: "*" }, known, new Set(["c"]), 2), { ids: ["a", "c"], capped: ["b"] });
 * assert.throws(() => subscriptionIds({ type: "subscribe", streams: ["d"] }, known, new Set(), 2), /streams\[0\]/);
 * ```
 */
export function subscriptionIds(
  request: Pick<SubscribeRequest, "streams"> & { type?: string },
  known: ReadonlySet<string>,
  subscribed: ReadonlySet<string>,
  max: number,
): { ids: string[]; capped: string[] } {
  const wildcard = request.streams === "*";
  let ids = wildcard ? [...known] : request.streams as string[];
  const unknown = ids.findIndex((id) => !known.has(id));
  if (unknown >= 0) {
    const names = [...known].slice(0, 10).map((id) => JSON.stringify(id)).join(", ");
    throw protocolError(
      ["streams", unknown],
      known.size === 0
        ? "the id of a stream (there are none)"
        : `the id of a stream (${known.size > 10 ? "such as" : "one of"} ${names})`,
      describe(ids[unknown]),
    );
  }
  const capped: string[] = [];
  if (wildcard) {
    // The streams subscribed already keep their place (with the new filter), the others
    // take the room left in the order they were added; the rest are left out, and the
    // reply says which.
    let room = max - subscribed.size;
    ids = ids.filter((id) => {
      if (subscribed.has(id)) return true;
      if (room === 0) {
        capped.push(id);
        return false;
      }
      room--;
      return true;
    });
  }
  const after = new Set([...subscribed, ...ids]);
  if (after.size > max) {
    throw protocolError(
      ["streams"],
      `at most ${max} subscriptions per client`,
      `${describe(ids)}, which would make ${after.size}`,
    );
  }
  return { ids, capped };
}

/**
 * The filter a `subscribe` request sets on each stream it takes (defaults filled).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const t = subscriptionTemplate({ type: "subscribe", streams: "*", classes: [1, "car"] });
 * assert.deepEqual([t.minScore, t.classes, t.classNames], [0, [1], ["car"]]);
 * ```
 */
export function subscriptionTemplate(request: SubscribeRequest): Omit<Subscription, "streamId"> {
  const template: Omit<Subscription, "streamId"> = {
    minScore: request.minScore ?? 0,
    masks: request.masks ?? false,
    panoptic: request.panoptic ?? false,
    thumbnails: request.thumbnails ?? false,
    events: request.events ?? false,
  };
  if (request.classes) {
    template.classes = request.classes.filter((c): c is number => typeof c === "number");
    template.classNames = request.classes.filter((c): c is string => typeof c === "string");
  }
  return template;
}

/**
 * The `thumbnail` message of a stream's thumbnail (JPEG as base64).
 *
 * @example
 * ```ts ignore
 * client.send(serverMessage(thumbnailMessage(t)), true);
 * ```
 */
export function thumbnailMessage(t: StreamThumbnail) {
  return {
    type: "thumbnail" as const,
    streamId: t.streamId,
    frame: t.index,
    ptsMs: t.ptsMs,
    width: t.width,
    height: t.height,
    sourceWidth: t.sourceWidth,
    sourceHeight: t.sourceHeight,
    mime: "image/jpeg" as const,
    data: Buffer.from(t.jpeg).toString("base64"),
  };
}
