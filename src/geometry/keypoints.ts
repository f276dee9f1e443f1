/**
 * Keypoint R-CNN's decoding of keypoint heatmaps into image coordinates, as torchvision
 * 0.14's `heatmaps_to_keypoints` (`torchvision/models/detection/roi_heads.py`;
 * docs/REFERENCE.md "Keypoints").
 *
 * @module
 */

import { cubicTaps, resizeBicubicPlane } from "./bicubic.ts";
import { reusable } from "./reusable.ts";
import { checkBoxes, checkInteger } from "./validate.ts";
import { describe } from "../describe.ts";

const FN = "heatmapsToKeypoints";
const fround = Math.fround;

// Working memory kept between calls (see reusable.ts).
const planeBuffer = reusable((n) => new Float32Array(n));
const rowsBuffer = reusable((n) => new Float32Array(n));

/** What {@link heatmapsToKeypoints} returns. */
export interface HeatmapKeypoints {
  /** N×K×3 `x, y, 1` in image pixels (torchvision's `(x, y, 1)` rows, transposed). */
  keypoints: Float32Array;
  /** N×K: the resized heatmap's logit at each keypoint (torchvision's `end_scores`). */
  scores: Float32Array;
}

/**
 * Decodes N×K heatmaps of M×M logits into keypoints, as torchvision 0.14's
 * `heatmaps_to_keypoints(maps, rois)` does on the CPU, in float32 step by step. For each
 * box: `w = max(x2 - x1, 1)`, `h = max(y2 - y1, 1)`; each of its K maps is resized
 * bicubically to `ceil(h) × ceil(w)` (`F.interpolate(mode="bicubic",
 * align_corners=False)`, see `bicubic.ts`); the first maximum of the resized map
 * (row-major; a NaN counts as the largest, as `argmax`) is at `(xInt, yInt)`, and the
 * keypoint is `x = (xInt + 0.5) * (w / ceil(w)) + x1`, `y = (yInt + 0.5) * (h / ceil(h)) +
 * y1`, with visibility 1; its score is the resized logit there (not a probability).
 *
 * The resizing reproduces PyTorch's kernel as Debian's torch 1.13 build runs it, to the
 * bit (tests/fixtures/keypoints/heatmaps_to_keypoints.json); a PyTorch build whose
 * compiler fuses multiply-adds differently can differ from it by an ulp in the scores,
 * and so in the position of a maximum that ties to within an ulp.
 *
 * Cost: O(K · ceil(h) · ceil(w)) per box, like torchvision's: a box of 1000×1000 pixels
 * resizes 17 maps of a million pixels each.
 *
 * @param heatmaps N×K×M×M logits, row-major (the keypoint head's output for N boxes).
 * @param boxes N×4 `x1, y1, x2, y2`, in image pixels (the boxes the heatmaps were pooled from).
 * @param numKeypoints K.
 * @param heatmapSize M (56 for torchvision's Keypoint R-CNN).
 *
 * @example A peak of a 4×4 map in an 8×8 box
 * ```ts
 * import assert from "node:assert/strict";
 * const maps = new Float32Array(16);
 * maps[1 * 4 + 2] = 10; // row 1, column 2
 * const { keypoints, scores } = heatmapsToKeypoints(maps, new Float32Array([100, 50, 108, 58]), 1, 4);
 * // the 4×4 map is resized to 8×8: the peak spreads over columns 4-5 and rows 2-3
 * // equally, and the first of those maxima wins
 * assert.deepEqual([...keypoints], [100 + 4.5, 50 + 2.5, 1]);
 * assert.equal(scores[0].toFixed(4), "7.7248"); // as torchvision
 * ```
 */
export function heatmapsToKeypoints(
  heatmaps: Float32Array,
  boxes: Float32Array,
  numKeypoints: number,
  heatmapSize: number,
): HeatmapKeypoints {
  checkInteger(FN, "numKeypoints", numKeypoints, 1);
  checkInteger(FN, "heatmapSize", heatmapSize, 1);
  const n = checkBoxes(FN, "boxes", boxes);
  const K = numKeypoints, M = heatmapSize;
  const expected = `a Float32Array of N×K×M×M = ${n}×${K}×${M}×${M} = ${n * K * M * M} logits`;
  if (!(heatmaps instanceof Float32Array)) {
    throw new TypeError(`${FN}(): heatmaps: expected ${expected}, found ${describe(heatmaps)}`);
  }
  if (heatmaps.length !== n * K * M * M) {
    throw new RangeError(
      `${FN}(): heatmaps: expected ${expected} (N from boxes), found length ${heatmaps.length}`,
    );
  }
  for (let i = 0; i < boxes.length; i++) {
    if (!Number.isFinite(boxes[i])) {
      throw new RangeError(
        `${FN}(): boxes[${i}]: expected a finite number (box ${i >> 2}), found ${boxes[i]}`,
      );
    }
  }
  const keypoints = new Float32Array(n * K * 3);
  const scores = new Float32Array(n * K);
  const plane = M * M;
  for (let i = 0; i < n; i++) {
    const x1 = boxes[i * 4], y1 = boxes[i * 4 + 1];
    const width = Math.max(fround(boxes[i * 4 + 2] - x1), 1);
    const height = Math.max(fround(boxes[i * 4 + 3] - y1), 1);
    const outW = Math.ceil(width), outH = Math.ceil(height);
    const widthCorrection = fround(width / outW);
    const heightCorrection = fround(height / outH);
    const xTaps = cubicTaps(M, outW), yTaps = cubicTaps(M, outH);
    const size = outH * outW;
    const resized = planeBuffer(size);
    const rows = rowsBuffer(M * outW);
    for (let k = 0; k < K; k++) {
      const offset = (i * K + k) * plane;
      resizeBicubicPlane(heatmaps, offset, M, M, outH, outW, resized, rows, xTaps, yTaps);
      const best = argmax(resized, size);
      const xInt = best % outW, yInt = (best - xInt) / outW;
      const o = (i * K + k) * 3;
      keypoints[o] = fround(fround(fround(xInt + 0.5) * widthCorrection) + x1);
      keypoints[o + 1] = fround(fround(fround(yInt + 0.5) * heightCorrection) + y1);
      keypoints[o + 2] = 1;
      scores[i * K + k] = resized[best];
    }
  }
  return { keypoints, scores };
}

/** `torch.argmax` of the first `size` values: the first maximum, or the first NaN. */
function argmax(values: Float32Array, size: number): number {
  let best = 0;
  let max = values[0];
  if (max !== max) return 0;
  for (let j = 1; j < size; j++) {
    const v = values[j];
    if (v > max) {
      max = v;
      best = j;
    } else if (v !== v) return j;
  }
  return best;
}
