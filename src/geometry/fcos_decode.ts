/**
 * FCOS decoding: from the head's raw per-level outputs to detections, as torchvision 0.14's
 * `FCOS.postprocess_detections` (`torchvision/models/detection/fcos.py`; docs/REFERENCE.md
 * "Single-stage heads").
 *
 * @module
 */

import {
  checkAnchors,
  checkHeadOutput,
  checkImageSize,
  type ImageSize,
  LevelDetections,
  resolveSingleStageOptions,
  type SingleStageDetections,
  type SingleStageOptions,
} from "./single_stage.ts";
import { LevelCandidates, logitBelow, nextNotBelow, sigmoid32 } from "./level_candidates.ts";
import { checkInteger } from "./validate.ts";
import { describe } from "../describe.ts";

const fround = Math.fround;
const FN = "decodeFcos";

/**
 * torchvision's `FCOS` defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(FCOS_DEFAULTS.scoreThreshold, 0.2);
 * ```
 */
export const FCOS_DEFAULTS: Readonly<Required<SingleStageOptions>> = Object.freeze({
  scoreThreshold: 0.2,
  nmsThreshold: 0.6,
  topkCandidates: 1000,
  detectionsPerImage: 100,
});

/**
 * One image's FCOS head outputs, per level, in the layout of torchvision's `FCOSHead` after
 * its permute and reshape (`N × HWA × C` per level, one image's slice): rows are anchors
 * (locations, row-major `y · W + x`; A = 1), columns as named. These are the graph outputs a
 * raw FCOS export has, one tensor per role and level.
 */
export interface FcosHeadOutputs {
  /** C, the columns of `clsLogits`. */
  numClasses: number;
  /** Per level, HWA×C class logits. */
  clsLogits: readonly Float32Array[];
  /** Per level, HWA×4 distances `l, t, r, b` to the box sides, divided by the anchor's size. */
  bboxRegression: readonly Float32Array[];
  /** Per level, HWA centerness logits (`HWA × 1`). */
  bboxCtrness: readonly Float32Array[];
}

const candidates = new LevelCandidates();
const detections = new LevelDetections();

/**
 * Decodes one image's FCOS head outputs into detections, as torchvision 0.14's
 * `FCOS.postprocess_detections`. Per level: score = `sqrt(sigmoid(cls) · sigmoid(ctrness))`
 * for every (anchor, class), kept when above `scoreThreshold`; the best `topkCandidates`;
 * boxes decoded as `BoxLinearCoder(normalize_by_size=True)` does (`cx − l·w, cy − t·h,
 * cx + r·w, cy + b·h` with the anchor's centre and size) and clipped to `image`. Then, over
 * all levels, `batched_nms` at `nmsThreshold` and the best `detectionsPerImage`. Float32
 * step by step, as torch.
 *
 * Differences from torchvision, both only where scores tie: `torch.topk` orders equal scores
 * in no documented way, here they come in index order; and the final order of equal scores
 * is input order (see `batchedNms`).
 *
 * @param head the head's outputs for one image (see {@link FcosHeadOutputs}).
 * @param anchors per level, HWA×4 anchor boxes (see `anchorsForLevel` with `FCOS_ANCHOR_SIZES`).
 * @param image the size boxes are clipped to (the image inside the padded batch).
 * @param options thresholds and counts; torchvision's defaults ({@link FCOS_DEFAULTS}).
 * @returns detections by decreasing score, with the level each came from.
 *
 * @example One location of one level: a 16-pixel box around the anchor's centre
 * ```ts
 * import assert from "node:assert/strict";
 * import { anchorsForLevel } from "./anchors.ts";
 * const anchors = [anchorsForLevel([8], [1], 8, 1, 2)]; // centres (0, 0) and (8, 0)
 * const head = {
 *   numClasses: 2,
 *   clsLogits: [new Float32Array([-9, -9, -9, 4])], // location 1, class 1
 *   bboxRegression: [new Float32Array([0, 0, 0, 0, 1, 1, 1, 1])], // 1 × the anchor size (8)
 *   bboxCtrness: [new Float32Array([0, 3])],
 * };
 * const d = decodeFcos(head, anchors, { height: 64, width: 64 });
 * assert.deepEqual([...d.boxes], [0, 0, 16, 8]); // [0, -8, 16, 8], clipped
 * assert.deepEqual([...d.classIds], [1]);
 * assert.deepEqual([...d.levels], [0]);
 * ```
 */
export function decodeFcos(
  head: FcosHeadOutputs,
  anchors: readonly Float32Array[],
  image: ImageSize,
  options: SingleStageOptions = {},
): SingleStageDetections {
  if (typeof head !== "object" || head === null) {
    throw new TypeError(
      `${FN}(): head: expected { numClasses, clsLogits, bboxRegression, bboxCtrness }, found ${
        describe(head)
      }`,
    );
  }
  const counts = checkAnchors(FN, anchors);
  checkInteger(FN, "head.numClasses", head.numClasses, 1);
  const c = head.numClasses;
  const cls = checkHeadOutput(FN, "head.clsLogits", head.clsLogits, counts, c, "class logit");
  const reg = checkHeadOutput(
    FN,
    "head.bboxRegression",
    head.bboxRegression,
    counts,
    4,
    "distance",
  );
  const ctr = checkHeadOutput(
    FN,
    "head.bboxCtrness",
    head.bboxCtrness,
    counts,
    1,
    "centerness logit",
  );
  const { height, width } = checkImageSize(FN, image);
  const opts = resolveSingleStageOptions(FN, options, FCOS_DEFAULTS);
  const threshold = fround(opts.scoreThreshold);
  // score <= sqrt(sigmoid(x)) for either logit x: below this bound, no score can pass.
  const t = opts.scoreThreshold, bound = t > 0 ? logitBelow(t * t) : -Infinity;
  detections.reset({ height, width });
  for (let level = 0; level < counts.length; level++) {
    const logits = cls[level], ctrness = ctr[level], box = reg[level], anchor = anchors[level];
    const topk = opts.topkCandidates;
    if (topk === 0) continue;
    candidates.reset(topk);
    let skip = bound; // logits below this cannot make the top k
    const n = counts[level];
    for (let a = nextNotBelow(ctrness, 0, skip); a < n; a = nextNotBelow(ctrness, a + 1, skip)) {
      const y = ctrness[a];
      let sc = NaN;
      for (let k = 0, i = a * c; k < c; k++, i++) {
        const x = logits[i];
        if (x < skip) continue;
        if (sc !== sc) sc = sigmoid32(y);
        const score = fround(Math.sqrt(fround(sigmoid32(x) * sc)));
        if (!(score > threshold)) continue;
        candidates.push(score, i);
        if (candidates.full()) {
          const kth = candidates.compact(topk); // a score <= kth needs sigmoid(x) <= kth²
          skip = Math.max(skip, logitBelow(kth * kth));
        }
      }
    }
    const top = candidates.top(topk);
    for (let r = 0; r < top.length; r++) {
      const i = candidates.flat[top[r]], a = (i / c) | 0, o = 4 * a;
      const ax1 = anchor[o], ay1 = anchor[o + 1], ax2 = anchor[o + 2], ay2 = anchor[o + 3];
      const cx = fround(0.5 * fround(ax1 + ax2)), cy = fround(0.5 * fround(ay1 + ay2));
      const w = fround(ax2 - ax1), h = fround(ay2 - ay1);
      detections.push(
        fround(cx - fround(box[o] * w)),
        fround(cy - fround(box[o + 1] * h)),
        fround(cx + fround(box[o + 2] * w)),
        fround(cy + fround(box[o + 3] * h)),
        candidates.scores[top[r]],
        i - a * c,
        level,
      );
    }
  }
  return detections.finish(opts.nmsThreshold, opts.detectionsPerImage);
}
