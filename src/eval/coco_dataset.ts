/**
 * The index that pycocotools builds from a COCO ground truth and results
 * (`COCO.createIndex`, `COCO.loadRes`, `COCOeval._prepare`), as struct-of-arrays grouped
 * by (category, image) cell, with every field it reads checked.
 *
 * @module
 */

import { countsArea, countsToBbox } from "../geometry/rle_ops.ts";
import type { RleRuns } from "../geometry/rle.ts";
import { checkChoice } from "../geometry/validate.ts";
import { describe } from "../describe.ts";
import {
  checkArray,
  checkBox,
  checkFinite,
  checkObject,
  idIndex,
  imageSize,
  isObject,
  type Json,
  segmentationRuns,
  selectIds,
} from "./coco_checks.ts";
import type {
  CocoEvalOptions,
  CocoGroundTruth,
  CocoIndex,
  CocoInstances,
  CocoIouType,
  CocoResult,
} from "./coco_types.ts";

const FN = "evaluateCoco";

interface Pending {
  cell: number;
  source: number;
}

function emptyInstances(n: number, cells: number): CocoInstances {
  return {
    ids: new Float64Array(n),
    areas: new Float64Array(n),
    crowd: new Uint8Array(n),
    scores: new Float64Array(n),
    boxes: new Float64Array(n * 4),
    masks: [],
    cellStart: new Int32Array(cells + 1),
  };
}

/** Orders pending items by cell (stably) and fills `cellStart`; returns the order. */
function groupByCell(pending: Pending[], out: CocoInstances): Pending[] {
  const start = out.cellStart;
  for (const p of pending) start[p.cell + 1]++;
  for (let c = 1; c < start.length; c++) start[c] += start[c - 1];
  const next = start.slice(0, start.length - 1);
  const ordered = new Array<Pending>(pending.length);
  for (const p of pending) ordered[next[p.cell]++] = p;
  return ordered;
}

/**
 * Checks a COCO ground truth and results, and indexes them as pycocotools' `COCO`,
 * `loadRes` and `COCOeval._prepare` do. Bad input is a `TypeError` / `RangeError` that
 * names the path (`groundTruth.annotations[3].area`) and what was expected.
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
): CocoIndex {
  checkChoice(FN, "iouType", iouType, ["bbox", "segm"]);
  const segm = iouType === "segm";
  const gtObj = checkObject(
    "groundTruth",
    groundTruth,
    "a COCO dataset {images, annotations, categories}",
  );
  const images = checkArray("groundTruth.images", gtObj.images, "an Array of images");
  const annotations = checkArray(
    "groundTruth.annotations",
    gtObj.annotations,
    "an Array of annotations",
  );
  const categories = checkArray(
    "groundTruth.categories",
    gtObj.categories,
    "an Array of categories",
  );
  checkArray(
    "results",
    results,
    "an Array of detections {image_id, category_id, score, bbox?, segmentation?}",
  );
  const opts = options === undefined ? {} : checkObject("options", options, "an options object");

  const imagePos = idIndex("groundTruth.images", images, "an image {id, height, width}");
  const categoryPos = idIndex("groundTruth.categories", categories, "a category {id, name}");
  idIndex(
    "groundTruth.annotations",
    annotations,
    "an annotation {id, image_id, category_id, area, iscrowd, ...}",
  );
  const imageIds = selectIds("options.imageIds", opts.imageIds, imagePos, "an image");
  const categoryIds = selectIds("options.categoryIds", opts.categoryIds, categoryPos, "a category");
  const imageCol = new Map(imageIds.map((id, i) => [id, i]));
  const categoryRow = new Map(categoryIds.map((id, k) => [id, k]));
  const numImages = imageIds.length;
  const cells = categoryIds.length * numImages;
  const categoryNames = categoryIds.map((id) => {
    const name = (categories[categoryPos.get(id)!] as Json).name;
    return typeof name === "string" ? name : "";
  });
  const sizeOf = (imageId: number) => imageSize(images, imagePos.get(imageId)!);

  // Ground truth (pycocotools keeps those of evaluated images and categories).
  const gtPending: Pending[] = [];
  for (let j = 0; j < annotations.length; j++) {
    const ann = annotations[j] as Json;
    const path = `groundTruth.annotations[${j}]`;
    const imageId = checkFinite(`${path}.image_id`, ann.image_id, "a numeric image id");
    const categoryId = checkFinite(`${path}.category_id`, ann.category_id, "a numeric category id");
    const i = imageCol.get(imageId);
    const k = categoryRow.get(categoryId);
    if (i !== undefined && k !== undefined) gtPending.push({ cell: k * numImages + i, source: j });
  }
  const gt = emptyInstances(gtPending.length, cells);
  groupByCell(gtPending, gt).forEach(({ source }, n) => {
    const ann = annotations[source] as Json;
    const path = `groundTruth.annotations[${source}]`;
    gt.ids[n] = ann.id as number;
    gt.areas[n] = checkFinite(`${path}.area`, ann.area, "the annotation's area (a finite number)");
    const crowd = ann.iscrowd;
    if (typeof crowd !== "boolean" && (typeof crowd !== "number" || !Number.isFinite(crowd))) {
      throw new TypeError(
        `${FN}(): ${path}.iscrowd: expected 0 or 1 (or a boolean), found ${describe(crowd)}`,
      );
    }
    gt.crowd[n] = crowd ? 1 : 0;
    if (segm) {
      const imageId = ann.image_id as number;
      const runs = segmentationRuns(
        `${path}.segmentation`,
        ann.segmentation,
        sizeOf(imageId),
        imageId,
      );
      gt.masks.push(runs);
      countsToBbox(runs.counts, runs.height, runs.width, gt.boxes, n * 4);
    } else {
      checkBox(`${path}.bbox`, ann.bbox, gt.boxes, n);
    }
  });

  // Detections, as loadRes: the first result decides whether areas come from boxes.
  const dtPending: Pending[] = [];
  let droppedResults = 0;
  for (let j = 0; j < results.length; j++) {
    const res = checkObject(
      `results[${j}]`,
      results[j],
      "a detection {image_id, category_id, score, bbox?, segmentation?}",
    );
    const imageId = checkFinite(`results[${j}].image_id`, res.image_id, "a numeric image id");
    if (!imagePos.has(imageId)) {
      throw new RangeError(
        `${FN}(): results[${j}].image_id: expected the id of an image in groundTruth.images, found ${imageId} (pycocotools: "Results do not correspond to current coco set")`,
      );
    }
    const categoryId = checkFinite(
      `results[${j}].category_id`,
      res.category_id,
      "a numeric category id",
    );
    const score = res.score;
    if (typeof score !== "number" || Number.isNaN(score)) {
      throw new TypeError(
        `${FN}(): results[${j}].score: expected a number, found ${describe(score)}`,
      );
    }
    const i = imageCol.get(imageId);
    const k = categoryRow.get(categoryId);
    if (k === undefined) droppedResults++;
    if (i !== undefined && k !== undefined) dtPending.push({ cell: k * numImages + i, source: j });
  }
  const first = results.length > 0 ? (results[0] as unknown as Json) : {};
  const boxBranch = first.bbox !== undefined &&
    !(Array.isArray(first.bbox) && first.bbox.length === 0);
  if (results.length > 0 && !boxBranch && first.segmentation === undefined) {
    throw new TypeError(`${FN}(): results[0]: expected a bbox or a segmentation, found neither`);
  }
  const dt = emptyInstances(dtPending.length, cells);
  const box = new Float64Array(4);
  groupByCell(dtPending, dt).forEach(({ source }, n) => {
    const res = results[source] as unknown as Json;
    const path = `results[${source}]`;
    dt.ids[n] = source + 1;
    dt.scores[n] = res.score as number;
    let runs: RleRuns | undefined;
    if (segm || !boxBranch) {
      if (res.segmentation === undefined) {
        throw new TypeError(
          `${FN}(): ${path}.segmentation: expected ${
            segm ? "a mask for segm evaluation" : "a segmentation, as results[0] has no bbox"
          }, found undefined`,
        );
      }
      // Results without boxes must carry compressed RLE (loadRes takes their area with
      // maskUtils.area); with boxes, segm evaluation reads any form (annToRLE).
      const segmentation = res.segmentation;
      if (!boxBranch && !(isObject(segmentation) && typeof segmentation.counts === "string")) {
        throw new TypeError(
          `${FN}(): ${path}.segmentation: expected a compressed RLE {size, counts: string} (results[0] has no bbox), found ${
            describe(segmentation)
          }`,
        );
      }
      const imageId = res.image_id as number;
      runs = segmentationRuns(
        `${path}.segmentation`,
        segmentation,
        segm ? sizeOf(imageId) : null,
        imageId,
      );
    }
    if (boxBranch) {
      checkBox(`${path}.bbox`, res.bbox, box, 0);
      dt.areas[n] = box[2] * box[3];
    } else {
      dt.areas[n] = countsArea(runs!.counts);
      if (res.bbox !== undefined) checkBox(`${path}.bbox`, res.bbox, box, 0);
      else countsToBbox(runs!.counts, runs!.height, runs!.width, box, 0);
    }
    if (segm) {
      dt.masks.push(runs!);
      countsToBbox(runs!.counts, runs!.height, runs!.width, dt.boxes, n * 4);
    } else {
      dt.boxes.set(box, n * 4);
    }
  });
  return {
    iouType,
    imageIds,
    categoryIds,
    categoryNames,
    groundTruth: gt,
    detections: dt,
    droppedResults,
  };
}
