/**
 * Polygon (and box) rasterisation into COCO RLE, an exact port of pycocotools'
 * `rleFrPoly` / `rleFrBbox` (`common/maskApi.c`) and of what
 * `maskUtils.merge(maskUtils.frPyObjects(polygons, h, w))` does with a polygon
 * segmentation (`COCO.annToRLE`).
 *
 * `rleFrPoly` upsamples the vertices by 5 (`(int)(5 * x + .5)`, truncating toward zero),
 * walks every edge pixel by pixel on that grid, keeps the points where the walk
 * crosses the centre of a pixel column, and turns their rows into runs. So a pixel
 * is set when its centre lies inside the polygon, give or take the rounding to a
 * fifth of a pixel; coordinates outside the image are clipped.
 *
 * @module
 */

import type { Rle } from "../types.ts";
import { type RleRuns, runsToRle } from "./rle.ts";
import { mergeRuns } from "./rle_ops.ts";
import { checkInteger } from "./validate.ts";
import { describe } from "../describe.ts";

const SCALE = 5;
/** `(int)` of a double outside this range is undefined in C; we refuse such coordinates. */
const INT_LIMIT = 2 ** 31;

/**
 * pycocotools' `rleFrPoly` on `k` points `xy = [x0, y0, x1, y1, ...]`: the run lengths
 * of the rasterised polygon (no checks; coordinates must be finite and
 * `|5 x + .5| < 2³¹`). A zero-size image gives the single run `[0]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // The 2×2 square (1, 1)-(3, 3) in a 4×4 image sets pixels x, y in 1..2
 * const counts = polygonToCounts([1, 1, 1, 3, 3, 3, 3, 1], 4, 4, 4);
 * assert.deepEqual([...counts], [5, 2, 2, 2, 5]);
 * ```
 */
export function polygonToCounts(
  xy: ArrayLike<number>,
  k: number,
  height: number,
  width: number,
): Uint32Array {
  if (height * width === 0) return new Uint32Array([0]);
  // Upsample and get discrete points densely along the entire boundary.
  const x = new Int32Array(k + 1);
  const y = new Int32Array(k + 1);
  for (let j = 0; j < k; j++) x[j] = Math.trunc(SCALE * xy[j * 2] + 0.5);
  x[k] = x[0];
  for (let j = 0; j < k; j++) y[j] = Math.trunc(SCALE * xy[j * 2 + 1] + 0.5);
  y[k] = y[0];
  let m = 0;
  for (let j = 0; j < k; j++) {
    m += Math.max(Math.abs(x[j] - x[j + 1]), Math.abs(y[j] - y[j + 1])) + 1;
  }
  const u = new Int32Array(m);
  const v = new Int32Array(m);
  m = 0;
  for (let j = 0; j < k; j++) {
    let xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      let t = xs;
      xs = xe;
      xe = t;
      t = ys;
      ys = ye;
      ye = t;
    }
    // dx = dy = 0 gives 0 / 0 = NaN as in C; that lone point's v is never read.
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u[m] = t + xs;
        v[m] = Math.trunc(ys + s * t + 0.5);
        m++;
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v[m] = t + ys;
        u[m] = Math.trunc(xs + s * t + 0.5);
        m++;
      }
    }
  }
  // Get points along the y-boundary and downsample.
  const bx = new Int32Array(m);
  const by = new Int32Array(m);
  let n = 0;
  for (let j = 1; j < m; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
    xd = (xd + 0.5) / SCALE - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > width - 1) continue;
    let yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
    yd = (yd + 0.5) / SCALE - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > height) yd = height;
    yd = Math.ceil(yd);
    bx[n] = xd;
    by[n] = yd;
    n++;
  }
  // Compute the RLE encoding given the y-boundary points.
  const a = new Uint32Array(n + 1);
  for (let j = 0; j < n; j++) a[j] = bx[j] * height + by[j];
  a[n] = height * width;
  a.sort();
  let p = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j];
    a[j] -= p;
    p = t;
  }
  const b = new Uint32Array(a.length);
  let j = 0;
  let len = 0;
  b[len++] = a[j++];
  while (j < a.length) {
    if (a[j] > 0) b[len++] = a[j++];
    else {
      j++;
      if (j < a.length) b[len - 1] += a[j++];
    }
  }
  return b.slice(0, len);
}

/**
 * pycocotools' `rleFrBbox`: the box `[x, y, w, h]` rasterised as the polygon
 * `(x, y), (x, y + h), (x + w, y + h), (x + w, y)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...bboxToCounts([1, 1, 2, 2], 4, 4)], [5, 2, 2, 2, 5]);
 * ```
 */
export function bboxToCounts(bbox: ArrayLike<number>, height: number, width: number): Uint32Array {
  const xs = bbox[0], xe = xs + bbox[2];
  const ys = bbox[1], ye = ys + bbox[3];
  return polygonToCounts([xs, ys, xs, ye, xe, ye, xe, ys], 4, height, width);
}

/**
 * Checks a polygon segmentation (`polygons[i]` = `[x0, y0, x1, y1, ...]`) and
 * rasterises it into runs, as `annToRLE` does: `frPyObjects` then `merge` (union).
 * `fn` and `name` label errors (`evaluateCoco(): groundTruth.annotations[3].segmentation[0]`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const runs = polygonsToRuns("myOp", "polygons", [[1, 1, 1, 3, 3, 3, 3, 1]], 4, 4);
 * assert.deepEqual([...runs.counts], [5, 2, 2, 2, 5]);
 * ```
 */
export function polygonsToRuns(
  fn: string,
  name: string,
  polygons: unknown,
  height: number,
  width: number,
): RleRuns {
  if (!Array.isArray(polygons)) {
    throw new TypeError(
      `${fn}(): ${name}: expected an Array of polygons [x0, y0, x1, y1, ...], found ${
        describe(polygons)
      }`,
    );
  }
  if (polygons.length === 0) {
    throw new RangeError(`${fn}(): ${name}: expected at least one polygon, found an empty Array`);
  }
  const runs: RleRuns[] = [];
  for (let i = 0; i < polygons.length; i++) {
    const poly = polygons[i];
    const path = `${name}[${i}]`;
    if (!Array.isArray(poly)) {
      throw new TypeError(
        `${fn}(): ${path}: expected a polygon [x0, y0, x1, y1, ...], found ${describe(poly)}`,
      );
    }
    // pycocotools reads a first entry of 4 numbers as a box and fails (frBbox wants an
    // ndarray); fewer than 4 is "input type is not supported".
    const least = i === 0 ? 6 : 2;
    if (poly.length < least || poly.length % 2 !== 0) {
      throw new RangeError(
        `${fn}(): ${path}: expected an even number of coordinates, at least ${least}${
          i === 0 ? " for the first polygon (pycocotools reads 4 as a box)" : ""
        }, found ${poly.length}`,
      );
    }
    for (let c = 0; c < poly.length; c++) {
      const value = poly[c];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new TypeError(
          `${fn}(): ${path}[${c}]: expected a finite number, found ${describe(value)}`,
        );
      }
      if (Math.abs(SCALE * value + 0.5) >= INT_LIMIT) {
        throw new RangeError(
          `${fn}(): ${path}[${c}]: expected a coordinate with |5 × value| < 2³¹, found ${value}`,
        );
      }
    }
    runs.push({ height, width, counts: polygonToCounts(poly, poly.length / 2, height, width) });
  }
  return mergeRuns(runs, false, fn, name);
}

/**
 * Rasterises a polygon segmentation into compressed COCO RLE, byte for byte as
 * `maskUtils.merge(maskUtils.frPyObjects(polygons, height, width))` (what
 * `COCO.annToRLE` does for polygons): each polygon `[x0, y0, x1, y1, ...]` by
 * `rleFrPoly`, then their union.
 *
 * Coordinates must be finite; each polygon needs an even number of them, the first at
 * least 6 (pycocotools takes a first entry of 4 numbers for a box and fails on it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRle } from "./rle.ts";
 * const rle = polygonsToRle([[1, 1, 1, 3, 3, 3, 3, 1]], 4, 4);
 * assert.deepEqual(decodeRle(rle), new Uint8Array([
 *   0, 0, 0, 0,
 *   0, 1, 1, 0,
 *   0, 1, 1, 0,
 *   0, 0, 0, 0,
 * ]));
 * ```
 */
export function polygonsToRle(polygons: number[][], height: number, width: number): Rle {
  checkInteger("polygonsToRle", "height", height, 0);
  checkInteger("polygonsToRle", "width", width, 0);
  return runsToRle(polygonsToRuns("polygonsToRle", "polygons", polygons, height, width));
}
