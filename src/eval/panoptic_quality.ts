/**
 * Panoptic Quality (Kirillov et al., "Panoptic Segmentation", CVPR 2019) exactly as
 * `cocodataset/panopticapi` `panopticapi/evaluation.py` computes it (`pq_compute`:
 * `pq_compute_single_core` then `PQStat.pq_average`), on id maps in memory instead of
 * PNG files. Use `idsFromRgb()` (`panoptic_ids.ts`) to read panopticapi's PNGs.
 *
 * Per image: a ground-truth segment `g` and a predicted segment `p` of the same
 * category match when `g` is not crowd and IoU > 0.5 (strictly), with
 * `IoU = |g ∩ p| / (|p| + |g| - |g ∩ p| - |void ∩ p|)`: the predicted pixels on void
 * (ground-truth id 0) are left out of the union. Unmatched non-crowd ground truth is a
 * false negative; an unmatched prediction is a false positive unless more than half of
 * it lies on void plus the crowd region of its category. Per class,
 * `PQ = Σ IoU / (TP + FP/2 + FN/2)`, `SQ = Σ IoU / TP`, `RQ = TP / (TP + FP/2 + FN/2)`,
 * summed over all images before dividing; All / Things / Stuff are the means over the
 * classes with `TP + FP + FN > 0`.
 *
 * Kept from panopticapi, on purpose: every pair over the threshold is a TP (no
 * one-to-one assignment; IoU > 0.5 makes matches unique when given areas are true);
 * ground-truth areas come from the segment list when given; ids of the ground-truth
 * map listed nowhere are skipped as match candidates but are not void (a prediction on
 * them can be an FP); a listed ground-truth segment on no pixel is an FN; ground-truth
 * categories are not checked (an unknown one is counted, then left out of every
 * mean); the crowd region of a category is its last crowd segment in the list; a
 * repeated segment id, prediction image id or category id keeps its last entry (at
 * the place of its first); a prediction for no ground-truth image is ignored, and a
 * ground-truth image listed twice counts twice.
 *
 * Not kept: segment id 0 in a segment list is a `RangeError` (panopticapi would count
 * the void pixels as that segment and as void at once); a group without classes gives
 * `NaN` with `n: 0` instead of a `ZeroDivisionError`. Added: a ground-truth segment
 * without `area` gets its counted area; ids may be any int32, not only 24-bit colours.
 *
 * @module
 */

import {
  checkArray,
  checkCategory,
  checkImage,
  checkImageId,
  checkObject,
  checkPaired,
  checkPredictedSegments,
  checkSameSize,
  imageName,
} from "./panoptic_checks.ts";
import { compactSegments, countIntersections } from "./panoptic_counts.ts";
import type {
  LegacyPanopticCategory,
  PanopticCategory,
  PanopticGroundTruth,
  PanopticPrediction,
  PanopticQualityClass,
  PanopticQualityReport,
  PanopticQualityScores,
} from "./panoptic_types.ts";

export type {
  LegacyPanopticCategory,
  PanopticCategory,
  PanopticGroundTruth,
  PanopticGroundTruthSegment,
  PanopticPrediction,
  PanopticPredictionSegment,
  PanopticQualityClass,
  PanopticQualityReport,
  PanopticQualityScores,
} from "./panoptic_types.ts";

interface Stat {
  iou: number;
  tp: number;
  fp: number;
  fn: number;
}

interface Category {
  isThing: boolean;
  name?: string;
}

/**
 * Panoptic Quality of `predictions` against `groundTruth`, as panopticapi's
 * `pq_compute`: PQ, SQ, RQ for all classes, things and stuff, and per class. Values
 * are fractions in [0, 1], not percentages. See the module documentation for the
 * rules.
 *
 * Images pair by `imageId` (the last prediction of an id wins; predictions for no
 * ground-truth image are ignored). Predicted areas are counted in the id maps;
 * ground-truth areas come from `segments[].area` when given.
 *
 * @param groundTruth one entry per image (an image listed twice counts twice).
 * @param predictions one entry per ground-truth image, e.g. `PanopticResult`s with an
 * `imageId` added.
 * @param categories every category a prediction may use: `{id, isThing, name?}`. For a
 * transition, the categories of a COCO panoptic JSON (`isthing: 1 | 0`) are read too;
 * that form is deprecated (convert them with `panopticCategories()`), as is a
 * ground-truth segment's `iscrowd` (now `isCrowd`).
 * @throws {TypeError} on a value of the wrong kind.
 * @throws {RangeError} when a ground-truth image has no prediction, sizes differ, a
 * segment id is 0, a predicted id of the map is not listed, a
 * listed predicted segment has no pixel, or a predicted category is unknown. The
 * message names the argument, the image and the segment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // 1×4 image: a car (id 1) on pixels 0-1, road (id 2) on pixels 2-3.
 * const categories = [{ id: 3, isThing: true, name: "car" }, { id: 7, isThing: false }];
 * const segments = [{ id: 1, categoryId: 3 }, { id: 2, categoryId: 7 }];
 * const gt = { imageId: 1, height: 1, width: 4, segmentIds: new Int32Array([1, 1, 2, 2]), segments };
 * // The prediction puts pixel 1 in the road: car IoU 1/2 (no match), road IoU 2/3.
 * const pred = { ...gt, segmentIds: new Int32Array([1, 2, 2, 2]) };
 * const report = panopticQuality([gt], [pred], categories);
 * assert.equal(report.things.pq, 0); // one FN and one FP
 * assert.equal(report.stuff.pq, 2 / 3); // one TP of IoU 2/3
 * assert.equal(report.all.pq, 1 / 3);
 * assert.deepEqual(report.perClass.map((c) => [c.tp, c.fp, c.fn]), [[0, 1, 1], [1, 0, 0]]);
 * ```
 */
export function panopticQuality(
  groundTruth: readonly PanopticGroundTruth[],
  predictions: readonly PanopticPrediction[],
  categories: readonly (PanopticCategory | LegacyPanopticCategory)[],
): PanopticQualityReport {
  checkArray("groundTruth", groundTruth, "ground-truth images");
  checkArray("predictions", predictions, "predicted images");
  checkArray("categories", categories, "categories {id, isThing, name?}");
  const table = new Map<number, Category>();
  for (let i = 0; i < categories.length; i++) {
    table.set(categories[i].id, checkCategory(`categories[${i}]`, categories[i]));
  }
  // Pairing, as pq_compute: all of it before any image is evaluated.
  const byImage = new Map<number | string, number>();
  for (let i = 0; i < predictions.length; i++) {
    checkObject(`predictions[${i}]`, predictions[i], "a predicted image");
    byImage.set(checkImageId(`predictions[${i}]`, predictions[i].imageId), i);
  }
  const pairs = new Int32Array(groundTruth.length);
  for (let i = 0; i < groundTruth.length; i++) {
    checkObject(`groundTruth[${i}]`, groundTruth[i], "a ground-truth image");
    const id = checkImageId(`groundTruth[${i}]`, groundTruth[i].imageId);
    pairs[i] = checkPaired(i, id, byImage.get(id));
  }
  const stats = new Map<number, Stat>();
  for (let i = 0; i < groundTruth.length; i++) {
    evaluateImage(groundTruth[i], i, predictions[pairs[i]], pairs[i], table, stats);
  }
  const perClass: PanopticQualityClass[] = [];
  return {
    all: average(table, stats, null, perClass),
    things: average(table, stats, true),
    stuff: average(table, stats, false),
    perClass,
  };
}

/** `pq_compute_single_core`'s body for one image, adding into `stats`. */
function evaluateImage(
  gt: PanopticGroundTruth,
  gtIndex: number,
  pred: PanopticPrediction,
  predIndex: number,
  table: Map<number, Category>,
  stats: Map<number, Stat>,
): void {
  const gtName = `groundTruth[${gtIndex}]`;
  const predName = `predictions[${predIndex}]`;
  const image = ` (image ${imageName(gt.imageId)})`;
  checkImage(gtName, gt, image);
  checkImage(predName, pred, image);
  checkSameSize(predName, gt, pred, image);
  const g = compactSegments(gtName, gt.segments, image, true);
  const p = compactSegments(predName, pred.segments, image, false);
  const { stride, keys, cell, predArea, gtCounted, unlisted } = countIntersections(
    g,
    p,
    gt.segmentIds,
    pred.segmentIds,
  );
  checkPredictedSegments(predName, p, predArea, unlisted, table, image);

  // Matches: same category, gt not crowd, IoU > 0.5. Row g.count + 1: gt ids listed nowhere.
  const otherRow = g.count + 1;
  const gtMatched = new Uint8Array(g.count + 2), predMatched = new Uint8Array(stride);
  for (const k of keys) {
    const r = Math.floor(k / stride), c = k - r * stride;
    if (r === 0 || r === otherRow || c === 0 || g.crowd[r] === 1) continue;
    const category = g.category[r];
    if (category !== p.category[c]) continue;
    const inter = cell(r, c);
    const gtArea = g.area[r] === g.area[r] ? g.area[r] : gtCounted[r];
    const iou = inter / (predArea[c] + gtArea - inter - cell(0, c));
    if (iou > 0.5) {
      const s = stat(stats, category);
      s.tp += 1;
      s.iou += iou;
      gtMatched[r] = 1;
      predMatched[c] = 1;
    }
  }
  // False negatives; the crowd region of a category is its last crowd segment.
  const crowdOf = new Map<number, number>();
  for (const r of g.order) {
    if (gtMatched[r] === 1) continue;
    if (g.crowd[r] === 1) crowdOf.set(g.category[r], r);
    else stat(stats, g.category[r]).fn += 1;
  }
  // False positives, unless more than half on void and same-category crowd.
  for (let c = 1; c <= p.count; c++) {
    if (predMatched[c] === 1) continue;
    const crowd = crowdOf.get(p.category[c]);
    const ignored = cell(0, c) + (crowd === undefined ? 0 : cell(crowd, c));
    if (ignored / predArea[c] > 0.5) continue;
    stat(stats, p.category[c]).fp += 1;
  }
}

/** `PQStat.pq_average` for one group (`isThing` null: all), filling `perClass` if given. */
function average(
  table: Map<number, Category>,
  stats: Map<number, Stat>,
  isThing: boolean | null,
  perClass?: PanopticQualityClass[],
): PanopticQualityScores {
  let pq = 0, sq = 0, rq = 0, n = 0;
  for (const [categoryId, category] of table) {
    if (isThing !== null && category.isThing !== isThing) continue;
    const { iou, tp, fp, fn } = stats.get(categoryId) ?? { iou: 0, tp: 0, fp: 0, fn: 0 };
    let pqClass = 0, sqClass = 0, rqClass = 0;
    if (tp + fp + fn !== 0) {
      n += 1;
      pqClass = iou / (tp + 0.5 * fp + 0.5 * fn);
      sqClass = tp !== 0 ? iou / tp : 0;
      rqClass = tp / (tp + 0.5 * fp + 0.5 * fn);
      pq += pqClass;
      sq += sqClass;
      rq += rqClass;
    }
    const name = category.name === undefined ? {} : { name: category.name };
    perClass?.push({
      categoryId,
      ...name,
      isThing: category.isThing,
      pq: pqClass,
      sq: sqClass,
      rq: rqClass,
      tp,
      fp,
      fn,
      iou,
    });
  }
  return n === 0 ? { pq: NaN, sq: NaN, rq: NaN, n } : { pq: pq / n, sq: sq / n, rq: rq / n, n };
}

function stat(stats: Map<number, Stat>, category: number): Stat {
  let s = stats.get(category);
  if (s === undefined) stats.set(category, s = { iou: 0, tp: 0, fp: 0, fn: 0 });
  return s;
}
