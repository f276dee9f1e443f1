/**
 * `streamdet/eval`: the metrics, pure TypeScript matching the references users know:
 * {@link evaluateCoco} is pycocotools' `COCOeval` (bbox and segm: the 12 numbers of
 * `stats`, per-class AP and PR curves; keypoints: the 10 numbers of OKS AP and AR) on
 * COCO-format objects, {@link pck} the percentage of correct keypoints at α × the
 * person's box size, {@link panopticQuality} is
 * panopticapi's `pq_compute` on in-memory id maps, {@link evaluateTracking} is TrackEval's
 * HOTA, CLEAR and Identity on one sequence of tracks (MOTChallenge text: {@link parseMotText},
 * {@link formatMotText}). This entry imports nothing native and needs no permission.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateCoco, panopticQuality } from "./mod.ts";
 * const groundTruth = {
 *   images: [{ id: 7, width: 100, height: 100 }],
 *   categories: [{ id: 1, name: "person" }],
 *   annotations: [{ id: 1, image_id: 7, category_id: 1, bbox: [10, 10, 20, 40], area: 800, iscrowd: 0 }],
 * };
 * const { stats } = evaluateCoco(groundTruth, [{ image_id: 7, category_id: 1, bbox: [10, 10, 20, 40], score: 0.9 }], "bbox");
 * assert.ok(stats[0] > 0.999);
 * const image = { imageId: 1, height: 2, width: 2, segmentIds: new Int32Array([1, 1, 0, 0]), segments: [{ id: 1, categoryId: 3 }] };
 * assert.equal(panopticQuality([image], [image], [{ id: 3, isThing: true }]).all.pq, 1);
 * ```
 *
 * @module
 */

export {
  type CocoAnnotation,
  type CocoCategory,
  type CocoClassResult,
  type CocoEvalOptions,
  type CocoEvalResult,
  type CocoGroundTruth,
  type CocoImage,
  type CocoIouType,
  type CocoResult,
  type CocoRle,
  type CocoSegmentation,
  evaluateCoco,
} from "./coco_eval.ts";
export {
  COCO_AREA_LABELS,
  COCO_AREA_RANGES,
  COCO_IOU_THRESHOLDS,
  COCO_KEYPOINT_AREA_LABELS,
  COCO_KEYPOINT_AREA_RANGES,
  COCO_KEYPOINT_MAX_DETS,
  COCO_KEYPOINT_STAT_NAMES,
  COCO_MAX_DETS,
  COCO_RECALL_THRESHOLDS,
  COCO_STAT_NAMES,
} from "./coco_params.ts";
export { COCO_KPT_OKS_SIGMAS } from "./coco_oks.ts";
export {
  COCO_SIZE_NAMES,
  cocoSizeBucket,
  type TruePositiveLevels,
  truePositiveLevels,
  type TruePositiveLevelsOptions,
} from "./coco_levels.ts";
export { pck, type PckOptions, type PckResult } from "./pck.ts";
export {
  type LegacyPanopticCategory,
  type PanopticCategory,
  type PanopticGroundTruth,
  type PanopticGroundTruthSegment,
  type PanopticPrediction,
  type PanopticPredictionSegment,
  panopticQuality,
  type PanopticQualityClass,
  type PanopticQualityReport,
  type PanopticQualityScores,
} from "./panoptic_quality.ts";
export { combinePanoptic } from "./panoptic_combine.ts";
export { idsFromRgb, rgbFromIds } from "./panoptic_ids.ts";
export {
  panopticCategories,
  panopticFromRle,
  type PanopticRleAnnotation,
  type PanopticRleJson,
  type PanopticRleSegment,
} from "./panoptic_rle.ts";
export {
  evaluateTracking,
  HOTA_ALPHAS,
  type TrackingFrame,
  type TrackingMetrics,
  type TrackingOptions,
} from "./evaluate_tracking.ts";
export { formatMotText, parseMotText, type ParseMotTextOptions } from "./mot_text.ts";
