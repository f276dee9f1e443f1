/**
 * One model over the held-out demo video, as `deno task quality` and the multi-scale study
 * run it: every frame decoded by ffmpeg (letterboxed to the model's input), the graph run in
 * onnxruntime-node at batch 1, the runtime's post-processing, and the detections written as
 * COCO results (masks as RLE at the source size, keypoints, and the pyramid level each
 * detection came from).
 *
 * The level: FCOS / RetinaNet / SOLOv2 report theirs (the head's level, SOLOv2's grid);
 * for the R-CNNs it is the FPN level `MultiScaleRoIAlign` pools the final box from
 * (`roiLevel`, torchvision's `LevelMapper`; the box is the refined one, the proposal it was
 * pooled from differs by the box regression), numbered from P2 (0) as strides 4 to 32.
 *
 * @module
 */

import * as ort from "onnxruntime-node";
import { FrameSource, type PanopticPrediction, resolveFfmpeg } from "../mod.ts";
import type { CocoResult } from "../src/eval/coco_types.ts";
import type { ModelManifest } from "../src/inference/manifest.ts";
import { loadModel } from "../src/inference/load_model.ts";
import { preprocess } from "../src/inference/preprocess.ts";
import { splitRawOutputs } from "../src/inference/raw_outputs.ts";
import {
  type Detections,
  postprocess,
  type PostprocessOptions,
  postprocessOptions,
} from "../src/inference/postprocess.ts";
import { pastedMaskToRle } from "../src/geometry/pasted_rle.ts";
import { roiLevel } from "../src/geometry/roi_level.ts";
import { inputShape } from "../src/inference/input_layout.ts";
import type { Frame, FrameGeometry } from "../src/types.ts";

/** A detection as a COCO result, with the pyramid level it came from. */
export type LevelledResult = CocoResult & { level?: number };

/** What {@link runQuality} gives. */
export interface QualityRun {
  manifest: ModelManifest;
  /** The post-processing settings used. */
  settings: PostprocessOptions;
  results: LevelledResult[];
  panoptic: PanopticPrediction[];
  /** Frames run (image ids 1..frames). */
  frames: number;
  /** Mean ms per frame of the graph at batch 1, and of the post-processing. */
  inferMs: number;
  postMs: number;
  /** The strides of the levels `level` numbers (e.g. [8, 16, 32, 64, 128]). */
  levelStrides: number[];
}

/** The strides the levels of `manifest`'s detections are numbered by. */
export function levelStrides(manifest: ModelManifest): number[] {
  if (manifest.singleStage) {
    // A level's stride may be [height, width] (57 × 64 for a 5 × 8 level of 288 × 512):
    // the larger names it.
    return manifest.singleStage.levels.map((l) =>
      typeof l.stride === "number" ? l.stride : Math.max(...l.stride)
    );
  }
  // SOLOv2's grids read the FPN's P2..P6 (strides 4..64), resized to its head strides
  // (8, 8, 16, 32, 32: models/training/solov2_model.py, split_feats): named by the level read.
  if (manifest.solov2) return manifest.solov2.grids.map((_, i) => 4 * 2 ** i);
  return [4, 8, 16, 32];
}

/** The level of detection `i` of `d`: its own, or the R-CNN RoI level of its box. */
function levelOf(d: Detections, i: number, g: FrameGeometry): number {
  if (d.levels) return d.levels[i];
  const b = d.boxes.subarray(4 * i, 4 * i + 4);
  // Source pixels back to the model input (the letterbox's scale).
  return roiLevel(b[0] * g.scaleX, b[1] * g.scaleY, b[2] * g.scaleX, b[3] * g.scaleY) - 2;
}

/**
 * A function giving a frame's graph input at batch 1: a uint8 graph takes the frame's bytes
 * as they are (its normalisation is inside it); a float graph gets them normalised by
 * `preprocess`, into one buffer reused from frame to frame.
 *
 * @example
 * ```ts ignore
 * const tensorOf = frameTensors(manifest);
 * const out = await session.run({ [manifest.input.name]: tensorOf(frame) });
 * ```
 */
export function frameTensors(manifest: ModelManifest): (frame: Frame) => ort.Tensor {
  const { width, height } = manifest.input;
  const dims = inputShape(manifest.input, 1);
  let input: Float32Array | undefined;
  return (frame) =>
    manifest.input.dtype === "uint8" ? new ort.Tensor("uint8", frame.data, dims) : new ort.Tensor(
      "float32",
      input = preprocess([frame.data], width, height, frame.format, manifest.input, input),
      dims,
    );
}

/**
 * Runs the model of `folder` over the first `limit` frames of `video`: detections with
 * score ≥ 0.05, 100 per frame (what COCO evaluation wants), suppression as the manifest
 * says unless `overrides` change it.
 *
 * @example
 * ```ts ignore
 * const run = await runQuality("models/street-fcos", "models/demo/street.mp4", 300);
 * console.log(run.results.length, run.inferMs);
 * ```
 */
export async function runQuality(
  folder: string,
  video: string,
  limit: number,
  overrides: Partial<PostprocessOptions> = {},
): Promise<QualityRun> {
  const { manifest, session } = await loadModel(`${folder}/manifest.json`);
  const { width, height } = manifest.input;
  const source = new FrameSource({
    streamId: "quality",
    input: video,
    ffmpeg: await resolveFfmpeg(),
    output: { fit: "letterbox", width, height, format: "rgb24" },
  });
  const { geometry } = await source.start();
  const settings = postprocessOptions(manifest, {
    scoreThreshold: 0.05,
    maxDetections: 100,
    ...overrides,
  });
  const results: LevelledResult[] = [];
  const panoptic: PanopticPrediction[] = [];
  const tensorOf = frameTensors(manifest);
  let inferMs = 0, postMs = 0, count = 0;
  try {
    for await (const frame of source.frames()) {
      if (count >= limit) break;
      const imageId = frame.index + 1;
      const t0 = performance.now();
      const out = await session.run({ [manifest.input.name]: tensorOf(frame) });
      const t1 = performance.now();
      const [raw] = splitRawOutputs(out, 1, manifest);
      const d = postprocess(raw, geometry, settings);
      postMs += performance.now() - t1;
      inferMs += t1 - t0;
      for (let i = 0; i < d.scores.length; i++) {
        const [x1, y1, x2, y2] = d.boxes.subarray(4 * i, 4 * i + 4);
        const result: LevelledResult = {
          image_id: imageId,
          category_id: d.classIds[i],
          score: d.scores[i],
          bbox: [x1, y1, x2 - x1, y2 - y1],
          level: levelOf(d, i, geometry),
        };
        if (d.keypoints) {
          const per = d.keypoints.length / d.scores.length;
          result.keypoints = [...d.keypoints.subarray(i * per, (i + 1) * per)];
        }
        if (d.masks) {
          result.segmentation = pastedMaskToRle(
            d.masks[i],
            geometry.sourceHeight,
            geometry.sourceWidth,
          );
        }
        results.push(result);
      }
      if (d.panoptic) {
        panoptic.push({
          imageId,
          height: geometry.sourceHeight,
          width: geometry.sourceWidth,
          segmentIds: d.panoptic.segmentIds,
          segments: d.panoptic.segments,
        });
      }
      count++;
    }
  } finally {
    await source.stop();
    await session.release();
  }
  return {
    manifest,
    settings,
    results,
    panoptic,
    frames: count,
    inferMs: inferMs / Math.max(1, count),
    postMs: postMs / Math.max(1, count),
    levelStrides: levelStrides(manifest),
  };
}
