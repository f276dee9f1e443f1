/**
 * RetinaNet decoding: from the head's raw per-level outputs to detections, as torchvision
 * 0.14's `RetinaNet.postprocess_detections` (`torchvision/models/detection/retinanet.py`;
 * docs/REFERENCE.md "Single-stage heads").
 *
 * @module
 */

import { decodeBoxes } from "./box_coder.ts";
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
import { reusable } from "./reusable.ts";
import { checkInteger } from "./validate.ts";
import { describe } from "../describe.ts";

const fround = Math.fround;
const FN = "decodeRetinaNet";

/**
 * torchvision 0.14's `RetinaNet` defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(RETINANET_DEFAULTS.detectionsPerImage, 300);
 * ```
 */
export const RETINANET_DEFAULTS: Readonly<Required<SingleStageOptions>> = Object.freeze({
  scoreThreshold: 0.05,
  nmsThreshold: 0.5,
  topkCandidates: 1000,
  detectionsPerImage: 300,
});

/**
 * One image's RetinaNet head outputs, per level, in the layout of torchvision's
 * `RetinaNetHead` after its permute and reshape (`N × HWA × C` per level, one image's
 * slice): rows are anchors, location-major (`(y · W + x) · A + a`), as `anchorsForLevel`
 * orders them. These are the graph outputs a raw RetinaNet export has, one tensor per role
 * and level.
 */
export interface RetinaNetHeadOutputs {
  /** C, the columns of `clsLogits`. */
  numClasses: number;
  /** Per level, HWA×C class logits. */
  clsLogits: readonly Float32Array[];
  /** Per level, HWA×4 deltas `dx, dy, dw, dh` (`BoxCoder` with weights 1, 1, 1, 1). */
  bboxRegression: readonly Float32Array[];
}

const candidates = new LevelCandidates();
const detections = new LevelDetections();
const deltaBuffer = reusable((n) => new Float32Array(n));
const anchorBuffer = reusable((n) => new Float32Array(n));

/**
 * Decodes one image's RetinaNet head outputs into detections, as torchvision 0.14's
 * `RetinaNet.postprocess_detections`. Per level: `sigmoid` of the class logits flattened
 * over anchors × classes, kept when above `scoreThreshold`; the best `topkCandidates`;
 * boxes decoded from their anchors with `BoxCoder(weights=(1, 1, 1, 1))` (`decodeBoxes`,
 * `dw` and `dh` clamped at `log(1000 / 16)`) and clipped to `image`. Then, over all levels,
 * `batched_nms` at `nmsThreshold` and the best `detectionsPerImage`. Float32 step by step.
 *
 * Differences from torchvision, both only where scores tie: `torch.topk` orders equal scores
 * in no documented way, here they come in index order; and the final order of equal scores
 * is input order (see `batchedNms`).
 *
 * @param head the head's outputs for one image (see {@link RetinaNetHeadOutputs}).
 * @param anchors per level, HWA×4 anchor boxes (see `anchorsForLevel` with
 *   `RETINANET_ANCHOR_SIZES` and `RETINANET_ASPECT_RATIOS`).
 * @param image the size boxes are clipped to (the image inside the padded batch).
 * @param options thresholds and counts; torchvision's defaults ({@link RETINANET_DEFAULTS}).
 * @returns detections by decreasing score, with the level each came from.
 *
 * @example Two anchors, one confident class-0 box twice the anchor's width
 * ```ts
 * import assert from "node:assert/strict";
 * const anchors = [new Float32Array([10, 10, 30, 30, 40, 10, 60, 30])];
 * const head = {
 *   numClasses: 1,
 *   clsLogits: [new Float32Array([3, -8])],
 *   bboxRegression: [new Float32Array([0, 0, Math.log(2), 0, 0, 0, 0, 0])],
 * };
 * const d = decodeRetinaNet(head, anchors, { height: 100, width: 100 });
 * assert.deepEqual([...d.boxes], [0, 10, 40, 30]);
 * assert.deepEqual([...d.levels], [0]);
 * ```
 */
export function decodeRetinaNet(
  head: RetinaNetHeadOutputs,
  anchors: readonly Float32Array[],
  image: ImageSize,
  options: SingleStageOptions = {},
): SingleStageDetections {
  if (typeof head !== "object" || head === null) {
    throw new TypeError(
      `${FN}(): head: expected { numClasses, clsLogits, bboxRegression }, found ${describe(head)}`,
    );
  }
  const counts = checkAnchors(FN, anchors);
  checkInteger(FN, "head.numClasses", head.numClasses, 1);
  const c = head.numClasses;
  const cls = checkHeadOutput(FN, "head.clsLogits", head.clsLogits, counts, c, "class logit");
  const reg = checkHeadOutput(FN, "head.bboxRegression", head.bboxRegression, counts, 4, "delta");
  const { height, width } = checkImageSize(FN, image);
  const opts = resolveSingleStageOptions(FN, options, RETINANET_DEFAULTS);
  const threshold = fround(opts.scoreThreshold);
  const bound = logitBelow(opts.scoreThreshold);
  detections.reset({ height, width });
  for (let level = 0; level < counts.length; level++) {
    const logits = cls[level],
      box = reg[level],
      anchor = anchors[level],
      topk = opts.topkCandidates;
    if (topk === 0) continue;
    candidates.reset(topk);
    let skip = bound; // logits below this cannot make the top k
    const n = logits.length;
    for (let i = nextNotBelow(logits, 0, skip); i < n; i = nextNotBelow(logits, i + 1, skip)) {
      const score = sigmoid32(logits[i]);
      if (!(score > threshold)) continue;
      candidates.push(score, i);
      if (candidates.full()) skip = Math.max(skip, logitBelow(candidates.compact(topk)));
    }
    const top = candidates.top(topk);
    const k = top.length;
    const deltas = deltaBuffer(4 * k).subarray(0, 4 * k);
    const refs = anchorBuffer(4 * k).subarray(0, 4 * k);
    for (let r = 0; r < k; r++) {
      const o = 4 * ((candidates.flat[top[r]] / c) | 0);
      deltas.set(box.subarray(o, o + 4), 4 * r);
      refs.set(anchor.subarray(o, o + 4), 4 * r);
    }
    const boxes = decodeBoxes(deltas, refs);
    for (let r = 0; r < k; r++) {
      const i = candidates.flat[top[r]];
      detections.push(
        boxes[4 * r],
        boxes[4 * r + 1],
        boxes[4 * r + 2],
        boxes[4 * r + 3],
        candidates.scores[top[r]],
        i % c,
        level,
      );
    }
  }
  return detections.finish(opts.nmsThreshold, opts.detectionsPerImage);
}
