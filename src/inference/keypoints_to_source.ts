/**
 * A keypoint model's outputs for the chosen detections, as keypoints in source pixels:
 * heatmaps decoded as torchvision does (`heatmapsToKeypoints`), or regressed coordinates
 * taken as they are, then mapped back through the letterbox as boxes are.
 *
 * @module
 */

import type { FrameGeometry } from "../types.ts";
import type { RawCandidates } from "./postprocess.ts";
import { heatmapsToKeypoints } from "../geometry/keypoints.ts";

/**
 * The keypoints of the candidates `index` (whose input-pixel boxes are `inputBoxes`, N×4,
 * and final scores `scores`): N×K×3 `x, y, score` in source pixels, clipped to the frame.
 * A heatmap keypoint's score is its resized heatmap logit (torchvision's keypoint score);
 * a regressed keypoint has no score of its own and gets its detection's.
 *
 * @example A regressed keypoint, letterbox undone
 * ```ts
 * import assert from "node:assert/strict";
 * const raw = { boxes: new Float32Array(4), scores: new Float32Array([0.9]), labels: new Int32Array([1]),
 *   keypointCoords: new Float32Array([30, 60]), keypointCount: 1 };
 * const g = { sourceWidth: 200, sourceHeight: 100, width: 100, height: 100, scaledWidth: 100,
 *   scaledHeight: 50, scaleX: 0.5, scaleY: 0.5, padX: 0, padY: 25 };
 * const k = keypointsToSource(raw, new Int32Array([0]), new Float32Array([0, 25, 100, 75]), new Float32Array([0.9]), g);
 * assert.deepEqual([...k], [60, 70, Math.fround(0.9)]);
 * ```
 */
export function keypointsToSource(
  raw: RawCandidates,
  index: Int32Array,
  inputBoxes: Float32Array,
  scores: Float32Array,
  geometry: FrameGeometry,
): Float32Array {
  const K = raw.keypointCount ?? 0;
  const n = index.length;
  const out = new Float32Array(n * K * 3);
  if (raw.keypointLogits && raw.heatmapSize) {
    const cells = K * raw.heatmapSize * raw.heatmapSize;
    const maps = new Float32Array(n * cells);
    for (let r = 0; r < n; r++) {
      maps.set(raw.keypointLogits.subarray(index[r] * cells, (index[r] + 1) * cells), r * cells);
    }
    const decoded = heatmapsToKeypoints(maps, inputBoxes, K, raw.heatmapSize);
    for (let j = 0; j < n * K; j++) {
      out[3 * j] = decoded.keypoints[3 * j];
      out[3 * j + 1] = decoded.keypoints[3 * j + 1];
      out[3 * j + 2] = decoded.scores[j];
    }
  } else if (raw.keypointCoords) {
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < K; k++) {
        const from = (index[r] * K + k) * 2, to = (r * K + k) * 3;
        out[to] = raw.keypointCoords[from];
        out[to + 1] = raw.keypointCoords[from + 1];
        out[to + 2] = scores[r];
      }
    }
  }
  const { scaleX, scaleY, padX, padY, sourceWidth, sourceHeight } = geometry;
  for (let j = 0; j < n * K; j++) {
    out[3 * j] = clamp((out[3 * j] - padX) / scaleX, sourceWidth);
    out[3 * j + 1] = clamp((out[3 * j + 1] - padY) / scaleY, sourceHeight);
  }
  return out;
}

function clamp(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}
