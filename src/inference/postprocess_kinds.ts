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

/** A single-stage image: decoded as torchvision does (its class-aware hard NMS at
 * `options.iouThreshold`), then the score threshold and the count of `options`. A score
 * threshold below the model's own (`singleStage.scoreThreshold`, torchvision's
 * `score_thresh`) decodes at it, as torchvision would with `score_thresh` lowered: COCO
 * evaluation at 0.05 then sees every candidate above 0.05, not only those above 0.2. */
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
  const d = decodeSingleStage(
    raw,
    options.iouThreshold ?? raw.spec.nmsThreshold,
    Math.min(raw.spec.scoreThreshold, options.scoreThreshold),
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
