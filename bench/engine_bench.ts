/**
 * Inference engine (issue 5), on the shipped street Mask R-CNN and real demo frames:
 *
 * - worker round trip: `WorkerSession.run` (input transferred to a Web Worker, outputs
 *   back) against `session.run` on the main thread, same frames, alternated; target
 *   overhead ≤ 5% (ratio ≤ 1.05);
 * - throughput through the `Batcher` (pre-processing, worker inference, post-processing
 *   with hard NMS, masks and panoptic fusion) at maxBatch 1, 2, 4, in frames/s;
 * - pre-processing (uint8 HWC → normalised float NCHW) against a plain copy of the same
 *   bytes into a Float32Array (`Float32Array#set`, a converting copy); target ≥ 0.5×.
 *
 * @module
 */

import * as ort from "onnxruntime-node";
import { Batcher } from "../src/inference/batcher.ts";
import { loadModel } from "../src/inference/load_model.ts";
import { preprocess } from "../src/inference/preprocess.ts";
import { WorkerSession } from "../src/inference/worker_session.ts";
import type { Frame } from "../src/types.ts";
import type { FrameGeometry } from "../src/types.ts";
import { postprocessOptions } from "../src/inference/postprocess.ts";
import { demoFrames } from "./demo_frames.ts";
import { median } from "../src/stats.ts";
import { report } from "./timing.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const MANIFEST = `${ROOT}models/street-maskrcnn/manifest.json`;

async function roundTrip(frames: Frame[]): Promise<void> {
  const direct = await loadModel(MANIFEST);
  const worker = await WorkerSession.start(MANIFEST);
  const { width, height } = direct.manifest.input;
  // The graph takes the frame's bytes (uint8 NHWC): the same bytes on both sides.
  let input = new Uint8Array(3 * width * height);
  const viaDirect = async (f: Frame) => {
    input.set(f.data);
    const t0 = performance.now();
    await direct.session.run({ images: new ort.Tensor("uint8", input, [1, height, width, 3]) });
    return performance.now() - t0;
  };
  const viaWorker = async (f: Frame) => {
    input.set(f.data);
    const t0 = performance.now();
    const r = await worker.run(input, 1);
    const ms = performance.now() - t0;
    input = r.input;
    return ms;
  };
  for (let i = 0; i < 3; i++) await viaDirect(frames[i]), await viaWorker(frames[i]);
  const a: number[] = [], b: number[] = [];
  for (let round = 0; round < 2; round++) {
    for (const f of frames) {
      a.push(await viaDirect(f));
      b.push(await viaWorker(f));
    }
  }
  await direct.session.release();
  await worker.close();
  report("engine worker round trip / direct session.run", median(b) / median(a), 1.05, [
    `worker ${median(b).toFixed(1)} ms, direct ${
      median(a).toFixed(1)
    } ms per frame (batch 1, medians of ${a.length})`,
  ]);
}

async function throughput(frames: Frame[], geometry: FrameGeometry): Promise<void> {
  const session = await WorkerSession.start(MANIFEST);
  const m = session.manifest;
  for (const maxBatch of [1, 2, 4]) {
    const batcher = new Batcher([session], {
      maxBatch,
      maxWaitMs: 50,
      postprocess: postprocessOptions(m, { nms: "hard", iouThreshold: 0.5 }),
    });
    // Each submission its own frame, lent to the worker as the pipeline lends them.
    const copies = () => frames.map((f) => ({ ...f, data: f.data.slice() }));
    const submit = (f: Frame) => batcher.submit(f, geometry, { lend: true });
    await Promise.all(copies().slice(0, maxBatch * 2).map(submit));
    const t0 = performance.now();
    const all = [...copies(), ...copies()];
    const results = await Promise.all(all.map(submit));
    const fps = all.length / ((performance.now() - t0) / 1000);
    const handOver = median(results.map((r) => r.timing.preprocessEnd - r.timing.batchFormedAt));
    console.log(
      `engine throughput maxBatch ${maxBatch}: ${
        fps.toFixed(1)
      } frames/s (batcher, worker, post-processing)`,
    );
    console.log(
      `    main-thread pre-processing per batch (frames lent to the uint8 graph): ${
        handOver.toFixed(3)
      } ms median`,
    );
    batcher.close();
  }
  await session.close();
}

function preprocessing(frames: Frame[], width: number, height: number): void {
  const norm = {
    scale: 1 / 255,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    colorOrder: "RGB" as const,
  };
  const batch = frames.slice(0, 4).map((f) => f.data);
  const out = new Float32Array(batch.length * 3 * width * height);
  const copy = new Float32Array(out.length);
  const ours: number[] = [], plain: number[] = [];
  for (let round = 0; round < 40; round++) {
    let t0 = performance.now();
    preprocess(batch, width, height, "rgb24", norm, out);
    ours.push(performance.now() - t0);
    t0 = performance.now();
    let at = 0;
    for (const bytes of batch) {
      copy.set(bytes, at);
      at += bytes.length;
    }
    plain.push(performance.now() - t0);
  }
  const ratio = median(plain) / median(ours);
  report("engine pre-processing / plain converting copy (throughput)", ratio, 0.5, [
    `preprocess ${median(ours).toFixed(2)} ms, Float32Array#set ${
      median(plain).toFixed(2)
    } ms for 4 frames of ${width}x${height}`,
  ], true);
}

/** Prints the engine's benchmark lines. */
export async function engineBench(): Promise<void> {
  const { frames, geometry } = await demoFrames(12, 7, 512, 288);
  preprocessing(frames, 512, 288);
  await roundTrip(frames);
  await throughput(frames, geometry);
}

if (import.meta.main) await engineBench();
