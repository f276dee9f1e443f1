/**
 * The values the cluster keeps in its KV buckets: a node's heartbeat, a stream's lease,
 * and a desired stream.
 *
 * @module
 */

/** `<prefix>_nodes/<node>`: written every third of the lease TTL while the node lives. */
export interface NodeRecord {
  node: string;
  /** Streams it may run. */
  capacity: number;
  /** Streams it runs now. */
  running: number;
  /** Its HTTP server (for `GET /cluster` and viewers), when it has one. */
  url?: string;
  /** Epoch ms of this heartbeat (shown only: liveness is judged by revision changes). */
  at: number;
}

/**
 * `<prefix>_leases/<stream>`: who runs a stream. `node: null` is a lease given back (the
 * stream is free; its frame count stays so the next owner continues it).
 */
export interface LeaseRecord {
  node: string | null;
  /** The last frame index the holder had published when it wrote this. */
  frame: number;
  /** Frames per second the holder published (0 when unknown). */
  rate: number;
  /** Epoch ms of the write (shown only). */
  at: number;
}

/** `<prefix>_streams/<stream>`: a stream the cluster should run, as `POST /streams` takes it. */
export interface StreamRecord {
  /** The stream configuration (its `id` included). */
  config: Record<string, unknown> & { id: string };
  /** Epoch ms it was added, and by which node. */
  addedAt: number;
  addedBy: string;
}
