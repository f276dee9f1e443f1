/**
 * The post-processing of the model kinds that do not choose among R-CNN candidates: FCOS /
 * RetinaNet (decoded as torchvision does) and SOLOv2 (SOLO's post-processing), each followed
 * by the runtime's score threshold and detection count. `postprocess` calls them.
 *
 * @module
 */

import type { FrameGeometry } from "../types.ts";
import type { Detections, PostprocessOptions, PostprocessTiming } from "./postprocess.ts";
import { boxesToSource } from "./to_source.ts";
import { decodeSingleStage, type SingleStageRaw } from "./single_stage_outputs.ts";
import { solov2Detections, type Solov2Raw } from "./solov2_outputs.ts";
import { now } from "../clock.ts";

/** How many of `scores` (decreasing) reach `threshold`, at most `max`. */
function leading(scores: Float32Array, threshold: number, max: number): number {
  let n = 0;
  while (n < scores.length && n < max && scores[n] >= threshold) n++;
  return n;
}

/** Fills `timing` for a post-processing without fusion that started at `t0`. */
function stamp(t0: number, timing?: PostprocessTiming): void {
  if (!timing) return;
  const end = now();
  timing.postMs = end - t0;
  timing.fusionMs = 0;
  timing.postprocessEnd = end;
  timing.fusionEnd = end;
}

/**
 * A single-stage image: decoded as torchvision does (its class-aware hard NMS at
 * `options.iouThreshold`), then the score threshold and the count of `options`.
 *
 * The decoding runs at the runtime's score threshold, not only at the model's
 * (`singleStage.scoreThreshold`, torchvision's `score_thresh`):
 * - below the model's, it is torchvision with `score_thresh` lowered: COCO evaluation at 0.05
 *   sees every candidate above 0.05, not only those above FCOS's 0.2;
 * - above it, the detections are the same as decoding at the model's and cutting after:
 *   candidates below the threshold never suppress a better box, the per-level top-k keeps
 *   every candidate above it that the lower threshold's top-k kept, and the final count
 *   keeps a prefix. Only their work is saved (a RetinaNet at 0.05 sends thousands of
 *   candidates to NMS; at the display threshold of 0.5, a few dozen).
 */
export function singleStageDetections(
  raw: SingleStageRaw,
  geometry: FrameGeometry,
  options: PostprocessOptions,
  t0: number,
  timing?: PostprocessTiming,
): Detections {
  if (options.nms !== "hard") {
    throw new RangeError(
      `postprocess(): options.nms: expected "hard" for a ${raw.kind} model (its decoding's class-aware NMS, as torchvision's), found "${options.nms}"`,
    );
  }
  // torchvision keeps scores > its threshold, the runtime ≥ its own: decode just below it.
  const t = options.scoreThreshold, model = raw.spec.scoreThreshold;
  const d = decodeSingleStage(
    raw,
    options.iouThreshold ?? raw.spec.nmsThreshold,
    t <= model ? t : Math.max(model, t * (1 - 1e-6)),
  );
  const n = leading(d.scores, options.scoreThreshold, options.maxDetections);
  const out: Detections = {
    boxes: boxesToSource(d.boxes.subarray(0, 4 * n), geometry),
    scores: d.scores.slice(0, n),
    classIds: d.classIds.slice(0, n),
    levels: d.levels.slice(0, n),
  };
  stamp(t0, timing);
  return out;
}

/** A SOLOv2 image: SOLO's post-processing (Matrix NMS on the masks with `options.sigma`,
 * or with `options.nms` "hard" greedy mask NMS at `options.iouThreshold`; both with
 * `options.maskThreshold`), then the score threshold and the count of `options`; each
 * detection's `levels` entry is the pyramid level of its grid cell. */
export function solov2Result(
  raw: Solov2Raw,
  geometry: FrameGeometry,
  options: PostprocessOptions,
  t0: number,
  timing?: PostprocessTiming,
): Detections {
  const nms = options.nms;
  if (nms !== "matrix" && nms !== "hard") {
    throw new RangeError(
      `postprocess(): options.nms: expected "matrix" (SOLO's Matrix NMS on its masks) or "hard" (greedy NMS on its masks) for a solov2 model, found "${nms}"`,
    );
  }
  const d = solov2Detections(raw, geometry, {
    nms,
    ...(options.maskThreshold === undefined ? {} : { maskThreshold: options.maskThreshold }),
    ...(nms === "matrix" && options.sigma !== undefined ? { sigma: options.sigma } : {}),
    ...(nms === "hard" && options.iouThreshold !== undefined
      ? { iouThreshold: options.iouThreshold }
      : {}),
  });
  const n = leading(d.scores, options.scoreThreshold, options.maxDetections);
  stamp(t0, timing);
  return {
    boxes: d.boxes.slice(0, 4 * n),
    scores: d.scores.slice(0, n),
    classIds: d.classIds.slice(0, n),
    levels: d.levels.slice(0, n),
    masks: d.masks.slice(0, n),
  };
}
