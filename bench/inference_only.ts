/**
 * Inference alone on frames decoded beforehand: the baseline of the pipeline and batch
 * benchmarks.
 *
 * @module
 */

import { concatImages, graphImage } from "../src/inference/engine_measure.ts";
import type { InputArray } from "../src/inference/input_parts.ts";
import type { WorkerSession } from "../src/inference/worker_session.ts";
import type { Frame } from "../src/types.ts";

/**
 * Inference alone: `frames` (at the model's input size) through the sessions' `run` in
 * batches of `maxBatch`, pre-processed on the main thread while the workers run (two
 * batches in flight per session, so none ever waits for the next), no post-processing;
 * returns frames/s.
 *
 * @example
 * ```ts ignore
 * const session = await WorkerSession.start("models/street-maskrcnn/manifest.json");
 * const { frames } = await demoFrames(300, 1, 512, 288);
 * console.log(await inferenceOnly([session], frames, 4), "frames/s");
 * await session.close();
 * ```
 */
export async function inferenceOnly(
  sessions: WorkerSession[],
  frames: Frame[],
  maxBatch: number,
): Promise<number> {
  const { input } = sessions[0].manifest;
  // Each frame as the graph takes it, prepared before the clock starts.
  const images = frames.map((f) => graphImage(input, f.data, f.format));
  const perImage = images[0].length;
  const batches: InputArray[] = [];
  for (let at = 0; at < images.length; at += maxBatch) {
    batches.push(concatImages(images.slice(at, at + maxBatch)));
  }
  let next = 0;
  const lane = async (session: WorkerSession) => {
    while (next < batches.length) {
      const input = batches[next++];
      await session.run(input, input.length / perImage);
    }
  };
  const t0 = performance.now();
  await Promise.all(sessions.flatMap((s) => [lane(s), lane(s)]));
  return frames.length / ((performance.now() - t0) / 1000);
}
