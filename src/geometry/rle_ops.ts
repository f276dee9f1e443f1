/**
 * Area, bounding box and union / intersection of COCO RLE masks, computed on the runs
 * as pycocotools' `maskApi.c` does (`rleArea`, `rleToBbox`, `rleMerge`), quirks
 * included.
 *
 * @module
 */

import type { Rle, UncompressedRle } from "../types.ts";
import { parseRle, type RleRuns, runsToRle } from "./rle.ts";
import { describe } from "../describe.ts";

/**
 * Number of pixels set: the sum of the odd runs (pycocotools' `rleArea`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(countsArea(new Uint32Array([3, 2, 1, 2, 4])), 4);
 * ```
 */
export function countsArea(counts: Uint32Array): number {
  let area = 0;
  for (let j = 1; j < counts.length; j += 2) area += counts[j];
  return area;
}

/**
 * Bounding box `[x, y, w, h]` of runs, as pycocotools' `rleToBbox`, written into
 * `out[offset..offset + 3]`. Its quirks stay: a run of ones that crosses a column
 * boundary makes the box span the full height, an empty mask gives `[0, 0, 0, 0]`, and
 * the arithmetic is 32-bit unsigned (zero-length runs at the start wrap around as in C).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const box = new Float64Array(4);
 * countsToBbox(new Uint32Array([3, 2, 1, 2, 4]), 3, 4, box, 0);
 * assert.deepEqual([...box], [1, 0, 2, 2]);
 * ```
 */
export function countsToBbox(
  counts: Uint32Array,
  height: number,
  width: number,
  out: Float64Array,
  offset: number,
): void {
  const h = height >>> 0;
  const m = counts.length & ~1;
  if (m === 0 || h === 0 || width === 0) {
    out[offset] =
      out[offset + 1] =
      out[offset + 2] =
      out[offset + 3] =
        0;
    return;
  }
  let xs = width >>> 0;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  let xp = 0;
  for (let j = 0; j < m; j++) {
    cc = (cc + counts[j]) >>> 0;
    const t = (cc - (j & 1)) >>> 0;
    const y = t % h;
    const x = (t - y) / h;
    if ((j & 1) === 0) xp = x;
    else if (xp < x) {
      ys = 0;
      ye = h - 1;
    }
    if (x < xs) xs = x;
    if (x > xe) xe = x;
    if (y < ys) ys = y;
    if (y > ye) ye = y;
  }
  out[offset] = xs;
  out[offset + 1] = ys;
  out[offset + 2] = xe - xs + 1;
  out[offset + 3] = ye - ys + 1;
}

/**
 * Union (or intersection) of two run sequences over the same size, as one step of
 * pycocotools' `rleMerge` (the same loop, so the same runs, zero-length ones included).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // 1×4: pixels 0..1 and pixels 1..2
 * const a = new Uint32Array([0, 2, 2]);
 * const b = new Uint32Array([1, 2, 1]);
 * assert.deepEqual([...mergeCounts(a, b, false)], [0, 3, 1]);
 * assert.deepEqual([...mergeCounts(a, b, true)], [1, 1, 2]);
 * ```
 */
export function mergeCounts(a: Uint32Array, b: Uint32Array, intersect: boolean): Uint32Array {
  const out = new Uint32Array(a.length + b.length + 1);
  let m = 0;
  let ca = a.length > 0 ? a[0] : 0;
  let cb = b.length > 0 ? b[0] : 0;
  let v = 0;
  let va = 0;
  let vb = 0;
  let ia = 1;
  let ib = 1;
  let cc = 0;
  let ct = 1;
  while (ct > 0) {
    const c = ca < cb ? ca : cb;
    cc += c;
    ct = 0;
    ca -= c;
    if (ca === 0 && ia < a.length) {
      ca = a[ia++];
      va ^= 1;
    }
    ct += ca;
    cb -= c;
    if (cb === 0 && ib < b.length) {
      cb = b[ib++];
      vb ^= 1;
    }
    ct += cb;
    const vp = v;
    v = intersect ? va & vb : va | vb;
    if (v !== vp || ct === 0) {
      out[m++] = cc;
      cc = 0;
    }
  }
  return out.slice(0, m);
}

/**
 * Area (pixels set) of an RLE mask, as `pycocotools.mask.area`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(rleArea({ size: [3, 4], counts: "32103" }), 4);
 * assert.equal(rleArea({ size: [3, 4], counts: [3, 2, 1, 2, 4] }), 4);
 * ```
 */
export function rleArea(rle: Rle | UncompressedRle): number {
  return countsArea(parseRle("rleArea", "rle", rle).counts);
}

/**
 * Bounding box `[x, y, width, height]` of an RLE mask, as `pycocotools.mask.toBbox`
 * (see {@link countsToBbox} for its quirks: a mask whose runs cross a column boundary
 * gets the full image height).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(rleToBbox({ size: [3, 4], counts: "32103" }), [1, 0, 2, 2]);
 * assert.deepEqual(rleToBbox({ size: [3, 4], counts: [12] }), [0, 0, 0, 0]);
 * ```
 */
export function rleToBbox(rle: Rle | UncompressedRle): [number, number, number, number] {
  const runs = parseRle("rleToBbox", "rle", rle);
  const box = new Float64Array(4);
  countsToBbox(runs.counts, runs.height, runs.width, box, 0);
  return [box[0], box[1], box[2], box[3]];
}

/**
 * Merges parsed runs of one size (union, or intersection when `intersect`), as
 * pycocotools' `rleMerge`: none gives an empty 0×0 mask, one is returned as it is.
 * `fn` and `name` label the size-mismatch error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const a = { height: 1, width: 4, counts: new Uint32Array([0, 2, 2]) };
 * const b = { height: 1, width: 4, counts: new Uint32Array([1, 2, 1]) };
 * assert.deepEqual([...mergeRuns([a, b], false, "myOp", "masks").counts], [0, 3, 1]);
 * ```
 */
export function mergeRuns(runs: RleRuns[], intersect: boolean, fn: string, name: string): RleRuns {
  if (runs.length === 0) return { height: 0, width: 0, counts: new Uint32Array(0) };
  const { height, width } = runs[0];
  let counts = runs[0].counts;
  for (let i = 1; i < runs.length; i++) {
    const r = runs[i];
    if (r.height !== height || r.width !== width) {
      throw new RangeError(
        `${fn}(): ${name}[${i}].size: expected [${height}, ${width}] as ${name}[0], found ` +
          `[${r.height}, ${r.width}]`,
      );
    }
    counts = mergeCounts(counts, r.counts, intersect);
  }
  return { height, width, counts };
}

/**
 * Union (default) or intersection of RLE masks of one size, as
 * `pycocotools.mask.merge(rles, intersect)`. An empty list gives the empty 0×0 RLE as
 * pycocotools does; masks of different sizes are a `RangeError` (pycocotools returns
 * an empty 0×0 RLE then).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const a = { size: [1, 4] as [number, number], counts: [0, 2, 2] };
 * const b = { size: [1, 4] as [number, number], counts: [1, 2, 1] };
 * assert.equal(rleArea(rleMerge([a, b])), 3);
 * assert.equal(rleArea(rleMerge([a, b], true)), 1);
 * ```
 */
export function rleMerge(rles: (Rle | UncompressedRle)[], intersect = false): Rle {
  if (!Array.isArray(rles)) {
    throw new TypeError(
      `rleMerge(): rles: expected an Array of RLE objects, found ${describe(rles)}`,
    );
  }
  if (typeof intersect !== "boolean") {
    throw new TypeError(`rleMerge(): intersect: expected a boolean, found ${describe(intersect)}`);
  }
  const runs = rles.map((r, i) => parseRle("rleMerge", `rles[${i}]`, r));
  return runsToRle(mergeRuns(runs, intersect, "rleMerge", "rles"));
}
