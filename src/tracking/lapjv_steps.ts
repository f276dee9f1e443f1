/**
 * The steps of lap's `lapjv_internal` (`_lapjv_cpp/lapjv.cpp`), line by line: column
 * reduction and reduction transfer (`_ccrrt_dense`), augmenting row reduction
 * (`_carr_dense`), and shortest augmenting paths (`_ca_dense`, `find_path_dense`,
 * `_find_dense`, `_scan_dense`). lapjv.ts has the entry and the padded matrix.
 *
 * @module
 */

import type { Padded, Scratch } from "./lapjv.ts";

/** lap's `LARGE`: the initial column minimum and row-reduction minimum. */
const LARGE = 1000000;

/**
 * `lapjv_internal`: solves the square n×n problem `m` into `x` (row → column) and `y`
 * (column → row), with the work arrays `s`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lapjvScratch } from "./lapjv.ts";
 * // lapjvScratch pads the matrix and calls lapjvInternal.
 * const { x } = lapjvScratch(new Float64Array([1, 0, 0, 1]), 2, 2, false, Infinity);
 * assert.deepEqual([...x.subarray(0, 2)], [1, 0]);
 * ```
 */
export function lapjvInternal(m: Padded, x: Int32Array, y: Int32Array, s: Scratch): void {
  const { freeRows, v } = s;
  let ret = ccrrtDense(m, freeRows, x, y, v, s.unique);
  let i = 0;
  while (ret > 0 && i < 2) {
    ret = carrDense(m, ret, freeRows, x, y, v);
    i++;
  }
  if (ret > 0) caDense(m, ret, freeRows, x, y, v, s);
}

/** `_ccrrt_dense`: column reduction and reduction transfer; returns the free rows' count. */
function ccrrtDense(
  m: Padded,
  freeRows: Int32Array,
  x: Int32Array,
  y: Int32Array,
  v: Float64Array,
  unique: Uint8Array,
): number {
  const { n, rows, cols, block } = m;
  for (let i = 0; i < n; i++) {
    x[i] = -1;
    v[i] = LARGE;
    y[i] = 0;
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const c = block[i * cols + j];
      if (c < v[j]) {
        v[j] = c;
        y[j] = i;
      }
    }
  }
  // The pads: over rows of equal cost, only the first can lower a column's minimum.
  for (let j = 0; j < n; j++) {
    if (j >= cols && rows > 0 && m.right < v[j]) {
      v[j] = m.right;
      y[j] = 0;
    }
    const pad = j < cols ? m.below : m.corner;
    if (rows < n && pad < v[j]) {
      v[j] = pad;
      y[j] = rows;
    }
  }
  unique.fill(1, 0, n);
  {
    let j = n;
    do {
      j--;
      const i = y[j];
      if (x[i] < 0) {
        x[i] = j;
      } else {
        unique[i] = 0;
        y[j] = -1;
      }
    } while (j > 0);
  }
  let nFreeRows = 0;
  for (let i = 0; i < n; i++) {
    if (x[i] < 0) {
      freeRows[nFreeRows++] = i;
    } else if (unique[i]) {
      const j = x[i];
      const row = m.row(i);
      let min = LARGE;
      for (let j2 = 0; j2 < n; j2++) {
        if (j2 === j) continue;
        const c = row[j2] - v[j2];
        if (c < min) min = c;
      }
      v[j] -= min;
    }
  }
  return nFreeRows;
}

/** `_carr_dense`: augmenting row reduction; returns the new count of free rows. */
function carrDense(
  m: Padded,
  nFreeRows: number,
  freeRows: Int32Array,
  x: Int32Array,
  y: Int32Array,
  v: Float64Array,
): number {
  const n = m.n;
  let current = 0;
  let newFreeRows = 0;
  let rrCnt = 0;
  while (current < nFreeRows) {
    rrCnt++;
    const freeI = freeRows[current++];
    const row = m.row(freeI);
    let j1 = 0;
    let v1 = row[0] - v[0];
    let j2 = -1;
    let v2 = LARGE;
    for (let j = 1; j < n; j++) {
      const c = row[j] - v[j];
      if (c < v2) {
        if (c >= v1) {
          v2 = c;
          j2 = j;
        } else {
          v2 = v1;
          v1 = c;
          j2 = j1;
          j1 = j;
        }
      }
    }
    let i0 = y[j1];
    const v1New = v[j1] - (v2 - v1);
    const v1Lowers = v1New < v[j1];
    if (rrCnt < current * n) {
      if (v1Lowers) {
        v[j1] = v1New;
      } else if (i0 >= 0 && j2 >= 0) {
        j1 = j2;
        i0 = y[j2];
      }
      if (i0 >= 0) {
        if (v1Lowers) {
          freeRows[--current] = i0;
        } else {
          freeRows[newFreeRows++] = i0;
        }
      }
    } else if (i0 >= 0) {
      freeRows[newFreeRows++] = i0;
    }
    x[freeI] = j1;
    y[j1] = freeI;
  }
  return newFreeRows;
}

/** `_find_dense`: moves the columns of minimum `d` to the SCAN list; returns its new end. */
function findDense(n: number, lo: number, d: Float64Array, cols: Int32Array): number {
  let hi = lo + 1;
  let mind = d[cols[lo]];
  for (let k = hi; k < n; k++) {
    const j = cols[k];
    if (d[j] <= mind) {
      if (d[j] < mind) {
        hi = lo;
        mind = d[j];
      }
      cols[k] = cols[hi];
      cols[hi++] = j;
    }
  }
  return hi;
}

/**
 * `_scan_dense`: scans the SCAN columns `cols[lo..hi)` and lowers `d` of the TODO columns;
 * returns a free column reached at the minimum, or -1. `bounds` holds `lo, hi` (in and out).
 */
function scanDense(
  m: Padded,
  bounds: Int32Array,
  d: Float64Array,
  cols: Int32Array,
  pred: Int32Array,
  y: Int32Array,
  v: Float64Array,
): number {
  const n = m.n;
  let lo = bounds[0];
  let hi = bounds[1];
  while (lo !== hi) {
    let j = cols[lo++];
    const i = y[j];
    const row = m.row(i);
    const mind = d[j];
    const h = row[j] - v[j] - mind;
    for (let k = hi; k < n; k++) {
      j = cols[k];
      const credIJ = row[j] - v[j] - h;
      if (credIJ < d[j]) {
        d[j] = credIJ;
        pred[j] = i;
        if (credIJ === mind) {
          if (y[j] < 0) return j;
          cols[k] = cols[hi];
          cols[hi++] = j;
        }
      }
    }
  }
  bounds[0] = lo;
  bounds[1] = hi;
  return -1;
}

/** `find_path_dense`: one Dijkstra-like search from `startI`; returns the closest free column. */
function findPathDense(
  m: Padded,
  startI: number,
  y: Int32Array,
  v: Float64Array,
  pred: Int32Array,
  cols: Int32Array,
  d: Float64Array,
  bounds: Int32Array,
): number {
  const n = m.n;
  bounds[0] = 0;
  bounds[1] = 0;
  let finalJ = -1;
  let nReady = 0;
  const row = m.row(startI);
  for (let i = 0; i < n; i++) {
    cols[i] = i;
    pred[i] = startI;
    d[i] = row[i] - v[i];
  }
  while (finalJ === -1) {
    if (bounds[0] === bounds[1]) {
      const lo = bounds[0];
      nReady = lo;
      const hi = findDense(n, lo, d, cols);
      bounds[1] = hi;
      for (let k = lo; k < hi; k++) {
        const j = cols[k];
        if (y[j] < 0) finalJ = j;
      }
    }
    if (finalJ === -1) finalJ = scanDense(m, bounds, d, cols, pred, y, v);
  }
  const mind = d[cols[bounds[0]]];
  for (let k = 0; k < nReady; k++) {
    const j = cols[k];
    v[j] += d[j] - mind;
  }
  return finalJ;
}

/** `_ca_dense`: augments along the shortest path of each remaining free row. */
function caDense(
  m: Padded,
  nFreeRows: number,
  freeRows: Int32Array,
  x: Int32Array,
  y: Int32Array,
  v: Float64Array,
  s: Scratch,
): void {
  const n = m.n;
  const { pred, cols, d, bounds } = s;
  for (let f = 0; f < nFreeRows; f++) {
    const freeI = freeRows[f];
    let i = -1;
    let j = findPathDense(m, freeI, y, v, pred, cols, d, bounds);
    let k = 0;
    while (i !== freeI) {
      i = pred[j];
      y[j] = i;
      const temp = j;
      j = x[i];
      x[i] = temp;
      if (++k > n) throw new Error("lapjv(): internal error: augmenting path longer than n");
    }
  }
}
