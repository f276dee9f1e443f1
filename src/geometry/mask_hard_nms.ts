/**
 * Greedy (hard) NMS on instance masks, the alternative to Matrix NMS that SOLO's authors
 * compare it with: the `mask_nms` of SOLO's original post-processing (`aim-uofa/AdelaiDet`,
 * `adet/modeling/solov2/utils.py`, `NMS_TYPE: "mask"`), where a mask is dropped when its
 * IoU with a kept, higher-scoring mask of its class is above the threshold. (AdelaiDet's
 * `solov2.py` passes its mask threshold, 0.5, as `nms_thr`; here the caller chooses.)
 *
 * SOLO compares each kept mask with every later one over all pixels. Here each mask is
 * packed to 32-pixel words inside its bounding rows, only kept masks of the same class are
 * compared, and a pair is skipped when the masks' bounding boxes do not overlap or their
 * areas alone rule out an IoU above the threshold (IoU ≤ min area / max area).
 *
 * @module
 */

import { checkInteger, checkLabels, checkNumber, checkScores } from "./validate.ts";
import { describe } from "../describe.ts";

const FN = "maskHardNms";

/** Number of set bits in a 32-bit word. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Binary masks as bits, each only over its bounding rows, with areas and bounds. */
class RowPackedMasks {
  readonly areas: Float64Array;
  /** Bounds `r0, r1, c0, c1` per mask: its first and last row and column. */
  readonly bounds: Int32Array;
  /** Where mask i's row r starts in `bits`: `start[i] + r × wordsPerRow`. */
  private readonly start: Int32Array;
  private readonly wordsPerRow: number;
  private readonly bits: Uint32Array;

  constructor(masks: Uint8Array, n: number, height: number, width: number) {
    const plane = height * width, wpr = (width + 31) >> 5;
    this.wordsPerRow = wpr;
    this.areas = new Float64Array(n);
    this.bounds = new Int32Array(n * 4);
    this.start = new Int32Array(n);
    let used = 0;
    for (let i = 0; i < n; i++) {
      let area = 0, r0 = -1, r1 = -1, c0 = width, c1 = -1;
      for (let r = 0, at = i * plane; r < height; r++, at += width) {
        let first = -1, last = -1;
        for (let c = 0; c < width; c++) {
          if (masks[at + c] !== 0) {
            if (first < 0) first = c;
            last = c;
            area++;
          }
        }
        if (first < 0) continue;
        if (r0 < 0) r0 = r;
        r1 = r;
        if (first < c0) c0 = first;
        if (last > c1) c1 = last;
      }
      this.areas[i] = area;
      if (area === 0) continue; // no bounds, no bits
      this.bounds.set([r0, r1, c0, c1], i * 4);
      this.start[i] = used - r0 * wpr;
      used += (r1 - r0 + 1) * wpr;
    }
    this.bits = new Uint32Array(used);
    for (let i = 0; i < n; i++) {
      if (this.areas[i] === 0) continue;
      const [r0, r1, c0, c1] = this.bounds.subarray(i * 4, i * 4 + 4);
      for (let r = r0; r <= r1; r++) {
        const from = i * plane + r * width, to = this.start[i] + r * wpr;
        for (let c = c0; c <= c1; c++) {
          if (masks[from + c] !== 0) this.bits[to + (c >> 5)] |= 1 << (c & 31);
        }
      }
    }
  }

  /** Pixels set in both masks (both non-empty). */
  intersection(i: number, j: number): number {
    const b = this.bounds, a = i * 4, o = j * 4;
    const r0 = Math.max(b[a], b[o]), r1 = Math.min(b[a + 1], b[o + 1]);
    const w0 = Math.max(b[a + 2], b[o + 2]) >> 5, w1 = Math.min(b[a + 3], b[o + 3]) >> 5;
    if (r0 > r1 || w0 > w1) return 0;
    const bits = this.bits, wpr = this.wordsPerRow;
    let inter = 0;
    for (let r = r0; r <= r1; r++) {
      const pi = this.start[i] + r * wpr, pj = this.start[j] + r * wpr;
      for (let w = w0; w <= w1; w++) {
        const both = bits[pi + w] & bits[pj + w];
        if (both !== 0) inter += popcount(both);
      }
    }
    return inter;
  }
}

/**
 * Greedy mask NMS per class, as SOLO's original `mask_nms(cate_labels, seg_masks,
 * sum_masks, cate_scores, nms_thr)`: candidates are taken in input order, which must be by
 * decreasing score (SOLO sorts them first; equal scores keep input order); a candidate is
 * suppressed when its mask IoU (intersection / union of pixel counts) with an already kept
 * candidate of the same label is above `iouThreshold`. An IoU equal to the threshold does
 * not suppress. Suppressed candidates suppress nothing. Returns 1 for each kept candidate,
 * 0 for each suppressed one; the scores themselves are unchanged.
 *
 * As in SOLO, the IoU is a float32 quotient compared with the threshold in float32, and two
 * empty masks of one label (union 0) count as duplicates: the later one is suppressed. An
 * empty mask has IoU 0 with a non-empty one.
 *
 * @param masks N×height×width bytes, row-major per mask; nonzero is foreground.
 * @param labels N class ids; only masks of one label suppress each other.
 * @param scores N scores, non-increasing (the order is checked).
 * @param iouThreshold IoU above which a later mask is dropped (>= 0).
 *
 * @example The near-duplicate of the best mask goes; another class's copy stays
 * ```ts
 * import assert from "node:assert/strict";
 * const masks = new Uint8Array(3 * 4 * 4);
 * masks.fill(1, 0, 8); // mask 0: top half
 * masks.fill(1, 16, 22); // mask 1: 6 of those 8 pixels (IoU 0.75)
 * masks.fill(1, 32, 40); // mask 2: mask 0's pixels, another class
 * const keep = maskHardNms(masks, 4, 4, new Int32Array([1, 1, 2]), new Float32Array([0.9, 0.8, 0.7]), 0.5);
 * assert.deepEqual([...keep], [1, 0, 1]);
 * assert.deepEqual([...maskHardNms(masks, 4, 4, new Int32Array([1, 1, 2]), new Float32Array([0.9, 0.8, 0.7]), 0.75)], [1, 1, 1]);
 * ```
 */
export function maskHardNms(
  masks: Uint8Array,
  height: number,
  width: number,
  labels: Int32Array,
  scores: Float32Array,
  iouThreshold: number,
): Uint8Array {
  checkInteger(FN, "height", height, 0);
  checkInteger(FN, "width", width, 0);
  const n = scores instanceof Float32Array ? scores.length : 0;
  checkScores(FN, "scores", scores, n);
  for (let i = 1; i < n; i++) {
    if (scores[i] > scores[i - 1]) {
      throw new RangeError(
        `${FN}(): scores: expected candidates by decreasing score (sort them first), found scores[${i}] = ${
          scores[i]
        } > scores[${i - 1}] = ${scores[i - 1]}`,
      );
    }
  }
  checkLabels(FN, "labels", labels, n);
  const expected = `a Uint8Array of N×height×width = ${n}×${height}×${width} = ${
    n * height * width
  } bytes`;
  if (!(masks instanceof Uint8Array)) {
    throw new TypeError(`${FN}(): masks: expected ${expected}, found ${describe(masks)}`);
  }
  if (masks.length !== n * height * width) {
    throw new RangeError(`${FN}(): masks: expected ${expected}, found length ${masks.length}`);
  }
  checkNumber(FN, "iouThreshold", iouThreshold, 0);

  const thr = Math.fround(iouThreshold);
  const packed = new RowPackedMasks(masks, n, height, width);
  const { areas, bounds } = packed;
  const keep = new Uint8Array(n);
  /** The kept candidates of each label, in order. */
  const keptOf = new Map<number, number[]>();
  for (let j = 0; j < n; j++) {
    let kept = keptOf.get(labels[j]);
    if (kept === undefined) keptOf.set(labels[j], kept = []);
    const aj = areas[j], o = j * 4;
    let suppressed = false;
    for (let t = 0; t < kept.length && !suppressed; t++) {
      const i = kept[t], ai = areas[i], a = i * 4;
      if (ai === 0 || aj === 0) {
        suppressed = ai === 0 && aj === 0; // union 0: SOLO drops the later one
        continue;
      }
      // No shared pixel possible, or even full containment stays at or below the threshold.
      if (bounds[a] > bounds[o + 1] || bounds[o] > bounds[a + 1]) continue;
      if (bounds[a + 2] > bounds[o + 3] || bounds[o + 2] > bounds[a + 3]) continue;
      if (Math.fround(Math.min(ai, aj) / Math.max(ai, aj)) <= thr) continue;
      const inter = packed.intersection(i, j);
      suppressed = inter > 0 && Math.fround(inter / (ai + aj - inter)) > thr;
    }
    if (!suppressed) {
      keep[j] = 1;
      kept.push(j);
    }
  }
  return keep;
}
