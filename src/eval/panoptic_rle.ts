/**
 * COCO panoptic annotations whose segments carry RLE masks (as the demo's
 * `models/demo/panoptic.json`), turned into the id maps {@link panopticQuality} reads.
 *
 * @module
 */

import type { Rle } from "../types.ts";
import { decodeRle } from "../geometry/rle.ts";
import type { PanopticGroundTruth } from "./panoptic_types.ts";

/** One segment: COCO panoptic's `segments_info` entry plus its mask as RLE. */
export interface PanopticRleSegment {
  id: number;
  category_id: number;
  iscrowd?: number;
  area?: number;
  bbox?: number[];
  segmentation: Rle;
}

/** One image's annotation. */
export interface PanopticRleAnnotation {
  image_id: number;
  file_name?: string;
  segments_info: PanopticRleSegment[];
}

/** The whole file: images, categories (`isthing`) and annotations. */
export interface PanopticRleJson {
  images: { id: number; width: number; height: number; [key: string]: unknown }[];
  categories: { id: number; name: string; isthing: number }[];
  annotations: PanopticRleAnnotation[];
}

/**
 * The id map of one annotation: each segment's mask painted with its id (a pixel in two
 * masks gets the later one), 0 where no segment is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const gt = panopticFromRle({
 *   image_id: 3,
 *   segments_info: [{ id: 9, category_id: 1, segmentation: { size: [2, 2], counts: "022" } }],
 * });
 * assert.deepEqual([...gt.segmentIds], [9, 0, 9, 0]); // column 0 (row-major: pixels 0 and 2)
 * ```
 */
export function panopticFromRle(annotation: PanopticRleAnnotation): PanopticGroundTruth {
  const segments = annotation.segments_info;
  if (segments.length === 0) {
    throw new RangeError(
      `panopticFromRle(): image ${annotation.image_id}: expected segments with RLE masks, found none`,
    );
  }
  const [height, width] = segments[0].segmentation.size;
  const segmentIds = new Int32Array(height * width);
  for (const s of segments) {
    const mask = decodeRle(s.segmentation);
    if (mask.length !== segmentIds.length) {
      throw new RangeError(
        `panopticFromRle(): image ${annotation.image_id}, segment ${s.id}: expected a ${height}×${width} mask, found ${
          s.segmentation.size.join("×")
        }`,
      );
    }
    for (let i = 0; i < mask.length; i++) if (mask[i]) segmentIds[i] = s.id;
  }
  return {
    imageId: annotation.image_id,
    height,
    width,
    segmentIds,
    segments: segments.map((s) => ({
      id: s.id,
      categoryId: s.category_id,
      iscrowd: s.iscrowd ?? 0,
      area: s.area,
    })),
  };
}
