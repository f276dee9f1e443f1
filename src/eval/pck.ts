/**
 * PCK (percentage of correct keypoints) of keypoint detections against a COCO keypoints
 * ground truth, at several thresholds α of the person's box size.
 *
 * @module
 */

import { z } from "zod";
import { bboxIouInto } from "../geometry/rle_iou.ts";
import { parseArgument } from "../wire/argument.ts";
import { strictObject } from "../wire/strict_object.ts";
import { indexCoco } from "./coco_dataset.ts";
import { sortDetections } from "./coco_match.ts";
import { cellOks } from "./coco_oks.ts";
import type { CocoGroundTruth, CocoIndex, CocoResult } from "./coco_types.ts";

const FN = "pck";

/** What {@link pck} accepts. */
export interface PckOptions {
  /** The α values: a keypoint is correct within α × max(w, h) of its person's box (default 0.05, 0.1, 0.15, 0.2). */
  thresholds?: number[];
  /** How a person is matched to a detection: `"oks"` (default) or `"box"` IoU. */
  match?: "oks" | "box";
  /** The least OKS or box IoU of a match (default 0.5). */
  matchThreshold?: number;
  /** OKS sigmas, one per keypoint (default: COCO's 17; needed for other counts with `"oks"`). */
  kptOksSigmas?: number[];
  /** Image ids to evaluate (default: every image of the ground truth). */
  imageIds?: number[];
  /** Category ids to evaluate (default: every category of the ground truth). */
  categoryIds?: number[];
}

/** What {@link pck} returns. */
export interface PckResult {
  /** The α values, in the order given. */
  thresholds: number[];
  /** PCK per α: correct visible keypoints / visible keypoints (-1 without any). */
  pck: number[];
  /** PCK per α and keypoint (`perKeypoint[a][k]`; -1 for a keypoint never visible). */
  perKeypoint: number[][];
  /** Correct visible keypoints per α and keypoint (`correct[a][k]`). */
  correct: number[][];
  /** Visible (v = 2) ground-truth keypoints per keypoint: the denominators. */
  visible: number[];
  /** People scored: not crowd, with labelled keypoints (`num_keypoints` > 0). */
  people: number;
  /** Of them, those matched to a detection. */
  matchedPeople: number;
}

const OptionsSchema = strictObject({
  thresholds: z.array(z.number().min(0)).min(1).default([0.05, 0.1, 0.15, 0.2]),
  match: z.enum(["oks", "box"]).default("oks"),
  matchThreshold: z.number().min(0).max(1).default(0.5),
  kptOksSigmas: z.array(z.number().positive()).min(1).optional(),
  imageIds: z.array(z.number()).optional(),
  categoryIds: z.array(z.number()).optional(),
});

/**
 * PCK@α of keypoint detections (COCO results with `keypoints`) against a COCO keypoints
 * ground truth (annotations with `keypoints`, `num_keypoints`, `bbox`), in one pass per
 * image and category:
 *
 * - the people scored are the ground truths that are not crowd and have labelled
 *   keypoints (`num_keypoints` > 0), as COCO's keypoint AP ignores the others;
 * - each is matched to at most one detection of its image and category: detections, by
 *   decreasing score (stable), each take the unmatched person they overlap most, when
 *   that OKS (`match: "oks"`, as `evaluateCoco(..., "keypoints")` computes it, with
 *   `kptOksSigmas`) or box IoU (`match: "box"`: the result's `bbox`, else the extent of
 *   its keypoints, as `loadRes`) is at least `matchThreshold` (0.5);
 * - only visible ground-truth keypoints (v = 2) count: one is correct at α when its
 *   person is matched and the detection's keypoint is within α × max(w, h) of it (w, h of
 *   the person's `bbox`; distance ≤ the bound); the keypoints of unmatched people count
 *   as wrong. Labelled but hidden keypoints (v = 1) are not counted.
 *
 * Bad input is a `TypeError` / `RangeError` naming the path, as `evaluateCoco`'s.
 *
 * @example One person, one detection 3 px off on one of two visible keypoints
 * ```ts
 * import assert from "node:assert/strict";
 * const groundTruth = {
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1, name: "person" }],
 *   annotations: [{
 *     id: 1, image_id: 1, category_id: 1, iscrowd: 0, area: 2000, bbox: [0, 0, 40, 50],
 *     num_keypoints: 2, keypoints: [10, 10, 2, 20, 40, 2],
 *   }],
 * };
 * const results = [{ image_id: 1, category_id: 1, score: 0.9, keypoints: [10, 10, 1, 23, 40, 1] }];
 * // bound: α × max(40, 50) = 2.5 px at α 0.05, 5 px at α 0.1
 * const out = pck(groundTruth, results, { thresholds: [0.05, 0.1], kptOksSigmas: [0.1, 0.1] });
 * assert.deepEqual(out.pck, [0.5, 1]);
 * assert.deepEqual(out.perKeypoint, [[1, 0], [1, 1]]);
 * ```
 */
export function pck(
  groundTruth: CocoGroundTruth,
  results: CocoResult[],
  options: PckOptions = {},
): PckResult {
  const opts = parseArgument(OptionsSchema, options ?? {}, FN, "options");
  const index = indexCoco(groundTruth, results, "keypoints", {
    imageIds: opts.imageIds,
    categoryIds: opts.categoryIds,
    kptOksSigmas: opts.kptOksSigmas ?? boxOnlySigmas(groundTruth, opts.match),
  }, FN);
  const K = index.kptOksSigmas.length;
  const A = opts.thresholds.length;
  const correct = opts.thresholds.map(() => new Array<number>(K).fill(0));
  const visible = new Array<number>(K).fill(0);
  let people = 0, matchedPeople = 0;
  const gt = index.groundTruth, dt = index.detections;
  const cells = gt.cellStart.length - 1;
  for (let cell = 0; cell < cells; cell++) {
    const g0 = gt.cellStart[cell], numGt = gt.cellStart[cell + 1] - g0;
    if (numGt === 0) continue;
    const match = matchPeople(index, cell, opts.match, opts.matchThreshold);
    for (let j = 0; j < numGt; j++) {
      const n = g0 + j;
      if (gt.ignore[n]) continue;
      people++;
      const d = match[j];
      if (d >= 0) matchedPeople++;
      const size = Math.max(gt.boxes[n * 4 + 2], gt.boxes[n * 4 + 3]);
      for (let k = 0; k < K; k++) {
        const g = (n * K + k) * 3;
        if (gt.keypoints[g + 2] !== 2) continue;
        visible[k]++;
        if (d < 0) continue;
        const p = (d * K + k) * 3;
        const distance = Math.hypot(
          dt.keypoints[p] - gt.keypoints[g],
          dt.keypoints[p + 1] - gt.keypoints[g + 1],
        );
        for (let a = 0; a < A; a++) if (distance <= opts.thresholds[a] * size) correct[a][k]++;
      }
    }
  }
  const totalVisible = visible.reduce((s, v) => s + v, 0);
  return {
    thresholds: [...opts.thresholds],
    pck: correct.map((row) =>
      totalVisible === 0 ? -1 : row.reduce((s, v) => s + v, 0) / totalVisible
    ),
    perKeypoint: correct.map((row) => row.map((c, k) => visible[k] === 0 ? -1 : c / visible[k])),
    correct,
    visible,
    people,
    matchedPeople,
  };
}

/**
 * Sigmas that only give K when matching by box and the keypoints are not COCO's 17 (they
 * are not read then); undefined otherwise (COCO's 17 by default).
 */
function boxOnlySigmas(groundTruth: CocoGroundTruth, match: "oks" | "box"): number[] | undefined {
  if (match !== "box") return undefined;
  const annotations = (groundTruth as { annotations?: unknown } | null)?.annotations;
  if (!Array.isArray(annotations)) return undefined;
  const first = annotations.find((a) => Array.isArray(a?.keypoints) && a.keypoints.length >= 3);
  return first === undefined
    ? undefined
    : new Array(Math.floor(first.keypoints.length / 3)).fill(1);
}

/**
 * Greedy matching of one cell: for each of its ground truths (input order), the
 * detection (index into `index.detections`) it is matched to, or -1.
 */
function matchPeople(
  index: CocoIndex,
  cell: number,
  by: "oks" | "box",
  threshold: number,
): Int32Array {
  const gt = index.groundTruth, dt = index.detections;
  const g0 = gt.cellStart[cell], numGt = gt.cellStart[cell + 1] - g0;
  const order = sortDetections(dt.scores, dt.cellStart[cell], dt.cellStart[cell + 1], Infinity);
  const numDt = order.length;
  const match = new Int32Array(numGt).fill(-1);
  if (numDt === 0) return match;
  let similarity: Float64Array;
  if (by === "oks") similarity = cellOks(index, cell, order);
  else {
    const boxes = new Float64Array(numDt * 4);
    for (let i = 0; i < numDt; i++) {
      boxes.set(dt.boxes.subarray(order[i] * 4, order[i] * 4 + 4), i * 4);
    }
    similarity = new Float64Array(numDt * numGt);
    const noCrowd = new Uint8Array(numGt);
    bboxIouInto(
      boxes,
      numDt,
      gt.boxes.subarray(g0 * 4, (g0 + numGt) * 4),
      numGt,
      noCrowd,
      similarity,
    );
  }
  for (let i = 0; i < numDt; i++) {
    let best = -1, bestValue = threshold;
    for (let j = 0; j < numGt; j++) {
      if (match[j] >= 0 || gt.ignore[g0 + j]) continue;
      const value = similarity[i * numGt + j];
      if (value > bestValue || (best < 0 && value >= threshold)) {
        best = j;
        bestValue = value;
      }
    }
    if (best >= 0) match[best] = order[i];
  }
  return match;
}
