/**
 * The Jonker-Volgenant linear assignment solver of gatagat/lap (`lap.lapjv`, 0.5.13), ported
 * line by line from `_lapjv_cpp/lapjv.cpp` (`lapjv_internal` and its steps: column reduction
 * and reduction transfer, two rounds of augmenting row reduction, then shortest augmenting
 * paths) and from `_lapjv_cpp/_lapjv.pyx` (the `extend_cost` / `cost_limit` padding and the
 * unpadding of the result). Every comparison, loop order and swap is the C code's, so ties
 * among equal costs resolve to the same assignment as `lap.lapjv`: ByteTrack's matches
 * depend on it, its IoU costs tie at 1.0 wherever boxes do not overlap.
 *
 * The only departures are in memory. The padded matrix is not built: `Padded` hands out
 * each row (C's `cost[i]`) from the caller's `rows × cols` block and the pad's constants
 * (with `cost_limit`: `cost_limit / 2` right of and below the block, 0 in the corner), the
 * same numbers without writing and re-reading (rows + cols)² of them; the column minima of
 * `_ccrrt_dense` over a pad take its first row's value, which is what the C loop's strict
 * `<` keeps. The work arrays (C's per-call `malloc`s) are kept between calls; each is fully
 * reinitialised where C initialises it.
 *
 * @module
 */

import { lapjvInternal } from "./lapjv_steps.ts";

/** Options of {@link lapjv}, as `lap.lapjv(cost, extend_cost, cost_limit)`. */
export interface LapjvOptions {
  /** Pad a non-square matrix with zeros to a square one (`extend_cost`; default false). */
  extendCost?: boolean;
  /** Upper limit of a single assignment's cost (`cost_limit`; default Infinity): the matrix
   * is padded to (rows + cols)² with `costLimit / 2`, so a pair costing more stays unassigned. */
  costLimit?: number;
}

/** Result of {@link lapjv}: lap's `(opt, x, y)`. */
export interface LapjvResult {
  /** Total cost of the assigned pairs. */
  cost: number;
  /** Per row, its column (-1: unassigned). */
  x: Int32Array;
  /** Per column, its row (-1: unassigned). */
  y: Int32Array;
}

/**
 * Solves the linear assignment problem on a `rows × cols` row-major cost matrix, exactly as
 * `lap.lapjv(cost, extend_cost, cost_limit)`: a square matrix unless `extendCost`, padding
 * with `costLimit / 2` when `costLimit` is finite, unassigned rows and columns as -1.
 *
 * @example Two tracks, three detections, ByteTrack's call
 * ```ts
 * import assert from "node:assert/strict";
 * const cost = new Float64Array([0.2, 0.9, 1, 1, 0.3, 0.1]);
 * const { x, y } = lapjv(cost, 2, 3, { extendCost: true, costLimit: 0.8 });
 * assert.deepEqual([...x], [0, 2]);
 * assert.deepEqual([...y], [0, -1, 1]);
 * ```
 */
export function lapjv(
  cost: Float64Array,
  rows: number,
  cols: number,
  options: LapjvOptions = {},
): LapjvResult {
  const extendCost = options.extendCost ?? false;
  const costLimit = options.costLimit ?? Infinity;
  if (cost.length !== rows * cols) {
    throw new RangeError(
      `lapjv(): cost: expected ${rows}×${cols} = ${
        rows * cols
      } numbers, found length ${cost.length}`,
    );
  }
  if (rows !== cols && !extendCost) {
    throw new RangeError(
      `lapjv(): cost: expected a square matrix (or extendCost: true), found ${rows}×${cols}`,
    );
  }
  const { x, y } = lapjvScratch(cost, rows, cols, extendCost, costLimit);
  let total = 0;
  for (let i = 0; i < rows; i++) if (x[i] !== -1) total += cost[i * cols + x[i]];
  return { cost: total, x: x.slice(0, rows), y: y.slice(0, cols) };
}

/**
 * {@link lapjv} without its checks and its total, into work arrays that the next call
 * overwrites: `x` holds the first `rows` entries, `y` the first `cols`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const { x } = lapjvScratch(new Float64Array([0.2, 0.9, 0.9, 0.1]), 2, 2, true, 0.8);
 * assert.deepEqual([...x.subarray(0, 2)], [0, 1]);
 * ```
 */
export function lapjvScratch(
  cost: Float64Array,
  rows: number,
  cols: number,
  extendCost: boolean,
  costLimit: number,
): { x: Int32Array; y: Int32Array } {
  // _lapjv.pyx: cost_limit pads to (rows + cols)² with cost_limit / 2 and a zero corner;
  // extend_cost alone pads to max(rows, cols)² with zeros.
  const limited = costLimit < Infinity;
  const n = limited ? rows + cols : extendCost ? Math.max(rows, cols) : rows;
  const pad = limited ? costLimit / 2 : 0;
  const s = scratch(n);
  const { x, y } = s;
  if (n > 0) lapjvInternal(new Padded(n, rows, cols, cost, pad, pad, 0, s), x, y, s);
  if (limited || extendCost) {
    for (let i = 0; i < n; i++) if (x[i] >= cols) x[i] = -1;
    for (let j = 0; j < n; j++) if (y[j] >= rows) y[j] = -1;
  }
  return s;
}

/**
 * The n×n matrix lapjv solves: the caller's `rows × cols` block at the top left, `right`
 * beside it, `below` under it, `corner` in the rest. `row(i)` plays the part of C's row
 * pointer `cost[i]`.
 *
 * @example `lap.lapjv`'s padding of a 1×2 block with `cost_limit` 0.8
 * ```ts
 * import assert from "node:assert/strict";
 * const m = new Padded(3, 1, 2, new Float64Array([0.1, 0.9]), 0.4, 0.4, 0, scratch(3));
 * assert.deepEqual([...m.row(0).subarray(0, 3)], [0.1, 0.9, 0.4]);
 * assert.deepEqual([...m.row(2).subarray(0, 3)], [0.4, 0.4, 0]);
 * ```
 */
export class Padded {
  readonly #padRow: Float64Array;
  readonly #realRow: Float64Array;
  #loaded = -1;

  constructor(
    readonly n: number,
    readonly rows: number,
    readonly cols: number,
    readonly block: Float64Array,
    readonly right: number,
    readonly below: number,
    readonly corner: number,
    s: Scratch,
  ) {
    this.#padRow = s.padRow.fill(below, 0, cols).fill(corner, cols, n);
    this.#realRow = s.realRow.fill(right, cols, n);
  }

  /** Row i (valid until the next call). */
  row(i: number): Float64Array {
    if (i >= this.rows) return this.#padRow;
    if (i !== this.#loaded) {
      this.#realRow.set(this.block.subarray(i * this.cols, (i + 1) * this.cols));
      this.#loaded = i;
    }
    return this.#realRow;
  }
}

/** Work arrays, kept between calls (lapjv is synchronous); all of length ≥ n, used up to n. */
export interface Scratch {
  x: Int32Array;
  y: Int32Array;
  freeRows: Int32Array;
  v: Float64Array;
  unique: Uint8Array;
  pred: Int32Array;
  cols: Int32Array;
  d: Float64Array;
  bounds: Int32Array;
  padRow: Float64Array;
  realRow: Float64Array;
}

let kept: Scratch | undefined;

/**
 * The work arrays, grown to hold n (shared by every call: lapjv is synchronous).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(scratch(100).v.length >= 100);
 * ```
 */
export function scratch(n: number): Scratch {
  if (!kept || kept.v.length < n) {
    const size = Math.max(n, 2 * (kept?.v.length ?? 32));
    kept = {
      x: new Int32Array(size),
      y: new Int32Array(size),
      freeRows: new Int32Array(size),
      v: new Float64Array(size),
      unique: new Uint8Array(size),
      pred: new Int32Array(size),
      cols: new Int32Array(size),
      d: new Float64Array(size),
      bounds: new Int32Array(2),
      padRow: new Float64Array(size),
      realRow: new Float64Array(size),
    };
  }
  return kept;
}
