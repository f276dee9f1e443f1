/**
 * A tournament tree over the slots of a score array: the root holds the slot with the
 * highest score, ties going to the lower slot, which is the order mmcv's Soft-NMS scans
 * its working arrays in. Changing one slot's score costs O(log N) at worst, and when a
 * score only falls, usually a step or two: the walk stops as soon as a subtree's winner
 * is unaffected.
 *
 * @module
 */

import { reusable } from "./reusable.ts";

/**
 * Max-tree over `scores` (one entry per slot; `-Infinity` marks an empty slot). After
 * changing `scores[slot]`, call `update(slot)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const scores = new Float32Array([0.5, 0.9, 0.9, 0.1]);
 * const tree = new MaxTree(scores);
 * assert.equal(tree.top(), 1); // the lower of two equal slots wins
 * scores[1] = 0.2;
 * tree.update(1);
 * assert.equal(tree.top(), 2);
 * ```
 */
export class MaxTree {
  private scores: Float32Array = new Float32Array(0);
  private win: Int32Array = new Int32Array(2);
  private leaves = 1;
  private readonly buffer = reusable((n) => new Int32Array(n));

  /** Builds the tree over `scores` (see {@link MaxTree.reset}). */
  constructor(scores?: Float32Array) {
    if (scores !== undefined) this.reset(scores);
  }

  /** Rebuilds the tree over `scores`, keeping its working memory. */
  reset(scores: Float32Array): this {
    this.scores = scores;
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

  /** Slot with the highest score (lowest slot among equals); -1 when empty. */
  top(): number {
    return this.win[1];
  }

  /** Re-ranks `slot` after its score changed. */
  update(slot: number): void {
    const win = this.win, scores = this.scores;
    for (let node = (this.leaves + slot) >> 1; node >= 1; node >>= 1) {
      const before = win[node], a = win[2 * node], b = win[2 * node + 1];
      // The left child's slots are all lower: ties keep it.
      const after = a < 0 ? b : b < 0 ? a : scores[b] > scores[a] ? b : a;
      // Unchanged winner that is not the changed slot: nothing above can change.
      if (after === before && before !== slot) return;
      win[node] = after;
    }
  }

  private better(a: number, b: number): number {
    if (a < 0) return b;
    if (b < 0) return a;
    const sa = this.scores[a], sb = this.scores[b];
    return sb > sa ? b : a; // a < b always (left subtree): ties keep a
  }
}
