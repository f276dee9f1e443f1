/**
 * What the single-stage decoders (`decodeFcos`, `decodeRetinaNet`) share, the parts of
 * torchvision 0.14's `postprocess_detections` that FCOS and RetinaNet have in common: per
 * level, the scores above the threshold and their top k; then, over all levels, the decoded
 * and clipped boxes, class-aware NMS, and the best `detectionsPerImage`.
 *
 * @module
 */

import { batchedNmsTop } from "./nms_top.ts";
import { checkInteger, checkNumber } from "./validate.ts";
import { describe } from "../describe.ts";

const fround = Math.fround;

/** The size of the image the boxes are clipped to (the model input, before padding). */
export interface ImageSize {
  height: number;
  width: number;
}

/** Options of the single-stage decoders; the defaults are each model's torchvision ones. */
export interface SingleStageOptions {
  /** Candidates need a score strictly above this (compared in float32, as torch does). */
  scoreThreshold?: number;
  /** Class-aware NMS drops a box whose IoU with a higher-scoring one is above this. */
  nmsThreshold?: number;
  /** At most this many candidates per level, the highest scores (`topk_candidates`). */
  topkCandidates?: number;
  /** At most this many detections, the highest scores (`detections_per_img`). */
  detectionsPerImage?: number;
}

/** Detections of one image, by decreasing score. */
export interface SingleStageDetections {
  /** N×4 `x1, y1, x2, y2` in input pixels, clipped to the image. */
  boxes: Float32Array;
  scores: Float32Array;
  /** The column of the class logits (torchvision's `labels`: no background shift). */
  classIds: Int32Array;
  /** The pyramid level each detection came from (0 = the first level given). */
  levels: Int32Array;
}

/**
 * Checks the options and fills in `defaults`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const d = { scoreThreshold: 0.2, nmsThreshold: 0.6, topkCandidates: 1000, detectionsPerImage: 100 };
 * assert.equal(resolveSingleStageOptions("decodeFcos", { nmsThreshold: 0.5 }, d).nmsThreshold, 0.5);
 * ```
 */
export function resolveSingleStageOptions(
  fn: string,
  options: SingleStageOptions,
  defaults: Required<SingleStageOptions>,
): Required<SingleStageOptions> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${fn}(): options: expected an object, found ${describe(options)}`);
  }
  const resolved = {
    scoreThreshold: options.scoreThreshold ?? defaults.scoreThreshold,
    nmsThreshold: options.nmsThreshold ?? defaults.nmsThreshold,
    topkCandidates: options.topkCandidates ?? defaults.topkCandidates,
    detectionsPerImage: options.detectionsPerImage ?? defaults.detectionsPerImage,
  };
  checkNumber(fn, "options.scoreThreshold", resolved.scoreThreshold);
  checkNumber(fn, "options.nmsThreshold", resolved.nmsThreshold, 0);
  checkInteger(fn, "options.topkCandidates", resolved.topkCandidates, 0);
  checkInteger(fn, "options.detectionsPerImage", resolved.detectionsPerImage, 0);
  return resolved;
}

/**
 * Checks the per-level anchors and returns the number of anchors of each level.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkAnchors("decodeFcos", [new Float32Array(8), new Float32Array(4)]), [2, 1]);
 * ```
 */
export function checkAnchors(fn: string, anchors: unknown): number[] {
  if (!Array.isArray(anchors)) {
    throw new TypeError(
      `${fn}(): anchors: expected an array with one Float32Array of HWA×4 boxes per level, found ${
        describe(anchors)
      }`,
    );
  }
  return anchors.map((a, l) => {
    if (!(a instanceof Float32Array) || a.length % 4 !== 0) {
      const found = a instanceof Float32Array
        ? `length ${a.length}, not a multiple of 4`
        : describe(a);
      throw new (a instanceof Float32Array ? RangeError : TypeError)(
        `${fn}(): anchors[${l}]: expected a Float32Array of HWA×4 numbers (x1, y1, x2, y2), found ${found}`,
      );
    }
    return a.length / 4;
  });
}

/**
 * Checks one per-level head output: an array with a Float32Array per level, of
 * `perAnchor` numbers for each anchor of that level.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkHeadOutput("decodeFcos", "head.bboxCtrness", [new Float32Array(2)], [2], 1, "centerness logit");
 * assert.throws(() => checkHeadOutput("decodeFcos", "head.bboxCtrness", undefined, [2], 1, "centerness logit"), TypeError);
 * ```
 */
export function checkHeadOutput(
  fn: string,
  name: string,
  value: unknown,
  anchorCounts: readonly number[],
  perAnchor: number,
  what: string,
): readonly Float32Array[] {
  const levels = anchorCounts.length;
  if (!Array.isArray(value)) {
    throw new TypeError(
      `${fn}(): ${name}: expected an array of ${levels} Float32Arrays (one per level), found ${
        describe(value)
      }`,
    );
  }
  if (value.length !== levels) {
    throw new RangeError(
      `${fn}(): ${name}: expected ${
        plural(levels, "level")
      } (one per anchors entry), found ${value.length}`,
    );
  }
  value.forEach((v, l) => {
    const n = anchorCounts[l] * perAnchor;
    const expected = `a Float32Array of ${anchorCounts[l]}×${perAnchor} = ${n} numbers (${what}${
      perAnchor > 1 ? "s" : ""
    } for the ${plural(anchorCounts[l], "anchor")} of level ${l})`;
    if (!(v instanceof Float32Array)) {
      throw new TypeError(`${fn}(): ${name}[${l}]: expected ${expected}, found ${describe(v)}`);
    }
    if (v.length !== n) {
      throw new RangeError(
        `${fn}(): ${name}[${l}]: expected ${expected}, found length ${v.length}`,
      );
    }
  });
  return value;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Checks the image size the boxes are clipped to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkImageSize("decodeFcos", { height: 480, width: 640 }), { height: 480, width: 640 });
 * ```
 */
export function checkImageSize(fn: string, image: unknown): ImageSize {
  if (typeof image !== "object" || image === null) {
    throw new TypeError(
      `${fn}(): image: expected { height, width } in pixels, found ${describe(image)}`,
    );
  }
  const { height, width } = image as ImageSize;
  checkNumber(fn, "image.height", height, 0);
  checkNumber(fn, "image.width", width, 0);
  return { height, width };
}

/**
 * The chosen candidates of all levels, boxes clipped as they come in; {@link finish} runs
 * class-aware NMS and keeps the best.
 */
export class LevelDetections {
  boxes = new Float32Array(4096);
  scores = new Float32Array(1024);
  classIds = new Int32Array(1024);
  levels = new Int32Array(1024);
  count = 0;
  private width = 0;
  private height = 0;

  /** Empties the list and sets the image boxes are clipped to. */
  reset(image: ImageSize): void {
    this.count = 0;
    this.width = fround(image.width); // torch clamps in the boxes' float32
    this.height = fround(image.height);
  }

  /** Adds a decoded box (clipped here, as `clip_boxes_to_image`) with its score, class, level. */
  push(
    x1: number,
    y1: number,
    x2: number,
    y2: number,
    score: number,
    classId: number,
    level: number,
  ): void {
    if (this.count === this.scores.length) this.grow();
    const o = this.count * 4, w = this.width, h = this.height;
    this.boxes[o] = Math.min(Math.max(x1, 0), w);
    this.boxes[o + 1] = Math.min(Math.max(y1, 0), h);
    this.boxes[o + 2] = Math.min(Math.max(x2, 0), w);
    this.boxes[o + 3] = Math.min(Math.max(y2, 0), h);
    this.scores[this.count] = score;
    this.classIds[this.count] = classId;
    this.levels[this.count++] = level;
  }

  /**
   * `batched_nms` over all levels, then the best `detectionsPerImage` (`batchedNmsTop`:
   * the same indices as `batchedNms(...)[:k]`, without suppressing past the k-th).
   */
  finish(nmsThreshold: number, detectionsPerImage: number): SingleStageDetections {
    const n = this.count;
    const keep = batchedNmsTop(
      this.boxes.subarray(0, 4 * n),
      this.scores.subarray(0, n),
      this.classIds.subarray(0, n),
      nmsThreshold,
      detectionsPerImage,
    );
    const k = keep.length;
    const out: SingleStageDetections = {
      boxes: new Float32Array(4 * k),
      scores: new Float32Array(k),
      classIds: new Int32Array(k),
      levels: new Int32Array(k),
    };
    for (let r = 0; r < k; r++) {
      const i = keep[r];
      out.boxes.set(this.boxes.subarray(4 * i, 4 * i + 4), 4 * r);
      out.scores[r] = this.scores[i];
      out.classIds[r] = this.classIds[i];
      out.levels[r] = this.levels[i];
    }
    return out;
  }

  private grow(): void {
    const m = this.scores.length * 2;
    const boxes = new Float32Array(4 * m), scores = new Float32Array(m);
    const classIds = new Int32Array(m), levels = new Int32Array(m);
    boxes.set(this.boxes);
    scores.set(this.scores);
    classIds.set(this.classIds);
    levels.set(this.levels);
    this.boxes = boxes;
    this.scores = scores;
    this.classIds = classIds;
    this.levels = levels;
  }
}
