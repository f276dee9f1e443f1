/**
 * Live copies of a cluster's three KV buckets (desired streams, leases, nodes), opened
 * once per node (or shared by the control-plane bench's simulated nodes).
 *
 * @module
 */

import { KvView } from "./kv_view.ts";
import type { KV } from "@nats-io/kv";
import type { LeaseRecord, NodeRecord, StreamRecord } from "./cluster_records.ts";

/** The three buckets of a cluster. */
export interface ClusterBuckets {
  streams: KV;
  leases: KV;
  nodes: KV;
}

/** Live copies of a cluster's three buckets. */
export interface ClusterViews {
  streams: KvView<StreamRecord>;
  leases: KvView<LeaseRecord>;
  nodes: KvView<NodeRecord>;
}

/**
 * Opens watchers on a cluster's three buckets.
 *
 * @example
 * ```ts ignore
 * const views = await openViews(buckets);
 * ```
 */
export async function openViews(buckets: ClusterBuckets): Promise<ClusterViews> {
  const [streams, leases, nodes] = await Promise.all([
    KvView.open<StreamRecord>(buckets.streams),
    KvView.open<LeaseRecord>(buckets.leases),
    KvView.open<NodeRecord>(buckets.nodes),
  ]);
  return { streams, leases, nodes };
}
