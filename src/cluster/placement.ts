/**
 * Which streams a node should claim, take over or release: a pure function of what the
 * node sees in the cluster's KV buckets (the live nodes and their capacities, the desired
 * streams, the live leases). Every node runs it on its own view; compare-and-swap on the
 * lease bucket makes exactly one claimant win, so views need not agree.
 *
 * The rule: the streams are spread evenly over the live nodes, each at most its capacity
 * (water-filling: a node's quota is the even share, capped by its capacity; what capped
 * nodes cannot take is shared by the others). A node under its quota claims free streams
 * (no lease, or a lease not renewed within the TTL) in the order of its rendezvous weight
 * for them (highest random weight hashing: the same stream ranks the nodes in the same
 * order on every node, so claimants rarely collide); a node over its quota releases the
 * surplus, those it ranks lowest first.
 *
 * @module
 */

/** A live node as the cluster sees it. */
export interface NodeView {
  id: string;
  /** Streams it may run. */
  capacity: number;
}

/** What a node should do now. */
export interface PlacementDecision {
  /** Free streams (no lease, a stale one, or one given back), best first: the node claims
   * down this list until `wanted` claims succeeded (others may win some). */
  claim: string[];
  /** How many more streams the node should hold (its quota less what it holds). */
  wanted: number;
  /** Streams it holds and should give up (over its quota, or no longer desired). */
  release: string[];
  /** The node's quota now. */
  quota: number;
}

/**
 * A stream's rendezvous weight for a node (FNV-1a of `stream \0 node`, 32 bits): higher
 * ranks first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(rendezvousWeight("cam1", "a"), rendezvousWeight("cam1", "a"));
 * assert.notEqual(rendezvousWeight("cam1", "a"), rendezvousWeight("cam1", "b"));
 * ```
 */
export function rendezvousWeight(stream: string, node: string): number {
  let h = 0x811c9dc5;
  const text = `${stream}\0${node}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A final avalanche (murmur3's fmix32) so that ids differing in one character spread.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Each live node's quota for `streams` streams: the even share, capped by its capacity,
 * what capped nodes leave shared by the rest (water-filling); ties of the remainder go to
 * the nodes first in id order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const q = quotas([{ id: "a", capacity: 10 }, { id: "b", capacity: 10 }, { id: "c", capacity: 1 }], 7);
 * assert.deepEqual(Object.fromEntries(q), { a: 3, b: 3, c: 1 });
 * ```
 */
export function quotas(nodes: readonly NodeView[], streams: number): Map<string, number> {
  const order = [...nodes].sort((x, y) =>
    x.capacity - y.capacity || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)
  );
  const out = new Map<string, number>();
  let left = streams;
  // Capped nodes first: each takes min(capacity, an even share of what is left).
  for (let i = 0; i < order.length; i++) {
    const share = Math.floor(left / (order.length - i));
    const extra = left - share * (order.length - i);
    const node = order[i];
    // The uncapped rest share evenly; remainder units to the first ids.
    if (node.capacity >= share + (extra > 0 ? 1 : 0)) {
      const rest = order.slice(i).sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      let remainder = extra;
      for (const r of rest) {
        const q = Math.min(r.capacity, share + (remainder > 0 ? 1 : 0));
        if (q > share) remainder--;
        out.set(r.id, q);
      }
      return out;
    }
    out.set(node.id, node.capacity);
    left -= node.capacity;
  }
  return out;
}

/**
 * What node `me` should do now.
 *
 * - `nodes`: the live nodes (`me` among them).
 * - `desired`: every stream the cluster should run.
 * - `owners`: the owner of every stream with a live lease (stale and absent leases are free).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const nodes = [{ id: "a", capacity: 8 }, { id: "b", capacity: 8 }];
 * const d = decidePlacement("a", nodes, ["s1", "s2", "s3", "s4"], new Map([["s1", "a"], ["s2", "a"], ["s3", "a"]]));
 * assert.deepEqual([d.quota, d.wanted, d.claim.length, d.release.length], [2, 0, 0, 1]);
 * ```
 */
export function decidePlacement(
  me: string,
  nodes: readonly NodeView[],
  desired: readonly string[],
  owners: ReadonlyMap<string, string>,
): PlacementDecision {
  const quota = quotas(nodes, desired.length).get(me) ?? 0;
  const wanted = new Set(desired);
  const held: string[] = [];
  const release: string[] = [];
  for (const [stream, owner] of owners) {
    if (owner !== me) continue;
    if (wanted.has(stream)) held.push(stream);
    else release.push(stream);
  }
  const byWeight = (list: string[]) =>
    list.map((s) => ({ s, w: rendezvousWeight(s, me) }))
      .sort((x, y) => y.w - x.w || (x.s < y.s ? -1 : 1)).map((x) => x.s);
  const claim: string[] = [];
  if (held.length > quota) {
    release.push(...byWeight(held).slice(quota));
  } else if (held.length < quota) {
    claim.push(...byWeight(desired.filter((s) => !owners.has(s))));
  }
  return { claim, wanted: Math.max(0, quota - held.length), release, quota };
}
