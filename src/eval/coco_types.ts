/**
 * Types of COCO evaluation: its options and the struct-of-arrays index it builds, in
 * memory (camelCase). The COCO JSON that `evaluateCoco` reads mirrors the files, with
 * their snake_case names (`image_id`, `iscrowd`); its types and schemas are in
 * `src/wire/coco.ts` and re-exported here.
 *
 * @module
 */

import type { RleRuns } from "../geometry/rle.ts";

export type {
  CocoAnnotation,
  CocoCategory,
  CocoGroundTruth,
  CocoImage,
  CocoResult,
  CocoRle,
  CocoSegmentation,
} from "../wire/coco.ts";

/** What the IoU of `evaluateCoco` compares: boxes, masks, or keypoints (OKS). */
export type CocoIouType = "bbox" | "segm" | "keypoints";

/**
 * Which images and categories to evaluate (pycocotools' `params.imgIds`,
 * `params.catIds`), and the keypoints' OKS sigmas (`params.kpt_oks_sigmas`).
 */
export interface CocoEvalOptions {
  /** Image ids to evaluate (default: every image of the ground truth). */
  imageIds?: number[];
  /** Category ids to evaluate (default: every category of the ground truth). */
  categoryIds?: number[];
  /**
   * Keypoints only: one OKS sigma per keypoint, K of them (default: COCO's 17,
   * `COCO_KPT_OKS_SIGMAS`); every keypoint array then holds 3·K numbers.
   */
  kptOksSigmas?: number[];
}

/** Ground truths or detections, struct-of-arrays, grouped by cell `k * numImages + i`. */
export interface CocoInstances {
  /** Annotation ids (detections: their 1-based position in the results, as `loadRes`). */
  ids: Float64Array;
  /** Areas the area ranges test. */
  areas: Float64Array;
  /** 1 for crowd ground truth (always 0 for detections). */
  crowd: Uint8Array;
  /**
   * 1 for ground truth that is ignored (pycocotools' `ignore`): crowd, or, for keypoints,
   * without labelled keypoints (`num_keypoints` 0). Always 0 for detections.
   */
  ignore: Uint8Array;
  /** Detection scores (0 for ground truth). */
  scores: Float64Array;
  /** N×4 `[x, y, w, h]` boxes: the IoU's boxes for `"bbox"`, the masks' boxes for `"segm"`. */
  boxes: Float64Array;
  /** Masks, for `"segm"` (empty otherwise). */
  masks: RleRuns[];
  /** N×3K keypoints `x, y, v` (detections: `x, y, score`), for `"keypoints"` (empty otherwise). */
  keypoints: Float64Array;
  /** Instances of cell `c` are `cellStart[c] .. cellStart[c + 1] - 1`, in input order. */
  cellStart: Int32Array;
}

/** What `indexCoco` returns: sorted ids and the instances of each cell. */
export interface CocoIndex {
  /** What the IoU compares. */
  iouType: CocoIouType;
  /** Evaluated image ids, increasing. */
  imageIds: number[];
  /** Evaluated category ids, increasing. */
  categoryIds: number[];
  /** Category names (`""` where the category has none). */
  categoryNames: string[];
  /** The evaluated ground truths. */
  groundTruth: CocoInstances;
  /** The evaluated detections (ids and areas as `loadRes` sets them). */
  detections: CocoInstances;
  /** Results whose category is not evaluated (pycocotools drops them silently). */
  droppedResults: number;
  /** The K OKS sigmas, for `"keypoints"` (empty otherwise). */
  kptOksSigmas: Float64Array;
}
