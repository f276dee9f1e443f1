/**
 * Greedy (hard) NMS on instance masks, the alternative to Matrix NMS that SOLO's authors
 * compare it with: the `mask_nms` of SOLO's original post-processing (`aim-uofa/AdelaiDet`,
 * `adet/modeling/solov2/utils.py`, `NMS_TYPE: "mask"`), where a mask is dropped when its
 * IoU with a kept, higher-scoring mask of its class is above the threshold. (AdelaiDet's
 * `solov2.py` passes its mask threshold, 0.5, as `nms_thr`; here the caller chooses.)
 *
 * SOLO compares each kept mask with every later one over all pixels. Here each mask is
 * packed to 32-pixel words inside its bounding box (`PackedMasks`, as Matrix NMS packs
 * them), only kept masks of the same class are
 * compared, and a pair is skipped when the masks' bounding boxes do not overlap or their
 * areas alone rule out an IoU above the threshold (IoU ≤ min area / max area).
 *
 * @module
 */

import { checkInteger, checkLabels, checkNumber, checkScores } from "./validate.ts";
import { describe } from "../describe.ts";
import { PackedMasks } from "./packed_masks.ts";

const FN = "maskHardNms";

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
  const packed = new PackedMasks(masks, n, height, width);
  // extents: c0, r0, c1 + 1, r1 + 1 per mask.
  const { areas, extents: e } = packed;
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
      if (e[a + 1] >= e[o + 3] || e[o + 1] >= e[a + 3]) continue;
      if (e[a] >= e[o + 2] || e[o] >= e[a + 2]) continue;
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
