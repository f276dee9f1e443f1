/**
 * Matrix NMS on boxes, the decay of PaddlePaddle's `matrix_nms` op and OpenVINO's
 * `MatrixNms-8` (docs/REFERENCE.md "Matrix NMS", box variant).
 *
 * @module
 */

import { areasInto, pairIou } from "./boxes.ts";
import { matrixDecay } from "./matrix_decay.ts";
import { type MatrixNmsOptions, resolveMatrixOptions } from "./matrix_nms.ts";
import { OverlapAdjacency } from "./overlap_pairs.ts";
import { reusable } from "./reusable.ts";
import { checkBoxes, checkLabels, checkScores } from "./validate.ts";

// Working memory kept between calls (see reusable.ts).
const adjacency = new OverlapAdjacency();
const areaBuffer = reusable((n) => new Float32Array(n));

/**
 * Matrix NMS on boxes: each box's score decays by its IoU with higher-scoring boxes of
 * the same class, compensated by how much those were overlapped themselves, as in
 * PaddlePaddle's `matrix_nms` (`normalized=True`, no +1 in widths). Returns decayed
 * scores in input order; the score threshold, `post_threshold` and top-k of the Paddle
 * op are left to the caller.
 *
 * Defaults are SOLOv2's (gaussian, sigma 2); Paddle's op defaults to the linear kernel
 * (`use_gaussian=False`), so pass `{ kernel: "linear" }` to compare with its defaults.
 *
 * @param boxes N×4 `x1, y1, x2, y2`.
 * @param labels N class ids; only boxes of one class decay each other.
 * @param scores N scores (finite).
 *
 * @example An overlapping lower-scoring box of the same class decays
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 10, 10, 0, 0, 10, 5, 20, 20, 30, 30]);
 * const out = matrixNmsBoxes(boxes, new Int32Array([0, 0, 0]), new Float32Array([0.9, 0.8, 0.7]));
 * assert.ok(Math.abs(out[1] - 0.8 * Math.exp(-2 * 0.25)) < 1e-6); // IoU 0.5
 * assert.equal(out[2], Math.fround(0.7));
 * ```
 */
export function matrixNmsBoxes(
  boxes: Float32Array,
  labels: Int32Array,
  scores: Float32Array,
  options: MatrixNmsOptions = {},
): Float32Array {
  const fn = "matrixNmsBoxes";
  const n = checkBoxes(fn, "boxes", boxes);
  checkLabels(fn, "labels", labels, n);
  checkScores(fn, "scores", scores, n, true);
  const { kernel, sigma } = resolveMatrixOptions(fn, options);
  const areas = areasInto(boxes, n, areaBuffer(n));
  const overlaps = adjacency.build(boxes, labels, n);
  return matrixDecay(
    scores,
    kernel,
    sigma,
    "difference",
    overlaps,
    (i, j) => pairIou(boxes, areas, i, j),
  );
}
