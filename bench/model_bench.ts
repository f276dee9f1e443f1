/**
 * Model latency: one frame at batch 1 through each shipped model in onnxruntime-node
 * (all cores), on real demo frames at the model's input size; and the TypeScript
 * post-processing of the same frames (each model's own suppression: hard NMS for the R-CNNs,
 * torchvision's decoding for FCOS / RetinaNet, Matrix NMS for SOLOv2; masks pasted at
 * 640×360, panoptic fusion, keypoints decoded). Targets on the 2-core CI machine: ≤ 100 ms
 * per frame for the street R-CNNs (issue 3), ≤ 60 ms for the plaza keypoint model (issue
 * 17, on plaza frames) and for FCOS, RetinaNet and SOLOv2 (issue 18), whose decoding in
 * TypeScript must also stay ≤ 2 ms per frame.
 *
 * @module
 */

import * as ort from "onnxruntime-node";
import { loadModel } from "../src/inference/load_model.ts";
import { splitRawOutputs } from "../src/inference/raw_outputs.ts";
import { postprocess, postprocessOptions } from "../src/inference/postprocess.ts";
import { demoFrames } from "./demo_frames.ts";
import { median } from "../src/stats.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const FRAMES = 20;

/** The shipped models: their demo video, latency target (ms at batch 1) and, for the
 * single-stage ones, the target of their decoding in TypeScript (ms per frame). */
const MODELS: { name: string; video: string; target: number; postTarget?: number }[] = [
  { name: "street-maskrcnn", video: "street.mp4", target: 100 },
  { name: "street-fasterrcnn", video: "street.mp4", target: 100 },
  { name: "plaza-keypointrcnn", video: "plaza.mp4", target: 60 },
  { name: "street-fcos", video: "street.mp4", target: 60, postTarget: 2 },
  { name: "street-retinanet", video: "street.mp4", target: 60, postTarget: 2 },
  { name: "street-solov2", video: "street.mp4", target: 60 },
];

/** Prints `model <name> batch 1: <ms> ms (target <= N ms)` per shipped model. */
export async function modelBench(): Promise<void> {
  for (const { name, video, target, postTarget } of MODELS) {
    const { manifest, session } = await loadModel(`${ROOT}models/${name}/manifest.json`);
    const { width, height } = manifest.input;
    const { frames: decoded, geometry } = await demoFrames(FRAMES, 15, width, height, video);
    const frames = decoded.map((f) => f.data);
    // The graph takes the frame's bytes (uint8 NHWC) and normalises them itself.
    const run = (frame: Uint8Array) =>
      session.run({
        [manifest.input.name]: new ort.Tensor("uint8", frame, [1, height, width, 3]),
      });
    const settings = postprocessOptions(manifest);
    for (let i = 0; i < 3; i++) await run(frames[i]);
    const infer: number[] = [], post: number[] = [];
    for (const frame of frames) {
      const t0 = performance.now();
      const out = await run(frame);
      const t1 = performance.now();
      const [raw] = splitRawOutputs(out, 1, manifest);
      postprocess(raw, geometry, settings);
      post.push(performance.now() - t1);
      infer.push(t1 - t0);
    }
    await session.release();
    const ms = median(infer);
    console.log(
      `model ${name} ${width}x${height} batch 1: ${ms.toFixed(1)} ms (target <= ${target} ms) ${
        ms <= target ? "ok" : "MISSED"
      }`,
    );
    console.log(
      `    min ${Math.min(...infer).toFixed(1)} ms, post-processing median ${
        median(post).toFixed(1)
      } ms at ${geometry.sourceWidth}x${geometry.sourceHeight} (${settings.nms})`,
    );
    if (postTarget !== undefined) {
      const p = median(post);
      console.log(
        `model ${name} decoding: ${p.toFixed(2)} ms (target <= ${postTarget} ms) ${
          p <= postTarget ? "ok" : "MISSED"
        }`,
      );
    }
  }
}

if (import.meta.main) await modelBench();
