/**
 * A live copy of a JetStream KV bucket: every key's value, its revision, and when this
 * process last saw the revision change (its own monotonic clock). Liveness in the cluster
 * is judged from that local time, never from another machine's clock: a lease or a node
 * heartbeat whose revision has not changed for the TTL is stale.
 *
 * @module
 */

import type { KV, KvWatchEntry } from "@nats-io/kv";

/** A key as the view holds it. */
export interface ViewEntry<T> {
  value: T;
  /** The KV revision (the stream sequence of the last write). */
  revision: number;
  /** `performance.now()` when this process saw this revision. */
  seenAt: number;
}

/**
 * Watches a bucket and keeps its last values.
 *
 * @example
 * ```ts ignore
 * const leases = await KvView.open<Lease>(kv);
 * const entry = leases.get("cam1"); // { value, revision, seenAt }
 * await leases.close();
 * ```
 */
export class KvView<T> {
  #entries = new Map<string, ViewEntry<T>>();
  #done: Promise<void>;
  #stop: () => void;
  #listeners = new Set<(key: string, entry: ViewEntry<T> | undefined) => void>();

  private constructor(iterator: AsyncIterable<KvWatchEntry> & { stop(): void }) {
    this.#stop = () => iterator.stop();
    this.#done = (async () => {
      for await (const e of iterator) this.#apply(e);
    })().catch(() => {});
  }

  /** Starts watching `kv` (every key) and resolves once the current values are in. */
  static async open<T>(kv: KV): Promise<KvView<T>> {
    const status = await kv.status();
    const iterator = await kv.watch({ key: ">" });
    const view = new KvView<T>(iterator);
    // The watcher replays the last value of every key first: wait until the view has
    // caught up with the bucket's last sequence as it was when watching began.
    const last = status.streamInfo.state.last_seq;
    const deadline = performance.now() + 5000;
    while (view.#maxRevision < last && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return view;
  }

  #maxRevision = 0;

  #apply(e: KvWatchEntry): void {
    this.#maxRevision = Math.max(this.#maxRevision, e.revision);
    if (e.operation !== "PUT") {
      if (this.#entries.delete(e.key)) this.#tell(e.key, undefined);
      return;
    }
    let value: T;
    try {
      value = e.json<T>();
    } catch {
      return; // not ours: a bucket of the cluster holds JSON only
    }
    const old = this.#entries.get(e.key);
    if (old && old.revision >= e.revision) return;
    const entry = { value, revision: e.revision, seenAt: performance.now() };
    this.#entries.set(e.key, entry);
    this.#tell(e.key, entry);
  }

  #tell(key: string, entry: ViewEntry<T> | undefined): void {
    for (const listener of this.#listeners) listener(key, entry);
  }

  /** Records a write this process made (its revision), ahead of the watcher. */
  noteWrite(key: string, value: T, revision: number): void {
    const old = this.#entries.get(key);
    if (old && old.revision >= revision) return;
    const entry = { value, revision, seenAt: performance.now() };
    this.#entries.set(key, entry);
    this.#tell(key, entry);
  }

  /** Forgets a key this process deleted, ahead of the watcher. */
  noteDelete(key: string): void {
    if (this.#entries.delete(key)) this.#tell(key, undefined);
  }

  /** A key's entry, or undefined. */
  get(key: string): ViewEntry<T> | undefined {
    return this.#entries.get(key);
  }

  /** Every key and its entry. */
  entries(): IterableIterator<[string, ViewEntry<T>]> {
    return this.#entries.entries();
  }

  /** Keys held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether a key's revision has not changed for `ttlMs` (as this process saw it). */
  stale(key: string, ttlMs: number, now: number = performance.now()): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && now - entry.seenAt > ttlMs;
  }

  /** Calls `listener` on every change (undefined: deleted); returns the remover. */
  onChange(listener: (key: string, entry: ViewEntry<T> | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops watching. */
  async close(): Promise<void> {
    this.#stop();
    await this.#done;
  }
}
