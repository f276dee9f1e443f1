/**
 * All pairs of boxes that overlap with positive area, as adjacency lists, found by
 * sort-and-sweep: boxes sorted by `x1`; each box is compared only with the boxes that
 * start before it ends, and only their y extents need checking. For detector output
 * that examines each x-overlapping pair once, in memory order, which is several times
 * cheaper than querying a spatial index around every box.
 *
 * @module
 */

import { reusable } from "./reusable.ts";
import { argsortDescending, groupByLabel } from "./score_order.ts";

/**
 * Adjacency of the boxes (N×4 `x1, y1, x2, y2`) that overlap with positive area
 * (`min(x2) > max(x1)` and the same in y) and, when labels are given, share a label.
 * Empty, inverted and NaN boxes have no neighbours. The neighbours of box i are
 * `neighbours[start[i]] .. neighbours[start[i + 1] - 1]`.
 *
 * One instance can `build` for every call of an op: it keeps its working memory, and
 * `start` / `neighbours` stay valid until the next `build`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 10, 10, 5, 5, 15, 15, 9, 20, 12, 30]);
 * const { start, neighbours } = new OverlapAdjacency().build(boxes);
 * assert.deepEqual([...neighbours.subarray(start[0], start[1])], [1]);
 * assert.equal(start[3] - start[2], 0);
 * ```
 */
export class OverlapAdjacency {
  /** `start[i] .. start[i + 1]` indexes box i's neighbours (N + 1 entries used). */
  start: Int32Array = new Int32Array(1);
  /** Neighbour lists, concatenated. */
  neighbours: Int32Array = new Int32Array(0);
  private readonly key = reusable((n) => new Float32Array(n));
  private readonly order = reusable((n) => new Int32Array(n));
  private readonly sorted = reusable((n) => new Int32Array(n));
  private readonly x1 = reusable((n) => new Float32Array(n));
  private readonly y1 = reusable((n) => new Float32Array(n));
  private readonly x2 = reusable((n) => new Float32Array(n));
  private readonly y2 = reusable((n) => new Float32Array(n));
  private readonly groupEnd = reusable((n) => new Int32Array(n));
  private readonly pairs = reusable((n) => new Int32Array(n));
  private readonly degree = reusable((n) => new Int32Array(n));
  private readonly fill = reusable((n) => new Int32Array(n));
  private readonly list = reusable((n) => new Int32Array(n));

  /** Finds the overlapping pairs among the first `n` boxes. */
  build(
    boxes: Float32Array,
    labels: Int32Array | null = null,
    n: number = boxes.length >> 2,
  ): this {
    // Valid boxes, ordered by label, then by x1 (a stable sort by x1, then a stable
    // grouping by label; invalid boxes get -inf as key, sort last and are left out).
    const key = this.key(n);
    let m = 0;
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      const valid = boxes[o + 2] > boxes[o] && boxes[o + 3] > boxes[o + 1];
      key[i] = valid ? -boxes[o] : -Infinity;
      if (valid) m++;
    }
    let order: Int32Array = argsortDescending(key.subarray(0, n), this.order(n));
    if (labels !== null) order = groupByLabel(order.subarray(0, m), labels, this.sorted(m));
    const x1 = this.x1(m), y1 = this.y1(m), x2 = this.x2(m), y2 = this.y2(m);
    const groupEnd = this.groupEnd(m);
    for (let k = 0; k < m; k++) {
      const o = order[k] * 4;
      x1[k] = boxes[o];
      y1[k] = boxes[o + 1];
      x2[k] = boxes[o + 2];
      y2[k] = boxes[o + 3];
    }
    // Boxes of one label are contiguous: each box pairs only within its group.
    for (let k = m - 1; k >= 0; k--) {
      const same = k + 1 < m && (labels === null || labels[order[k]] === labels[order[k + 1]]);
      groupEnd[k] = same ? groupEnd[k + 1] : k + 1;
    }

    // Sweep: a box b after box a (in x1 order) overlaps it in x iff x1_b < x2_a, since
    // x2_b > x1_b >= x1_a. Pairs are stored as sorted positions, two per pair, written
    // branch-free (room for every candidate of `a` is made before its inner loop).
    let pairs: Int32Array = this.pairs(8 * m + 64), count = 0;
    for (let a = 0; a < m; a++) {
      const end = groupEnd[a];
      if (count + 2 * (end - a) > pairs.length) {
        const grown = this.pairs(2 * pairs.length + 2 * (end - a));
        grown.set(pairs.subarray(0, count));
        pairs = grown;
      }
      count = sweepOne(a, end, x1, y1, x2, y2, pairs, count);
    }
    const degree = this.degree(n + 1).fill(0, 0, n + 1);
    for (let k = 0; k < count; k += 2) {
      degree[order[pairs[k]] + 1]++;
      degree[order[pairs[k + 1]] + 1]++;
    }
    for (let i = 0; i < n; i++) degree[i + 1] += degree[i];
    const fill = this.fill(n);
    fill.set(degree.subarray(0, n));
    const neighbours = this.list(count);
    for (let k = 0; k < count; k += 2) {
      const a = order[pairs[k]], b = order[pairs[k + 1]];
      neighbours[fill[a]++] = b;
      neighbours[fill[b]++] = a;
    }
    this.start = degree;
    this.neighbours = neighbours;
    return this;
  }
}

/** Pairs of box `a` with the boxes after it up to `end`; returns the new pair count. */
function sweepOne(
  a: number,
  end: number,
  x1: Float32Array,
  y1: Float32Array,
  x2: Float32Array,
  y2: Float32Array,
  pairs: Int32Array,
  count: number,
): number {
  const ax2 = x2[a], ay1 = y1[a], ay2 = y2[a];
  for (let b = a + 1; b < end && x1[b] < ax2; b++) {
    pairs[count] = a;
    pairs[count + 1] = b;
    count += (+(y1[b] < ay2) & +(y2[b] > ay1)) << 1;
  }
  return count;
}
