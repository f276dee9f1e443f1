/**
 * A tournament tree over the entries of a score array: the root holds the entry with
 * the highest score, ties going to the lower rank (or, without ranks, the lower index).
 * Changing one entry's score or rank costs O(log N) at worst, and when a score only
 * falls, usually a step or two: the walk stops as soon as a subtree's winner is
 * unaffected.
 *
 * @module
 */

import { reusable } from "./reusable.ts";

/**
 * Max-tree over `scores` (one entry per item; `-Infinity` marks an empty one), ties
 * broken by `ranks` when given, else by index. After changing `scores[item]` or
 * `ranks[item]`, call `update(item)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const scores = new Float32Array([0.5, 0.9, 0.9, 0.1]);
 * const tree = new MaxTree(scores);
 * assert.equal(tree.top(), 1); // the lower of two equal entries wins
 * scores[1] = 0.2;
 * tree.update(1);
 * assert.equal(tree.top(), 2);
 * const ranks = new Int32Array([0, 5, 4, 3]);
 * scores[1] = 0.9;
 * tree.reset(scores, ranks);
 * assert.equal(tree.top(), 2); // equal scores: rank 4 beats rank 5
 * ```
 */
export class MaxTree {
  private scores: Float32Array = new Float32Array(0);
  private ranks: Int32Array | null = null;
  private win: Int32Array = new Int32Array(2);
  private leaves = 1;
  private readonly buffer = reusable((n) => new Int32Array(n));

  /** Builds the tree over `scores` (see {@link MaxTree.reset}). */
  constructor(scores?: Float32Array, ranks: Int32Array | null = null) {
    if (scores !== undefined) this.reset(scores, ranks);
  }

  /** Rebuilds the tree over `scores` (and `ranks`), keeping its working memory. */
  reset(scores: Float32Array, ranks: Int32Array | null = null): this {
    this.scores = scores;
    this.ranks = ranks;
    let leaves = 1;
    while (leaves < scores.length) leaves *= 2;
    this.leaves = leaves;
    const win = this.buffer(2 * leaves).fill(-1, 0, 2 * leaves);
    for (let s = 0; s < scores.length; s++) win[leaves + s] = s;
    for (let node = leaves - 1; node >= 1; node--) {
      win[node] = this.better(win[2 * node], win[2 * node + 1]);
    }
    this.win = win;
    return this;
  }

  /** Entry with the highest score (lowest rank among equals); -1 when empty. */
  top(): number {
    return this.win[1];
  }

  /** Re-ranks `item` after its score or rank changed. */
  update(item: number): void {
    const win = this.win;
    for (let node = (this.leaves + item) >> 1; node >= 1; node >>= 1) {
      const before = win[node];
      const after = this.better(win[2 * node], win[2 * node + 1]);
      // Unchanged winner that is not the changed entry: nothing above can change.
      if (after === before && before !== item) return;
      win[node] = after;
    }
  }

  /** The better of two entries; `a` is the left one, so it has the lower index. */
  private better(a: number, b: number): number {
    if (a < 0) return b;
    if (b < 0) return a;
    const sa = this.scores[a], sb = this.scores[b];
    if (sb > sa) return b;
    const ranks = this.ranks;
    return sb === sa && ranks !== null && ranks[b] < ranks[a] ? b : a;
  }
}
