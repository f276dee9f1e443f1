/**
 * Model latency: one frame at batch 1 through each shipped model in onnxruntime-node
 * (all cores), on real demo frames at the model's input size; and the TypeScript
 * post-processing of the same frames (hard NMS, masks pasted at 640×360, panoptic fusion).
 * Target: ≤ 100 ms per frame for inference on the 2-core CI machine (issue 3).
 *
 * @module
 */

import * as ort from "onnxruntime-node";
import { parseManifest } from "../src/inference/manifest.ts";
import { preprocess } from "../src/inference/preprocess.ts";
import { splitRawOutputs } from "../src/inference/raw_outputs.ts";
import { postprocess } from "../src/inference/postprocess.ts";
import { resolveFfmpeg } from "../src/video/ffmpeg_binary.ts";
import { FrameSource } from "../src/video/frame_source.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const FRAMES = 20;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Prints `model <name> batch 1: <ms> ms (target <= 100 ms)` per shipped model. */
export async function modelBench(): Promise<void> {
  const ffmpeg = await resolveFfmpeg();
  for (const name of ["street-maskrcnn", "street-fasterrcnn"]) {
    const path = `${ROOT}models/${name}/manifest.json`;
    const manifest = parseManifest(JSON.parse(await Deno.readTextFile(path)), path);
    const { width, height } = manifest.input;
    const source = new FrameSource({
      streamId: "bench",
      input: `${ROOT}models/demo/street.mp4`,
      ffmpeg,
      output: { fit: "letterbox", width, height, format: "rgb24" },
      roots: [ROOT],
    });
    const { geometry } = await source.start();
    const frames: Uint8Array[] = [];
    for await (const f of source.frames()) {
      // One frame in 15: different scenes, not 20 near-identical neighbours.
      if (f.index % 15 === 0) frames.push(f.data);
      if (frames.length === FRAMES) break;
    }
    await source.stop();
    const session = await ort.InferenceSession.create(manifest.file, {
      intraOpNumThreads: navigator.hardwareConcurrency,
    });
    const input = new Float32Array(3 * width * height);
    const run = (frame: Uint8Array) => {
      preprocess([frame], width, height, "rgb24", manifest.input, input);
      return session.run({
        [manifest.input.name]: new ort.Tensor("float32", input, [1, 3, height, width]),
      });
    };
    for (let i = 0; i < 3; i++) await run(frames[i]);
    const infer: number[] = [], post: number[] = [];
    for (const frame of frames) {
      const t0 = performance.now();
      const out = await run(frame);
      const t1 = performance.now();
      const [raw] = splitRawOutputs(out, 1, manifest);
      postprocess(raw, geometry, {
        nms: "hard",
        iouThreshold: 0.5,
        scoreThreshold: manifest.defaults.scoreThreshold,
        maxDetections: manifest.defaults.maxDetections,
        semanticCategories: manifest.semantic?.classes,
        panoptic: manifest.defaults.panoptic,
      });
      post.push(performance.now() - t1);
      infer.push(t1 - t0);
    }
    await session.release();
    const ms = median(infer);
    console.log(
      `model ${name} ${width}x${height} batch 1: ${ms.toFixed(1)} ms (target <= 100 ms) ${
        ms <= 100 ? "ok" : "MISSED"
      }`,
    );
    console.log(
      `    min ${Math.min(...infer).toFixed(1)} ms, post-processing median ${
        median(post).toFixed(1)
      } ms at ${geometry.sourceWidth}x${geometry.sourceHeight}`,
    );
  }
}

if (import.meta.main) await modelBench();
