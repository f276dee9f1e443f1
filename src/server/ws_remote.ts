/**
 * Result messages of streams another cluster node runs, filtered for one subscriber as
 * the hub filters its own streams' results: classes (ids, or names matched against the
 * detections' labels, since this node may not have the model), minimum score, masks;
 * panoptic segments are not carried on the cluster's subjects; and the streams `hello` lists.
 *
 * @module
 */

import type { ResultMessage } from "../wire/result_message.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import type { RemoteStreams } from "../cluster/remote_feed.ts";
import type { Subscription } from "./ws_protocol.ts";

/**
 * A remote result message as one subscription wants it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const m = {
 *   detections: [
 *     { box: [0, 0, 1, 1], classId: 1, label: "person", score: 0.9, mask: { size: [1, 1], counts: "1" } },
 *     { box: [0, 0, 1, 1], classId: 2, label: "car", score: 0.3 },
 *   ],
 * } as unknown as Parameters<typeof filterRemoteResult>[0];
 * const out = filterRemoteResult(m, { streamId: "s", classNames: ["person"], minScore: 0.5, masks: false, panoptic: false, thumbnails: false, events: false });
 * assert.deepEqual(out.detections, [{ box: [0, 0, 1, 1], classId: 1, label: "person", score: 0.9 }]);
 * ```
 */
export function filterRemoteResult(message: ResultMessage, s: Subscription): ResultMessage {
  const ids = s.classes?.filter((c) => c >= 0);
  const names = s.classNames;
  const filtered = ids !== undefined || (names !== undefined && names.length > 0);
  const detections = message.detections.filter((d) =>
    d.score >= s.minScore &&
    (!filtered || ids?.includes(d.classId) || names?.includes(d.label))
  ).map((d) => {
    if (s.masks || d.mask === undefined) return d;
    const { mask: _, ...rest } = d;
    return rest;
  });
  const { panoptic: _, ...rest } = message;
  return { ...rest, detections };
}

/**
 * `hello`'s streams: this node's, and in cluster mode the other streams of the cluster with
 * the node that runs each (`starting` while none holds it).
 *
 * @example
 * ```ts ignore
 * serverMessage({ type: "hello", streams: helloStreams(pipeline, remote), ... });
 * ```
 */
export function helloStreams(pipeline: Pipeline, remote: RemoteStreams | undefined) {
  const local = pipeline.streams().map((s) => ({
    id: s.id,
    model: s.model,
    state: s.state,
    ...(remote ? { node: remote.nodeId } : {}),
  }));
  const here = new Set(local.map((s) => s.id));
  const others = (remote?.placements() ?? []).filter((p) => !here.has(p.id)).map((p) => ({
    id: p.id,
    model: p.model,
    state: p.node ? "connected" as const : "starting" as const,
    ...(p.node ? { node: p.node } : {}),
  }));
  return [...local, ...others];
}
