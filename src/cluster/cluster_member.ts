/**
 * One node's part in the cluster's control plane, without video: its heartbeat, the
 * leases it holds (claimed with KV `create`, renewed with `update` at the revision it
 * holds, taken over from a stale holder by `update` at the stale revision: compare-and-swap,
 * so exactly one claimant wins), and the placement loop that claims, renews and releases.
 * What running a stream means is the hooks' business: the cluster node starts and stops
 * pipeline streams; the control-plane bench only counts.
 *
 * Fencing: a lease is valid for this node until `leaseTtlMs × 0.75` after it *sent* the
 * write that renewed it. Another node takes over only when it has seen no change for the
 * whole TTL, so the old holder's validity always ends first. `mayPublish` says whether a
 * result may leave the node now; a node that was stopped (SIGSTOP) or cut off finds its
 * leases expired when it runs again, publishes nothing, and stops those streams once its
 * renewal is refused (the revision moved on) or its validity ran out.
 *
 * @module
 */

import type { KV } from "@nats-io/kv";
import type { KvView } from "./kv_view.ts";
import { type ClusterBuckets, type ClusterViews, openViews } from "./cluster_views.ts";
import { isConflict, nextFrame } from "./lease_rules.ts";
import { idOfKvKey, kvKey } from "./kv_keys.ts";
import { decidePlacement, type NodeView } from "./placement.ts";
import type { LeaseRecord, NodeRecord, StreamRecord } from "./cluster_records.ts";

/** What running a stream means to a member. */
export interface MemberHooks {
  /** Starts a stream this node now holds; its first frame gets index `firstFrame`. */
  start(id: string, config: StreamRecord["config"], firstFrame: number): Promise<void>;
  /** Stops a stream this node no longer holds (`why`: for the log). */
  stop(id: string, why: string): Promise<void>;
  /** The last frame index a running stream published, and its frames per second. */
  progress(id: string): { frame: number; rate: number };
  /** Hears of claims, losses and errors (for the status log). */
  log?(message: string): void;
}

/** A member's settings. */
export interface MemberOptions {
  nodeId: string;
  leaseTtlMs: number;
  /** Streams this node may run (read on every tick: it may change). */
  capacity: () => number;
  /** Its HTTP server, shown in `GET /cluster`. */
  url?: string;
  /** Placement period, ms (default a sixth of the TTL, at most a second: a stale lease is
   * taken within the TTL and a round). */
  tickMs?: number;
}

/** A lease this node holds. */
interface Held {
  revision: number;
  /** `performance.now()` until which results may be published. */
  validUntil: number;
  renewedAt: number;
  /** The index its first frame got: no record of this lease says less. */
  firstFrame: number;
}

/** Claims sent at once in a placement round. */
const CLAIM_WAVE = 32;

/** Fraction of the TTL a renewal keeps a lease valid for its holder. */
const VALID_FRACTION = 0.75;

/**
 * A node's membership: join, then it runs its loop until `leave()`.
 *
 * @example
 * ```ts ignore
 * const member = await ClusterMember.join(buckets, { nodeId: "a", leaseTtlMs: 6000, capacity: () => 8 }, hooks);
 * member.mayPublish("cam1"); // true while this node holds a valid lease on cam1
 * await member.leave();
 * ```
 */
export class ClusterMember {
  readonly nodeId: string;
  readonly ttlMs: number;
  readonly streams: KvView<StreamRecord>;
  readonly leases: KvView<LeaseRecord>;
  readonly nodes: KvView<NodeRecord>;
  #buckets: ClusterBuckets;
  #options: MemberOptions;
  #hooks: MemberHooks;
  #held = new Map<string, Held>();
  /** Per stream, its starts and stops in order: they run beside the loop (a source that
   * takes seconds to open must not hold back the renewal of other leases). */
  #ops = new Map<string, Promise<void>>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticking: Promise<void> | undefined;
  #lastHeartbeat = -Infinity;
  #left = false;
  #ownViews = true;
  /** Lease writes (claims, renewals, takeovers, releases) and their failures. */
  readonly counters = { claims: 0, takeovers: 0, renewals: 0, lost: 0, releases: 0, conflicts: 0 };

  private constructor(
    buckets: ClusterBuckets,
    views: [KvView<StreamRecord>, KvView<LeaseRecord>, KvView<NodeRecord>],
    options: MemberOptions,
    hooks: MemberHooks,
  ) {
    this.#buckets = buckets;
    [this.streams, this.leases, this.nodes] = views;
    this.#options = options;
    this.#hooks = hooks;
    this.nodeId = options.nodeId;
    this.ttlMs = options.leaseTtlMs;
  }

  /**
   * Watches the buckets, writes the first heartbeat and starts the placement loop (unless
   * `deferLoop`: then `startLoop()` does). `views`: watchers to share instead of opening
   * this member's own (the control-plane bench simulates many nodes in one process, where
   * one watcher per node would measure the simulation, not the cluster); a member that
   * shares them does not close them.
   */
  static async join(
    buckets: ClusterBuckets,
    options: MemberOptions,
    hooks: MemberHooks,
    { deferLoop = false, views }: { deferLoop?: boolean; views?: ClusterViews } = {},
  ): Promise<ClusterMember> {
    const own = views ?? await openViews(buckets);
    const member = new ClusterMember(
      buckets,
      [own.streams, own.leases, own.nodes],
      options,
      hooks,
    );
    member.#ownViews = views === undefined;
    await member.#heartbeat(performance.now());
    if (!deferLoop) member.startLoop();
    return member;
  }

  /** Starts the placement loop (once). */
  startLoop(): void {
    if (this.#timer !== undefined || this.#left) return;
    const tick = this.#tickMs;
    this.#timer = setInterval(() => {
      this.#ticking ??= this.tick().catch((e) => this.#hooks.log?.(`cluster: ${e.message}`))
        .finally(() => this.#ticking = undefined);
    }, tick);
  }

  /** Stops the loop without giving anything back, as a process under `SIGSTOP` (the
   * control-plane bench and tests simulate a node cut off with it); `startLoop()` resumes. */
  async suspend(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#ticking;
  }

  /** Placement period, ms. */
  get #tickMs(): number {
    return this.#options.tickMs ?? Math.max(50, Math.min(1000, Math.round(this.ttlMs / 6)));
  }

  /** The bucket of desired streams (to add and remove streams). */
  get streamsBucket(): KV {
    return this.#buckets.streams;
  }

  /** Whether this node may publish a stream's results now (it holds a valid lease). */
  mayPublish(id: string, now: number = performance.now()): boolean {
    const held = this.#held.get(id);
    return held !== undefined && now < held.validUntil;
  }

  /** The revision of this node's lease on a stream (results carry it), or undefined. */
  leaseRevision(id: string): number | undefined {
    return this.#held.get(id)?.revision;
  }

  /** Streams this node holds. */
  held(): string[] {
    return [...this.#held.keys()];
  }

  /** The live nodes (this one included) with their capacities. */
  liveNodes(now: number = performance.now()): NodeView[] {
    const out: NodeView[] = [];
    for (const [key, entry] of this.nodes.entries()) {
      const id = idOfKvKey(key);
      if (id !== this.nodeId && now - entry.seenAt > this.ttlMs) continue;
      out.push({ id, capacity: entry.value.capacity });
    }
    if (!out.some((n) => n.id === this.nodeId)) {
      out.push({ id: this.nodeId, capacity: this.#options.capacity() });
    }
    return out;
  }

  /** The owner of every stream with a live lease. */
  owners(now: number = performance.now()): Map<string, string> {
    const owners = new Map<string, string>();
    for (const [key, entry] of this.leases.entries()) {
      const id = idOfKvKey(key);
      if (this.#held.has(id)) owners.set(id, this.nodeId);
      else if (entry.value.node !== null && now - entry.seenAt <= this.ttlMs) {
        owners.set(id, entry.value.node);
      }
    }
    return owners;
  }

  /** One round: heartbeat, renewals, then placement (claims and releases). */
  async tick(): Promise<void> {
    if (this.#left) return;
    const now = performance.now();
    // Due a third of the TTL after the last write, give or take half a round (a write
    // taken a little after its round started must not wait a whole extra round).
    const renewEvery = this.ttlMs / 3 - this.#tickMs / 2;
    if (now - this.#lastHeartbeat >= renewEvery) await this.#heartbeat(now);
    const due = [...this.#held].filter(([, h]) => now - h.renewedAt >= renewEvery);
    await Promise.all(due.map(([id, h]) => this.#renew(id, h)));
    // A lease whose validity ran out (a renewal that could not be sent) stops its stream.
    for (const [id, h] of [...this.#held]) {
      if (performance.now() >= h.validUntil) {
        this.#held.delete(id);
        this.counters.lost++;
        this.#queue(id, () => this.#hooks.stop(id, "its lease expired before it could be renewed"));
      }
    }
    const desired = [...this.streams.entries()].map(([key]) => idOfKvKey(key));
    const decision = decidePlacement(this.nodeId, this.liveNodes(), desired, this.owners());
    for (const id of decision.release) this.#release(id, desired.includes(id));
    // Claims in waves of what is still wanted, down the list: a claim another node won
    // makes room for the next candidate in the same round.
    let wanted = decision.wanted;
    let next = 0;
    while (wanted > 0 && next < decision.claim.length) {
      const wave = decision.claim.slice(next, next + Math.min(wanted, CLAIM_WAVE));
      next += wave.length;
      const won = await Promise.all(wave.map((id) => this.#claim(id)));
      wanted -= won.filter(Boolean).length;
    }
  }

  async #heartbeat(now: number): Promise<void> {
    this.#lastHeartbeat = now;
    const record: NodeRecord = {
      node: this.nodeId,
      capacity: this.#options.capacity(),
      running: this.#held.size,
      ...(this.#options.url ? { url: this.#options.url } : {}),
      at: Date.now(),
    };
    const revision = await this.#buckets.nodes.put(kvKey(this.nodeId), JSON.stringify(record));
    this.nodes.noteWrite(kvKey(this.nodeId), record, revision);
  }

  #record(id: string, node: string | null, held: Held): LeaseRecord {
    const { frame, rate } = this.#hooks.progress(id);
    return { node, frame: Math.max(frame, held.firstFrame - 1), rate, at: Date.now() };
  }

  async #renew(id: string, held: Held): Promise<void> {
    const sentAt = performance.now();
    const record = this.#record(id, this.nodeId, held);
    try {
      const revision = await this.#buckets.leases.update(
        kvKey(id),
        JSON.stringify(record),
        held.revision,
      );
      if (this.#held.get(id) !== held) return;
      held.revision = revision;
      held.renewedAt = sentAt;
      held.validUntil = sentAt + this.ttlMs * VALID_FRACTION;
      this.leases.noteWrite(kvKey(id), record, revision);
      this.counters.renewals++;
    } catch (error) {
      if (!isConflict(error) || this.#held.get(id) !== held) return; // retried next tick
      this.#held.delete(id);
      this.counters.lost++;
      this.#hooks.log?.(`cluster: lost the lease on "${id}" (another node holds it now)`);
      this.#queue(id, () => this.#hooks.stop(id, "another node took over its lease"));
    }
  }

  /** Claims a free stream; true if this node won it. */
  async #claim(id: string): Promise<boolean> {
    const key = kvKey(id);
    const entry = this.leases.get(key);
    // The view may have heard of another claim since the decision: that one stands.
    if (
      entry && entry.value.node !== null && performance.now() - entry.seenAt <= this.ttlMs
    ) return false;
    const config = this.streams.get(key)?.value.config;
    if (!config) return false;
    const takeover = entry?.value.node != null;
    const firstFrame = entry ? nextFrame(entry.value, takeover, this.ttlMs, config) : 0;
    const sentAt = performance.now();
    // The claim records where the numbering goes on, should this node die before renewing.
    const record: LeaseRecord = {
      node: this.nodeId,
      frame: firstFrame - 1,
      rate: 0,
      at: Date.now(),
    };
    let revision: number;
    try {
      revision = entry
        ? await this.#buckets.leases.update(key, JSON.stringify(record), entry.revision)
        : await this.#buckets.leases.create(key, JSON.stringify(record));
    } catch (error) {
      if (isConflict(error)) this.counters.conflicts++;
      else this.#hooks.log?.(`cluster: could not claim "${id}": ${(error as Error).message}`);
      return false;
    }
    if (takeover) this.counters.takeovers++;
    else this.counters.claims++;
    this.#held.set(id, {
      revision,
      renewedAt: sentAt,
      validUntil: sentAt + this.ttlMs * VALID_FRACTION,
      firstFrame,
    });
    this.leases.noteWrite(key, record, revision);
    this.#hooks.log?.(
      `cluster: ${takeover ? `took over "${id}" from ${entry!.value.node}` : `claimed "${id}"`}`,
    );
    this.#queue(id, async () => {
      try {
        await this.#hooks.start(id, config, firstFrame);
      } catch (error) {
        this.#hooks.log?.(`cluster: "${id}" did not start: ${(error as Error).message}`);
      }
    });
    return true;
  }

  /** Runs `op` after the stream's earlier starts and stops. */
  #queue(id: string, op: () => Promise<void>): Promise<void> {
    const next = (this.#ops.get(id) ?? Promise.resolve()).then(op).catch((error) =>
      this.#hooks.log?.(`cluster: "${id}": ${(error as Error).message}`)
    );
    this.#ops.set(id, next);
    next.finally(() => {
      if (this.#ops.get(id) === next) this.#ops.delete(id);
    });
    return next;
  }

  /** Gives a lease back: the stream stops, then the lease is written free (with its frame
   * count) or deleted (a stream no longer desired). Beside the loop, as starts are. */
  #release(id: string, stillDesired: boolean): void {
    const held = this.#held.get(id);
    if (!held) return;
    this.#held.delete(id);
    this.counters.releases++;
    this.#queue(id, async () => {
      await this.#hooks.stop(id, stillDesired ? "placed on another node" : "removed");
      const key = kvKey(id);
      try {
        if (stillDesired) {
          const record = this.#record(id, null, held);
          const revision = await this.#buckets.leases.update(
            key,
            JSON.stringify(record),
            held.revision,
          );
          this.leases.noteWrite(key, record, revision);
        } else {
          await this.#buckets.leases.delete(key, { previousSeq: held.revision });
          this.leases.noteDelete(key);
        }
      } catch { /* taken over meanwhile: nothing to give back */ }
    });
  }

  /** Stops the loop, gives back every lease (streams stopped) and removes the heartbeat. */
  async leave(): Promise<void> {
    if (this.#left) return;
    this.#left = true;
    clearInterval(this.#timer);
    await this.#ticking;
    for (const id of [...this.#held.keys()]) this.#release(id, true);
    await Promise.all(this.#ops.values());
    await this.#buckets.nodes.delete(kvKey(this.nodeId)).catch(() => {});
    if (this.#ownViews) {
      await Promise.all([this.streams.close(), this.leases.close(), this.nodes.close()]);
    }
  }

  /** Stops the loop and the watchers without writing anything (a node that dies). */
  async abandon(): Promise<void> {
    this.#left = true;
    clearInterval(this.#timer);
    await this.#ticking;
    if (this.#ownViews) {
      await Promise.all([this.streams.close(), this.leases.close(), this.nodes.close()]);
    }
  }
}
