/**
 * A COCO panoptic ground truth whose segments carry their masks as RLE (as the demo's
 * `models/demo/panoptic.json`): COCO panoptic's JSON (`images`, `categories` with
 * `isthing`, `annotations` with `segments_info`) where each segment adds a
 * `segmentation` RLE in place of the PNG. `deno task eval --panoptic-gt` reads it, and
 * `panopticFromRle()` turns each annotation into the id map `panopticQuality()` reads.
 *
 * The file mirrors COCO panoptic, whose tools add fields of their own (`info`,
 * `licenses`, `supercategory`, `color`, `file_name`, a segment's `bbox`), so its objects
 * are `z.looseObject`s: unknown fields are kept, not rejected (an RLE's are left out).
 *
 * @module
 */

import { z } from "zod";
import { CocoBoxSchema } from "./coco.ts";
import { numberArray } from "./number_array.ts";

/** A compressed RLE `{size: [height, width], counts: string}` over the whole image. */
export const PanopticRleMaskSchema = z.object({
  size: numberArray<[number, number]>({
    expected: "[height, width] (two integers >= 0)",
    lengths: [2],
    integer: true,
    min: 0,
    description: "[height, width] of the image",
  }),
  counts: z.string().describe("compressed counts, as pycocotools writes them"),
}, { error: "an RLE {size: [h, w], counts: string}" });

/** One segment: COCO panoptic's `segments_info` entry plus its mask as RLE. */
export const PanopticRleSegmentSchema = z.looseObject({
  id: z.int().min(1).describe("segment id (R + 256 G + 256² B of the PNG; 0 is void)"),
  category_id: z.int().describe("the segment's category"),
  iscrowd: z.literal([0, 1, false, true]).optional().describe(
    "1 (or true) for a crowd region; default 0",
  ),
  area: z.number().min(0).optional().describe("pixels; PQ's union uses it when given"),
  bbox: CocoBoxSchema.optional(),
  segmentation: PanopticRleMaskSchema.describe("the segment's pixels"),
});

/** One image's annotation. */
export const PanopticRleAnnotationSchema = z.looseObject({
  image_id: z.int().describe("the image's id (a frame's is frame + 1)"),
  file_name: z.string().optional(),
  segments_info: z.array(PanopticRleSegmentSchema).describe("the segments, masks as RLE"),
});

/** A category: thing (`isthing: 1`) or stuff (`0`). */
export const PanopticRleCategorySchema = z.looseObject({
  id: z.int(),
  name: z.string(),
  isthing: z.literal([0, 1, false, true]).describe(
    "1 (or true) for a thing (instance) category, 0 for stuff",
  ),
});

/** An image. */
export const PanopticRleImageSchema = z.looseObject({
  id: z.int(),
  width: z.int().min(0),
  height: z.int().min(0),
});

/**
 * The whole file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * const pan = {
 *   images: [{ id: 1, width: 2, height: 2 }],
 *   categories: [{ id: 7, name: "road", isthing: 0, supercategory: "ground" }],
 *   annotations: [{
 *     image_id: 1,
 *     segments_info: [{ id: 1, category_id: 7, segmentation: { size: [2, 2], counts: "04" } }],
 *   }],
 * };
 * assert.deepEqual(checkWire(PanopticRleJsonSchema, pan), []);
 * pan.annotations[0].segments_info[0].segmentation.counts = 4 as unknown as string;
 * assert.deepEqual(checkWire(PanopticRleJsonSchema, pan), [{
 *   path: ["annotations", 0, "segments_info", 0, "segmentation", "counts"],
 *   expected: "a string",
 *   found: "the number 4",
 * }]);
 * ```
 */
export const PanopticRleJsonSchema = z.looseObject({
  images: z.array(PanopticRleImageSchema),
  categories: z.array(PanopticRleCategorySchema),
  annotations: z.array(PanopticRleAnnotationSchema),
}, {
  error: (issue) =>
    issue.code === "invalid_type"
      ? "a COCO panoptic ground truth with RLE segments {images, categories, annotations}"
      : undefined,
});

/** A compressed RLE of a segment. */
export type PanopticRleMask = z.infer<typeof PanopticRleMaskSchema>;
/** One segment: COCO panoptic's `segments_info` entry plus its mask as RLE. */
export type PanopticRleSegment = z.infer<typeof PanopticRleSegmentSchema>;
/** One image's annotation. */
export type PanopticRleAnnotation = z.infer<typeof PanopticRleAnnotationSchema>;
/** A category of the file (`isthing`: 1 thing, 0 stuff). */
export type PanopticRleCategory = z.infer<typeof PanopticRleCategorySchema>;
/** The whole file: images, categories (`isthing`) and annotations. */
export type PanopticRleJson = z.infer<typeof PanopticRleJsonSchema>;
