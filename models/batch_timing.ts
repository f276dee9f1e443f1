/**
 * CPU milliseconds per frame of a model's graph at several batch sizes, on real demo frames
 * at its input size: what the engine's tuning measures when it picks a batch (see
 * src/inference/engine_tuning.ts), run here for a study table.
 *
 * @module
 */

import * as ort from "onnxruntime-node";
import { FrameSource, resolveFfmpeg } from "../mod.ts";
import { loadModel } from "../src/inference/load_model.ts";
import { median } from "../src/stats.ts";

/** Per batch size, the median ms per frame of `reps` runs. */
export interface BatchTiming {
  batch: number;
  msPerFrame: number;
}

/** The first `count` frames of `video`, letterboxed to `width` × `height` RGB bytes. */
async function frames(video: string, count: number, width: number, height: number) {
  const source = new FrameSource({
    streamId: "timing",
    input: video,
    ffmpeg: await resolveFfmpeg(),
    output: { fit: "letterbox", width, height, format: "rgb24" },
  });
  await source.start();
  const out: Uint8Array[] = [];
  try {
    for await (const frame of source.frames()) {
      out.push(frame.data.slice());
      if (out.length >= count) break;
    }
  } finally {
    await source.stop();
  }
  return out;
}

/**
 * Times the uint8 graph of `folder` at each of `batches` (after two warm-up runs each):
 * the median over `reps` runs of the run's ms divided by the batch size.
 *
 * @example
 * ```ts ignore
 * const t = await batchTimings("models/street-fcos", "models/demo/street.mp4", [1, 2, 4]);
 * ```
 */
export async function batchTimings(
  folder: string,
  video: string,
  batches: number[] = [1, 2, 4],
  reps = 8,
): Promise<BatchTiming[]> {
  const { manifest, session } = await loadModel(`${folder}/manifest.json`);
  if (manifest.input.dtype !== "uint8") {
    await session.release();
    throw new Error(`batchTimings(): ${folder}: expected a uint8 graph input, found float`);
  }
  const { width, height } = manifest.input;
  const pool = await frames(video, Math.max(...batches) * 2, width, height);
  const size = height * width * 3;
  const out: BatchTiming[] = [];
  try {
    for (const batch of batches) {
      const input = new Uint8Array(batch * size);
      const times: number[] = [];
      for (let r = 0; r < reps + 2; r++) {
        for (let b = 0; b < batch; b++) input.set(pool[(r * batch + b) % pool.length], b * size);
        const tensor = new ort.Tensor("uint8", input, [batch, height, width, 3]);
        const t0 = performance.now();
        await session.run({ [manifest.input.name]: tensor });
        if (r >= 2) times.push((performance.now() - t0) / batch);
      }
      out.push({ batch, msPerFrame: median(times) });
    }
  } finally {
    await session.release();
  }
  return out;
}
