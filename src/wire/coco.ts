/**
 * The COCO files the evaluation reads: a ground truth (`instances_*.json`,
 * `person_keypoints_*.json`: images, annotations with boxes, polygon or RLE
 * segmentations and keypoints, categories with keypoint names and skeletons) and a
 * results array (`[{image_id, category_id, score, bbox?, segmentation?, keypoints?}]`).
 * Their schemas check what `evaluateCoco` and `deno task eval` read, with the files' own
 * snake_case names. A result may also carry `level`, ours rather than COCO's: the
 * pyramid level a single-stage model's detection came from (`truePositiveLevels`).
 *
 * These files are made by other tools (pycocotools, CVAT, detectron2, labelme
 * converters...), which add fields of their own: `info`, `licenses`, `file_name`,
 * `supercategory`, `ignore`... pycocotools accepts them, so
 * every object here is a `z.looseObject`: unknown fields are kept, not rejected (unlike
 * the formats that are ours to define, built with `strictObject`). RLE objects are a
 * `z.object`: other fields are not rejected either, only left out (their type stays
 * `{size, counts}`, which the `Rle` interfaces fit).
 *
 * Arrays of numbers (boxes, polygons, RLE sizes and run lengths) are checked by one
 * refinement each (`numberArray`), not a schema per number: a results file of 100,000
 * boxes is checked in a few tens of milliseconds.
 *
 * @module
 */

import { z } from "zod";
import { numberArray } from "./number_array.ts";

/** An id of a COCO file: an integer, as the format defines it. */
const id = z.int();

/** `[x, y, w, h]` in pixels. */
export const CocoBoxSchema = numberArray({
  expected: "a box [x, y, w, h] of 4 finite numbers",
  lengths: [4],
  description: "[x, y, w, h] in pixels",
});

/** COCO RLE: compressed (`counts` a string, as pycocotools writes it) or plain run lengths. */
export const CocoRleSchema = z.object({
  size: numberArray<[number, number]>({
    expected: "[height, width] (two integers >= 0)",
    lengths: [2],
    integer: true,
    min: 0,
    description: "[height, width] of the image",
  }),
  counts: z.union([
    z.string().describe("compressed counts, as pycocotools writes them"),
    numberArray({
      expected: "run lengths (integers >= 0)",
      integer: true,
      min: 0,
      description: "run lengths over the column-major pixels, zeros first",
    }),
  ], { error: "a compressed counts string or an array of run lengths" }),
}, { error: "an RLE {size: [height, width], counts}" });

/** Polygons `[[x0, y0, x1, y1, ...], ...]` (rasterised at the image's size). */
export const CocoPolygonsSchema = z.array(numberArray({
  expected: "a polygon [x0, y0, x1, y1, ...] of finite numbers",
  description: "a polygon [x0, y0, x1, y1, ...] in pixels",
}));

/** A segmentation: polygons, or RLE (plain run lengths for crowd regions, or compressed). */
export const CocoSegmentationSchema = z.union([CocoPolygonsSchema, CocoRleSchema], {
  error: "polygons [[x0, y0, ...]] or an RLE {size, counts}",
});

/**
 * Keypoints `[x0, y0, v0, x1, y1, v1, ...]`: K triplets of finite numbers (a length that is a
 * multiple of 3). `what` words the third number of a triplet.
 */
function keypointTriplets(what: string, description: string): z.ZodType<number[]> {
  const expected = `keypoints [x, y, ${what}] × K (3·K finite numbers)`;
  return numberArray({ expected, description }).check((ctx) => {
    if (ctx.issues.length > 0 || ctx.value.length % 3 === 0) return;
    ctx.issues.push({ code: "custom", input: ctx.value, message: expected });
  }).meta({ type: "array", items: { type: "number" }, description });
}

/** An image of a COCO dataset (`height` and `width` are needed for `"segm"`). */
export const CocoImageSchema = z.looseObject({
  id: id.describe("image id, unique in the dataset"),
  height: z.int().min(0).optional().describe("height in pixels (segm evaluation needs it)"),
  width: z.int().min(0).optional().describe("width in pixels (segm evaluation needs it)"),
});

/** A category of a COCO dataset (a person category names its keypoints). */
export const CocoCategorySchema = z.looseObject({
  id: id.describe("category id, unique in the dataset"),
  name: z.string().optional().describe("the name reported per class"),
  keypoints: z.array(z.string()).optional().describe("names of the K keypoints, in order"),
  skeleton: z.array(numberArray({
    expected: "a limb [a, b] (two keypoint numbers, integers >= 0)",
    lengths: [2],
    integer: true,
    min: 0,
    description: "a limb: two keypoint numbers (1-based in COCO)",
  })).optional().describe("the limbs drawn between keypoints"),
});

/** A ground-truth annotation. */
export const CocoAnnotationSchema = z.looseObject({
  id: id.describe("annotation id, unique in the dataset"),
  image_id: id.describe("id of the annotation's image"),
  category_id: id.describe("id of the annotation's category"),
  area: z.number().describe("the area the area ranges test (pycocotools never recomputes it)"),
  iscrowd: z.union([z.number(), z.boolean()], { error: "0 or 1 (or a boolean)" })
    .describe("1 for a crowd region, whose detections are neither TP nor FP"),
  bbox: CocoBoxSchema.optional().describe("[x, y, w, h], needed for bbox evaluation"),
  segmentation: CocoSegmentationSchema.optional()
    .describe("polygons or RLE, needed for segm evaluation"),
  keypoints: keypointTriplets(
    "v",
    "[x, y, v] × K in pixels, v = 0 not labelled, 1 labelled but not visible, 2 visible; needed for keypoints evaluation",
  ).optional(),
  num_keypoints: z.int().min(0).optional()
    .describe("labelled keypoints (v > 0); 0 makes keypoints evaluation ignore the annotation"),
});

/** Pushes an issue for each repeated `id` of `list` (pycocotools would keep the last). */
function uniqueIds(
  issues: z.core.$ZodRawIssue[],
  list: readonly { id: number }[],
  key: string,
): void {
  const seen = new Map<number, number>();
  for (let i = 0; i < list.length; i++) {
    const value = list[i].id;
    const first = seen.get(value);
    if (first === undefined) seen.set(value, i);
    else {
      issues.push({
        code: "custom",
        input: value,
        path: [key, i, "id"],
        message: `a unique id (${key}[${first}] has it too)`,
      });
    }
  }
}

/**
 * A COCO ground truth (`instances_*.json`). Ids of images, annotations and categories
 * must be unique: pycocotools keeps the last of a repeated id in its index, which
 * silently swaps annotations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * const gt = {
 *   info: { year: 2017 }, // other tools' fields are kept
 *   images: [{ id: 1, height: 480, width: 640, file_name: "a.jpg" }],
 *   categories: [{ id: 1, name: "person", supercategory: "person" }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, area: 4, iscrowd: 0, bbox: [0, 0, 2, 2] }],
 * };
 * assert.deepEqual(checkWire(CocoGroundTruthSchema, gt), []);
 * const twice = { ...gt, annotations: [gt.annotations[0], gt.annotations[0]] };
 * assert.deepEqual(checkWire(CocoGroundTruthSchema, twice), [
 *   { path: ["annotations", 1, "id"], expected: "a unique id (annotations[0] has it too)", found: "the number 1" },
 * ]);
 * ```
 */
export const CocoGroundTruthSchema = z.looseObject({
  images: z.array(CocoImageSchema).describe("the images; results refer to them"),
  annotations: z.array(CocoAnnotationSchema).describe("the ground-truth objects"),
  categories: z.array(CocoCategorySchema).describe("the categories evaluated"),
}, {
  error: (issue) =>
    issue.code === "invalid_type"
      ? "a COCO ground truth {images, annotations, categories}"
      : undefined,
}).check((ctx) => {
  const gt = ctx.value;
  // Only once every id is known to be an integer (the fields' own issues come first).
  if (ctx.issues.length > 0) return;
  uniqueIds(ctx.issues, gt.images, "images");
  uniqueIds(ctx.issues, gt.annotations, "annotations");
  uniqueIds(ctx.issues, gt.categories, "categories");
});

/** One detection of a COCO results file. */
export const CocoResultSchema = z.looseObject({
  image_id: id.describe("id of an image of the ground truth"),
  category_id: id.describe("category id"),
  score: z.number().describe("confidence; higher ranks first"),
  bbox: numberArray({
    expected: "a box [x, y, w, h] of 4 finite numbers",
    lengths: [4, 0],
    description: "[x, y, w, h] in pixels; [] is no box (as pycocotools' loadRes reads it)",
  }).optional(),
  segmentation: CocoSegmentationSchema.optional()
    .describe("a compressed RLE (or, with a bbox, polygons or plain RLE)"),
  keypoints: keypointTriplets(
    "score",
    "[x, y, score] × K in pixels (the scores are not read); needed for keypoints evaluation",
  ).optional(),
  level: z.int().min(0).optional().describe(
    "not COCO's: the pyramid level the detection came from, the result message's level (FCOS, RetinaNet: an index into the manifest's singleStage.levels; SOLOv2: into solov2.grids); evaluateCoco does not read it, truePositiveLevels counts the matches per level",
  ),
}, { error: "a detection {image_id, category_id, score, bbox?, segmentation?, keypoints?}" });

/**
 * A COCO results file: the detections, in any order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * const results = [{ image_id: 1, category_id: 1, score: 0.9, bbox: [0, 0, 2, 2] }];
 * assert.deepEqual(checkWire(CocoResultsSchema, results), []);
 * assert.deepEqual(checkWire(CocoResultsSchema, [{ ...results[0], bbox: [0, 0, 2] }]), [
 *   { path: [0, "bbox"], expected: "a box [x, y, w, h] of 4 finite numbers", found: "an array of 3 items" },
 * ]);
 * ```
 */
export const CocoResultsSchema = z.array(CocoResultSchema, {
  error: (issue) =>
    issue.code === "invalid_type"
      ? "a COCO results array [{image_id, category_id, score, bbox?, segmentation?, keypoints?}]"
      : undefined,
});

/** COCO RLE as a COCO file holds it: compressed or plain counts. */
export type CocoRle = z.infer<typeof CocoRleSchema>;
/** A segmentation of a COCO file: polygons or RLE. */
export type CocoSegmentation = z.infer<typeof CocoSegmentationSchema>;
/** An image of a COCO ground truth (other fields, such as `file_name`, are kept). */
export type CocoImage = z.infer<typeof CocoImageSchema>;
/** A category of a COCO ground truth (other fields, such as `supercategory`, are kept). */
export type CocoCategory = z.infer<typeof CocoCategorySchema>;
/**
 * A ground-truth annotation: `bbox` is `[x, y, w, h]`; `segmentation` polygons or RLE;
 * `keypoints` `[x, y, v] × K`.
 */
export type CocoAnnotation = z.infer<typeof CocoAnnotationSchema>;
/** A COCO ground truth (`instances_*.json`; `info`, `licenses` are kept). */
export type CocoGroundTruth = z.infer<typeof CocoGroundTruthSchema>;
/** One detection in the COCO results format. */
export type CocoResult = z.infer<typeof CocoResultSchema>;
