/**
 * COCO box, mask and keypoint AP, as pycocotools' `COCOeval` (`evaluate`, `accumulate`,
 * `summarize`) computes it, with per-class AP as detectron2 reports it.
 *
 * @module
 */

import { accumulateCurves, createCurves, summarizeCurves } from "./coco_accumulate.ts";
import { indexCoco } from "./coco_dataset.ts";
import type { CocoEvalOptions, CocoGroundTruth, CocoIouType, CocoResult } from "./coco_types.ts";
import { cellIou, createEvalBuffer, evaluateImage, sortDetections } from "./coco_match.ts";
import { COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS, cocoParams } from "./coco_params.ts";

export type {
  CocoAnnotation,
  CocoCategory,
  CocoEvalOptions,
  CocoGroundTruth,
  CocoImage,
  CocoIouType,
  CocoResult,
  CocoRle,
  CocoSegmentation,
} from "./coco_types.ts";

/**
 * Per-category results: the numbers of `stats` computed for this category alone. For
 * `"keypoints"` (maxDets 20, no small range) `ap`, `ap50`, `ap75`, `apMedium`, `apLarge`,
 * `ar`, `ar50`, `ar75`, `arMedium`, `arLarge` hold its 10 numbers, and `apSmall`, `ar1`,
 * `ar10`, `ar100`, `arSmall` are -1.
 */
export interface CocoClassResult {
  /** The category's id. */
  categoryId: number;
  /** The category's `name` in the ground truth (`""` if it has none). */
  name: string;
  /** AP@[.5:.95] (all areas, 100 detections), as detectron2's per-category AP; -1 without ground truth. */
  ap: number;
  /** AP at IoU 0.5. */
  ap50: number;
  /** AP at IoU 0.75. */
  ap75: number;
  /** AP of small objects (area <= 32²). */
  apSmall: number;
  /** AP of medium objects (32² <= area <= 96²). */
  apMedium: number;
  /** AP of large objects (area >= 96²). */
  apLarge: number;
  /** AR with 1 detection per image. */
  ar1: number;
  /** AR with 10 detections per image. */
  ar10: number;
  /** AR with 100 detections per image. */
  ar100: number;
  /** AR of small objects. */
  arSmall: number;
  /** AR of medium objects. */
  arMedium: number;
  /** AR of large objects. */
  arLarge: number;
  /** Keypoints only: AR with 20 detections per image, over OKS 0.5:0.95. */
  ar?: number;
  /** Keypoints only: AR at OKS 0.5. */
  ar50?: number;
  /** Keypoints only: AR at OKS 0.75. */
  ar75?: number;
  /** Ground truths that are not crowd, in the evaluated images. */
  numGroundTruth: number;
  /** Detections of this category in the evaluated images (before the maxDets cut). */
  numDetections: number;
  /** Precision at the 101 recall points at IoU 0.5 (all areas, 100 detections; keypoints: OKS 0.5, 20): a PR curve to plot. */
  precision50: Float64Array;
}

/** What {@link evaluateCoco} returns. */
export interface CocoEvalResult {
  /** What the IoU compared. */
  iouType: CocoIouType;
  /**
   * `COCOeval.stats`: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl
   * (names in `COCO_STAT_NAMES`); for keypoints AP, AP50, AP75, APm, APl, AR, AR50, AR75,
   * ARm, ARl (`COCO_KEYPOINT_STAT_NAMES`); -1 where nothing is left to average.
   */
  stats: number[];
  /** The names of `stats`, in order. */
  statNames: string[];
  /** One entry per evaluated category, in increasing id order. */
  perClass: CocoClassResult[];
  /** The parameters the arrays are laid out on. */
  params: {
    /** The T = 10 IoU thresholds. */
    iouThresholds: Float64Array;
    /** The R = 101 recall points. */
    recallThresholds: Float64Array;
    /** The M detection limits per image: 1, 10, 100 (keypoints: 20). */
    maxDets: number[];
    /** The A area ranges, bounds inclusive. */
    areaRanges: [number, number][];
    /** Their labels: all, small, medium, large (keypoints: all, medium, large). */
    areaLabels: string[];
    /** Evaluated image ids, increasing. */
    imageIds: number[];
    /** The K evaluated category ids, increasing (the `k` axis). */
    categoryIds: number[];
  };
  /** `[T, R, K, A, M]` = `[10, 101, categories, 4, 3]` (keypoints: `[10, 101, categories, 3, 1]`). */
  counts: [number, number, number, number, number];
  /** `eval["precision"]`, T×R×K×A×M row-major (`(((t * R + r) * K + k) * A + a) * M + m`), -1 where no ground truth. */
  precision: Float64Array;
  /** `eval["recall"]`, T×K×A×M row-major. */
  recall: Float64Array;
  /** `eval["scores"]`, T×R×K×A×M: the score at which each recall point is reached. */
  scores: Float64Array;
  /** Results whose category is not evaluated (pycocotools drops them silently). */
  droppedResults: number;
}

/**
 * Evaluates detections against a COCO ground truth with pycocotools' semantics
 * (`COCO.loadRes`, `COCOeval(gt, dt, iouType).evaluate(); accumulate(); summarize()`):
 * IoU thresholds 0.5:0.05:0.95, 101 recall points, maxDets 1/10/100, area ranges with
 * inclusive bounds, crowd regions ignored, greedy matching in score order (stable),
 * categories without ground truth left out.
 *
 * `groundTruth` is a COCO dataset (`{images, annotations, categories}`): annotations
 * need `id`, `image_id`, `category_id`, `area`, `iscrowd`, and `bbox` (`"bbox"`) or
 * `segmentation` (`"segm"`: polygons, plain or compressed RLE; images then need
 * `height` and `width`). `results` are COCO results `{image_id, category_id, score,
 * bbox?, segmentation?, keypoints?}`; as in `loadRes`, when the first has a `bbox` every
 * area is `w × h` of the box (even for `"segm"`), otherwise areas (and missing boxes)
 * come from the compressed RLE, or, when the first has neither, from the extent of the
 * keypoints. Empty `results` give 0 (pycocotools' `loadRes` fails on them).
 *
 * `"keypoints"` is `COCOeval(gt, dt, "keypoints")`: the IoU is the object keypoint
 * similarity (`computeOks`, see `cellOks`) with `options.kptOksSigmas` (default: COCO's 17,
 * `COCO_KPT_OKS_SIGMAS`), at most 20 detections per image and category, area ranges all /
 * medium / large, and `stats` the 10 numbers of `_summarizeKps`: AP, AP50, AP75, APm,
 * APl, AR, AR50, AR75, ARm, ARl. Ground-truth annotations then need `keypoints`
 * (`[x, y, v] × K`, K the number of sigmas), `num_keypoints` and `bbox`; those with
 * `num_keypoints` 0 are ignored like crowds (a detection on them is neither TP nor FP; a
 * crowd can match many), and a person without labelled keypoints (all v = 0) is matched
 * by the distance of the detection's keypoints to twice its box. Results need
 * `keypoints` (`[x, y, score] × K`; the scores are not read, `score` ranks them).
 * Images without ground truth count their detections as false positives.
 *
 * Precision is pycocotools' `tp / (fp + tp + np.spacing(1))`, so a category whose only
 * true positive comes first has precision 1 / (1 + 2⁻⁵²) = 0.9999999999999998 there, and
 * "perfect" AP can be that rather than 1, as in pycocotools (which prints 1.000).
 *
 * `groundTruth` and `results` are checked with the COCO files' schemas
 * (`CocoGroundTruthSchema`, `CocoResultsSchema` in `src/wire/coco.ts`; unknown fields
 * such as `info` or `supercategory` are allowed, as pycocotools allows them; ids are
 * integers, unique in the ground truth). Bad input is a `TypeError` (a value of the wrong
 * kind) or a `RangeError` (a wrong value) whose message names the path, what was expected
 * and what was found: `evaluateCoco(): groundTruth.annotations[3].area: expected a number,
 * found nothing`; so is a result for an image not in the ground truth (pycocotools
 * asserts), and a mask whose size is not its image's.
 *
 * @param groundTruth COCO ground truth.
 * @param results Detections in the COCO results format.
 * @param iouType `"bbox"`, `"segm"` or `"keypoints"`.
 * @param options Subsets of image and category ids to evaluate; OKS sigmas for keypoints.
 *
 * @example Perfect boxes give AP 1, a false positive ranked first halves it
 * ```ts
 * import assert from "node:assert/strict";
 * const groundTruth = {
 *   images: [{ id: 1, height: 100, width: 100 }],
 *   categories: [{ id: 1, name: "person" }],
 *   annotations: [
 *     { id: 1, image_id: 1, category_id: 1, area: 400, iscrowd: 0, bbox: [10, 10, 20, 20] },
 *     { id: 2, image_id: 1, category_id: 1, area: 400, iscrowd: 0, bbox: [50, 10, 20, 20] },
 *   ],
 * };
 * const results = [
 *   { image_id: 1, category_id: 1, score: 0.9, bbox: [10, 10, 20, 20] },
 *   { image_id: 1, category_id: 1, score: 0.8, bbox: [50, 10, 20, 20] },
 * ];
 * const { stats, perClass } = evaluateCoco(groundTruth, results, "bbox");
 * assert.equal(stats[0], 1); // AP
 * assert.equal(stats[3], 1); // APs: area 400 is small
 * assert.equal(stats[4], -1); // APm: no medium ground truth
 * assert.equal(stats[6], 0.5); // AR1: one detection per image finds one of two
 * assert.equal(perClass[0].ap, 1);
 *
 * // a false positive (no overlap) scored above both: precision 0, 1/2, 2/3 -> 2/3
 * const withFp = [{ image_id: 1, category_id: 1, score: 0.95, bbox: [0, 60, 10, 10] }, ...results];
 * assert.equal(evaluateCoco(groundTruth, withFp, "bbox").stats[0], 2 / (3 + 2.220446049250313e-16));
 * ```
 *
 * @example Keypoints: OKS against labelled keypoints, with custom sigmas
 * ```ts
 * import assert from "node:assert/strict";
 * const person = { id: 1, image_id: 1, category_id: 1, iscrowd: 0, area: 5000, bbox: [0, 0, 50, 100] };
 * const groundTruth = {
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1, name: "person", keypoints: ["head", "left foot", "right foot"] }],
 *   annotations: [{ ...person, num_keypoints: 3, keypoints: [25, 10, 2, 15, 95, 2, 35, 95, 1] }],
 * };
 * const found = { image_id: 1, category_id: 1, score: 0.9, keypoints: [25, 10, 1, 15, 95, 1, 35, 95, 1] };
 * const options = { kptOksSigmas: [0.026, 0.089, 0.089] };
 * const { stats, statNames } = evaluateCoco(groundTruth, [found], "keypoints", options);
 * assert.deepEqual(statNames, ["AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl"]);
 * assert.ok(stats[0] > 0.999); // OKS 1
 * assert.ok(stats[3] > 0.999); // APm: 32² <= area 5000 <= 96²
 * assert.equal(stats[4], -1); // APl: no large person
 * ```
 */
export function evaluateCoco(
  groundTruth: CocoGroundTruth,
  results: CocoResult[],
  iouType: CocoIouType,
  options?: CocoEvalOptions,
): CocoEvalResult {
  const index = indexCoco(groundTruth, results, iouType, options);
  const params = cocoParams(iouType);
  const I = index.imageIds.length;
  const K = index.categoryIds.length;
  const T = COCO_IOU_THRESHOLDS.length;
  const R = COCO_RECALL_THRESHOLDS.length;
  const A = params.areaRanges.length;
  const M = params.maxDets.length;
  const maxDet = params.maxDets[M - 1];
  const curves = createCurves(T, R, K, A, M);
  const gt = index.groundTruth;
  const dt = index.detections;
  const numGroundTruth = new Array<number>(K).fill(0);
  const numDetections = new Array<number>(K).fill(0);
  for (let k = 0; k < K; k++) {
    const buffers = params.areaRanges.map(() => createEvalBuffer());
    for (let i = 0; i < I; i++) {
      const cell = k * I + i;
      const gStart = gt.cellStart[cell], gEnd = gt.cellStart[cell + 1];
      const dStart = dt.cellStart[cell], dEnd = dt.cellStart[cell + 1];
      if (gStart === gEnd && dStart === dEnd) continue;
      for (let n = gStart; n < gEnd; n++) if (!gt.crowd[n]) numGroundTruth[k]++;
      numDetections[k] += dEnd - dStart;
      const order = sortDetections(dt.scores, dStart, dEnd, maxDet);
      const ious = cellIou(index, cell, order);
      for (let a = 0; a < A; a++) {
        evaluateImage(
          index,
          cell,
          order,
          ious,
          params.areaRanges[a],
          COCO_IOU_THRESHOLDS,
          buffers[a],
        );
      }
    }
    for (let a = 0; a < A; a++) {
      for (let m = 0; m < M; m++) {
        accumulateCurves(buffers[a], params.maxDets[m], COCO_RECALL_THRESHOLDS, curves, k, a, m);
      }
    }
  }
  const allT = Array.from({ length: T }, (_, t) => t);
  const allK = Array.from({ length: K }, (_, k) => k);
  const summarize = (categories: number[]) =>
    params.summary.map(([ap, t, a, m]) =>
      summarizeCurves(curves, ap, t === null ? allT : [t], categories, a, m)
    );
  const perClass = index.categoryIds.map((categoryId, k): CocoClassResult => {
    const precision50 = new Float64Array(R);
    for (let r = 0; r < R; r++) precision50[r] = curves.precision[((r * K + k) * A) * M + M - 1];
    return {
      categoryId,
      name: index.categoryNames[k],
      ...classStats(iouType, summarize([k])),
      numGroundTruth: numGroundTruth[k],
      numDetections: numDetections[k],
      precision50,
    };
  });
  return {
    iouType,
    stats: summarize(allK),
    statNames: [...params.statNames],
    perClass,
    params: {
      iouThresholds: COCO_IOU_THRESHOLDS.slice(),
      recallThresholds: COCO_RECALL_THRESHOLDS.slice(),
      maxDets: [...params.maxDets],
      areaRanges: params.areaRanges.map(([lo, hi]) => [lo, hi] as [number, number]),
      areaLabels: [...params.areaLabels],
      imageIds: index.imageIds,
      categoryIds: index.categoryIds,
    },
    counts: curves.counts,
    precision: curves.precision,
    recall: curves.recall,
    scores: curves.scores,
    droppedResults: index.droppedResults,
  };
}

/** The named numbers of {@link CocoClassResult} from one category's `stats`. */
function classStats(
  iouType: CocoIouType,
  s: number[],
): Omit<
  CocoClassResult,
  "categoryId" | "name" | "numGroundTruth" | "numDetections" | "precision50"
> {
  if (iouType === "keypoints") {
    const [ap, ap50, ap75, apMedium, apLarge, ar, ar50, ar75, arMedium, arLarge] = s;
    return {
      ap,
      ap50,
      ap75,
      apSmall: -1,
      apMedium,
      apLarge,
      ar1: -1,
      ar10: -1,
      ar100: -1,
      arSmall: -1,
      arMedium,
      arLarge,
      ar,
      ar50,
      ar75,
    };
  }
  const [ap, ap50, ap75, apSmall, apMedium, apLarge, ar1, ar10, ar100, arSmall, arMedium, arLarge] =
    s;
  return {
    ap,
    ap50,
    ap75,
    apSmall,
    apMedium,
    apLarge,
    ar1,
    ar10,
    ar100,
    arSmall,
    arMedium,
    arLarge,
  };
}
