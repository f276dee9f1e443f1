/**
 * Batch throughput of `deno task detect`: total frames/s over 4 files at once (the demo
 * video, four copies, JSON Lines and COCO outputs written) / inference-only frames/s of
 * the same model on the same frames, measured in the same run.
 *
 * @module
 */

import { resolveFfmpeg } from "../src/video/ffmpeg_binary.ts";
import { runDetect } from "../src/batch/detect_job.ts";
import { WorkerSession } from "../src/inference/worker_session.ts";
import { demoFrames } from "./demo_frames.ts";
import { inferenceOnly } from "./pipeline_bench.ts";

const MANIFEST = "models/street-maskrcnn/manifest.json";
const DEMO = "models/demo/street.mp4";
const OUT = "bench/out/batch/";

/** Options of {@link batchBench}. */
export interface BatchBenchOptions {
  /** Files processed at once (default 4). */
  files?: number;
  /** Batch size of both sides (default 4). */
  maxBatch?: number;
}

/**
 * Prints `batch throughput: X (≥ 0.90)` and both rates.
 *
 * @example
 * ```ts ignore
 * await batchBench();
 * ```
 */
export async function batchBench(options: BatchBenchOptions = {}): Promise<number> {
  const files = options.files ?? 4;
  const maxBatch = options.maxBatch ?? 4;
  const ffmpeg = await resolveFfmpeg({ env: Deno.env.toObject() });
  await Deno.mkdir(`${OUT}in`, { recursive: true });
  const inputs: string[] = [];
  for (let i = 0; i < files; i++) {
    const path = `${Deno.cwd()}/${OUT}in/street-${i}.mp4`;
    await Deno.copyFile(DEMO, path);
    inputs.push(path);
  }
  // Inference only, on the demo's frames decoded beforehand.
  const { frames } = await demoFrames(300, 1, 512, 288);
  const session = await WorkerSession.start(MANIFEST, {
    intraOpThreads: navigator.hardwareConcurrency,
  });
  await inferenceOnly([session], frames.slice(0, 4 * maxBatch), maxBatch); // warm-up
  const inferFps = await inferenceOnly([session], frames, maxBatch);
  await session.close();

  // Timed from the first frame to the last: model loading is not throughput.
  let count = 0, first = 0, last = 0;
  const tick = () => {
    last = performance.now();
    if (count++ === 0) first = last;
  };
  const outcomes = await runDetect(
    {
      inputs,
      manifest: MANIFEST,
      outDir: `${Deno.cwd()}/${OUT}results`,
      formats: ["jsonl", "coco"],
      concurrency: files,
      force: true,
      maxBatch,
    },
    ffmpeg,
    { started() {}, frame: tick, finished() {} },
  );
  const seconds = (last - first) / 1000;
  const failed = outcomes.filter((o) => o.status !== "done");
  if (failed.length > 0) throw new Error(`batch bench: ${failed.map((o) => o.error).join("; ")}`);
  const batchFps = (count - 1) / seconds;
  const ratio = batchFps / inferFps;
  console.log(`batch fps (${files} files at once, ${count} frames): ${batchFps.toFixed(1)}`);
  console.log(`batch inference-only fps: ${inferFps.toFixed(1)}`);
  console.log(`batch throughput: ${ratio.toFixed(2)} (≥ 0.90)`);
  await Deno.remove(OUT, { recursive: true });
  return ratio;
}

if (import.meta.main) await batchBench();
