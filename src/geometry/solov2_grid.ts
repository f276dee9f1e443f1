/**
 * SOLOv2's grid cells: their strides, and the points NMS its head applies to category
 * scores (`WXinlong/SOLO`, `mmdet/models/anchor_heads/solov2_head.py`). Grid cells are
 * numbered over all levels: level 0's S₀×S₀ cells row-major, then level 1's, and so on.
 *
 * @module
 */

import { checkInteger, checkNumber } from "./validate.ts";
import { describe } from "../describe.ts";

/**
 * The stride of every grid cell: `strides[i]` for each of level i's `numGrids[i]²` cells,
 * as `get_seg_single` builds its `strides` vector.
 *
 * @example SOLOv2's five levels: 40², 36², 24², 16², 12² cells
 * ```ts
 * import assert from "node:assert/strict";
 * const s = solov2CellStrides([40, 36, 24, 16, 12], [8, 8, 16, 32, 32]);
 * assert.equal(s.length, 3872);
 * assert.deepEqual([s[0], s[1600 + 1296], s[3871]], [8, 16, 32]);
 * ```
 */
export function solov2CellStrides(
  numGrids: readonly number[],
  strides: readonly number[],
): Float32Array {
  const fn = "solov2CellStrides";
  checkGrids(fn, numGrids);
  if (!Array.isArray(strides) || strides.length !== numGrids.length) {
    throw new TypeError(
      `${fn}(): strides: expected an array of ${numGrids.length} numbers (one per level), found ${
        describe(strides)
      }`,
    );
  }
  strides.forEach((s, k) => checkNumber(fn, `strides[${k}]`, s, 0));
  const out = new Float32Array(numGrids.reduce((sum, s) => sum + s * s, 0));
  let at = 0;
  numGrids.forEach((s, k) => {
    out.fill(strides[k], at, at + s * s);
    at += s * s;
  });
  return out;
}

/**
 * The level (the grid) of each of `cells`, numbered over all levels as
 * {@link solov2CellStrides} numbers them.
 *
 * @example SOLOv2's grids: cell 1599 is the last of the 40×40 grid, 1600 the first of the 36×36
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...solov2CellLevels([40, 36, 24, 16, 12], new Int32Array([0, 1599, 1600, 3871]))], [0, 0, 1, 4]);
 * ```
 */
export function solov2CellLevels(grids: readonly number[], cells: Int32Array): Int32Array {
  const ends: number[] = [];
  let end = 0;
  for (const s of grids) ends.push(end += s * s);
  return Int32Array.from(cells, (cell) => {
    let level = 0;
    while (level < ends.length - 1 && cell >= ends[level]) level++;
    return level;
  });
}

/** Checks the grid sizes, one per level. */
function checkGrids(fn: string, numGrids: unknown): asserts numGrids is readonly number[] {
  if (!Array.isArray(numGrids)) {
    throw new TypeError(
      `${fn}(): numGrids: expected an array of grid sizes (one per level), found ${
        describe(numGrids)
      }`,
    );
  }
  numGrids.forEach((s, k) => checkInteger(fn, `numGrids[${k}]`, s, 1));
}

/**
 * SOLO's `points_nms(heat, kernel=2)` on category scores in the {@link Solov2Inputs} layout
 * (G×C, levels concatenated, cells row-major): a score stays when it is at least each of
 * its up, left and up-left neighbours of the same class and level (a 2×2 max pool,
 * stride 1, padding 1, keeps `max == score`), and becomes 0 otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // one 2×2 level, one class
 * const out = pointsNms(new Float32Array([0.5, 0.7, 0.6, 0.3]), [2], 1);
 * assert.deepEqual([...out], [0.5, 0.7, 0.6, 0].map(Math.fround));
 * ```
 */
export function pointsNms(
  scores: Float32Array,
  numGrids: readonly number[],
  numClasses: number,
): Float32Array {
  const fn = "pointsNms";
  checkGrids(fn, numGrids);
  checkInteger(fn, "numClasses", numClasses, 1);
  const c = numClasses;
  const g = numGrids.reduce((sum, s) => sum + s * s, 0);
  checkLength(fn, "scores", scores, g * c, `G×C = ${g}×${c}`, "scores");
  const out = new Float32Array(scores.length);
  let base = 0;
  for (const s of numGrids) {
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const at = base + (y * s + x) * c;
        for (let k = 0; k < c; k++) {
          const v = scores[at + k];
          const keep = (y === 0 || v >= scores[at - s * c + k]) &&
            (x === 0 || v >= scores[at - c + k]) &&
            (y === 0 || x === 0 || v >= scores[at - s * c - c + k]);
          out[at + k] = keep ? v : 0;
        }
      }
    }
    base += s * s * c;
  }
  return out;
}

/**
 * Checks a typed array of `n` values (`shape` and `what` say what they are).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.throws(() => checkLength("f", "x", new Float32Array(3), 4, "2×2", "scores"), RangeError);
 * ```
 */
export function checkLength(
  fn: string,
  name: string,
  value: unknown,
  n: number,
  shape: string,
  what: string,
  type: "Float32Array" | "Int32Array" = "Float32Array",
): void {
  const expected = `a ${type} of ${shape} = ${n} ${what}`;
  const ok = type === "Float32Array" ? value instanceof Float32Array : value instanceof Int32Array;
  if (!ok) throw new TypeError(`${fn}(): ${name}: expected ${expected}, found ${describe(value)}`);
  const length = (value as Float32Array).length;
  if (length !== n) {
    throw new RangeError(`${fn}(): ${name}: expected ${expected}, found length ${length}`);
  }
}
