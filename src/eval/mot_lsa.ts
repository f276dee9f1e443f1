/**
 * The linear sum assignment TrackEval calls (`scipy.optimize.linear_sum_assignment`),
 * ported from scipy's `rectangular_lsap.cpp` (scipy 1.6 to 1.13: Crouse's shortest
 * augmenting path, no initialisation, remaining columns scanned in reverse order, ties
 * broken towards a free column), so that matrices with tied optima give the same
 * assignment as scipy, not merely one of the same cost.
 *
 * @module
 */

/** An assignment: `rowInd[k]` is matched to `colInd[k]`; rows increasing. */
export interface Assignment {
  /** Matched rows, increasing. */
  rowInd: Int32Array;
  /** The column of each matched row. */
  colInd: Int32Array;
}

/**
 * `linear_sum_assignment(cost)` of a `rows × cols` row-major cost matrix (minimum total
 * cost; `min(rows, cols)` pairs, rows increasing). Costs must not be NaN or -∞.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const { rowInd, colInd } = linearSumAssignment(new Float64Array([4, 1, 3, 2, 0, 5, 3, 2, 2]), 3, 3);
 * assert.deepEqual([...rowInd], [0, 1, 2]);
 * assert.deepEqual([...colInd], [1, 0, 2]);
 * ```
 */
export function linearSumAssignment(cost: Float64Array, rows: number, cols: number): Assignment {
  if (rows === 0 || cols === 0) return { rowInd: new Int32Array(0), colInd: new Int32Array(0) };
  // tall rectangular cost matrix must be transposed
  const transpose = cols < rows;
  let nr = rows, nc = cols, c = cost;
  if (transpose) {
    c = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) c[j * rows + i] = cost[i * cols + j];
    }
    nr = cols;
    nc = rows;
  }
  for (let i = 0; i < nr * nc; i++) {
    if (c[i] !== c[i] || c[i] === -Infinity) {
      throw new RangeError(
        `linearSumAssignment(): cost[${i}]: expected a number > -Infinity, found ${c[i]}`,
      );
    }
  }

  const u = new Float64Array(nr);
  const v = new Float64Array(nc);
  const shortestPathCosts = new Float64Array(nc);
  const path = new Int32Array(nc).fill(-1);
  const col4row = new Int32Array(nr).fill(-1);
  const row4col = new Int32Array(nc).fill(-1);
  const sr = new Uint8Array(nr);
  const sc = new Uint8Array(nc);
  const remaining = new Int32Array(nc);

  for (let curRow = 0; curRow < nr; curRow++) {
    // augmenting_path: find the shortest augmenting path from curRow
    let minVal = 0;
    let numRemaining = nc;
    for (let it = 0; it < nc; it++) remaining[it] = nc - it - 1;
    sr.fill(0);
    sc.fill(0);
    shortestPathCosts.fill(Infinity);
    let i = curRow;
    let sink = -1;
    while (sink === -1) {
      let index = -1;
      let lowest = Infinity;
      sr[i] = 1;
      const row = i * nc;
      for (let it = 0; it < numRemaining; it++) {
        const j = remaining[it];
        const r = minVal + c[row + j] - u[i] - v[j];
        if (r < shortestPathCosts[j]) {
          path[j] = i;
          shortestPathCosts[j] = r;
        }
        // among equal costs, prefer a column that ends the path
        if (
          shortestPathCosts[j] < lowest || (shortestPathCosts[j] === lowest && row4col[j] === -1)
        ) {
          lowest = shortestPathCosts[j];
          index = it;
        }
      }
      minVal = lowest;
      if (minVal === Infinity) {
        throw new RangeError("linearSumAssignment(): cost: expected a feasible matrix, found none");
      }
      const j = remaining[index];
      if (row4col[j] === -1) sink = j;
      else i = row4col[j];
      sc[j] = 1;
      remaining[index] = remaining[--numRemaining];
    }

    // update dual variables
    u[curRow] += minVal;
    for (let r = 0; r < nr; r++) {
      if (sr[r] && r !== curRow) u[r] += minVal - shortestPathCosts[col4row[r]];
    }
    for (let j = 0; j < nc; j++) {
      if (sc[j]) v[j] -= minVal - shortestPathCosts[j];
    }

    // augment previous solution
    let j = sink;
    for (;;) {
      const r = path[j];
      row4col[j] = r;
      const previous = col4row[r];
      col4row[r] = j;
      j = previous;
      if (r === curRow) break;
    }
  }

  const rowInd = new Int32Array(nr);
  const colInd = new Int32Array(nr);
  if (transpose) {
    // argsort of col4row (its values are distinct)
    const order = Array.from(col4row.keys()).sort((a, b) => col4row[a] - col4row[b]);
    order.forEach((k, n) => {
      rowInd[n] = col4row[k];
      colInd[n] = k;
    });
  } else {
    for (let r = 0; r < nr; r++) {
      rowInd[r] = r;
      colInd[r] = col4row[r];
    }
  }
  return { rowInd, colInd };
}
