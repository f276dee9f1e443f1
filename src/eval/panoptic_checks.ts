/**
 * Checks of the arguments of `panopticQuality()` (`panoptic_quality.ts`): in-memory id
 * maps (`Int32Array`s) and segment tables, not a wire format. Each throws a `TypeError`
 * (wrong kind of value) or a `RangeError` (right kind, wrong value) in one style: the
 * argument's path, what was expected, what was found (`describe()` of the value, or the
 * fact that breaks the rule) and, inside an image, the image:
 *
 * `panopticQuality(): predictions[0].segments[1].id: expected a non-zero integer (0 is void), found the number 0 (image 42)`
 *
 * @module
 */

import { describe } from "../describe.ts";
import type {
  LegacyPanopticCategory,
  PanopticCategory,
  PanopticGroundTruth,
  PanopticGroundTruthSegment,
  PanopticPrediction,
  PanopticPredictionSegment,
} from "./panoptic_types.ts";

const FN = "panopticQuality";

type ErrorClass = TypeErrorConstructor | RangeErrorConstructor;

/** Throws `panopticQuality(): <path>: expected <expected>, found <found><image>`. */
function fail(kind: ErrorClass, path: string, expected: string, found: string, image = ""): never {
  throw new kind(`${FN}(): ${path}: expected ${expected}, found ${found}${image}`);
}

/**
 * How a message names an image id: a string quoted, a number as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(imageName(1), "1");
 * assert.equal(imageName("1"), '"1"');
 * ```
 */
export function imageName(id: number | string): string {
  return typeof id === "string" ? JSON.stringify(id) : String(id);
}

/**
 * Checks an array; `what` says what it should hold, `image` ends the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkArray("categories", [], "categories {id, isThing}");
 * assert.throws(() => checkArray("categories", {}, "categories"), TypeError);
 * ```
 */
export function checkArray(path: string, value: unknown, what: string, image = ""): void {
  if (!Array.isArray(value)) fail(TypeError, path, `an array of ${what}`, describe(value), image);
}

/**
 * Checks an object (not null, not an array); `what` says what was expected, `image`
 * ends the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkObject("predictions[0]", { imageId: 1 }, "a predicted image");
 * assert.throws(() => checkObject("predictions[0]", null, "a predicted image"), TypeError);
 * ```
 */
export function checkObject(path: string, value: unknown, what: string, image = ""): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(TypeError, path, what, describe(value), image);
  }
}

/**
 * Checks an integer (`nonZero`: a segment id, 0 being void); `image` ends the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkId("categories[0].id", 0, "", false);
 * assert.throws(() => checkId("predictions[0].segments[1].id", 0, "", true), RangeError);
 * assert.throws(() => checkId("categories[0].id", "1", "", false), TypeError);
 * ```
 */
export function checkId(path: string, value: unknown, image: string, nonZero: boolean): void {
  const expected = nonZero ? "a non-zero integer (0 is void)" : "an integer";
  if (typeof value !== "number") fail(TypeError, path, expected, describe(value), image);
  if (!Number.isSafeInteger(value) || (nonZero && value === 0)) {
    fail(RangeError, path, expected, describe(value), image);
  }
}

/** Checks an optional flag: true or false, or for its deprecated snake_case twin (`legacy`)
 * also a number (panopticapi's 0 and 1); returns whether it is set. */
function checkFlag(
  path: string,
  value: unknown,
  legacyPath: string,
  legacy: unknown,
  image: string,
): boolean {
  if (value !== undefined) {
    if (typeof value !== "boolean") fail(TypeError, path, "true or false", describe(value), image);
    return value;
  }
  if (legacy !== undefined && typeof legacy !== "number" && typeof legacy !== "boolean") {
    fail(TypeError, legacyPath, "0 or 1 (or true or false)", describe(legacy), image);
  }
  return legacy === 1 || legacy === true;
}

/**
 * Checks the `imageId` of the image `path` and returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(checkImageId("groundTruth[0]", "000000139"), "000000139");
 * assert.throws(() => checkImageId("groundTruth[0]", null), TypeError);
 * ```
 */
export function checkImageId(path: string, value: unknown): number | string {
  if (typeof value !== "number" && typeof value !== "string") {
    fail(TypeError, `${path}.imageId`, "a number or a string", describe(value));
  }
  return value;
}

/**
 * Checks the category `path` (`categories[i]`): an object, an integer `id`, `isThing`
 * true or false (or, deprecated, panopticapi's `isthing`: 1 or 0), a string `name` if
 * any. Returns whether it is a thing, and its name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PanopticCategory } from "./panoptic_types.ts";
 * assert.deepEqual(checkCategory("categories[0]", { id: 1, isThing: true, name: "person" }), {
 *   isThing: true,
 *   name: "person",
 * });
 * assert.equal(checkCategory("categories[1]", { id: 2, isthing: 0 }).isThing, false); // deprecated
 * const numeric = { id: 3, isThing: 1 } as unknown as PanopticCategory;
 * assert.throws(() => checkCategory("categories[2]", numeric), /isThing: expected true or false/);
 * ```
 */
export function checkCategory(
  path: string,
  value: PanopticCategory | LegacyPanopticCategory,
): { isThing: boolean; name?: string } {
  checkObject(path, value, "a category {id, isThing, name?}");
  const c = value as Partial<PanopticCategory & LegacyPanopticCategory>;
  checkId(`${path}.id`, c.id, "", false);
  if (c.isThing === undefined && c.isthing === undefined) {
    fail(TypeError, `${path}.isThing`, "true or false", "nothing");
  }
  const isThing = checkFlag(`${path}.isThing`, c.isThing, `${path}.isthing`, c.isthing, "");
  if (c.name !== undefined && typeof c.name !== "string") {
    fail(TypeError, `${path}.name`, "a string", describe(c.name));
  }
  return c.name === undefined ? { isThing } : { isThing, name: c.name };
}

/**
 * Checks that the ground-truth image `groundTruth[gtIndex]`, of id `imageId`, found a
 * prediction (`predIndex`, undefined when none) and returns its index.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(checkPaired(0, 42, 3), 3);
 * assert.throws(() => checkPaired(0, 42, undefined), /found none for image 42/);
 * ```
 */
export function checkPaired(
  gtIndex: number,
  imageId: number | string,
  predIndex: number | undefined,
): number {
  if (predIndex === undefined) {
    fail(
      RangeError,
      "predictions",
      "one for every ground-truth image",
      `none for image ${imageName(imageId)} (groundTruth[${gtIndex}])`,
    );
  }
  return predIndex;
}

/**
 * Checks an image's sizes, id map and segment list (not its segments); returns its
 * pixel count. `image` ends the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const segments = [{ id: 1, categoryId: 3 }];
 * const image = { imageId: 1, height: 1, width: 2, segmentIds: new Int32Array([1, 0]), segments };
 * assert.equal(checkImage("predictions[0]", image, " (image 1)"), 2);
 * assert.throws(() => checkImage("predictions[0]", { ...image, width: 3 }, ""), /found an Int32Array of length 2/);
 * ```
 */
export function checkImage(
  path: string,
  value: PanopticGroundTruth | PanopticPrediction,
  image: string,
): number {
  for (const key of ["height", "width"] as const) {
    const v = value[key];
    if (typeof v !== "number") {
      fail(TypeError, `${path}.${key}`, "an integer >= 0", describe(v), image);
    }
    if (!Number.isSafeInteger(v) || v < 0) {
      fail(RangeError, `${path}.${key}`, "an integer >= 0", describe(v), image);
    }
  }
  const n = value.height * value.width;
  const expected = `an Int32Array of height × width = ${n} ids`;
  const ids = value.segmentIds;
  if (!(ids instanceof Int32Array)) {
    fail(TypeError, `${path}.segmentIds`, expected, describe(ids), image);
  }
  if (ids.length !== n) fail(RangeError, `${path}.segmentIds`, expected, describe(ids), image);
  checkArray(`${path}.segments`, value.segments, "segments {id, categoryId}", image);
  return n;
}

/**
 * Checks that the prediction `predPath` has the height and width of its ground truth.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const gt = { imageId: 1, height: 1, width: 2, segmentIds: new Int32Array(2), segments: [] };
 * checkSameSize("predictions[0]", gt, gt, " (image 1)");
 * const pred = { ...gt, height: 2, width: 1 };
 * assert.throws(() => checkSameSize("predictions[0]", gt, pred, ""), /found 2×1/);
 * ```
 */
export function checkSameSize(
  predPath: string,
  gt: PanopticGroundTruth,
  pred: PanopticPrediction,
  image: string,
): void {
  if (pred.height !== gt.height || pred.width !== gt.width) {
    fail(
      RangeError,
      predPath,
      `the ${gt.height}×${gt.width} of its ground truth`,
      `${pred.height}×${pred.width}`,
      image,
    );
  }
}

/**
 * Checks the segment `path` (`…segments[i]`): an object with a non-zero integer `id` and
 * an integer `categoryId`; for ground truth (`isGt`) also `isCrowd` (true or false; or,
 * deprecated, `iscrowd` 1 or 0) and `area`. Returns 1 for a crowd segment, 0 otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(checkSegment("groundTruth[0].segments[0]", { id: 5, categoryId: 1, isCrowd: true }, "", true), 1);
 * const at = "groundTruth[0].segments[1]";
 * assert.throws(() => checkSegment(at, { id: 6, categoryId: 1, area: -1 }, "", true), RangeError);
 * ```
 */
export function checkSegment(
  path: string,
  value: PanopticGroundTruthSegment | PanopticPredictionSegment,
  image: string,
  isGt: boolean,
): 0 | 1 {
  checkObject(path, value, "a segment {id, categoryId}", image);
  checkId(`${path}.id`, value.id, image, true);
  checkId(`${path}.categoryId`, value.categoryId, image, false);
  if (!isGt) return 0;
  const { isCrowd, iscrowd, area } = value as PanopticGroundTruthSegment;
  const crowd = checkFlag(`${path}.isCrowd`, isCrowd, `${path}.iscrowd`, iscrowd, image);
  if (area !== undefined && (typeof area !== "number" || !(area >= 0) || area === Infinity)) {
    const kind = typeof area === "number" ? RangeError : TypeError;
    fail(kind, `${path}.area`, "a finite number >= 0", describe(area), image);
  }
  return crowd ? 1 : 0;
}

/**
 * panopticapi's sanity checks of a predicted image, once its pixels are counted, in its
 * order: ids of the map ascending (an id listed nowhere, `unlisted` being the least, or
 * Infinity; a category not in `categories`), then the list (a segment on no pixel).
 * `segments` is the compacted table (dense index 1..count), `predArea` the pixels of
 * each dense index.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // Segment id 4 of category 3, dense index 1, at segments[0], on 2 pixels.
 * const segments = {
 *   count: 1,
 *   ids: new Float64Array([0, 4]),
 *   category: new Float64Array([0, 3]),
 *   position: new Int32Array(2),
 * };
 * const categories = new Map([[3, "car"]]), predArea = new Float64Array([0, 2, 0]);
 * checkPredictedSegments("predictions[0]", segments, predArea, Infinity, categories, "");
 * const unlisted = 2; // a pixel of id 2, not in the list
 * assert.throws(
 *   () => checkPredictedSegments("predictions[0]", segments, predArea, unlisted, categories, ""),
 *   /found segment id 2 not listed/,
 * );
 * ```
 */
export function checkPredictedSegments(
  predPath: string,
  segments: {
    readonly count: number;
    readonly ids: Float64Array;
    readonly category: Float64Array;
    readonly position: Int32Array;
  },
  predArea: Float64Array,
  unlisted: number,
  categories: ReadonlyMap<number, unknown>,
  image: string,
): void {
  const p = segments;
  let unknown = -1;
  for (let c = 1; c <= p.count && unknown < 0; c++) {
    if (predArea[c] > 0 && !categories.has(p.category[c])) unknown = c;
  }
  if (unlisted < (unknown < 0 ? Infinity : p.ids[unknown])) {
    fail(
      RangeError,
      `${predPath}.segmentIds`,
      "only ids listed in segments (or 0, void)",
      `segment id ${unlisted} not listed`,
      image,
    );
  }
  if (unknown >= 0) {
    fail(
      RangeError,
      `${predPath}.segments[${p.position[unknown]}].categoryId`,
      "one of the categories' ids",
      `${describe(p.category[unknown])} (segment id ${p.ids[unknown]})`,
      image,
    );
  }
  for (let c = 1; c <= p.count; c++) {
    if (predArea[c] === 0) {
      fail(
        RangeError,
        `${predPath}.segments[${p.position[c]}]`,
        "a segment with pixels in segmentIds",
        `segment id ${p.ids[c]} on no pixel`,
        image,
      );
    }
  }
}
