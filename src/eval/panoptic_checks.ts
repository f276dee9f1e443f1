/**
 * Checks of the arguments of `panopticQuality()` (`panoptic_quality.ts`). Each throws a
 * `TypeError` (wrong kind of value) or a `RangeError` (right kind, wrong value) whose
 * message names the argument, what was expected and, inside an image, the image:
 *
 * `panopticQuality(): predictions[0].segments[1].id: expected a non-zero integer (0 is void), found 0 (image 42)`
 *
 * @module
 */

import { checkInteger } from "../geometry/validate.ts";
import { describe } from "../describe.ts";
import type {
  PanopticCategory,
  PanopticGroundTruth,
  PanopticGroundTruthSegment,
  PanopticPrediction,
  PanopticPredictionSegment,
} from "./panoptic_types.ts";

const FN = "panopticQuality";

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
 * checkArray("categories", [], "categories {id, isthing}");
 * assert.throws(() => checkArray("categories", {}, "categories"), TypeError);
 * ```
 */
export function checkArray(name: string, value: unknown, what: string, image = ""): void {
  if (!Array.isArray(value)) {
    throw new TypeError(
      `${FN}(): ${name}: expected an Array of ${what}, found ${describe(value)}${image}`,
    );
  }
}

/**
 * Checks an object (not null); `what` says what was expected, `image` ends the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkObject("predictions[0]", { imageId: 1 }, "a predicted image");
 * assert.throws(() => checkObject("predictions[0]", null, "a predicted image"), TypeError);
 * ```
 */
export function checkObject(name: string, value: unknown, what: string, image = ""): void {
  if (value === null || typeof value !== "object") {
    throw new TypeError(`${FN}(): ${name}: expected ${what}, found ${describe(value)}${image}`);
  }
}

/**
 * Checks an integer id (`nonZero`: a segment id, 0 being void); `image` ends the
 * message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkId("categories[0].id", 0, "", false);
 * assert.throws(() => checkId("predictions[0].segments[1].id", 0, "", true), RangeError);
 * assert.throws(() => checkId("categories[0].id", "1", "", false), TypeError);
 * ```
 */
export function checkId(name: string, value: unknown, image: string, nonZero: boolean): void {
  const expected = nonZero ? "a non-zero integer (0 is void)" : "an integer";
  if (typeof value !== "number") {
    throw new TypeError(`${FN}(): ${name}: expected ${expected}, found ${describe(value)}${image}`);
  }
  if (!Number.isSafeInteger(value) || (nonZero && value === 0)) {
    throw new RangeError(`${FN}(): ${name}: expected ${expected}, found ${value}${image}`);
  }
}

/**
 * Checks the `imageId` of the image `name` and returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(checkImageId("groundTruth[0]", "000000139"), "000000139");
 * assert.throws(() => checkImageId("groundTruth[0]", null), TypeError);
 * ```
 */
export function checkImageId(name: string, value: unknown): number | string {
  if (typeof value !== "number" && typeof value !== "string") {
    throw new TypeError(
      `${FN}(): ${name}.imageId: expected a number or a string, found ${describe(value)}`,
    );
  }
  return value;
}

/**
 * Checks the category `name` (`categories[i]`): an object, an integer `id`, a number
 * or boolean `isthing`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkCategory("categories[0]", { id: 1, isthing: 1, name: "person" });
 * assert.throws(() => checkCategory("categories[1]", { id: 2, isthing: "yes" }), /isthing/);
 * ```
 */
export function checkCategory(name: string, value: unknown): void {
  checkObject(name, value, "a category {id, isthing, name?}");
  const c = value as PanopticCategory;
  checkId(`${name}.id`, c.id, "", false);
  if (typeof c.isthing !== "number" && typeof c.isthing !== "boolean") {
    throw new TypeError(
      `${FN}(): ${name}.isthing: expected a number or a boolean, found ${describe(c.isthing)}`,
    );
  }
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
    throw new RangeError(
      `${FN}(): predictions: expected one for every ground-truth image, found none for image ${
        imageName(imageId)
      } (groundTruth[${gtIndex}])`,
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
 * assert.throws(() => checkImage("predictions[0]", { ...image, width: 3 }, ""), /found length 2/);
 * ```
 */
export function checkImage(
  name: string,
  value: PanopticGroundTruth | PanopticPrediction,
  image: string,
): number {
  checkInteger(FN, `${name}.height`, value.height, 0);
  checkInteger(FN, `${name}.width`, value.width, 0);
  const n = value.height * value.width;
  const expected = `an Int32Array of height × width = ${n} ids`;
  const ids = value.segmentIds;
  if (!(ids instanceof Int32Array)) {
    throw new TypeError(
      `${FN}(): ${name}.segmentIds: expected ${expected}, found ${describe(ids)}${image}`,
    );
  }
  if (ids.length !== n) {
    throw new RangeError(
      `${FN}(): ${name}.segmentIds: expected ${expected}, found length ${ids.length}${image}`,
    );
  }
  checkArray(`${name}.segments`, value.segments, "segments {id, categoryId}", image);
  return n;
}

/**
 * Checks that the prediction `predName` has the height and width of its ground truth.
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
  predName: string,
  gt: PanopticGroundTruth,
  pred: PanopticPrediction,
  image: string,
): void {
  if (pred.height !== gt.height || pred.width !== gt.width) {
    throw new RangeError(
      `${FN}(): ${predName}: expected the ${gt.height}×${gt.width} of its ground truth, found ${pred.height}×${pred.width}${image}`,
    );
  }
}

/**
 * Checks the segment `name` (`…segments[i]`): an object with a non-zero integer `id` and
 * an integer `categoryId`; for ground truth (`isGt`) also its `iscrowd` and `area`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkSegment("groundTruth[0].segments[0]", { id: 5, categoryId: 1, iscrowd: 1 }, "", true);
 * const at = "groundTruth[0].segments[1]";
 * assert.throws(() => checkSegment(at, { id: 6, categoryId: 1, area: -1 }, "", true), RangeError);
 * ```
 */
export function checkSegment(
  name: string,
  value: PanopticGroundTruthSegment | PanopticPredictionSegment,
  image: string,
  isGt: boolean,
): void {
  checkObject(name, value, "a segment {id, categoryId}", image);
  checkId(`${name}.id`, value.id, image, true);
  checkId(`${name}.categoryId`, value.categoryId, image, false);
  if (isGt) {
    const { iscrowd, area } = value as PanopticGroundTruthSegment;
    if (iscrowd !== undefined && typeof iscrowd !== "number" && typeof iscrowd !== "boolean") {
      throw new TypeError(
        `${FN}(): ${name}.iscrowd: expected a number or a boolean, found ${
          describe(iscrowd)
        }${image}`,
      );
    }
    if (area !== undefined && (typeof area !== "number" || !(area >= 0) || area === Infinity)) {
      const err = typeof area === "number" ? RangeError : TypeError;
      throw new err(
        `${FN}(): ${name}.area: expected a finite number >= 0, found ${describe(area)}${image}`,
      );
    }
  }
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
  predName: string,
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
    throw new RangeError(
      `${FN}(): ${predName}.segmentIds: expected only ids listed in segments (or 0, void), found segment id ${unlisted} not listed${image}`,
    );
  }
  if (unknown >= 0) {
    throw new RangeError(
      `${FN}(): ${predName}.segments[${
        p.position[unknown]
      }].categoryId: expected one of the categories' ids, found ${
        p.category[unknown]
      } (segment id ${p.ids[unknown]})${image}`,
    );
  }
  for (let c = 1; c <= p.count; c++) {
    if (predArea[c] === 0) {
      throw new RangeError(
        `${FN}(): ${predName}.segments[${
          p.position[c]
        }]: expected a segment with pixels in segmentIds, found segment id ${
          p.ids[c]
        } on no pixel${image}`,
      );
    }
  }
}
