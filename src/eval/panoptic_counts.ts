/**
 * Per-image counting of `panopticQuality()` (`panoptic_quality.ts`): a segment table
 * compacted to dense indices, and the pixels of every (ground-truth segment, predicted
 * segment) pair, counted per run of equal pixels. The IoUs, matches and errors are
 * computed from them in `panoptic_quality.ts`.
 *
 * @module
 */

import { checkSegment } from "./panoptic_checks.ts";
import type { PanopticGroundTruthSegment, PanopticPredictionSegment } from "./panoptic_types.ts";

/** Above this many (gt, pred) cells an image counts its intersections in a `Map`. */
const DENSE_CELLS = 1 << 20;

/**
 * The segments of one image, compacted: dense index 1..count in increasing id order
 * (index 0 is void). Built by `compactSegments()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const list = [{ id: 9, categoryId: 1 }];
 * const segments: Segments = compactSegments("groundTruth[0]", list, "", true);
 * assert.equal(segments.index.get(9), 1);
 * assert.equal(segments.category[1], 1);
 * ```
 */
export interface Segments {
  /** Distinct segment ids. */
  count: number;
  /** Dense index of each segment id. */
  index: Map<number, number>;
  /** Segment id of each dense index. */
  ids: Float64Array;
  /** Category id of each dense index. */
  category: Float64Array;
  /** 1 for a crowd segment (ground truth only), 0 otherwise. */
  crowd: Uint8Array;
  /** Given area, or NaN. */
  area: Float64Array;
  /** Position in `segments` of the entry used (the last one of its id). */
  position: Int32Array;
  /** Dense indices in the order of first appearance (a Python dict's order). */
  order: Int32Array;
}

/**
 * Compacts a segment table, checking it (a repeated id: the last entry wins, at the
 * place of its first). `name` is the image's (`groundTruth[i]`, `predictions[j]`),
 * `image` ends the error messages, `isGt` reads `isCrowd` (or the deprecated `iscrowd`)
 * and `area` too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const segments = [
 *   { id: 8, categoryId: 1, isCrowd: true, area: 10 },
 *   { id: 2, categoryId: 5 },
 *   { id: 8, categoryId: 1, isCrowd: false },
 * ];
 * const g = compactSegments("groundTruth[0]", segments, " (image 1)", true);
 * assert.equal(g.count, 2);
 * assert.deepEqual([...g.ids], [0, 2, 8]); // dense index 1 is id 2, 2 is id 8
 * assert.deepEqual([...g.position], [0, 1, 2]); // id 8 from segments[2]
 * assert.deepEqual([...g.crowd], [0, 0, 0, 0]);
 * assert.deepEqual([...g.order], [2, 1]); // id 8 first, as listed
 * ```
 */
export function compactSegments(
  name: string,
  segments: readonly (PanopticGroundTruthSegment | PanopticPredictionSegment)[],
  image: string,
  isGt: boolean,
): Segments {
  const last = new Map<number, number>();
  const crowd = new Uint8Array(segments.length);
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    crowd[i] = checkSegment(`${name}.segments[${i}]`, s, image, isGt);
    last.set(s.id, i);
  }
  const count = last.size;
  const sorted = [...last.keys()].sort((a, b) => a - b);
  const out: Segments = {
    count,
    index: new Map(),
    ids: new Float64Array(count + 1),
    category: new Float64Array(count + 1),
    crowd: new Uint8Array(count + 2),
    area: new Float64Array(count + 1).fill(NaN),
    position: new Int32Array(count + 1),
    order: new Int32Array(count),
  };
  for (let k = 1; k <= count; k++) {
    const id = sorted[k - 1], position = last.get(id)!;
    const s = segments[position] as PanopticGroundTruthSegment;
    out.index.set(id, k);
    out.ids[k] = id;
    out.category[k] = s.categoryId;
    out.position[k] = position;
    if (isGt) {
      out.crowd[k] = crowd[position];
      if (s.area !== undefined) out.area[k] = s.area;
    }
  }
  let k = 0;
  for (const id of last.keys()) out.order[k++] = out.index.get(id)!;
  return out;
}

/**
 * The pixels of one image per (ground-truth row `r`, predicted column `c`) cell of a
 * `(g.count + 2) × (p.count + 2)` table. Row 0 is ground-truth void, row `g.count + 1`
 * the ground-truth ids listed nowhere; column 0 is predicted void, column `p.count + 1`
 * the predicted ids listed nowhere. Built by `countIntersections()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const g = compactSegments("groundTruth[0]", [{ id: 1, categoryId: 1 }], "", true);
 * const [gtIds, predIds] = [new Int32Array([1, 0]), new Int32Array([1, 1])];
 * const counts: Intersections = countIntersections(g, g, gtIds, predIds);
 * assert.equal(counts.stride, 3);
 * assert.deepEqual(counts.keys, [1, 4]); // cells (0, 1) and (1, 1)
 * ```
 */
export interface Intersections {
  /** Columns of the table, `p.count + 2`: cell `(r, c)` has key `r * stride + c`. */
  stride: number;
  /** Keys of the non-zero cells, increasing (by gt id, then pred id, as np.unique). */
  keys: number[];
  /** Pixels of cell `(r, c)`. */
  cell: (r: number, c: number) => number;
  /** Pixels of each column (predicted areas), `stride` long. */
  predArea: Float64Array;
  /** Pixels of each row (counted ground-truth areas), `g.count + 2` long. */
  gtCounted: Float64Array;
  /** The least predicted id of the map listed nowhere, Infinity when none. */
  unlisted: number;
}

/**
 * Counts the pixels of every (ground-truth, predicted) pair of one image, per run of
 * equal (gt, pred) pixels: in a typed array up to 2^20 cells, in a `Map` above.
 * `gtIds` and `predIds` are the row-major id maps, of the same length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const g = compactSegments("groundTruth[0]", [{ id: 7, categoryId: 1 }], "", true);
 * const p = compactSegments("predictions[0]", [{ id: 3, categoryId: 1 }], "", false);
 * const counts = countIntersections(g, p, new Int32Array([7, 7, 0]), new Int32Array([3, 0, 3]));
 * assert.equal(counts.cell(1, 1), 1); // gt 7 ∩ pred 3
 * assert.equal(counts.cell(0, 1), 1); // pred 3 on void
 * assert.deepEqual([...counts.predArea], [1, 2, 0]);
 * assert.deepEqual([...counts.gtCounted], [1, 2, 0]);
 * assert.equal(counts.unlisted, Infinity);
 * ```
 */
export function countIntersections(
  g: Segments,
  p: Segments,
  gtIds: Int32Array,
  predIds: Int32Array,
): Intersections {
  const n = gtIds.length;
  const otherRow = g.count + 1, otherCol = p.count + 1, stride = p.count + 2;
  const cells = (g.count + 2) * stride;
  const dense = cells <= DENSE_CELLS ? new Uint32Array(cells) : null;
  const sparse = dense ? null : new Map<number, number>();
  const G = gtIds, P = predIds;
  let unlisted = Infinity;
  const row = (id: number) => id === 0 ? 0 : g.index.get(id) ?? otherRow;
  const col = (id: number) => {
    if (id === 0) return 0;
    const c = p.index.get(id);
    if (c !== undefined) return c;
    if (id < unlisted) unlisted = id;
    return otherCol;
  };
  const add = (key: number, count: number) => {
    if (dense) dense[key] += count;
    else sparse!.set(key, (sparse!.get(key) ?? 0) + count);
  };
  if (n > 0) {
    let lastG = G[0], lastP = P[0], r = row(lastG), c = col(lastP), start = 0;
    for (let i = 1; i < n; i++) {
      const a = G[i], b = P[i];
      if (a === lastG && b === lastP) continue;
      add(r * stride + c, i - start);
      start = i;
      if (a !== lastG) r = row(lastG = a);
      if (b !== lastP) c = col(lastP = b);
    }
    add(r * stride + c, n - start);
  }
  const cell = dense
    ? (r: number, c: number) => dense[r * stride + c]
    : (r: number, c: number) => sparse!.get(r * stride + c) ?? 0;
  // Non-zero cells in increasing (gt id, pred id) order, as np.unique gives them.
  const keys = dense ? [] as number[] : [...sparse!.keys()].sort((x, y) => x - y);
  if (dense) { for (let k = 0; k < cells; k++) if (dense[k] !== 0) keys.push(k); }
  const predArea = new Float64Array(stride), gtCounted = new Float64Array(g.count + 2);
  for (const k of keys) {
    const r = Math.floor(k / stride), c = k - r * stride, v = cell(r, c);
    predArea[c] += v;
    gtCounted[r] += v;
  }
  return { stride, keys, cell, predArea, gtCounted, unlisted };
}
