/**
 * The index that pycocotools builds from a COCO ground truth and results
 * (`COCO.createIndex`, `COCO.loadRes`, `COCOeval._prepare`), as struct-of-arrays grouped
 * by (category, image) cell.
 *
 * The inputs are checked in one pass by their wire schemas (`src/wire/coco.ts`: field
 * kinds, box lengths, unique ids), then converted in plain loops; what depends on the
 * evaluation (a box for `"bbox"`, a mask of the image's size for `"segm"`, K keypoints
 * and `num_keypoints` for `"keypoints"`, a result's image in the ground truth, the ids of
 * `options`) is checked while converting.
 *
 * @module
 */

import { z } from "zod";
import { countsArea, countsToBbox } from "../geometry/rle_ops.ts";
import { copyKeypoints, groundTruthKeypoints, keypointExtent, oksSigmas } from "./coco_oks.ts";
import { polygonsToRuns } from "../geometry/polygon_rle.ts";
import { parseRle, type RleRuns } from "../geometry/rle.ts";
import { checkChoice } from "../geometry/validate.ts";
import { describe } from "../describe.ts";
import { parseArgument } from "../wire/argument.ts";
import {
  CocoGroundTruthSchema,
  type CocoImage,
  CocoResultsSchema,
  type CocoSegmentation,
} from "../wire/coco.ts";
import { strictObject } from "../wire/strict_object.ts";
import type {
  CocoEvalOptions,
  CocoGroundTruth,
  CocoIndex,
  CocoInstances,
  CocoIouType,
  CocoResult,
} from "./coco_types.ts";

/** `options` of `evaluateCoco` (an argument, camelCase). */
const OptionsSchema = strictObject({
  imageIds: z.array(z.number()).optional(),
  categoryIds: z.array(z.number()).optional(),
  kptOksSigmas: z.array(z.number().positive()).min(1).optional(),
});

function emptyInstances(n: number, cells: number, K: number): CocoInstances {
  return {
    ids: new Float64Array(n),
    areas: new Float64Array(n),
    crowd: new Uint8Array(n),
    ignore: new Uint8Array(n),
    scores: new Float64Array(n),
    boxes: new Float64Array(n * 4),
    masks: [],
    keypoints: new Float64Array(n * 3 * K),
    cellStart: new Int32Array(cells + 1),
  };
}

/** Which `loadRes` branch the first result picks: its areas come from there. */
function resultsBranch(
  fn: string,
  first: CocoResult | undefined,
): "bbox" | "segm" | "keypoints" | null {
  if (first === undefined) return null;
  if (first.bbox !== undefined && first.bbox.length > 0) return "bbox";
  if (first.segmentation !== undefined) return "segm";
  if (first.keypoints !== undefined) return "keypoints";
  throw new TypeError(
    `${fn}(): results[0]: expected a bbox, a segmentation or keypoints, found none of them`,
  );
}

/**
 * Groups the items of `cellOf` (-1: left out) by cell, stably: fills `out.cellStart` and
 * returns the items' indices in cell order.
 */
function groupByCell(cellOf: Int32Array, kept: number, out: CocoInstances): Int32Array {
  const start = out.cellStart;
  for (let j = 0; j < cellOf.length; j++) if (cellOf[j] >= 0) start[cellOf[j] + 1]++;
  for (let c = 1; c < start.length; c++) start[c] += start[c - 1];
  const next = start.slice(0, start.length - 1);
  const order = new Int32Array(kept);
  for (let j = 0; j < cellOf.length; j++) if (cellOf[j] >= 0) order[next[cellOf[j]]++] = j;
  return order;
}

/** Positions by id (the schema made the ids unique). */
function positions(list: readonly { id: number }[]): Map<number, number> {
  const map = new Map<number, number>();
  for (let i = 0; i < list.length; i++) map.set(list[i].id, i);
  return map;
}

/**
 * The ids to evaluate, sorted and unique (`np.unique`): every known id when `requested`
 * is undefined, else the requested ones, each of which must be known.
 */
function selectIds(
  fn: string,
  path: string,
  requested: readonly number[] | undefined,
  known: Map<number, number>,
  what: string,
): number[] {
  if (requested === undefined) return [...known.keys()].sort((a, b) => a - b);
  const ids = new Set<number>();
  for (let i = 0; i < requested.length; i++) {
    if (!known.has(requested[i])) {
      throw new RangeError(
        `${fn}(): ${path}[${i}]: expected the id of ${what} in groundTruth, found ${requested[i]}`,
      );
    }
    ids.add(requested[i]);
  }
  return [...ids].sort((a, b) => a - b);
}

/** `[height, width]` of `images[index]`, which segm evaluation needs. */
function imageSize(fn: string, images: readonly CocoImage[], index: number): [number, number] {
  const { height, width } = images[index];
  if (height === undefined || width === undefined) {
    const key = height === undefined ? "height" : "width";
    throw new TypeError(
      `${fn}(): groundTruth.images[${index}].${key}: expected an integer >= 0 (segm evaluation needs the image size), found nothing`,
    );
  }
  return [height, width];
}

/**
 * A segmentation as `COCO.annToRLE` reads it: polygons (rasterised at the image size),
 * uncompressed or compressed RLE, whose size must be the image's. With `size` null,
 * only compressed RLE is read and its size is not checked (as `loadRes` takes areas).
 */
function segmentationRuns(
  fn: string,
  path: string,
  segm: CocoSegmentation | undefined,
  size: [number, number] | null,
  imageId: number,
): RleRuns {
  if (segm === undefined) {
    throw new TypeError(
      `${fn}(): ${path}: expected polygons or an RLE {size, counts}, found nothing`,
    );
  }
  if (Array.isArray(segm)) return polygonsToRuns(fn, path, segm, size![0], size![1]);
  const runs = parseRle(fn, path, segm);
  if (size !== null && (runs.height !== size[0] || runs.width !== size[1])) {
    throw new RangeError(
      `${fn}(): ${path}.size: expected [${size[0]}, ${size[1]}], the size of image ${imageId}, ` +
        `found [${runs.height}, ${runs.width}]`,
    );
  }
  return runs;
}

/**
 * Checks a COCO ground truth and results, and indexes them as pycocotools' `COCO`,
 * `loadRes` and `COCOeval._prepare` do. Bad input is a `TypeError` / `RangeError` that
 * names the function (`fn`, default `evaluateCoco`), the path
 * (`groundTruth.annotations[3].area`), what was expected and what was found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const gt = {
 *   images: [{ id: 7, height: 10, width: 10 }],
 *   categories: [{ id: 1, name: "cat" }],
 *   annotations: [{ id: 1, image_id: 7, category_id: 1, area: 16, iscrowd: 0, bbox: [1, 1, 4, 4] }],
 * };
 * const index = indexCoco(gt, [{ image_id: 7, category_id: 1, score: 0.9, bbox: [1, 1, 4, 4] }], "bbox");
 * assert.deepEqual(index.imageIds, [7]);
 * assert.deepEqual([...index.detections.areas], [16]);
 * assert.throws(() => indexCoco(gt, [{ image_id: 8, category_id: 1, score: 1, bbox: [0, 0, 1, 1] }], "bbox"), RangeError);
 * ```
 */
export function indexCoco(
  groundTruth: CocoGroundTruth,
  results: CocoResult[],
  iouType: CocoIouType,
  options: CocoEvalOptions = {},
  fn = "evaluateCoco",
): CocoIndex {
  checkChoice(fn, "iouType", iouType, ["bbox", "segm", "keypoints"]);
  const segm = iouType === "segm";
  const kps = iouType === "keypoints";
  const { images, annotations, categories } = parseArgument(
    CocoGroundTruthSchema,
    groundTruth,
    fn,
    "groundTruth",
  );
  const detections = parseArgument(CocoResultsSchema, results, fn, "results");
  const opts = parseArgument(OptionsSchema, options ?? {}, fn, "options");
  const kptOksSigmas = oksSigmas(fn, iouType, opts.kptOksSigmas);
  const K = kptOksSigmas.length;

  const imagePos = positions(images);
  const categoryPos = positions(categories);
  const imageIds = selectIds(fn, "options.imageIds", opts.imageIds, imagePos, "an image");
  const categoryIds = selectIds(
    fn,
    "options.categoryIds",
    opts.categoryIds,
    categoryPos,
    "a category",
  );
  const imageCol = new Map<number, number>();
  for (let i = 0; i < imageIds.length; i++) imageCol.set(imageIds[i], i);
  const categoryRow = new Map<number, number>();
  const categoryNames: string[] = [];
  for (let k = 0; k < categoryIds.length; k++) {
    categoryRow.set(categoryIds[k], k);
    categoryNames.push(categories[categoryPos.get(categoryIds[k])!].name ?? "");
  }
  const numImages = imageIds.length;
  const cells = categoryIds.length * numImages;

  // Ground truth (pycocotools keeps those of evaluated images and categories).
  const gtCell = new Int32Array(annotations.length);
  let gtKept = 0;
  for (let j = 0; j < annotations.length; j++) {
    const i = imageCol.get(annotations[j].image_id);
    const k = categoryRow.get(annotations[j].category_id);
    gtCell[j] = i !== undefined && k !== undefined ? k * numImages + i : -1;
    if (gtCell[j] >= 0) gtKept++;
  }
  const gt = emptyInstances(gtKept, cells, K);
  const gtOrder = groupByCell(gtCell, gtKept, gt);
  for (let n = 0; n < gtOrder.length; n++) {
    const j = gtOrder[n];
    const ann = annotations[j];
    gt.ids[n] = ann.id;
    gt.areas[n] = ann.area;
    gt.crowd[n] = ann.iscrowd ? 1 : 0;
    gt.ignore[n] = gt.crowd[n];
    if (kps) groundTruthKeypoints(fn, `groundTruth.annotations[${j}]`, ann, gt, n);
    if (segm) {
      const size = imageSize(fn, images, imagePos.get(ann.image_id)!);
      const path = `groundTruth.annotations[${j}].segmentation`;
      const runs = segmentationRuns(fn, path, ann.segmentation, size, ann.image_id);
      gt.masks.push(runs);
      countsToBbox(runs.counts, runs.height, runs.width, gt.boxes, n * 4);
    } else if (ann.bbox === undefined) {
      throw new TypeError(
        `${fn}(): groundTruth.annotations[${j}].bbox: expected a box [x, y, w, h] of 4 finite numbers (${iouType} evaluation), found nothing`,
      );
    } else gt.boxes.set(ann.bbox, n * 4);
  }

  // Detections, as loadRes: the first result decides whether areas come from boxes.
  const dtCell = new Int32Array(detections.length);
  let dtKept = 0, droppedResults = 0;
  for (let j = 0; j < detections.length; j++) {
    const imageId = detections[j].image_id;
    if (!imagePos.has(imageId)) {
      throw new RangeError(
        `${fn}(): results[${j}].image_id: expected the id of an image in groundTruth.images, found ${imageId} (pycocotools: "Results do not correspond to current coco set")`,
      );
    }
    const i = imageCol.get(imageId);
    const k = categoryRow.get(detections[j].category_id);
    if (k === undefined) droppedResults++;
    dtCell[j] = i !== undefined && k !== undefined ? k * numImages + i : -1;
    if (dtCell[j] >= 0) dtKept++;
  }
  const branch = resultsBranch(fn, detections[0]);
  const boxBranch = branch === "bbox";
  const dt = emptyInstances(dtKept, cells, K);
  const dtOrder = groupByCell(dtCell, dtKept, dt);
  const box = new Float64Array(4);
  for (let n = 0; n < dtOrder.length; n++) {
    const j = dtOrder[n];
    const res = detections[j];
    const hasBox = res.bbox !== undefined && res.bbox.length === 4;
    dt.ids[n] = j + 1;
    dt.scores[n] = res.score;
    let runs: RleRuns | undefined;
    if (kps) {
      copyKeypoints(fn, `results[${j}].keypoints`, res.keypoints, K, dt.keypoints, n * 3 * K);
    }
    if (segm || branch === "segm") {
      const path = `results[${j}].segmentation`;
      const segmentation = res.segmentation;
      if (segmentation === undefined) {
        const what = segm
          ? "a mask for segm evaluation"
          : "a segmentation, as results[0] has no bbox";
        throw new TypeError(`${fn}(): ${path}: expected ${what}, found nothing`);
      }
      // Results without boxes must carry compressed RLE (loadRes takes their area with
      // maskUtils.area); with boxes, segm evaluation reads any form (annToRLE).
      if (
        branch === "segm" &&
        (Array.isArray(segmentation) || typeof segmentation.counts !== "string")
      ) {
        throw new TypeError(
          `${fn}(): ${path}: expected a compressed RLE {size, counts: string} (results[0] has no bbox), found ${
            describe(segmentation)
          }`,
        );
      }
      const size = segm ? imageSize(fn, images, imagePos.get(res.image_id)!) : null;
      runs = segmentationRuns(fn, path, segmentation, size, res.image_id);
    }
    if (boxBranch) {
      if (!hasBox) {
        throw new TypeError(
          `${fn}(): results[${j}].bbox: expected a box [x, y, w, h] of 4 finite numbers (results[0] has one), found ${
            describe(res.bbox)
          }`,
        );
      }
      box.set(res.bbox!);
      dt.areas[n] = box[2] * box[3];
    } else if (branch === "keypoints") {
      dt.areas[n] = keypointExtent(fn, `results[${j}].keypoints`, res.keypoints, box, 0);
    } else {
      dt.areas[n] = countsArea(runs!.counts);
      if (hasBox) box.set(res.bbox!);
      else countsToBbox(runs!.counts, runs!.height, runs!.width, box, 0);
    }
    if (segm) {
      dt.masks.push(runs!);
      countsToBbox(runs!.counts, runs!.height, runs!.width, dt.boxes, n * 4);
    } else {
      dt.boxes.set(box, n * 4);
    }
  }
  return {
    iouType,
    imageIds,
    categoryIds,
    categoryNames,
    groundTruth: gt,
    detections: dt,
    droppedResults,
    kptOksSigmas,
  };
}
