/**
 * The streams of the cluster as a WebSocket hub sees them: every desired stream, whichever
 * node runs it, and its results and events from their NATS subjects while some client of
 * this node wants them (one subscription per stream, counted). Messages this node
 * published itself are skipped: the hub has them from its own pipeline.
 *
 * @module
 */

import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { streamSubject, type SubjectKind } from "../wire/subjects.ts";
import type { ResultMessage } from "../wire/result_message.ts";
import type { EventMessage } from "../wire/event_messages.ts";

/** What the hub needs of the cluster (see `WsHub`'s `remote` option). */
export interface RemoteStreams {
  /** Every stream of the cluster (ids), wherever it runs. */
  ids(): string[];
  /** Every stream of the cluster with its model and the node that holds it (null: none). */
  placements(): { id: string; model: string; node: string | null }[];
  /** Whether this node may deliver a stream's local results now (it holds a valid lease). */
  mayPublish(streamId: string): boolean;
  /** This node's id (local results carry it). */
  readonly nodeId: string;
  /** Counts a client that wants (`+1`) or no longer wants (`-1`) a stream. */
  want(streamId: string, delta: 1 | -1): void;
  /** Hears every message of a wanted stream that another node published. */
  onMessage(
    listener: (message: ResultMessage | EventMessage, kind: SubjectKind) => void,
  ): () => void;
  /** Hears streams added to (`true`) or removed from (`false`) the cluster. */
  onStreams(listener: (streamId: string, present: boolean) => void): () => void;
}

/**
 * Subscribes to wanted streams' subjects on a NATS connection.
 *
 * @example
 * ```ts ignore
 * const feed = new RemoteFeed(nc, "node-a", "streamdet", () => member.streamIds());
 * feed.want("cam1", 1); // subscribes to streamdet.cam1.results and .events
 * ```
 */
export class RemoteFeed {
  #nc: NatsConnection;
  #prefix: string;
  #node: string;
  #wants = new Map<string, { count: number; subs: Subscription[] }>();
  #listeners = new Set<(message: ResultMessage | EventMessage, kind: SubjectKind) => void>();

  constructor(nc: NatsConnection, nodeId: string, prefix: string) {
    this.#nc = nc;
    this.#node = nodeId;
    this.#prefix = prefix;
  }

  /** See {@link RemoteStreams.want}. */
  want(streamId: string, delta: 1 | -1): void {
    const entry = this.#wants.get(streamId);
    if (delta === 1) {
      if (entry) {
        entry.count++;
        return;
      }
      const subs = (["results", "events"] as const).map((kind) =>
        this.#nc.subscribe(streamSubject(streamId, kind, this.#prefix), {
          callback: (error, msg) => {
            if (error) return;
            let message: (ResultMessage | EventMessage) & { node?: string };
            try {
              message = msg.json();
            } catch {
              return;
            }
            if (message.node === this.#node) return;
            for (const listener of this.#listeners) listener(message, kind);
          },
        })
      );
      this.#wants.set(streamId, { count: 1, subs });
      return;
    }
    if (!entry) return;
    if (--entry.count > 0) return;
    for (const sub of entry.subs) sub.unsubscribe();
    this.#wants.delete(streamId);
  }

  /** See {@link RemoteStreams.onMessage}. */
  onMessage(
    listener: (message: ResultMessage | EventMessage, kind: SubjectKind) => void,
  ): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Streams wanted now (for tests and status). */
  wanted(): string[] {
    return [...this.#wants.keys()];
  }

  /** Unsubscribes from everything. */
  close(): void {
    for (const { subs } of this.#wants.values()) for (const sub of subs) sub.unsubscribe();
    this.#wants.clear();
  }
}
