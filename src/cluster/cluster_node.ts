/**
 * A pipeline as a node of a cluster: it joins the cluster's control plane
 * ({@link ClusterMember}), runs the streams it holds leases on in its pipeline (numbering
 * their frames on from where the last owner stopped), publishes their results and events
 * on the streams' NATS subjects (each result with this node's id and lease revision, and
 * only while the lease is valid), adds and removes streams for the whole cluster, and
 * feeds the WebSocket hub every stream of the cluster ({@link RemoteStreams}).
 *
 * @module
 */

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { jetstream } from "@nats-io/jetstream";
import type { Pipeline } from "../pipeline/pipeline.ts";
import { resolveStreamConfig } from "../pipeline/config.ts";
import { resultMessage } from "../pipeline/result_message.ts";
import { SCHEMA_VERSION } from "../wire/result_message.ts";
import type { ClusterConfig } from "../wire/cluster_config.ts";
import { streamSubject } from "../wire/subjects.ts";
import { ConflictError, StreamdetError } from "../errors.ts";
import { bucketNames, idOfKvKey, kvKey } from "./kv_keys.ts";
import { ClusterMember } from "./cluster_member.ts";
import type { ClusterBuckets } from "./cluster_views.ts";
import type { StreamRecord } from "./cluster_records.ts";
import { RemoteFeed, type RemoteStreams } from "./remote_feed.ts";

/** How a node joins. */
export interface ClusterNodeOptions {
  /** This node's id (unique in the cluster). */
  nodeId: string;
  /** Its HTTP server, shown in `GET /cluster`. */
  url?: string;
  /** Streams this node may run. */
  capacity: number;
  /** Streams to add to the cluster when it has none of that id (a configuration's). */
  seed?: Record<string, unknown>[];
  /** Hears claims, losses and errors. */
  log?: (message: string) => void;
}

/** A stream's frame counter as this node publishes it. */
interface Progress {
  frame: number;
  /** Frames published in the current second window, and the last rate. */
  windowStart: number;
  windowFrames: number;
  rate: number;
}

/** Opens (creating when absent) the cluster's three KV buckets; JetStream requests wait at
 * most `timeoutMs` (default 10 s). */
export async function openBuckets(
  nc: NatsConnection,
  prefix: string,
  timeoutMs = 10_000,
): Promise<ClusterBuckets> {
  const kvm = new Kvm(jetstream(nc, { timeout: timeoutMs }));
  const names = bucketNames(prefix);
  const [streams, leases, nodes] = await Promise.all(
    [names.streams, names.leases, names.nodes].map((name) => kvm.create(name, { history: 1 })),
  );
  return { streams, leases, nodes };
}

/**
 * Connects to the cluster's NATS server; a refused or unreachable one is a clear error.
 *
 * @example
 * ```ts ignore
 * const nc = await connectCluster("nats://127.0.0.1:4222", "node-a");
 * ```
 */
export async function connectCluster(url: string, nodeId: string): Promise<NatsConnection> {
  try {
    return await connect({
      servers: url,
      name: `streamdet-${nodeId}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: 5000,
    });
  } catch (error) {
    throw new StreamdetError(
      `cluster: cannot connect to the NATS server at ${url}: ${(error as Error).message}`,
    );
  }
}

/**
 * Joins `pipeline` to the cluster at `config.url`.
 *
 * @example
 * ```ts ignore
 * const node = await ClusterNode.start(pipeline, config.cluster, { nodeId: "a", capacity: 4 });
 * const hub = new WsHub(pipeline, config.server, { remote: node.remote });
 * await node.close();
 * ```
 */
export class ClusterNode {
  readonly nodeId: string;
  readonly config: ClusterConfig;
  readonly member: ClusterMember;
  readonly remote: RemoteStreams;
  #nc: NatsConnection;
  #pipeline: Pipeline;
  #progress: Map<string, Progress>;
  #off: (() => void)[] = [];
  #feed: RemoteFeed;
  /** Results and events published, and those held back (no valid lease). */
  readonly published = { results: 0, events: 0, fenced: 0 };

  private constructor(
    nc: NatsConnection,
    pipeline: Pipeline,
    config: ClusterConfig,
    member: ClusterMember,
    nodeId: string,
    progress: Map<string, Progress>,
  ) {
    this.#progress = progress;
    this.#nc = nc;
    this.#pipeline = pipeline;
    this.config = config;
    this.member = member;
    this.nodeId = nodeId;
    this.#feed = new RemoteFeed(nc, nodeId, config.prefix);
    const feed = this.#feed;
    const streamListeners = new Set<(id: string, present: boolean) => void>();
    member.streams.onChange((key, entry) => {
      for (const listener of streamListeners) listener(idOfKvKey(key), entry !== undefined);
    });
    this.remote = {
      nodeId,
      ids: () => this.streamIds(),
      placements: () => {
        const owners = member.owners();
        return [...member.streams.entries()].map(([key, e]) => {
          const id = idOfKvKey(key);
          return { id, model: String(e.value.config.model ?? ""), node: owners.get(id) ?? null };
        });
      },
      mayPublish: (id) => member.mayPublish(id),
      want: (id, delta) => feed.want(id, delta),
      onMessage: (listener) => feed.onMessage(listener),
      onStreams: (listener) => {
        streamListeners.add(listener);
        return () => streamListeners.delete(listener);
      },
    };
    this.#off.push(
      pipeline.on("result", (r) => {
        const lease = member.leaseRevision(r.streamId);
        if (lease === undefined) return; // not a cluster stream
        if (!member.mayPublish(r.streamId)) {
          this.published.fenced++;
          return;
        }
        this.#count(r.streamId, r.index);
        const message = {
          ...resultMessage(r, pipeline.labels(r.model), { masks: true }),
          node: nodeId,
          lease,
        };
        this.#nc.publish(
          streamSubject(r.streamId, "results", config.prefix),
          JSON.stringify(message),
        );
        this.published.results++;
      }),
      pipeline.on("event", (e) => {
        if (!member.mayPublish(e.streamId)) return;
        this.#nc.publish(
          streamSubject(e.streamId, "events", config.prefix),
          JSON.stringify({ v: SCHEMA_VERSION, ...e, node: nodeId }),
        );
        this.published.events++;
      }),
    );
  }

  /** Connects, opens the buckets, seeds the configured streams and joins. */
  static async start(
    pipeline: Pipeline,
    config: ClusterConfig,
    options: ClusterNodeOptions,
  ): Promise<ClusterNode> {
    const nc = await connectCluster(config.url, options.nodeId);
    try {
      const buckets = await openBuckets(nc, config.prefix);
      for (const stream of options.seed ?? []) {
        const record: StreamRecord = {
          config: stream as StreamRecord["config"],
          addedAt: Date.now(),
          addedBy: options.nodeId,
        };
        await buckets.streams.create(kvKey(record.config.id), JSON.stringify(record))
          .catch(() => {}); // there already
      }
      const progress = new Map<string, Progress>();
      const member = await ClusterMember.join(buckets, {
        nodeId: options.nodeId,
        leaseTtlMs: config.leaseTtlMs,
        capacity: () => options.capacity,
        url: options.url,
      }, {
        start: async (id, streamConfig, firstFrame) => {
          progress.set(id, {
            frame: firstFrame - 1,
            windowStart: performance.now(),
            windowFrames: 0,
            rate: 0,
          });
          await pipeline.removeStream(id); // a leftover of an earlier lease
          await pipeline.addStream(streamConfig, {
            name: `cluster stream "${id}"`,
            baseDir: Deno.cwd(),
          }, { firstFrame });
        },
        stop: async (id, why) => {
          options.log?.(`cluster: stopping "${id}": ${why}`);
          await pipeline.removeStream(id);
        },
        progress: (id) => {
          const p = progress.get(id);
          return p ? { frame: p.frame, rate: p.rate } : { frame: -1, rate: 0 };
        },
        log: options.log,
      }, { deferLoop: true });
      const node = new ClusterNode(nc, pipeline, config, member, options.nodeId, progress);
      member.startLoop();
      return node;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  #count(id: string, frame: number): void {
    const p = this.#progress.get(id);
    if (!p) return;
    p.frame = Math.max(p.frame, frame);
    p.windowFrames++;
    const now = performance.now();
    if (now - p.windowStart >= 1000) {
      p.rate = p.windowFrames * 1000 / (now - p.windowStart);
      p.windowStart = now;
      p.windowFrames = 0;
    }
  }

  /** Every stream of the cluster. */
  streamIds(): string[] {
    return [...this.member.streams.entries()].map(([key]) => idOfKvKey(key));
  }

  /**
   * Adds a stream to the cluster (checked as `POST /streams` checks it; its source must be
   * readable at the same path on every node): a `ConflictError` if the cluster has one of
   * that id. Some node starts it within a placement round.
   */
  async addStream(input: unknown, where: string): Promise<StreamRecord> {
    const config = resolveStreamConfig(input, this.#pipeline.config.models, {
      name: where,
      baseDir: Deno.cwd(),
    });
    const record: StreamRecord = {
      config: {
        ...(input as Record<string, unknown>),
        id: config.id,
        source: config.source,
        model: config.model,
      },
      addedAt: Date.now(),
      addedBy: this.nodeId,
    };
    try {
      await this.member.streamsBucket.create(kvKey(config.id), JSON.stringify(record));
    } catch {
      throw new ConflictError(`${where}: id: the cluster already has a stream "${config.id}"`);
    }
    return record;
  }

  /** Removes a stream from the cluster; false if it has none of that id. */
  async removeStream(id: string): Promise<boolean> {
    const entry = this.member.streams.get(kvKey(id));
    if (!entry) return false;
    await this.member.streamsBucket.delete(kvKey(id));
    return true;
  }

  /** `GET /cluster`: nodes (live or not, with load), leases, streams. */
  info(): ClusterInfo {
    const now = performance.now();
    const ttl = this.config.leaseTtlMs;
    const owners = this.member.owners(now);
    return {
      node: this.nodeId,
      leaseTtlMs: ttl,
      nodes: [...this.member.nodes.entries()].map(([key, e]) => ({
        ...e.value,
        node: idOfKvKey(key),
        alive: idOfKvKey(key) === this.nodeId || now - e.seenAt <= ttl,
        streams: [...owners].filter(([, n]) => n === idOfKvKey(key)).map(([s]) => s),
      })),
      leases: [...this.member.leases.entries()].map(([key, e]) => ({
        stream: idOfKvKey(key),
        node: e.value.node,
        revision: e.revision,
        frame: e.value.frame,
        ageMs: Math.round(now - e.seenAt),
        live: owners.has(idOfKvKey(key)),
      })),
      streams: this.streamIds().map((id) => ({ id, node: owners.get(id) ?? null })),
    };
  }

  /** Leaves the cluster (leases given back, so others take the streams at once) and
   * closes the connection. */
  async close(): Promise<void> {
    for (const off of this.#off) off();
    await this.member.leave();
    this.#feed.close();
    await this.#nc.drain().catch(() => {});
  }
}

/** What `GET /cluster` answers. */
export interface ClusterInfo {
  node: string;
  leaseTtlMs: number;
  nodes: {
    node: string;
    alive: boolean;
    capacity: number;
    running: number;
    url?: string;
    at: number;
    streams: string[];
  }[];
  leases: {
    stream: string;
    node: string | null;
    revision: number;
    frame: number;
    ageMs: number;
    live: boolean;
  }[];
  streams: { id: string; node: string | null }[];
}
