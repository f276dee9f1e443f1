/**
 * Types of COCO evaluation: the COCO JSON that `evaluateCoco` reads, its options,
 * and the struct-of-arrays index it builds from them.
 *
 * @module
 */

import type { Rle, UncompressedRle } from "../types.ts";
import type { RleRuns } from "../geometry/rle.ts";

/** What the IoU of `evaluateCoco` compares: boxes or masks. */
export type CocoIouType = "bbox" | "segm";

/** An image of a COCO dataset (`height` and `width` are needed for `"segm"`). */
export interface CocoImage {
  /** Image id, unique in the dataset. */
  id: number;
  /** Height in pixels. */
  height?: number;
  /** Width in pixels. */
  width?: number;
  /** Other fields (`file_name`, ...) are ignored. */
  [key: string]: unknown;
}

/** A category of a COCO dataset. */
export interface CocoCategory {
  /** Category id, unique in the dataset. */
  id: number;
  /** Name, reported in the per-class results. */
  name?: string;
  /** Other fields (`supercategory`, ...) are ignored. */
  [key: string]: unknown;
}

/** A ground-truth annotation: `bbox` is `[x, y, w, h]`; `segmentation` polygons or RLE. */
export interface CocoAnnotation {
  /** Annotation id, unique in the dataset (0 is allowed, with pycocotools' quirk). */
  id: number;
  /** Id of the annotation's image (annotations of unknown images are skipped). */
  image_id: number;
  /** Id of the annotation's category (annotations of unknown categories are skipped). */
  category_id: number;
  /** Area that the area ranges test (pycocotools never recomputes it). */
  area: number;
  /** Crowd regions are ignored: detections on them are neither TP nor FP. */
  iscrowd: number | boolean;
  /** `[x, y, w, h]` in pixels, needed for `"bbox"` evaluation. */
  bbox?: number[];
  /** Polygons, uncompressed (crowd) or compressed RLE, needed for `"segm"` evaluation. */
  segmentation?: number[][] | Rle | UncompressedRle;
  /** Other fields (`ignore`, ...) are ignored, as pycocotools ignores them. */
  [key: string]: unknown;
}

/** A COCO ground-truth dataset (`instances_*.json`). */
export interface CocoGroundTruth {
  /** The images; results must refer to these. */
  images: CocoImage[];
  /** The ground-truth objects. */
  annotations: CocoAnnotation[];
  /** The categories; each is evaluated unless `options.categoryIds` says otherwise. */
  categories: CocoCategory[];
  /** Other fields (`info`, `licenses`) are ignored. */
  [key: string]: unknown;
}

/** One detection in the COCO results format. */
export interface CocoResult {
  /** Id of an image of the ground truth. */
  image_id: number;
  /** Category id (results of categories not evaluated are dropped). */
  category_id: number;
  /** Confidence; higher ranks first, ties keep image and result order. */
  score: number;
  /** `[x, y, w, h]` in pixels; when the first result has one, every area is `w × h`. */
  bbox?: number[];
  /** Compressed RLE; with a `bbox`, segm evaluation also reads polygons and plain RLE. */
  segmentation?: Rle | UncompressedRle | number[][];
  /** Other fields (`id`, `area`, ...) are ignored or overwritten, as `loadRes` does. */
  [key: string]: unknown;
}

/** Which images and categories to evaluate (pycocotools' `params.imgIds`, `params.catIds`). */
export interface CocoEvalOptions {
  /** Image ids to evaluate (default: every image of the ground truth). */
  imageIds?: number[];
  /** Category ids to evaluate (default: every category of the ground truth). */
  categoryIds?: number[];
}

/** Ground truths or detections, struct-of-arrays, grouped by cell `k * numImages + i`. */
export interface CocoInstances {
  /** Annotation ids (detections: their 1-based position in the results, as `loadRes`). */
  ids: Float64Array;
  /** Areas the area ranges test. */
  areas: Float64Array;
  /** 1 for crowd ground truth (always 0 for detections). */
  crowd: Uint8Array;
  /** Detection scores (0 for ground truth). */
  scores: Float64Array;
  /** N×4 `[x, y, w, h]` boxes: the IoU's boxes for `"bbox"`, the masks' boxes for `"segm"`. */
  boxes: Float64Array;
  /** Masks, for `"segm"` (empty otherwise). */
  masks: RleRuns[];
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
}
