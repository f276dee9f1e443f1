/**
 * Types of `panopticQuality()` (`panoptic_quality.ts`): the ground truth and the
 * predictions it reads (id maps with their segment tables), the categories, and the
 * report it returns. They are in-memory values, named in camelCase (`categoryId`,
 * `isCrowd`, `isThing`); the COCO panoptic JSON of `cocodataset/panopticapi` that they
 * come from (`category_id`, `iscrowd`, `isthing`) is `src/wire/panoptic.ts`, converted
 * by `panopticFromRle()` and `panopticCategories()` (`panoptic_rle.ts`). For a
 * transition, `panopticQuality()` still reads `isthing` and `iscrowd` (deprecated).
 *
 * @module
 */

/**
 * One ground-truth segment (panopticapi's `segments_info` entry, in memory: camelCase).
 *
 * @example
 * ```ts
 * const crowd: PanopticGroundTruthSegment = { id: 5, categoryId: 1, isCrowd: true, area: 120 };
 * ```
 */
export interface PanopticGroundTruthSegment {
  /** Segment id in `segmentIds`: any non-zero integer (0 is void). */
  id: number;
  /** Category id, one of the `categories`' ids. */
  categoryId: number;
  /** A crowd region (panopticapi's `iscrowd == 1`); default false. */
  isCrowd?: boolean;
  /**
   * panopticapi's name: a crowd region when `1` or `true`.
   *
   * @deprecated Use `isCrowd`; read only when `isCrowd` is left out.
   */
  iscrowd?: number | boolean;
  /** Pixels, used in the IoU's union as panopticapi uses the JSON's `area`; counted in
   * `segmentIds` when left out. */
  area?: number;
}

/**
 * The ground truth of one image: an id map and its segment table.
 *
 * @example
 * ```ts
 * // 2×2: a person (id 1) on the top row, void below.
 * const gt: PanopticGroundTruth = {
 *   imageId: "000000139",
 *   height: 2,
 *   width: 2,
 *   segmentIds: new Int32Array([1, 1, 0, 0]),
 *   segments: [{ id: 1, categoryId: 1, isCrowd: false, area: 2 }],
 * };
 * ```
 */
export interface PanopticGroundTruth {
  /** Pairs the image with its prediction (`1` and `"1"` are different images). */
  imageId: number | string;
  /** Height of the id map in pixels. */
  height: number;
  /** Width of the id map in pixels. */
  width: number;
  /** Row-major `height × width` segment ids; 0 is void. */
  segmentIds: Int32Array;
  /** The segments. Ids of the map listed nowhere are neither segments nor void. */
  segments: readonly PanopticGroundTruthSegment[];
}

/**
 * One predicted segment. `PanopticSegment` (`src/types.ts`) is one.
 *
 * @example
 * ```ts
 * const car: PanopticPredictionSegment = { id: 1, categoryId: 3, isThing: true, score: 0.9 };
 * ```
 */
export interface PanopticPredictionSegment {
  /** Segment id in `segmentIds`: any non-zero integer (0 is void). */
  id: number;
  /** Category id, one of the `categories`' ids. */
  categoryId: number;
  /** Ignored: the area is counted in `segmentIds`, as panopticapi does. */
  area?: number;
  /** Ignored: the category says it. */
  isThing?: boolean;
  /** Ignored: PQ does not rank segments. */
  score?: number;
}

/**
 * The prediction for one image: a `PanopticResult` (`src/types.ts`) plus its image id.
 *
 * @example
 * ```ts
 * import type { PanopticResult } from "../types.ts";
 * const result: PanopticResult = {
 *   height: 1,
 *   width: 2,
 *   segmentIds: new Int32Array([1, 0]),
 *   segments: [{ id: 1, categoryId: 3, isThing: true, score: 0.9, area: 1 }],
 * };
 * const prediction: PanopticPrediction = { ...result, imageId: 42 };
 * ```
 */
export interface PanopticPrediction {
  /** The ground-truth image it is for. */
  imageId: number | string;
  /** Height of the id map, the ground truth's. */
  height: number;
  /** Width of the id map, the ground truth's. */
  width: number;
  /** Row-major `height × width` segment ids; 0 is void. */
  segmentIds: Int32Array;
  /** Every non-zero id of `segmentIds`, and no other. */
  segments: readonly PanopticPredictionSegment[];
}

/**
 * A category: its id, whether it is a thing (instances) or stuff, and its name.
 *
 * @example
 * ```ts
 * const categories: PanopticCategory[] = [
 *   { id: 1, isThing: true, name: "person" },
 *   { id: 187, isThing: false, name: "sky-other-merged" },
 * ];
 * ```
 */
export interface PanopticCategory {
  /** Category id. */
  id: number;
  /** Thing (instance) category when true, stuff otherwise. */
  isThing: boolean;
  /** Name, copied into the report. */
  name?: string;
}

/**
 * A category as a COCO panoptic JSON writes it (`isthing`: 1 or 0), which
 * `panopticQuality()` still reads.
 *
 * @deprecated Use {@link PanopticCategory} (`isThing: boolean`); `panopticCategories()`
 * (`panoptic_rle.ts`) converts a COCO panoptic file's categories.
 *
 * @example
 * ```ts
 * const legacy: LegacyPanopticCategory = { id: 1, isthing: 1, name: "person" };
 * ```
 */
export interface LegacyPanopticCategory {
  /** Category id. */
  id: number;
  /** Thing (instance) category when `1` or `true`, stuff otherwise. */
  isthing: number | boolean;
  /** Name, copied into the report. */
  name?: string;
}

/**
 * Means over a group of classes. Fractions in [0, 1], not percentages.
 *
 * @example
 * ```ts
 * const stuff: PanopticQualityScores = { pq: NaN, sq: NaN, rq: NaN, n: 0 }; // no stuff class
 * ```
 */
export interface PanopticQualityScores {
  /** Panoptic Quality, mean over the `n` classes. */
  pq: number;
  /** Segmentation Quality, mean over the `n` classes (a class with no TP counts 0). */
  sq: number;
  /** Recognition Quality, mean over the `n` classes. */
  rq: number;
  /** Classes of the group with `TP + FP + FN > 0`. When 0, `pq`, `sq`, `rq` are `NaN`
   * (panopticapi raises `ZeroDivisionError`). */
  n: number;
}

/**
 * One class' counts and scores, summed over all images.
 *
 * @example
 * ```ts
 * // Two matches of IoU 0.9 and 0.7, one miss: PQ = 1.6 / 2.5, SQ = 0.8, RQ = 0.8.
 * const car: PanopticQualityClass = {
 *   categoryId: 3,
 *   name: "car",
 *   isThing: true,
 *   pq: 1.6 / 2.5,
 *   sq: 0.8,
 *   rq: 0.8,
 *   tp: 2,
 *   fp: 0,
 *   fn: 1,
 *   iou: 1.6,
 * };
 * ```
 */
export interface PanopticQualityClass {
  /** Category id. */
  categoryId: number;
  /** Category name, when the category has one. */
  name?: string;
  /** Whether the category is a thing. */
  isThing: boolean;
  /** `iou / (tp + fp / 2 + fn / 2)`; 0 when `tp + fp + fn = 0`, as panopticapi. */
  pq: number;
  /** `iou / tp`; 0 when `tp = 0`. */
  sq: number;
  /** `tp / (tp + fp / 2 + fn / 2)`; 0 when `tp + fp + fn = 0`. */
  rq: number;
  /** Matched pairs. */
  tp: number;
  /** Unmatched predictions not mostly on void or crowd. */
  fp: number;
  /** Unmatched non-crowd ground-truth segments. */
  fn: number;
  /** Sum of the IoUs of the matched pairs. */
  iou: number;
}

/**
 * What `panopticQuality()` returns: panopticapi's `All`, `Things`, `Stuff` and
 * `per_class`, as fractions (panopticapi prints them × 100).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { panopticQuality } from "./panoptic_quality.ts";
 * const gt = {
 *   imageId: 1,
 *   height: 1,
 *   width: 2,
 *   segmentIds: new Int32Array([1, 1]),
 *   segments: [{ id: 1, categoryId: 1 }],
 * };
 * const report: PanopticQualityReport = panopticQuality([gt], [gt], [{ id: 1, isThing: true }]);
 * assert.equal((100 * report.all.pq).toFixed(1), "100.0"); // as panopticapi prints it
 * ```
 */
export interface PanopticQualityReport {
  /** Means over all classes with `TP + FP + FN > 0`. */
  all: PanopticQualityScores;
  /** Means over the thing classes with `TP + FP + FN > 0`. */
  things: PanopticQualityScores;
  /** Means over the stuff classes with `TP + FP + FN > 0`. */
  stuff: PanopticQualityScores;
  /** One entry per category, in the order of `categories` (a repeated id: first place,
   * last entry, as a Python dict). */
  perClass: PanopticQualityClass[];
}
