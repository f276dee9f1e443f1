/**
 * COCO results entries (what `loadRes` / `evaluateCoco` read) from result messages.
 *
 * @module
 */

import type { CocoResult } from "../eval/coco_types.ts";
import type { ResultMessage } from "../pipeline/result_message.ts";

/**
 * The COCO results of one frame: one entry per detection, `image_id = frame + 1` (as the
 * demo's ground truth numbers its images), `bbox` as `[x, y, width, height]`, and the mask
 * RLE as `segmentation` when the message has masks, and `keypoints` (`[x, y, score] × K`)
 * when it has keypoints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const entries = cocoResults({ frame: 4, detections: [
 *   { box: [10, 20, 40, 60], classId: 2, label: "person", score: 0.9 },
 * ] });
 * assert.deepEqual(entries, [{ image_id: 5, category_id: 2, bbox: [10, 20, 30, 40], score: 0.9 }]);
 * ```
 */
export function cocoResults(
  message: Pick<ResultMessage, "frame" | "detections">,
  imageIdOffset = 1,
): CocoResult[] {
  return message.detections.map((d) => {
    const [x1, y1, x2, y2] = d.box;
    const entry: CocoResult = {
      image_id: message.frame + imageIdOffset,
      category_id: d.classId,
      bbox: [x1, y1, round(x2 - x1), round(y2 - y1)],
      score: d.score,
    };
    if (d.mask) entry.segmentation = d.mask;
    if (d.keypoints) entry.keypoints = d.keypoints;
    return entry;
  });
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
