/**
 * A spatial index that answers "which boxes overlap box i with positive area?"
 * without looking at every box. NMS-like ops only change scores of boxes whose IoU is
 * above zero, so with the index their cost follows the number of overlapping pairs (a
 * few dozen per box in detector output) instead of N².
 *
 * It is a hierarchy of loose grids: level L has cells of side `c·2^L` and holds the
 * boxes whose longer side is at most that, each in the one cell that contains its
 * centre. A box overlapping a query box then has its centre within half a cell of it,
 * so a query visits about 2×2 cells per level whatever the mix of box sizes, and no box
 * is listed twice.
 *
 * @module
 */

import { reusable } from "./reusable.ts";

/** Levels above the base; boxes too large even for the last go to the `huge` list. */
const MAX_LEVEL = 24;

interface Level {
  /** Cell side. */
  size: number;
  cols: number;
  rows: number;
  /** Index of this level's first cell in the shared cell arrays. */
  base: number;
}

/** Cell index along one axis, clamped to `[0, cells)`. */
function cellOf(v: number, min: number, size: number, cells: number): number {
  const c = Math.floor((v - min) / size);
  return c < 0 ? 0 : c >= cells ? cells - 1 : c;
}

/**
 * Spatial index of the boxes of one `Float32Array` (N×4, `x1, y1, x2, y2`). Empty,
 * inverted and NaN boxes are not indexed: they overlap nothing with positive area.
 * Boxes can be removed (`remove`) once an op is done with them, which keeps later
 * queries short. One instance can be `reset` for every call of an op: it keeps its
 * working memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 10, 10, 5, 5, 15, 15, 50, 50, 60, 60]);
 * const grid = new BoxGrid(boxes);
 * const out = new Int32Array(4);
 * assert.deepEqual([...out.subarray(0, grid.overlapping(0, out))], [1]);
 * assert.equal(grid.overlapping(2, out), 0);
 * grid.remove(1);
 * assert.equal(grid.overlapping(0, out), 0);
 * ```
 */
export class BoxGrid {
  private boxes: Float32Array = new Float32Array(0);
  private levels: Level[] = [];
  private minX = 0;
  private minY = 0;
  /** Cell c holds the slots `cellStart[c] .. cellLive[c] - 1`. */
  private cellStart: Int32Array = new Int32Array(0);
  private cellLive: Int32Array = new Int32Array(0);
  /** Box index of each slot, and the box's coordinates in slot order (4 per slot). */
  private items: Int32Array = new Int32Array(0);
  private coords: Float32Array = new Float32Array(0);
  /** Cell and slot of each box (-1: not indexed or removed). */
  private cellOfBox: Int32Array = new Int32Array(0);
  private slotOfBox: Int32Array = new Int32Array(0);
  /** Boxes with an infinite side: checked on every query. */
  private huge: number[] = [];
  // Working memory kept between resets.
  private readonly level = reusable((n) => new Int8Array(n));
  private readonly cellStartBuffer = reusable((n) => new Int32Array(n));
  private readonly cellLiveBuffer = reusable((n) => new Int32Array(n));
  private readonly itemsBuffer = reusable((n) => new Int32Array(n));
  private readonly coordsBuffer = reusable((n) => new Float32Array(n));
  private readonly cellOfBoxBuffer = reusable((n) => new Int32Array(n));
  private readonly slotOfBoxBuffer = reusable((n) => new Int32Array(n));

  /** Indexes `boxes` (see {@link BoxGrid.reset}). */
  constructor(boxes?: Float32Array, n?: number) {
    if (boxes !== undefined) this.reset(boxes, n);
  }

  /**
   * Indexes the first `n` boxes of `boxes`, forgetting what was indexed before; the
   * instance keeps its working memory, so an op can hold one grid for all its calls.
   */
  reset(boxes: Float32Array, n: number = boxes.length >> 2): this {
    this.boxes = boxes;
    this.huge = [];
    this.levels = [];
    const level = this.level(n).fill(-1, 0, n);
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    let logSide = 0, valid = 0;
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      const w = boxes[o + 2] - boxes[o], h = boxes[o + 3] - boxes[o + 1];
      if (!(w > 0 && h > 0) || !(w < Infinity && h < Infinity)) continue;
      const cx = boxes[o] + w / 2, cy = boxes[o + 1] + h / 2;
      if (cx < minX) minX = cx;
      if (cx > maxX) maxX = cx;
      if (cy < minY) minY = cy;
      if (cy > maxY) maxY = cy;
      logSide += Math.log(Math.max(w, h));
      valid++;
    }
    this.minX = minX;
    this.minY = minY;
    // Base cell: the geometric mean of the boxes' longer sides, enlarged if the base
    // level would have more than ~4 cells per box.
    let base = valid > 0 ? Math.exp(logSide / valid) : 1;
    const cellsFor = (size: number) =>
      (Math.floor((maxX - minX) / size) + 1) * (Math.floor((maxY - minY) / size) + 1);
    while (valid > 0 && cellsFor(base) > 4 * valid + 16) base *= 2;

    let top = -1;
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      const w = boxes[o + 2] - boxes[o], h = boxes[o + 3] - boxes[o + 1];
      if (!(w > 0 && h > 0)) continue;
      const side = w > h ? w : h;
      let l = 0;
      for (let size = base; size < side && l <= MAX_LEVEL; size *= 2) l++;
      if (l > MAX_LEVEL) {
        this.huge.push(i);
        continue;
      }
      level[i] = l;
      if (l > top) top = l;
    }
    let cells = 0;
    for (let l = 0; l <= top; l++) {
      const size = base * 2 ** l;
      const cols = Math.floor((maxX - minX) / size) + 1,
        rows = Math.floor((maxY - minY) / size) + 1;
      this.levels.push({ size, cols, rows, base: cells });
      cells += cols * rows;
    }

    // Counting sort of the boxes into their cells.
    const cellOfBox = this.cellOfBoxBuffer(n).fill(-1, 0, n);
    const cellStart = this.cellStartBuffer(cells + 1).fill(0, 0, cells + 1);
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      if (level[i] < 0) continue;
      const lv = this.levels[level[i]];
      const cx = (boxes[o] + boxes[o + 2]) / 2, cy = (boxes[o + 1] + boxes[o + 3]) / 2;
      const c = lv.base + cellOf(cy, minY, lv.size, lv.rows) * lv.cols +
        cellOf(cx, minX, lv.size, lv.cols);
      cellOfBox[i] = c;
      cellStart[c + 1]++;
    }
    for (let c = 0; c < cells; c++) cellStart[c + 1] += cellStart[c];
    const total = cellStart[cells];
    const fill = this.cellLiveBuffer(cells);
    fill.set(cellStart.subarray(0, cells));
    const items = this.itemsBuffer(total), coords = this.coordsBuffer(total * 4);
    const slotOfBox = this.slotOfBoxBuffer(n).fill(-1, 0, n);
    for (let i = 0; i < n; i++) {
      if (cellOfBox[i] < 0) continue;
      const slot = fill[cellOfBox[i]]++;
      items[slot] = i;
      slotOfBox[i] = slot;
      const o = i * 4, p = slot * 4;
      coords[p] = boxes[o];
      coords[p + 1] = boxes[o + 1];
      coords[p + 2] = boxes[o + 2];
      coords[p + 3] = boxes[o + 3];
    }
    this.cellStart = cellStart;
    this.cellLive = fill;
    this.items = items;
    this.coords = coords;
    this.cellOfBox = cellOfBox;
    this.slotOfBox = slotOfBox;
    return this;
  }

  /**
   * Writes into `out` the indices `j != i` of the indexed (not removed) boxes that
   * overlap box `i` with positive area (`x1_j < x2_i`, `x2_j > x1_i`, same for y), in no
   * particular order, and returns how many. `out` must hold N + 1 entries.
   *
   * With `minIou > 0`, levels that cannot hold a box of IoU >= `minIou` with box i are
   * skipped (they may still be returned from the levels searched). IoU is at most the
   * ratio of the two boxes' longer sides: `inter <= shorter side * height of the box
   * with the longer side`, so `IoU <= s_small / s_large`.
   */
  overlapping(i: number, out: Int32Array, minIou = 0): number {
    const b = this.boxes, o = i * 4;
    const x1 = b[o], y1 = b[o + 1], x2 = b[o + 2], y2 = b[o + 3];
    if (!(x2 > x1 && y2 > y1)) return 0;
    const items = this.items, xy = this.coords, start = this.cellStart, live = this.cellLive;
    const minX = this.minX, minY = this.minY, levels = this.levels;
    let count = 0;
    let first = 0, last = levels.length - 1;
    if (minIou > 0 && levels.length > 0) {
      // Boxes with longer side in [minIou * s, s / minIou] live in levels
      // first..last: level l holds sides in (size_l / 2, size_l] (level 0: (0, size_0]).
      const side = Math.max(x2 - x1, y2 - y1);
      while (first < last && levels[first].size < minIou * side) first++;
      while (last > first && levels[last].size / 2 > side / minIou) last--;
    }
    for (let l = first; l <= last; l++) {
      const lv = levels[l], size = lv.size, cols = lv.cols;
      // A box of this level that overlaps has its centre within half a cell of the
      // query box (a little more, against rounding).
      const margin = size * 0.5000001;
      const c0 = cellOf(x1 - margin, minX, size, cols), c1 = cellOf(x2 + margin, minX, size, cols);
      const r0 = cellOf(y1 - margin, minY, size, lv.rows);
      const r1 = cellOf(y2 + margin, minY, size, lv.rows);
      for (let r = r0; r <= r1; r++) {
        for (let c = lv.base + r * cols + c0, last = c + c1 - c0; c <= last; c++) {
          for (let k = start[c], end = live[c]; k < end; k++) {
            // Branch-free: always write, advance only on a hit (hits are unpredictable).
            const p = k * 4, j = items[k];
            out[count] = j;
            count += +(xy[p] < x2) & +(xy[p + 2] > x1) & +(xy[p + 1] < y2) & +(xy[p + 3] > y1) &
              +(j !== i);
          }
        }
      }
    }
    for (const j of this.huge) {
      const p = j * 4;
      if (b[p] < x2 && b[p + 2] > x1 && b[p + 1] < y2 && b[p + 3] > y1 && j !== i) {
        out[count++] = j;
      }
    }
    return count;
  }

  /** Takes box `j` out of the index: later queries no longer return it. */
  remove(j: number): void {
    const slot = this.slotOfBox[j];
    if (slot < 0) {
      const h = this.huge.indexOf(j);
      if (h >= 0) this.huge.splice(h, 1);
      return;
    }
    const c = this.cellOfBox[j], last = --this.cellLive[c];
    const moved = this.items[last], xy = this.coords, to = slot * 4, from = last * 4;
    this.items[slot] = moved;
    this.slotOfBox[moved] = slot;
    xy[to] = xy[from];
    xy[to + 1] = xy[from + 1];
    xy[to + 2] = xy[from + 2];
    xy[to + 3] = xy[from + 3];
    this.slotOfBox[j] = -1;
  }
}
