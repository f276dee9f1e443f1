/**
 * The fixed parameters of COCO evaluation, as pycocotools' `Params` computes them, to
 * the last bit: `setDetParams` (bbox, segm) and `setKpParams` (keypoints), and the
 * `_summarize` calls of `summarize` for each.
 *
 * @module
 */

import type { CocoIouType } from "./coco_types.ts";

/**
 * IoU thresholds 0.5:0.05:0.95 as `np.linspace(.5, 0.95, 10)` gives them
 * (`i * ((0.95 - 0.5) / 9) + 0.5`, the last set to 0.95): the 9th is
 * 0.8999999999999999, not 0.9.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(COCO_IOU_THRESHOLDS.length, 10);
 * assert.equal(COCO_IOU_THRESHOLDS[5], 0.75);
 * assert.equal(COCO_IOU_THRESHOLDS[8], 0.8999999999999999);
 * ```
 */
export const COCO_IOU_THRESHOLDS: Float64Array = linspace(0.5, 0.95, 10);

/**
 * The 101 recall points 0:0.01:1 as `np.linspace(0, 1, 101)` (`i * 0.01`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(COCO_RECALL_THRESHOLDS.length, 101);
 * assert.equal(COCO_RECALL_THRESHOLDS[3], 3 * 0.01);
 * assert.equal(COCO_RECALL_THRESHOLDS[100], 1);
 * ```
 */
export const COCO_RECALL_THRESHOLDS: Float64Array = linspace(0, 1, 101);

/**
 * Detections kept per image and category: 1, 10, 100 (the last cuts them before
 * matching).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(COCO_MAX_DETS, [1, 10, 100]);
 * ```
 */
export const COCO_MAX_DETS: readonly number[] = Object.freeze([1, 10, 100]);

/**
 * Area ranges, bounds inclusive: all `[0, 1e10]`, small `[0, 32²]`, medium
 * `[32², 96²]`, large `[96², 1e10]` (an area of exactly 1024 is small and medium).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(COCO_AREA_RANGES[2], [1024, 9216]);
 * ```
 */
export const COCO_AREA_RANGES: readonly (readonly [number, number])[] = Object.freeze([
  Object.freeze([0, 1e10] as const),
  Object.freeze([0, 32 ** 2] as const),
  Object.freeze([32 ** 2, 96 ** 2] as const),
  Object.freeze([96 ** 2, 1e10] as const),
]);

/**
 * Labels of {@link COCO_AREA_RANGES}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(COCO_AREA_LABELS, ["all", "small", "medium", "large"]);
 * ```
 */
export const COCO_AREA_LABELS: readonly string[] = Object.freeze([
  "all",
  "small",
  "medium",
  "large",
]);

/**
 * Names of the 12 numbers of `COCOeval.stats`, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(COCO_STAT_NAMES[0], "AP");
 * assert.equal(COCO_STAT_NAMES.length, 12);
 * ```
 */
export const COCO_STAT_NAMES: readonly string[] = Object.freeze([
  "AP",
  "AP50",
  "AP75",
  "APs",
  "APm",
  "APl",
  "AR1",
  "AR10",
  "AR100",
  "ARs",
  "ARm",
  "ARl",
]);

/**
 * Keypoints: detections kept per image and category, 20 (`setKpParams`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(COCO_KEYPOINT_MAX_DETS, [20]);
 * ```
 */
export const COCO_KEYPOINT_MAX_DETS: readonly number[] = Object.freeze([20]);

/**
 * Keypoints: area ranges all `[0, 1e10]`, medium `[32², 96²]`, large `[96², 1e10]`
 * (no small range: `setKpParams`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(COCO_KEYPOINT_AREA_RANGES[1], [1024, 9216]);
 * ```
 */
export const COCO_KEYPOINT_AREA_RANGES: readonly (readonly [number, number])[] = Object.freeze([
  COCO_AREA_RANGES[0],
  COCO_AREA_RANGES[2],
  COCO_AREA_RANGES[3],
]);

/**
 * Labels of {@link COCO_KEYPOINT_AREA_RANGES}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(COCO_KEYPOINT_AREA_LABELS, ["all", "medium", "large"]);
 * ```
 */
export const COCO_KEYPOINT_AREA_LABELS: readonly string[] = Object.freeze([
  "all",
  "medium",
  "large",
]);

/**
 * Names of the 10 numbers of `COCOeval.stats` for keypoints (`_summarizeKps`), in order:
 * AR is at 20 detections per image.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(COCO_KEYPOINT_STAT_NAMES.slice(3, 7), ["APm", "APl", "AR", "AR50"]);
 * ```
 */
export const COCO_KEYPOINT_STAT_NAMES: readonly string[] = Object.freeze([
  "AP",
  "AP50",
  "AP75",
  "APm",
  "APl",
  "AR",
  "AR50",
  "AR75",
  "ARm",
  "ARl",
]);

/** One `_summarize` call: AP (else AR), IoU threshold index (null: all), area index, maxDets index. */
export type CocoSummaryCall = readonly [
  ap: boolean,
  iou: number | null,
  area: number,
  maxDets: number,
];

/** The parameters that differ between detection (bbox, segm) and keypoint evaluation. */
export interface CocoParams {
  /** Detections kept per image (the last cuts them before matching). */
  maxDets: readonly number[];
  /** Area ranges, bounds inclusive. */
  areaRanges: readonly (readonly [number, number])[];
  /** Their labels. */
  areaLabels: readonly string[];
  /** The `_summarize` calls that make `stats`, in order. */
  summary: readonly CocoSummaryCall[];
  /** Names of the numbers of `stats`. */
  statNames: readonly string[];
}

const DETECTION_PARAMS: CocoParams = Object.freeze({
  maxDets: COCO_MAX_DETS,
  areaRanges: COCO_AREA_RANGES,
  areaLabels: COCO_AREA_LABELS,
  // _summarizeDets
  summary: Object.freeze<CocoSummaryCall[]>([
    [true, null, 0, 2],
    [true, 0, 0, 2],
    [true, 5, 0, 2],
    [true, null, 1, 2],
    [true, null, 2, 2],
    [true, null, 3, 2],
    [false, null, 0, 0],
    [false, null, 0, 1],
    [false, null, 0, 2],
    [false, null, 1, 2],
    [false, null, 2, 2],
    [false, null, 3, 2],
  ]),
  statNames: COCO_STAT_NAMES,
});

const KEYPOINT_PARAMS: CocoParams = Object.freeze({
  maxDets: COCO_KEYPOINT_MAX_DETS,
  areaRanges: COCO_KEYPOINT_AREA_RANGES,
  areaLabels: COCO_KEYPOINT_AREA_LABELS,
  // _summarizeKps
  summary: Object.freeze<CocoSummaryCall[]>([
    [true, null, 0, 0],
    [true, 0, 0, 0],
    [true, 5, 0, 0],
    [true, null, 1, 0],
    [true, null, 2, 0],
    [false, null, 0, 0],
    [false, 0, 0, 0],
    [false, 5, 0, 0],
    [false, null, 1, 0],
    [false, null, 2, 0],
  ]),
  statNames: COCO_KEYPOINT_STAT_NAMES,
});

/**
 * The parameters of an IoU type: `setDetParams` for `"bbox"` and `"segm"`,
 * `setKpParams` for `"keypoints"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(cocoParams("keypoints").maxDets, [20]);
 * assert.equal(cocoParams("bbox").summary.length, 12);
 * ```
 */
export function cocoParams(iouType: CocoIouType): CocoParams {
  return iouType === "keypoints" ? KEYPOINT_PARAMS : DETECTION_PARAMS;
}

/** `np.linspace(start, stop, num)`: `i * step + start`, the last set to `stop`. */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/**
 * `np.sum` of a float64 array, to the last bit: pairwise summation (numpy's
 * `pairwise_sum`, 8 accumulators, blocks of 128) inside chunks of 8192 values (the
 * ufunc buffer), chunk sums added in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(numpySum([1, 2, 3]), 6);
 * // 16 values: 8 accumulators, combined pairwise, not a left-to-right sum
 * const v = Array.from({ length: 16 }, (_, i) => 0.1 * (i + 1));
 * const r = (j: number) => v[j] + v[j + 8];
 * assert.equal(numpySum(v), ((r(0) + r(1)) + (r(2) + r(3))) + ((r(4) + r(5)) + (r(6) + r(7))));
 * ```
 */
export function numpySum(values: ArrayLike<number>): number {
  let total = 0;
  for (let start = 0; start < values.length; start += 8192) {
    total += pairwiseSum(values, start, Math.min(8192, values.length - start));
  }
  return total;
}

function pairwiseSum(a: ArrayLike<number>, lo: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[lo + i];
    return res;
  }
  if (n <= 128) {
    let r0 = a[lo], r1 = a[lo + 1], r2 = a[lo + 2], r3 = a[lo + 3];
    let r4 = a[lo + 4], r5 = a[lo + 5], r6 = a[lo + 6], r7 = a[lo + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const p = lo + i;
      r0 += a[p];
      r1 += a[p + 1];
      r2 += a[p + 2];
      r3 += a[p + 3];
      r4 += a[p + 4];
      r5 += a[p + 5];
      r6 += a[p + 6];
      r7 += a[p + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[lo + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, lo, n2) + pairwiseSum(a, lo + n2, n - n2);
}
