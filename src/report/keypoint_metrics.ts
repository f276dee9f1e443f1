/**
 * The report's keypoint numbers: keypoint AP (OKS, `evaluateCoco(..., "keypoints")`) and
 * PCK@α (`pck`) at the four thresholds of the keypoint study and on a fine grid for the
 * curves, overall and per keypoint. PCK matches people to detections by box IoU ≥ 0.5 (it
 * measures where the keypoints of the people found are); the same PCK with people matched
 * by OKS ≥ 0.5 is given beside it (a person whose keypoints are poor is then not found, so
 * that PCK counts detection by keypoints too).
 *
 * @module
 */

import { evaluateCoco } from "../eval/coco_eval.ts";
import { pck } from "../eval/pck.ts";
import { COCO_KPT_OKS_SIGMAS } from "../eval/coco_oks.ts";
import type { CocoGroundTruth, CocoResult } from "../eval/coco_types.ts";
import { type IouTypeMetrics, iouTypeMetrics } from "./iou_type_metrics.ts";

/** The α of the report's PCK table: a keypoint is correct within α × max(w, h) of its
 * person's ground-truth box. */
export const PCK_THRESHOLDS: readonly number[] = Object.freeze([0.05, 0.1, 0.15, 0.2]);

/** The α of the PCK curves: 0.01 to 0.30 by 0.01. */
export const PCK_CURVE_THRESHOLDS: readonly number[] = Object.freeze(
  Array.from({ length: 30 }, (_, i) => (i + 1) / 100),
);

/** What {@link keypointMetrics} returns (the `keypoints` of `metrics.json`). */
export interface KeypointMetrics {
  /** Keypoint AP and AR (OKS), pycocotools' 10 stats. */
  ap: IouTypeMetrics;
  /** The keypoints' names (the person category's `keypoints`, else `1`, `2`, ...). */
  names: string[];
  /** The OKS sigmas used. */
  sigmas: number[];
  /** PCK at {@link PCK_THRESHOLDS}, people matched by box IoU ≥ 0.5: overall, per keypoint
   * (`perKeypoint[a][k]`, -1 for a keypoint never visible), and the visible keypoints
   * counted per keypoint. */
  pck: { thresholds: number[]; pck: number[]; perKeypoint: number[][]; visible: number[] };
  /** PCK at {@link PCK_THRESHOLDS} with people matched by OKS ≥ 0.5 instead, overall. */
  pckByOks: number[];
  /** PCK at {@link PCK_CURVE_THRESHOLDS}, overall and per keypoint. */
  curve: { thresholds: number[]; pck: number[]; perKeypoint: number[][] };
  /** People scored (not crowd, labelled keypoints) and those matched to a detection by box
   * IoU (for `pck`) and by OKS (for `pckByOks`). */
  people: number;
  matchedPeople: number;
  matchedByOks: number;
}

/**
 * Keypoint AP and PCK of `results` against `groundTruth` on `imageIds` (default: all),
 * with the OKS sigmas `kptOksSigmas` (default COCO's, for 17 keypoints). PCK matches each
 * person to a detection by box IoU ≥ 0.5 (and, for `pckByOks`, by OKS ≥ 0.5) and counts
 * visible (v = 2) keypoints only.
 *
 * @example One person found exactly
 * ```ts
 * import assert from "node:assert/strict";
 * const groundTruth = {
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1, name: "person", keypoints: ["head", "foot"] }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, iscrowd: 0, area: 2000, bbox: [0, 0, 40, 50],
 *     num_keypoints: 2, keypoints: [10, 10, 2, 20, 40, 2] }],
 * };
 * const results = [{ image_id: 1, category_id: 1, score: 0.9, bbox: [0, 0, 40, 50], keypoints: [10, 10, 1, 20, 40, 1] }];
 * const m = keypointMetrics(groundTruth, results, { kptOksSigmas: [0.1, 0.1] });
 * assert.equal(m.ap.named.AP.toFixed(3), "1.000");
 * assert.deepEqual(m.pck.pck, [1, 1, 1, 1]);
 * assert.deepEqual(m.names, ["head", "foot"]);
 * ```
 */
export function keypointMetrics(
  groundTruth: CocoGroundTruth,
  results: CocoResult[],
  options: { imageIds?: number[]; kptOksSigmas?: number[] } = {},
): KeypointMetrics {
  const common = {
    ...(options.imageIds ? { imageIds: options.imageIds } : {}),
    ...(options.kptOksSigmas ? { kptOksSigmas: options.kptOksSigmas } : {}),
  };
  const coco = evaluateCoco(groundTruth, results, "keypoints", common);
  const all = pck(groundTruth, results, {
    ...common,
    thresholds: [...PCK_THRESHOLDS, ...PCK_CURVE_THRESHOLDS],
    match: "box",
  });
  const byOks = pck(groundTruth, results, { ...common, thresholds: [...PCK_THRESHOLDS] });
  const a = PCK_THRESHOLDS.length;
  const K = all.visible.length;
  const category = groundTruth.categories.find((c) => (c.keypoints?.length ?? 0) === K);
  return {
    ap: iouTypeMetrics(coco),
    names: category?.keypoints ?? Array.from({ length: K }, (_, k) => String(k + 1)),
    sigmas: options.kptOksSigmas ? [...options.kptOksSigmas] : [...COCO_KPT_OKS_SIGMAS],
    pck: {
      thresholds: [...PCK_THRESHOLDS],
      pck: all.pck.slice(0, a),
      perKeypoint: all.perKeypoint.slice(0, a),
      visible: all.visible,
    },
    curve: {
      thresholds: [...PCK_CURVE_THRESHOLDS],
      pck: all.pck.slice(a),
      perKeypoint: all.perKeypoint.slice(a),
    },
    pckByOks: byOks.pck,
    people: all.people,
    matchedPeople: all.matchedPeople,
    matchedByOks: byOks.matchedPeople,
  };
}
