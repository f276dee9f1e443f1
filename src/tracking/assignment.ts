/**
 * ByteTrack's `matching.linear_assignment`: `lap.lapjv(cost, extend_cost=True,
 * cost_limit=thresh)`, read back as matched pairs and unmatched rows and columns. When the
 * answer is provably unique (unique_assignment.ts), it is taken without running lapjv.
 *
 * @module
 */

import { lapjvScratch } from "./lapjv.ts";
import { uniqueAssignment } from "./unique_assignment.ts";

/** Matched pairs (in row order) and the unmatched rows and columns (ascending). */
export interface Assignment {
  /** Matched rows, one per pair. */
  rows: number[];
  /** Matched columns, parallel to `rows`. */
  cols: number[];
  unmatchedRows: number[];
  unmatchedCols: number[];
}

/**
 * Assigns rows to columns of a `rows × cols` cost matrix with no pair costing more than
 * `thresh`, as ByteTrack's `linear_assignment(cost, thresh)`. `alwaysLapjv` skips the
 * unique-answer shortcut (for tests and comparisons); `pairs` lists the entries that may be
 * below 1 (associationCost's), so the shortcut need not scan the whole matrix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const a = linearAssignment(new Float64Array([0.1, 0.9, 0.95, 0.2]), 2, 2, 0.8);
 * assert.deepEqual(a.rows, [0, 1]);
 * assert.deepEqual(a.cols, [0, 1]);
 * assert.deepEqual(linearAssignment(new Float64Array(0), 0, 3, 0.8).unmatchedCols, [0, 1, 2]);
 * ```
 */
export function linearAssignment(
  cost: Float64Array,
  rows: number,
  cols: number,
  thresh: number,
  options: { alwaysLapjv?: boolean; pairs?: readonly number[] } = {},
): Assignment {
  const out: Assignment = { rows: [], cols: [], unmatchedRows: [], unmatchedCols: [] };
  if (rows === 0 || cols === 0) {
    for (let i = 0; i < rows; i++) out.unmatchedRows.push(i);
    for (let j = 0; j < cols; j++) out.unmatchedCols.push(j);
    return out;
  }
  const unique = options.alwaysLapjv
    ? null
    : uniqueAssignment(cost, rows, cols, thresh, options.pairs);
  const { x, y } = unique ?? lapjvScratch(cost, rows, cols, true, thresh);
  for (let i = 0; i < rows; i++) {
    if (x[i] >= 0) {
      out.rows.push(i);
      out.cols.push(x[i]);
    } else {
      out.unmatchedRows.push(i);
    }
  }
  for (let j = 0; j < cols; j++) if (y[j] < 0) out.unmatchedCols.push(j);
  return out;
}
