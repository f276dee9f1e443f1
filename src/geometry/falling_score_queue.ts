/**
 * A max-priority queue for float32 scores that only ever fall, as in Soft-NMS: items
 * come out by highest score, ties going to the lowest rank (mmcv's working-array
 * position, which changes as boxes are swapped around).
 *
 * Scores are bucketed by their float bits (bits order non-negative floats), highest
 * first. A falling score is not re-filed when it falls: an item sits in a bucket at or
 * above its true one and is moved down only when a pop scans that bucket. Since the
 * maximum only falls too, the scan position only moves down, so a pop costs O(1)
 * amortized plus the size of the top bucket, against the O(log N) walks a tournament
 * tree needs for every re-ranking. Ranks are read when a bucket is scanned, so a rank
 * change costs nothing either.
 *
 * The one bad case for buckets is many equal scores, which all land in one bucket that
 * every pop scans. When those scans add up to more than a few times the item count, the
 * queue hands over to a {@link MaxTree} keyed by (score, rank), whose cost does not
 * depend on ties.
 *
 * @module
 */

import { MaxTree } from "./max_tree.ts";
import { reusable } from "./reusable.ts";

/** Most buckets: 0.3% wide ones for scores from 1e-3 to 1, and still cheap to clear. */
const MAX_BUCKETS = 4096;

/**
 * Queue over items `0 .. n-1` with scores in a `Float32Array` that the caller lowers in
 * place, ranks in an `Int32Array`, and `live` flags: an item is queued while its flag is
 * 1. {@link FallingScoreQueue.pop} clears the flag of the item it returns; an item that
 * the caller removes otherwise gets its flag cleared and {@link FallingScoreQueue.removed}
 * called. Call {@link FallingScoreQueue.rankChanged} after changing a live item's rank.
 * Scores must not rise, and must stay at or above the `floor` given to `reset` (NaN
 * scores are tolerated: they come out in some order, never hang the queue).
 *
 * @example Highest score first, ties to the lowest rank
 * ```ts
 * import assert from "node:assert/strict";
 * const scores = new Float32Array([0.5, 0.9, 0.9, 0.7]);
 * const ranks = new Int32Array([0, 3, 1, 2]);
 * const live = new Uint8Array([1, 1, 1, 1]);
 * const queue = new FallingScoreQueue().reset(scores, ranks, live, 4, 0);
 * assert.equal(queue.pop(), 2); // 0.9 at rank 1 beats 0.9 at rank 3
 * scores[1] = 0.6; // falls below item 3
 * assert.equal(queue.pop(), 3);
 * assert.equal(queue.pop(), 1);
 * live[0] = 0; // removed by the caller
 * queue.removed(0);
 * assert.equal(queue.pop(), -1);
 * ```
 *
 * @example All scores equal: rank order (the queue moves to its tree on the way)
 * ```ts
 * import assert from "node:assert/strict";
 * const n = 1000;
 * const scores = new Float32Array(n).fill(0.5);
 * const ranks = Int32Array.from({ length: n }, (_, k) => n - 1 - k);
 * const live = new Uint8Array(n).fill(1);
 * const queue = new FallingScoreQueue().reset(scores, ranks, live, n, 0);
 * for (let k = n - 1; k >= n - 10; k--) assert.equal(queue.pop(), k);
 * ranks[0] = -1; // now the lowest rank
 * queue.rankChanged(0);
 * live[1] = 0;
 * queue.removed(1);
 * assert.equal(queue.pop(), 0);
 * for (let k = n - 11; k >= 2; k--) assert.equal(queue.pop(), k);
 * assert.equal(queue.pop(), -1);
 * ```
 */
export class FallingScoreQueue {
  private scores: Float32Array = new Float32Array(0);
  private bits: Uint32Array = new Uint32Array(0);
  private ranks: Int32Array = new Int32Array(0);
  private live: Uint8Array = new Uint8Array(0);
  private head: Int32Array = new Int32Array(0);
  private next: Int32Array = new Int32Array(0);
  private n = 0;
  /** Float bits of the highest score; bucket of a score = `(top - bits) >>> shift`. */
  private top = 0;
  private shift = 0;
  private buckets = 0;
  /** First bucket that may hold items: every live item's true bucket is at or after it. */
  private cursor = 0;
  /** Scan work left before ties make the tree the better structure. */
  private budget = 0;
  private tree: MaxTree | null = null;
  private bound: Float32Array = new Float32Array(0);
  private readonly headBuffer = reusable((n) => new Int32Array(n));
  private readonly nextBuffer = reusable((n) => new Int32Array(n));
  private readonly boundBuffer = reusable((n) => new Float32Array(n));
  private readonly maxTree = new MaxTree();

  /** Queues the live items among `0 .. n-1`; every live score must be >= `floor`. */
  reset(scores: Float32Array, ranks: Int32Array, live: Uint8Array, n: number, floor: number): this {
    this.scores = scores;
    if (this.bits.buffer !== scores.buffer || this.bits.byteOffset !== scores.byteOffset) {
      this.bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
    }
    this.ranks = ranks;
    this.live = live;
    this.n = n;
    this.tree = null;
    this.budget = 4 * n + 256;
    const bits = this.bits;
    let top = 0;
    for (let k = 0; k < n; k++) {
      // Non-negative scores: bits grow with the value (-0 counts as 0; NaN is left out).
      const b = bits[k] & 0x7fffffff;
      if (live[k] !== 0 && b > top && b <= 0x7f800000) top = b;
    }
    const range = Math.max(0, top - (floatBits(Math.max(floor, 0)) & 0x7fffffff));
    let shift = 0;
    while (range >>> shift >= MAX_BUCKETS) shift++;
    const buckets = (range >>> shift) + 1;
    const head = this.headBuffer(buckets).fill(-1, 0, buckets), next = this.nextBuffer(n);
    this.top = top;
    this.shift = shift;
    this.buckets = buckets;
    for (let k = n - 1; k >= 0; k--) {
      if (live[k] === 0) continue;
      const b = this.bucketOf(k);
      next[k] = head[b];
      head[b] = k;
    }
    this.head = head;
    this.next = next;
    this.cursor = 0;
    return this;
  }

  /** Removes and returns the live item with the highest score, lowest rank first; -1 if none. */
  pop(): number {
    if (this.tree !== null) return this.popTree(this.tree);
    const head = this.head, next = this.next, live = this.live, scores = this.scores;
    const ranks = this.ranks, bits = this.bits, buckets = this.buckets, top = this.top;
    const shift = this.shift;
    let c = this.cursor;
    for (;;) {
      while (c < buckets && head[c] < 0) c++;
      if (c === buckets) {
        this.cursor = c;
        return -1;
      }
      // Scan bucket c: drop removed items, move fallen ones down, keep the rest and pick
      // the best of them. Nothing outside bucket c can beat a score that is truly in it.
      let best = -1, bestScore = 0, bestRank = 0, kept = -1, candidates = 0;
      for (let x = head[c]; x >= 0;) {
        const following = next[x];
        if (live[x] !== 0) {
          // As bucketOf(x).
          const b = Math.min(buckets - 1, (top - (bits[x] & 0x7fffffff)) >>> shift);
          if (b !== c) {
            next[x] = head[b];
            head[b] = x;
          } else {
            next[x] = kept;
            kept = x;
            candidates++;
            const v = scores[x], r = ranks[x];
            if (best < 0 || v > bestScore || (v === bestScore && r < bestRank)) {
              best = x;
              bestScore = v;
              bestRank = r;
            }
          }
        }
        x = following;
      }
      head[c] = kept;
      if (best < 0) {
        c++;
        continue;
      }
      this.cursor = c;
      live[best] = 0; // unlinked by the next scan of its bucket
      this.budget -= candidates - 1;
      if (this.budget < 0) this.toTree();
      return best;
    }
  }

  /** Records that live `item`'s rank changed. */
  rankChanged(item: number): void {
    if (this.tree !== null) this.tree.update(item);
  }

  /** Records that `item` was removed by the caller (its live flag cleared). */
  removed(item: number): void {
    if (this.tree === null) return; // buckets skip it when they meet it
    this.bound[item] = -Infinity;
    this.tree.update(item);
  }

  private bucketOf(item: number): number {
    // NaN bits exceed `top`: the unsigned shift makes them huge, and they go last.
    return Math.min(this.buckets - 1, (this.top - (this.bits[item] & 0x7fffffff)) >>> this.shift);
  }

  /** Hands the live items over to a tournament tree on (score, rank). */
  private toTree(): void {
    const n = this.n, live = this.live, scores = this.scores;
    const bound = this.bound = this.boundBuffer(n);
    for (let k = 0; k < n; k++) bound[k] = live[k] !== 0 ? scores[k] : -Infinity;
    this.tree = this.maxTree.reset(bound.subarray(0, n), this.ranks);
  }

  private popTree(tree: MaxTree): number {
    const bound = this.bound, scores = this.scores;
    // The tree ranks items by the score they had when last updated: a winner whose
    // score has fallen since is re-ranked until the winner is current, and so the best.
    let at = tree.top();
    while (at >= 0 && bound[at] > scores[at]) {
      bound[at] = scores[at];
      tree.update(at);
      at = tree.top();
    }
    if (at < 0 || bound[at] === -Infinity) return -1;
    this.live[at] = 0;
    bound[at] = -Infinity;
    tree.update(at);
    return at;
  }
}

const bitView = new Float32Array(1), bitWord = new Uint32Array(bitView.buffer);

/** The bits of `v` rounded to float32. */
function floatBits(v: number): number {
  bitView[0] = v;
  return bitWord[0];
}
