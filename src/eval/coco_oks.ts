/**
 * Object keypoint similarity, the IoU of COCO keypoint evaluation: pycocotools'
 * `COCOeval.computeOks` for one (category, image) cell, and how `COCO.loadRes` and
 * `_prepare` read keypoints (areas and boxes of keypoint-only results, which ground
 * truth is ignored).
 *
 * @module
 */

import { describe } from "../describe.ts";
import type { CocoAnnotation } from "../wire/coco.ts";
import { numpySum } from "./coco_params.ts";
import type { CocoIndex, CocoInstances, CocoIouType } from "./coco_types.ts";

/** `np.spacing(1)`, added to the ground truth's area. */
const EPS = 2.220446049250313e-16;

/**
 * COCO's OKS sigmas of its 17 person keypoints (nose, eyes, ears, shoulders, elbows,
 * wrists, hips, knees, ankles), as `setKpParams` computes them:
 * `np.array([.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87,
 * .89, .89]) / 10`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(COCO_KPT_OKS_SIGMAS.length, 17);
 * assert.equal(COCO_KPT_OKS_SIGMAS[0], 0.26 / 10);
 * ```
 */
export const COCO_KPT_OKS_SIGMAS: Float64Array = Float64Array.from(
  [
    0.26,
    0.25,
    0.25,
    0.35,
    0.35,
    0.79,
    0.79,
    0.72,
    0.72,
    0.62,
    0.62,
    1.07,
    1.07,
    0.87,
    0.87,
    0.89,
    0.89,
  ],
  (v) => v / 10,
);

/**
 * The OKS sigmas of an evaluation: `requested` (checked positive by the options' schema)
 * or COCO's 17 for keypoints, none otherwise (a `RangeError` if some were requested).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(oksSigmas("f", "keypoints", undefined).length, 17);
 * assert.deepEqual([...oksSigmas("f", "keypoints", [0.1, 0.2])], [0.1, 0.2]);
 * assert.throws(() => oksSigmas("f", "bbox", [0.1]), RangeError);
 * ```
 */
export function oksSigmas(
  fn: string,
  iouType: CocoIouType,
  requested: readonly number[] | undefined,
): Float64Array {
  if (iouType === "keypoints") return Float64Array.from(requested ?? COCO_KPT_OKS_SIGMAS);
  if (requested !== undefined) {
    throw new RangeError(
      `${fn}(): options.kptOksSigmas: expected nothing (only keypoints evaluation reads it), found ${
        describe(requested)
      }`,
    );
  }
  return new Float64Array(0);
}

/**
 * Copies keypoints `[x, y, v] × K` into `out` at `offset`, checking that there are K
 * (`what` says whose they are, for the error). Throws a `TypeError` when they are
 * missing, a `RangeError` when their count is not the sigmas'.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const out = new Float64Array(6);
 * copyKeypoints("f", "results[0].keypoints", [1, 2, 0.5], 1, out, 3);
 * assert.deepEqual([...out], [0, 0, 0, 1, 2, 0.5]);
 * assert.throws(() => copyKeypoints("f", "results[0].keypoints", [1, 2, 0.5], 2, out, 0), RangeError);
 * ```
 */
export function copyKeypoints(
  fn: string,
  path: string,
  keypoints: readonly number[] | undefined,
  K: number,
  out: Float64Array,
  offset: number,
): void {
  const expected = `${K} keypoints [x, y, v] (${3 * K} numbers, one triplet per OKS sigma)`;
  if (keypoints === undefined) {
    throw new TypeError(
      `${fn}(): ${path}: expected ${expected} for keypoints evaluation, found nothing`,
    );
  }
  if (keypoints.length !== 3 * K) {
    throw new RangeError(`${fn}(): ${path}: expected ${expected}, found ${describe(keypoints)}`);
  }
  for (let j = 0; j < 3 * K; j++) out[offset + j] = keypoints[j];
}

/**
 * `_prepare` for keypoints: copies a ground truth's K keypoints into `gt.keypoints` (its
 * `ignore` flag already says whether it is crowd) and ignores it when it has no
 * labelled keypoint (`num_keypoints` 0), which it must have. `K` is
 * `gt.keypoints.length / gt.ids.length / 3`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const gt = { ids: new Float64Array(1), keypoints: new Float64Array(3), ignore: new Uint8Array(1) };
 * const ann = { id: 1, image_id: 1, category_id: 1, area: 1, iscrowd: 0, keypoints: [0, 0, 0], num_keypoints: 0 };
 * groundTruthKeypoints("f", "annotations[0]", ann, gt as never, 0);
 * assert.equal(gt.ignore[0], 1);
 * ```
 */
export function groundTruthKeypoints(
  fn: string,
  path: string,
  ann: CocoAnnotation,
  gt: CocoInstances,
  n: number,
): void {
  const K = gt.keypoints.length / gt.ids.length / 3;
  copyKeypoints(fn, `${path}.keypoints`, ann.keypoints, K, gt.keypoints, n * 3 * K);
  if (ann.num_keypoints === undefined) {
    throw new TypeError(
      `${fn}(): ${path}.num_keypoints: expected an integer >= 0 (keypoints evaluation ignores people with none), found nothing`,
    );
  }
  if (ann.num_keypoints === 0) gt.ignore[n] = 1;
}

/**
 * `loadRes` for a result with keypoints and no box: its box is the keypoints' extent
 * `[x0, y0, x1 - x0, y1 - y0]` (every keypoint, whatever its score), written to `box` at
 * `offset`, and its area `(x1 - x0) * (y1 - y0)` is returned. Throws a `RangeError` for
 * none (`np.min` of nothing; a `TypeError` when missing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const box = new Float64Array(4);
 * assert.equal(keypointExtent("f", "results[0].keypoints", [10, 20, 0.9, 14, 25, 0.1], box, 0), 20);
 * assert.deepEqual([...box], [10, 20, 4, 5]);
 * ```
 */
export function keypointExtent(
  fn: string,
  path: string,
  keypoints: readonly number[] | undefined,
  box: Float64Array,
  offset: number,
): number {
  if (keypoints === undefined || keypoints.length < 3) {
    throw new (keypoints === undefined ? TypeError : RangeError)(
      `${fn}(): ${path}: expected keypoints [x, y, score] × K, K >= 1 (results[0] has keypoints and no bbox), found ${
        describe(keypoints)
      }`,
    );
  }
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let j = 0; j + 2 < keypoints.length; j += 3) {
    x0 = Math.min(x0, keypoints[j]);
    x1 = Math.max(x1, keypoints[j]);
    y0 = Math.min(y0, keypoints[j + 1]);
    y1 = Math.max(y1, keypoints[j + 1]);
  }
  box[offset] = x0;
  box[offset + 1] = y0;
  box[offset + 2] = x1 - x0;
  box[offset + 3] = y1 - y0;
  return (x1 - x0) * (y1 - y0);
}

/**
 * `COCOeval.computeOks` for cell `cell`: the OKS of the sorted detections `order` with
 * the cell's ground truths (in input order), D×G row-major; empty when either is.
 *
 * For a ground truth with labelled keypoints (v > 0), the OKS is the mean over those of
 * `exp(-d² / (2 · (2σ)² · (area + ε)))`, d the distance to the detection's keypoint, σ its
 * sigma, area the annotation's `area`. A ground truth without labelled keypoints uses
 * every keypoint, with d the distance from the detection's keypoint to the region of
 * twice its box around it (`[x - w, x + 2w] × [y - h, y + 2h]`; 0 inside). Written in
 * numpy's order of operations (`(dx² + dy²) / vars / (area + ε) / 2`, `np.sum` of the
 * exponentials), so OKS values agree with pycocotools' to within an ulp of `exp`.
 *
 * @example A detection 2 px off on one of two labelled keypoints
 * ```ts
 * import assert from "node:assert/strict";
 * import { indexCoco } from "./coco_dataset.ts";
 * const index = indexCoco({
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1 }],
 *   annotations: [{
 *     id: 1, image_id: 1, category_id: 1, area: 100, iscrowd: 0, bbox: [0, 0, 10, 10],
 *     num_keypoints: 2, keypoints: [2, 2, 2, 8, 8, 1, 0, 0, 0],
 *   }],
 * }, [{ image_id: 1, category_id: 1, score: 1, keypoints: [2, 2, 1, 8, 10, 1, 5, 5, 1] }], "keypoints", {
 *   kptOksSigmas: [0.1, 0.1, 0.1],
 * });
 * const oks = cellOks(index, 0, new Int32Array([0]));
 * // (1 + exp(-4 / (2 · 0.2² · 100))) / 2: the unlabelled third keypoint does not count
 * assert.ok(Math.abs(oks[0] - (1 + Math.exp(-0.5)) / 2) < 1e-12);
 * ```
 */
export function cellOks(index: CocoIndex, cell: number, order: Int32Array): Float64Array {
  const gt = index.groundTruth;
  const dt = index.detections;
  const g0 = gt.cellStart[cell];
  const numGt = gt.cellStart[cell + 1] - g0;
  const numDt = order.length;
  if (numGt === 0 || numDt === 0) return new Float64Array(0);
  const sigmas = index.kptOksSigmas;
  const K = sigmas.length;
  const vars = new Float64Array(K);
  for (let k = 0; k < K; k++) vars[k] = (sigmas[k] * 2) * (sigmas[k] * 2);
  const out = new Float64Array(numDt * numGt);
  const terms = new Float64Array(K);
  for (let j = 0; j < numGt; j++) {
    const g = (g0 + j) * 3 * K;
    let labelled = 0;
    for (let k = 0; k < K; k++) if (gt.keypoints[g + 3 * k + 2] > 0) labelled++;
    const b = (g0 + j) * 4;
    const [bx, by, bw, bh] = [gt.boxes[b], gt.boxes[b + 1], gt.boxes[b + 2], gt.boxes[b + 3]];
    const x0 = bx - bw, x1 = bx + bw * 2, y0 = by - bh, y1 = by + bh * 2;
    const scale = gt.areas[g0 + j] + EPS;
    for (let i = 0; i < numDt; i++) {
      const d = order[i] * 3 * K;
      let n = 0;
      for (let k = 0; k < K; k++) {
        const xd = dt.keypoints[d + 3 * k], yd = dt.keypoints[d + 3 * k + 1];
        let dx: number, dy: number;
        if (labelled > 0) {
          if (!(gt.keypoints[g + 3 * k + 2] > 0)) continue;
          dx = xd - gt.keypoints[g + 3 * k];
          dy = yd - gt.keypoints[g + 3 * k + 1];
        } else {
          dx = Math.max(0, x0 - xd) + Math.max(0, xd - x1);
          dy = Math.max(0, y0 - yd) + Math.max(0, yd - y1);
        }
        const e = (dx * dx + dy * dy) / vars[k] / scale / 2;
        terms[n++] = Math.exp(-e);
      }
      out[i * numGt + j] = numpySum(terms.subarray(0, n)) / n;
    }
  }
  return out;
}
