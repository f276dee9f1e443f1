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

/** Number of set bits in a 32-bit word. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Masks packed to bits inside their bounding boxes, with areas and pixel boxes. */
class PackedMasks {
  /** Pixel extents `c0, r0, c1 + 1, r1 + 1` of each mask, for the grid. */
  readonly extents: Float32Array;
  readonly areas: Float64Array;
  private readonly offset: Int32Array;
  private readonly stride: Int32Array;
  private readonly firstWord: Int32Array;
  private bits: Uint32Array;

  constructor(masks: Uint8Array, n: number, height: number, width: number) {
    this.extents = new Float32Array(n * 4);
    this.areas = new Float64Array(n);
    this.offset = new Int32Array(n);
    this.stride = new Int32Array(n);
    this.firstWord = new Int32Array(n);
    const plane = height * width;
    let used = 0;
    const bounds = new Int32Array(4);
    for (let i = 0; i < n; i++) {
      const area = this.measure(masks, i * plane, height, width, bounds);
      this.areas[i] = area;
      if (area === 0) continue; // empty: no extent, no bits (its IoU with anything is 0)
      const [c0, r0, c1, r1] = bounds;
      this.extents.set([c0, r0, c1 + 1, r1 + 1], i * 4);
      this.firstWord[i] = c0 >> 5;
      this.stride[i] = (c1 >> 5) - (c0 >> 5) + 1;
      this.offset[i] = used - r0 * this.stride[i];
      used += (r1 - r0 + 1) * this.stride[i];
    }
    this.bits = new Uint32Array(used);
    for (let i = 0; i < n; i++) {
      if (this.areas[i] === 0) continue;
      const o = i * 4, base = i * plane, w0 = this.firstWord[i], stride = this.stride[i];
      for (let r = this.extents[o + 1]; r < this.extents[o + 3]; r++) {
        const row = base + r * width, out = this.offset[i] + r * stride - w0;
        for (let c = this.extents[o]; c < this.extents[o + 2]; c++) {
          if (masks[row + c] !== 0) this.bits[out + (c >> 5)] |= 1 << (c & 31);
        }
      }
    }
  }

  /** Counts set pixels of one mask and writes its bounds `c0, r0, c1, r1`. */
  private measure(
    masks: Uint8Array,
    base: number,
    height: number,
    width: number,
    bounds: Int32Array,
  ): number {
    let area = 0, c0 = width, c1 = -1, r0 = height, r1 = -1;
    for (let r = 0; r < height; r++) {
      const row = base + r * width;
      let first = -1, last = -1;
      for (let c = 0; c < width; c++) {
        if (masks[row + c] !== 0) {
          if (first < 0) first = c;
          last = c;
          area++;
        }
      }
      if (first < 0) continue;
      if (r0 === height) r0 = r;
      r1 = r;
      if (first < c0) c0 = first;
      if (last > c1) c1 = last;
    }
    bounds[0] = c0, bounds[1] = r0, bounds[2] = c1, bounds[3] = r1;
    return area;
  }

  /** Pixels set in both masks. */
  intersection(i: number, j: number): number {
    const e = this.extents, a = i * 4, b = j * 4;
    const r0 = Math.max(e[a + 1], e[b + 1]), r1 = Math.min(e[a + 3], e[b + 3]);
    const w0 = Math.max(this.firstWord[i], this.firstWord[j]);
    const w1 = Math.min(this.firstWord[i] + this.stride[i], this.firstWord[j] + this.stride[j]);
    const bits = this.bits, si = this.stride[i], sj = this.stride[j];
    let inter = 0;
    for (let r = r0; r < r1; r++) {
      const pi = this.offset[i] + r * si - this.firstWord[i];
      const pj = this.offset[j] + r * sj - this.firstWord[j];
      for (let w = w0; w < w1; w++) {
        const both = bits[pi + w] & bits[pj + w];
        if (both !== 0) inter += popcount(both);
      }
    }
    return inter;
  }
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
