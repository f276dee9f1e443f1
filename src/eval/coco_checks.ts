/**
 * Checks of COCO JSON for `evaluateCoco`. Each throws a `TypeError` (wrong kind of
 * value) or a `RangeError` (right kind, wrong value) whose message names the path and
 * what was expected:
 *
 * `evaluateCoco(): groundTruth.annotations[3].area: expected the annotation's area (a finite number), found undefined`
 *
 * @module
 */

import { polygonsToRuns } from "../geometry/polygon_rle.ts";
import { parseRle, type RleRuns } from "../geometry/rle.ts";
import { describe } from "../describe.ts";

const FN = "evaluateCoco";

/** A parsed JSON object. */
export type Json = Record<string, unknown>;

/**
 * Whether `value` is a plain object (not null, not an array).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isObject({ id: 1 }), true);
 * assert.equal(isObject([1]), false);
 * ```
 */
export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Checks a plain object; `what` says what was expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.throws(() => checkObject("results[0]", 3, "a detection"), /results\[0\]: expected a detection/);
 * ```
 */
export function checkObject(path: string, value: unknown, what: string): Json {
  if (!isObject(value)) {
    throw new TypeError(`${FN}(): ${path}: expected ${what}, found ${describe(value)}`);
  }
  return value;
}

/**
 * Checks an array; `what` says what was expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkArray("results", [], "an Array"), []);
 * assert.throws(() => checkArray("results", {}, "an Array"), TypeError);
 * ```
 */
export function checkArray(path: string, value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${FN}(): ${path}: expected ${what}, found ${describe(value)}`);
  }
  return value;
}

/**
 * Checks a finite number and returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(checkFinite("groundTruth.annotations[0].area", 12), 12);
 * assert.throws(() => checkFinite("groundTruth.annotations[0].area", undefined), TypeError);
 * ```
 */
export function checkFinite(path: string, value: unknown, what = "a finite number"): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${FN}(): ${path}: expected ${what}, found ${describe(value)}`);
  }
  return value;
}

/**
 * Checks a COCO box `[x, y, w, h]` (4 finite numbers) and writes it at `out[at * 4]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const out = new Float64Array(8);
 * checkBox("results[1].bbox", [1, 2, 3, 4], out, 1);
 * assert.deepEqual([...out.subarray(4)], [1, 2, 3, 4]);
 * assert.throws(() => checkBox("results[1].bbox", [1, 2, 3], out, 1), RangeError);
 * ```
 */
export function checkBox(path: string, value: unknown, out: Float64Array, at: number): void {
  if (!Array.isArray(value) || value.length !== 4) {
    const err = Array.isArray(value) ? RangeError : TypeError;
    throw new err(
      `${FN}(): ${path}: expected a box [x, y, w, h] of 4 numbers, found ${describe(value)}`,
    );
  }
  for (let j = 0; j < 4; j++) out[at * 4 + j] = checkFinite(`${path}[${j}]`, value[j]);
}

/**
 * Maps the `id` of each object of `list` to its position, refusing duplicates
 * (pycocotools keeps the last of them in its dicts, which silently swaps annotations).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const ids = idIndex("groundTruth.images", [{ id: 4 }, { id: 2 }], "an image");
 * assert.equal(ids.get(2), 1);
 * assert.throws(() => idIndex("groundTruth.images", [{ id: 4 }, { id: 4 }], "an image"), /unique ids/);
 * ```
 */
export function idIndex(path: string, list: unknown[], what: string): Map<number, number> {
  const map = new Map<number, number>();
  for (let i = 0; i < list.length; i++) {
    const item = checkObject(`${path}[${i}]`, list[i], what);
    const id = checkFinite(`${path}[${i}].id`, item.id, "a numeric id");
    const seen = map.get(id);
    if (seen !== undefined) {
      throw new RangeError(
        `${FN}(): ${path}[${i}].id: expected unique ids, found ${id} again (as in ${path}[${seen}])`,
      );
    }
    map.set(id, i);
  }
  return map;
}

/**
 * The ids to evaluate, sorted and unique (`np.unique`): every known id when `requested`
 * is undefined, else the requested ones, each of which must be known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const known = new Map([[3, 0], [1, 1]]);
 * assert.deepEqual(selectIds("options.imageIds", undefined, known, "an image"), [1, 3]);
 * assert.deepEqual(selectIds("options.imageIds", [3, 3], known, "an image"), [3]);
 * assert.throws(() => selectIds("options.imageIds", [2], known, "an image"), RangeError);
 * ```
 */
export function selectIds(
  path: string,
  requested: unknown,
  known: Map<number, number>,
  what: string,
): number[] {
  if (requested === undefined) return [...known.keys()].sort((a, b) => a - b);
  const list = checkArray(path, requested, `an Array of ${what} ids`);
  const ids = new Set<number>();
  for (let i = 0; i < list.length; i++) {
    const id = checkFinite(`${path}[${i}]`, list[i], "a numeric id");
    if (!known.has(id)) {
      throw new RangeError(
        `${FN}(): ${path}[${i}]: expected the id of ${what} in groundTruth, found ${id}`,
      );
    }
    ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/**
 * `[height, width]` of `images[index]`, which segm evaluation needs (to rasterise
 * polygons and to check mask sizes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(imageSize([{ id: 1, height: 480, width: 640 }], 0), [480, 640]);
 * assert.throws(() => imageSize([{ id: 1 }], 0), /groundTruth\.images\[0\]\.height/);
 * ```
 */
export function imageSize(images: unknown[], index: number): [number, number] {
  const image = images[index] as Json;
  const path = `groundTruth.images[${index}]`;
  for (const key of ["height", "width"]) {
    const v = image[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      throw new TypeError(
        `${FN}(): ${path}.${key}: expected an integer >= 0 (segm evaluation needs the image size), found ${
          describe(v)
        }`,
      );
    }
  }
  return [image.height as number, image.width as number];
}

/**
 * A segmentation as `COCO.annToRLE` reads it: polygons (rasterised at the image size),
 * uncompressed or compressed RLE, whose size must be the image's. With `size` null,
 * only compressed RLE is read and its size is not checked (as `loadRes` takes areas).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const runs = segmentationRuns("x", [[0, 0, 0, 2, 2, 2, 2, 0]], [4, 4], 1);
 * assert.deepEqual([...runs.counts], [0, 2, 2, 2, 10]);
 * assert.throws(() => segmentationRuns("x", { size: [4, 5], counts: "0" }, [4, 4], 1), RangeError);
 * ```
 */
export function segmentationRuns(
  path: string,
  segm: unknown,
  size: [number, number] | null,
  imageId: number,
): RleRuns {
  const compressedOnly = size === null;
  if (Array.isArray(segm) && size !== null) return polygonsToRuns(FN, path, segm, size[0], size[1]);
  if (!isObject(segm) || (compressedOnly && typeof segm.counts !== "string")) {
    const what = compressedOnly
      ? "a compressed RLE {size, counts: string}"
      : "polygons or an RLE {size, counts}";
    throw new TypeError(`${FN}(): ${path}: expected ${what}, found ${describe(segm)}`);
  }
  const runs = parseRle(FN, path, segm);
  if (size !== null && (runs.height !== size[0] || runs.width !== size[1])) {
    throw new RangeError(
      `${FN}(): ${path}.size: expected [${size[0]}, ${size[1]}], the size of image ${imageId}, ` +
        `found [${runs.height}, ${runs.width}]`,
    );
  }
  return runs;
}
