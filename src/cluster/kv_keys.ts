/**
 * Stream ids as JetStream KV keys, and the names of the cluster's buckets.
 *
 * KV keys allow `[-/_=.A-Za-z0-9]` but no empty token, so "." (allowed in stream ids, even
 * doubled or at an end) is written `=2E`: ids hold no "=".
 *
 * @module
 */

/**
 * The KV key of a stream (or node) id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(kvKey("cam.1"), "cam=2E1");
 * assert.equal(idOfKvKey("cam=2E1"), "cam.1");
 * ```
 */
export function kvKey(id: string): string {
  return id.replaceAll(".", "=2E");
}

/** The id a KV key stands for (see {@link kvKey}). */
export function idOfKvKey(key: string): string {
  return key.replaceAll("=2E", ".");
}

/**
 * The cluster's bucket names under a prefix: the desired streams, the leases, the nodes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(bucketNames("streamdet"), {
 *   streams: "streamdet_streams", leases: "streamdet_leases", nodes: "streamdet_nodes",
 * });
 * ```
 */
export function bucketNames(prefix: string): { streams: string; leases: string; nodes: string } {
  return { streams: `${prefix}_streams`, leases: `${prefix}_leases`, nodes: `${prefix}_nodes` };
}
