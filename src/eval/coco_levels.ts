/**
 * Which pyramid level found the objects: the true positives of COCO matching (IoU at one
 * threshold, area all, 100 detections per image) counted by the size of the ground truth
 * (small, medium, large) and the `level` of the detection that matched it (single-stage
 * models carry it in their results: FCOS, RetinaNet, SOLOv2).
 *
 * @module
 */

import { z } from "zod";
import { parseArgument } from "../wire/argument.ts";
import { strictObject } from "../wire/strict_object.ts";
import { indexCoco } from "./coco_dataset.ts";
import { cellIou, createEvalBuffer, evaluateImage, MATCHED, sortDetections } from "./coco_match.ts";
import { COCO_AREA_RANGES, COCO_MAX_DETS } from "./coco_params.ts";
import type { CocoGroundTruth, CocoIndex, CocoResult } from "./coco_types.ts";

const FN = "truePositiveLevels";

/**
 * The size buckets of {@link TruePositiveLevels}, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(COCO_SIZE_NAMES, ["small", "medium", "large"]);
 * ```
 */
export const COCO_SIZE_NAMES: readonly string[] = Object.freeze(["small", "medium", "large"]);

/**
 * The size bucket of a ground truth's `area`: 0 small (< 32²), 1 medium (< 96²), 2 large.
 * COCO's area ranges have inclusive bounds (an area of exactly 32² is small and medium);
 * a partition has to choose, and this one puts 32² in medium and 96² in large.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([1023, 1024, 9215, 9216].map(cocoSizeBucket), [0, 1, 1, 2]);
 * ```
 */
export function cocoSizeBucket(area: number): 0 | 1 | 2 {
  return area < 32 ** 2 ? 0 : area < 96 ** 2 ? 1 : 2;
}

/** Options of {@link truePositiveLevels}. */
export interface TruePositiveLevelsOptions {
  /** Image ids to evaluate (default: every image of the ground truth). */
  imageIds?: number[];
  /** Category ids to evaluate (default: every category of the ground truth). */
  categoryIds?: number[];
  /** The one IoU threshold of the matching (default 0.5). */
  iouThreshold?: number;
  /** What the IoU compares: `"bbox"` (default) or `"segm"`. */
  iouType?: "bbox" | "segm";
  /** The number of levels L (default: `levelNames.length`, else the largest level + 1). */
  levels?: number;
  /** A name per level (default `level 0`, `level 1`...), e.g. `["P3", "P4", "P5"]`. */
  levelNames?: string[];
}

const OptionsSchema = strictObject({
  imageIds: z.array(z.number()).optional(),
  categoryIds: z.array(z.number()).optional(),
  iouThreshold: z.number().min(0).max(1).optional(),
  iouType: z.enum(["bbox", "segm"]).optional(),
  levels: z.int().min(1).optional(),
  levelNames: z.array(z.string()).min(1).optional(),
});

/** What {@link truePositiveLevels} returns (plain arrays: it goes into `metrics.json`). */
export interface TruePositiveLevels {
  /** What the IoU compared. */
  iouType: "bbox" | "segm";
  /** The IoU threshold of the matching. */
  iouThreshold: number;
  /** The size buckets, {@link COCO_SIZE_NAMES}. */
  sizes: string[];
  /** The L level names. */
  levelNames: string[];
  /** `counts[size][level]`: ground truths of that size matched by a detection of that level. */
  counts: number[][];
  /** Per size: ground truths matched by a detection without a `level`. */
  withoutLevel: number[];
  /** Per size: ground truths matched (true positives), with a level or without. */
  truePositives: number[];
  /** Per size: ground truths that can be matched (not crowd, area in `[0, 1e10]`). */
  groundTruths: number[];
  /** Results (all of them, evaluated or not) that carry a `level`. */
  resultsWithLevel: number;
}

/** L and the level names, from the options and the results' levels (checked by the schema). */
function levelAxis(
  results: readonly CocoResult[],
  levels: number | undefined,
  names: string[] | undefined,
): { names: string[]; withLevel: number } {
  if (levels !== undefined && names !== undefined && names.length !== levels) {
    throw new RangeError(
      `${FN}(): options.levelNames: expected ${levels} names (options.levels), found ${names.length}`,
    );
  }
  let max = -1, withLevel = 0;
  for (const r of results) {
    if (r.level === undefined) continue;
    withLevel++;
    max = Math.max(max, r.level);
  }
  const L = levels ?? names?.length ?? max + 1;
  if (max >= L) {
    const j = results.findIndex((r) => r.level !== undefined && r.level >= L);
    const why = levels !== undefined ? "options.levels" : "one per name of options.levelNames";
    throw new RangeError(
      `${FN}(): results[${j}].level: expected an integer in [0, ${
        L - 1
      }] (${L} levels: ${why}), found ${results[j].level}`,
    );
  }
  return { names: names ?? Array.from({ length: L }, (_, l) => `level ${l}`), withLevel };
}

/**
 * Counts the true positives of COCO matching by the size of the ground truth and the
 * `level` of the detection that matched it: which pyramid level finds small, medium and
 * large objects.
 *
 * The matching is pycocotools' `evaluateImg` (the same code as `evaluateCoco`), for one
 * IoU threshold (`options.iouThreshold`, default 0.5), area range all (`[0, 1e10]`) and
 * at most 100 detections per image and category: in score order, each detection takes
 * the best remaining ground truth with IoU ≥ the threshold; crowd regions are ignored
 * (a detection on one is neither TP nor FP); a ground truth with id 0 is never matched,
 * as in pycocotools. Each matched ground truth counts once, in the bucket of its `area`
 * ({@link cocoSizeBucket}: small < 32², medium < 96², large otherwise) and the column
 * of the detection's `level` (or `withoutLevel` when the result has none). The sum of
 * `truePositives` is the TP count of `evaluateCoco` at that threshold (its recall at
 * area all and 100 detections, times the ground truths).
 *
 * Bad input is a `TypeError` or `RangeError` naming the path: the ground truth and
 * results as `evaluateCoco` checks them (with `level` an integer >= 0), a level not below
 * `options.levels` (or the number of `options.levelNames`), `levels` and `levelNames`
 * that disagree, an unknown option.
 *
 * @param groundTruth COCO ground truth (`bbox` on every annotation, or `segmentation`
 *   for `"segm"`).
 * @param results COCO results, each with an optional `level`.
 * @param options Subsets of images and categories, threshold, IoU type, levels.
 *
 * @example Two levels: the small car found by level 0, the large one by level 1
 * ```ts
 * import assert from "node:assert/strict";
 * const groundTruth = {
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1, name: "car" }],
 *   annotations: [
 *     { id: 1, image_id: 1, category_id: 1, area: 400, iscrowd: 0, bbox: [0, 0, 20, 20] },
 *     { id: 2, image_id: 1, category_id: 1, area: 20000, iscrowd: 0, bbox: [50, 0, 200, 100] },
 *   ],
 * };
 * const results = [
 *   { image_id: 1, category_id: 1, score: 0.9, bbox: [1, 0, 20, 20], level: 0 },
 *   { image_id: 1, category_id: 1, score: 0.8, bbox: [50, 0, 200, 100], level: 1 },
 * ];
 * const out = truePositiveLevels(groundTruth, results, { levelNames: ["P3", "P4"] });
 * assert.deepEqual(out.counts, [[1, 0], [0, 0], [0, 1]]);
 * assert.deepEqual(out.groundTruths, [1, 0, 1]);
 * assert.throws(
 *   () => truePositiveLevels(groundTruth, [{ ...results[0], level: -1 }]),
 *   /results\[0\]\.level: expected an integer >= 0/,
 * );
 * ```
 */
export function truePositiveLevels(
  groundTruth: CocoGroundTruth,
  results: CocoResult[],
  options: TruePositiveLevelsOptions = {},
): TruePositiveLevels {
  const opts = parseArgument(OptionsSchema, options ?? {}, FN, "options");
  const iouType = opts.iouType ?? "bbox";
  const iouThreshold = opts.iouThreshold ?? 0.5;
  const index = indexCoco(groundTruth, results, iouType, {
    ...(opts.imageIds ? { imageIds: opts.imageIds } : {}),
    ...(opts.categoryIds ? { categoryIds: opts.categoryIds } : {}),
  }, FN);
  const { names, withLevel } = levelAxis(results, opts.levels, opts.levelNames);
  const L = names.length;
  const gt = index.groundTruth, dt = index.detections;
  const [lo, hi] = COCO_AREA_RANGES[0];
  // Size of each ground truth; -1 for those area all ignores (crowd, area out of range).
  const size = new Int8Array(gt.ids.length);
  const groundTruths = [0, 0, 0];
  for (let n = 0; n < size.length; n++) {
    const area = gt.areas[n];
    size[n] = gt.ignore[n] || area < lo || area > hi ? -1 : cocoSizeBucket(area);
    if (size[n] >= 0) groundTruths[size[n]]++;
  }
  // One view of the index per size, in which the ground truths of other sizes have id 0:
  // evaluateImage takes them all the same (the matching does not change) but marks a
  // detection MATCHED only when its ground truth has a non-zero id, i.e. is of that size.
  const views = [0, 1, 2].map((s): CocoIndex => {
    const ids = gt.ids.slice();
    for (let n = 0; n < ids.length; n++) if (size[n] !== s) ids[n] = 0;
    return { ...index, groundTruth: { ...gt, ids } };
  });
  const counts = [0, 1, 2].map(() => new Array<number>(L).fill(0));
  const withoutLevel = [0, 0, 0];
  const truePositives = [0, 0, 0];
  const thresholds = Float64Array.of(iouThreshold);
  const maxDet = COCO_MAX_DETS[COCO_MAX_DETS.length - 1];
  const cells = index.categoryIds.length * index.imageIds.length;
  for (let cell = 0; cell < cells; cell++) {
    const g0 = gt.cellStart[cell], g1 = gt.cellStart[cell + 1];
    const d0 = dt.cellStart[cell], d1 = dt.cellStart[cell + 1];
    if (g0 === g1 || d0 === d1) continue;
    const order = sortDetections(dt.scores, d0, d1, maxDet);
    const ious = cellIou(index, cell, order);
    for (let s = 0; s < 3; s++) {
      if (!size.subarray(g0, g1).includes(s)) continue;
      const out = createEvalBuffer();
      evaluateImage(views[s], cell, order, ious, COCO_AREA_RANGES[0], thresholds, out);
      for (let d = 0; d < order.length; d++) {
        if (out.flags[d] !== MATCHED) continue; // unmatched, or on a crowd (IGNORED)
        truePositives[s]++;
        const level = results[dt.ids[order[d]] - 1].level;
        if (level === undefined) withoutLevel[s]++;
        else counts[s][level]++;
      }
    }
  }
  return {
    iouType,
    iouThreshold,
    sizes: [...COCO_SIZE_NAMES],
    levelNames: names,
    counts,
    withoutLevel,
    truePositives,
    groundTruths,
    resultsWithLevel: withLevel,
  };
}
