/**
 * A shortcut to lap's answer when the answer is unique. ByteTrack calls `lap.lapjv(cost,
 * extend_cost=True, cost_limit=L)`, which pads the `rows × cols` matrix with `L / 2` and a
 * zero corner. A padded assignment that pairs the real rows and columns M costs
 * `Σ_M (c − L) + (rows + cols)·L/2`, so lapjv's pairs are a matching of least
 * `Σ_M (c − L)`: only pairs costing less than L can be in it, and pairs that do not share a
 * row or column through such pairs (different connected components) do not interact.
 *
 * Where every component is small and its best matching beats every other by a clear
 * margin, the least matching is unique, so lapjv — an exact solver, whatever its
 * tie-breaking — returns exactly it, and so does this shortcut, without solving the
 * (rows + cols)² problem. Anything else (a large component, a tie or near-tie, a cost at
 * the limit) returns `null`, and the caller runs lapjv.
 *
 * @module
 */

/** Components larger than this (rows or columns) are left to lapjv. */
const MAX_SIDE = 6;
/** Matchings closer than this in total are treated as tied (lapjv's rounding is far finer). */
const MARGIN = 1e-9;

/**
 * The unique least-cost matching of the pairs costing less than `limit`, as
 * `x` (row → column or -1) and `y` (column → row or -1), or `null` when it may not be
 * unique or a component is too large to check. `pairs` (positions `i·cols + j`), when
 * given, lists every entry that may cost less than 1: the others are taken to be exactly 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const out = uniqueAssignment(new Float64Array([0.1, 1, 1, 0.3]), 2, 2, 0.8)!;
 * assert.deepEqual([...out.x], [0, 1]);
 * assert.equal(uniqueAssignment(new Float64Array([0.5, 0.5]), 1, 2, 0.8), null); // a tie
 * ```
 */
export function uniqueAssignment(
  cost: Float64Array,
  rows: number,
  cols: number,
  limit: number,
  pairs?: readonly number[],
): { x: Int32Array; y: Int32Array } | null {
  const edge = limit + MARGIN;
  // The candidate pairs: below the limit (or within the margin above it).
  const candidates: number[] = [];
  if (pairs && 1 >= edge) {
    for (const e of pairs) if (cost[e] < edge) candidates.push(e);
  } else {
    for (let e = 0; e < rows * cols; e++) if (cost[e] < edge) candidates.push(e);
  }
  const rowDegree = new Int32Array(rows), colDegree = new Int32Array(cols);
  for (const e of candidates) {
    rowDegree[Math.floor(e / cols)]++;
    colDegree[e % cols]++;
  }
  const x = new Int32Array(rows).fill(-1), y = new Int32Array(cols).fill(-1);
  // A pair alone in its row and column is a component of its own: taken when it clearly
  // costs less than the limit. Others go to the union-find below.
  const joined: number[] = [];
  for (const e of candidates) {
    const i = Math.floor(e / cols), j = e % cols;
    if (rowDegree[i] > 1 || colDegree[j] > 1) {
      joined.push(e);
    } else if (cost[e] < limit - MARGIN) {
      x[i] = j;
      y[j] = i;
    } else {
      return null;
    }
  }
  if (joined.length === 0) return { x, y };
  // Union-find over rows (0..rows) and columns (rows..rows+cols) joined by candidate pairs.
  const parent = new Int32Array(rows + cols);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (a: number) => {
    while (parent[a] !== a) a = parent[a] = parent[parent[a]];
    return a;
  };
  for (const e of joined) {
    const a = find(Math.floor(e / cols)), b = find(rows + (e % cols));
    if (a !== b) parent[a] = b;
  }
  const members = new Map<number, { rows: number[]; cols: number[] }>();
  const seen = new Uint8Array(rows + cols);
  for (const e of joined) {
    for (const node of [Math.floor(e / cols), rows + (e % cols)]) {
      if (seen[node]) continue;
      seen[node] = 1;
      const root = find(node);
      let m = members.get(root);
      if (!m) members.set(root, m = { rows: [], cols: [] });
      const side = node < rows ? m.rows : m.cols;
      side.push(node < rows ? node : node - rows);
      if (side.length > MAX_SIDE) return null;
    }
  }
  for (const m of members.values()) {
    if (!bestMatching(cost, cols, limit, m.rows, m.cols, x, y)) return null;
  }
  return { x, y };
}

/**
 * Enumerates every matching of one component (pairs costing less than `limit + MARGIN`),
 * writes the best into `x`, `y` and returns true when it beats the runner-up by `MARGIN`.
 */
function bestMatching(
  cost: Float64Array,
  cols: number,
  limit: number,
  rowList: number[],
  colList: number[],
  x: Int32Array,
  y: Int32Array,
): boolean {
  const r = rowList.length;
  const used = new Uint8Array(colList.length);
  const pick = new Int32Array(r).fill(-1), bestPick = new Int32Array(r);
  let best = Infinity, second = Infinity;
  const visit = (k: number, total: number) => {
    if (k === r) {
      if (total < best) {
        second = best;
        best = total;
        bestPick.set(pick);
      } else if (total < second) {
        second = total;
      }
      return;
    }
    pick[k] = -1;
    visit(k + 1, total);
    const row = rowList[k] * cols;
    for (let c = 0; c < colList.length; c++) {
      if (used[c]) continue;
      const w = cost[row + colList[c]];
      if (!(w < limit + MARGIN)) continue;
      used[c] = 1;
      pick[k] = c;
      visit(k + 1, total + (w - limit));
      used[c] = 0;
    }
    pick[k] = -1;
  };
  visit(0, 0);
  if (!(second - best > MARGIN)) return false;
  for (let k = 0; k < r; k++) {
    if (bestPick[k] < 0) continue;
    x[rowList[k]] = colList[bestPick[k]];
    y[colList[bestPick[k]]] = rowList[k];
  }
  return true;
}
