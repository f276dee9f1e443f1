/**
 * Matrix NMS on instance masks, as SOLOv2's `matrix_nms` (`WXinlong/SOLO`,
 * `mmdet/core/post_processing/matrix_nms.py`; docs/REFERENCE.md "Matrix NMS").
 *
 * SOLO builds the full N×N intersection matrix with one matrix product over all
 * pixels. Only masks of one label that share pixels can decay each other, so here each
 * mask is packed into 32-pixel words inside its bounding box and intersections are
 * counted only for same-label pairs whose boxes overlap.
 *
 * @module
 */

import type { MatrixNmsKernel } from "../types.ts";
import { matrixDecay } from "./matrix_decay.ts";
import { OverlapAdjacency } from "./overlap_pairs.ts";
import { checkChoice, checkInteger, checkLabels, checkNumber, checkScores } from "./validate.ts";
import { describe } from "../describe.ts";
import { PackedMasks } from "./packed_masks.ts";

const adjacency = new OverlapAdjacency();

/** Options of {@link matrixNms} and `matrixNmsBoxes`; the defaults are SOLOv2's. */
export interface MatrixNmsOptions {
  /** Decay kernel (default `"gaussian"`). */
  kernel?: MatrixNmsKernel;
  /** Gaussian kernel strength in `exp(-sigma IoU²)` (default 2.0). */
  sigma?: number;
}

/** Checks the options shared by both Matrix NMS variants and fills the defaults. */
export function resolveMatrixOptions(
  fn: string,
  options: MatrixNmsOptions,
): Required<MatrixNmsOptions> {
  const { kernel = "gaussian", sigma = 2.0 } = options;
  checkChoice(fn, "options.kernel", kernel, ["gaussian", "linear"]);
  checkNumber(fn, "options.sigma", sigma, 0);
  return { kernel, sigma };
}

/**
 * Matrix NMS on binary masks, as SOLOv2's `matrix_nms(seg_masks, cate_labels,
 * cate_scores, kernel='gaussian', sigma=2.0)`: each mask's score decays by its IoU
 * with higher-scoring masks of the same label, compensated by how much those were
 * themselves overlapped. Returns the decayed scores in input order (the input need not
 * be sorted: it is ordered by decreasing score, ties in input order). Thresholding and
 * top-k (SOLOv2: keep >= 0.05, at most 100) are left to the caller.
 *
 * IoU uses float32 as SOLO does. An empty mask has IoU 0 with everything (SOLO gets
 * 0/0 = NaN there and filters empty masks out before calling it).
 *
 * @param masks N×height×width bytes, row-major per mask; nonzero is foreground.
 * @param labels N class ids; only masks of one label decay each other.
 * @param scores N scores (finite).
 *
 * @example A near-duplicate mask of the same label loses most of its score
 * ```ts
 * import assert from "node:assert/strict";
 * const masks = new Uint8Array(3 * 4 * 4);
 * masks.fill(1, 0, 8); // mask 0: top half
 * masks.fill(1, 16, 24); // mask 1: the same pixels
 * masks.fill(1, 40, 48); // mask 2: bottom half
 * const out = matrixNms(masks, 4, 4, new Int32Array([1, 1, 1]), new Float32Array([0.9, 0.8, 0.7]));
 * assert.ok(Math.abs(out[1] - 0.8 * Math.exp(-2)) < 1e-6);
 * assert.equal(out[2], Math.fround(0.7));
 * ```
 */
export function matrixNms(
  masks: Uint8Array,
  height: number,
  width: number,
  labels: Int32Array,
  scores: Float32Array,
  options: MatrixNmsOptions = {},
): Float32Array {
  const fn = "matrixNms";
  checkInteger(fn, "height", height, 0);
  checkInteger(fn, "width", width, 0);
  const n = scores instanceof Float32Array ? scores.length : 0;
  checkScores(fn, "scores", scores, n, true);
  checkLabels(fn, "labels", labels, n);
  const expected = `a Uint8Array of N×height×width = ${n}×${height}×${width} = ${
    n * height * width
  } bytes`;
  if (!(masks instanceof Uint8Array)) {
    throw new TypeError(`${fn}(): masks: expected ${expected}, found ${describe(masks)}`);
  }
  if (masks.length !== n * height * width) {
    throw new RangeError(`${fn}(): masks: expected ${expected}, found length ${masks.length}`);
  }
  const { kernel, sigma } = resolveMatrixOptions(fn, options);
  const packed = new PackedMasks(masks, n, height, width);
  const overlaps = adjacency.build(packed.extents, labels, n);
  const areas = packed.areas;
  return matrixDecay(scores, kernel, sigma, "ratio", overlaps, (i, j) => {
    const inter = packed.intersection(i, j);
    return inter === 0 ? 0 : Math.fround(inter / (areas[i] + areas[j] - inter));
  });
}
