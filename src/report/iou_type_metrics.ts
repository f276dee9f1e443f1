/**
 * The report's numbers of one IoU type (`"bbox"`, `"segm"` or `"keypoints"`): `evaluateCoco`'s stats, by
 * position and by name, and per class its numbers plus the precision/recall curves read
 * from the `precision` array.
 *
 * @module
 */

import type { CocoClassResult, CocoEvalResult } from "../eval/coco_eval.ts";
import { COCO_STAT_NAMES } from "../eval/coco_params.ts";
import type { CocoIouType } from "../eval/coco_types.ts";

/** A precision/recall curve of one class at the 101 recall points (`recallThresholds`). */
export interface PrCurves {
  /** Precision at IoU 0.50. */
  iou50: number[];
  /** Precision at IoU 0.75. */
  iou75: number[];
  /** Precision averaged over the 10 IoU thresholds 0.50:0.95 (its mean is the class' AP). */
  mean: number[];
}

/** One class' numbers for one IoU type: `evaluateCoco`'s `perClass` entry, curves added. */
export interface ClassMetrics extends Omit<CocoClassResult, "precision50"> {
  /** Area "all", 100 detections per image; null without ground truth. */
  pr: PrCurves | null;
}

/** The numbers of one IoU type (`"bbox"`, `"segm"` or `"keypoints"`). */
export interface IouTypeMetrics {
  /** What the IoU compared: boxes or masks. */
  iouType: CocoIouType;
  /** `COCOeval.stats`, in order (-1 where nothing is left to average). */
  stats: number[];
  /** The same, by name (`AP`, `AP50`, ... see `COCO_STAT_NAMES`; the 10 keypoint stats
   * are named as `COCO_KEYPOINT_STAT_NAMES`). */
  named: Record<string, number>;
  /** One entry per category of the ground truth, in increasing id order. */
  perClass: ClassMetrics[];
}

/**
 * `evaluateCoco`'s result as report numbers: the stats, by position and by name, and per
 * class the 12 numbers plus the PR curves at IoU .50, .75 and averaged over .50:.95 (area
 * all, 100 detections), read from its `precision` array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateCoco } from "../eval/coco_eval.ts";
 * const gt = {
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1, name: "car" }, { id: 2, name: "bus" }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, area: 400, iscrowd: 0, bbox: [0, 0, 20, 20] }],
 * };
 * const m = iouTypeMetrics(evaluateCoco(gt, [{ image_id: 1, category_id: 1, score: 1, bbox: [0, 0, 20, 20] }], "bbox"));
 * assert.equal(m.named.AP, m.stats[0]);
 * assert.equal(m.perClass[0].pr!.iou50.length, 101);
 * assert.equal(m.perClass[1].pr, null); // no ground truth of class 2
 * ```
 */
export function iouTypeMetrics(result: CocoEvalResult): IouTypeMetrics {
  const [T, R, K, A, M] = result.counts;
  const at = (t: number, r: number, k: number) =>
    result.precision[(((t * R + r) * K + k) * A + 0) * M + (M - 1)];
  const perClass = result.perClass.map((c, k): ClassMetrics => {
    const { precision50: _, ...numbers } = c;
    let pr: PrCurves | null = null;
    if (c.numGroundTruth > 0 && at(0, 0, k) > -1) {
      const curve = (t: number) => Array.from({ length: R }, (_, r) => at(t, r, k));
      const mean = Array.from({ length: R }, (_, r) => {
        let sum = 0;
        for (let t = 0; t < T; t++) sum += at(t, r, k);
        return sum / T;
      });
      pr = { iou50: curve(0), iou75: curve(Math.min(5, T - 1)), mean };
    }
    return { ...numbers, pr };
  });
  return {
    iouType: result.iouType,
    stats: result.stats,
    named: Object.fromEntries(
      (result.statNames ?? COCO_STAT_NAMES).map((name, i) => [name, result.stats[i]]),
    ),
    perClass,
  };
}
