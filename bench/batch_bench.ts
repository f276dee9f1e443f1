/**
 * Batch throughput of `deno task detect` (JSON Lines and COCO outputs written, the engine
 * left on auto as the CLI runs it; once more with `--panoptic`): frames/s on one file and on 4 files at once (the demo
 * video, copies), each against the inference-only frames/s of the same model on the same
 * frames, and against the machine's inference limit (bench/limit_bench.ts) when given,
 * with where the CPU went (bench/cpu_budget.ts).
 *
 * @module
 */

import { resolveFfmpeg } from "../src/video/ffmpeg_binary.ts";
import { runDetect } from "../src/batch/detect_job.ts";
import { WorkerSession } from "../src/inference/worker_session.ts";
import { demoFrames } from "./demo_frames.ts";
import { inferenceOnly } from "./pipeline_bench.ts";
import type { InferenceLimit } from "./limit_bench.ts";
import { budgetLine, CpuSampler } from "./cpu_budget.ts";
import { settingName } from "../src/inference/engine_measure.ts";
import { report } from "./timing.ts";

const MANIFEST = "models/street-maskrcnn/manifest.json";
const DEMO = "models/demo/street.mp4";
const OUT = "bench/out/batch/";

/** Options of {@link batchBench}. */
export interface BatchBenchOptions {
  /** The machine's inference limit from the same run. */
  limit?: InferenceLimit;
}

/** One `detect` run of `files` copies of the demo, as the CLI runs it (panoptic fusion
 * only with `panoptic`, as `--panoptic`): frames/s from the first frame to the last, and
 * with `sample` the CPU budget of the run ("" without: the sampler costs the run some
 * frames/s, so a figure of record comes from a run without it). */
async function detectRun(
  files: number,
  panoptic = false,
  sample = false,
): Promise<{ fps: number; frames: number; cpu: string }> {
  const ffmpeg = await resolveFfmpeg({ env: Deno.env.toObject() });
  await Deno.mkdir(`${OUT}in`, { recursive: true });
  const inputs: string[] = [];
  for (let i = 0; i < files; i++) {
    const path = `${Deno.cwd()}/${OUT}in/street-${i}.mp4`;
    await Deno.copyFile(DEMO, path);
    inputs.push(path);
  }
  // Timed from the first frame to the last: model loading (and tuning) is not throughput.
  let count = 0, first = 0, last = 0;
  const sampler = sample ? new CpuSampler() : undefined;
  let sampling: Promise<void> | undefined;
  const tick = () => {
    last = performance.now();
    if (count++ === 0) {
      first = last;
      sampling = sampler?.start(); // from the first frame: loading and tuning are not counted
    }
  };
  const outcomes = await runDetect(
    {
      inputs,
      manifest: MANIFEST,
      outDir: `${Deno.cwd()}/${OUT}results`,
      formats: ["jsonl", "coco"],
      concurrency: files,
      force: true,
      postprocess: panoptic ? {} : { panoptic: false },
    },
    ffmpeg,
    { started() {}, frame: tick, finished() {} },
  );
  await sampling;
  const budget = await sampler?.stop();
  const failed = outcomes.filter((o) => o.status !== "done");
  if (failed.length > 0) throw new Error(`batch bench: ${failed.map((o) => o.error).join("; ")}`);
  await Deno.remove(OUT, { recursive: true });
  const ms = last - first;
  return {
    fps: (count - 1) / (ms / 1000),
    frames: count,
    cpu: budget ? budgetLine(budget, count, ms) : "",
  };
}

/**
 * Prints `batch throughput` (4 files, against inference-only at the same batch) and the
 * `detect / inference limit` ratios of 1 and 4 files.
 *
 * @example
 * ```ts ignore
 * await batchBench({ limit: await limitBench() });
 * ```
 */
export async function batchBench(options: BatchBenchOptions = {}): Promise<number> {
  // Each figure from a run without the CPU sampler, its budget from a run with it.
  const sampled = async (files: number, panoptic = false) => {
    const run = await detectRun(files, panoptic);
    const budget = await detectRun(files, panoptic, true);
    return { ...run, cpu: `${budget.cpu} (a second run, sampled: ${budget.fps.toFixed(1)} fps)` };
  };
  const one = await sampled(1);
  const four = await sampled(4);
  const fused = await sampled(1, true);
  // Inference only, on the demo's frames decoded beforehand, one session with every core
  // at batch 4 (the setting the old figure used).
  const { frames } = await demoFrames(300, 1, 512, 288);
  const session = await WorkerSession.start(MANIFEST, {
    intraOpThreads: navigator.hardwareConcurrency,
  });
  await inferenceOnly([session], frames.slice(0, 16), 4); // warm-up
  const inferFps = await inferenceOnly([session], frames, 4);
  await session.close();
  const ratio = four.fps / inferFps;
  console.log(`batch fps (4 files at once, ${four.frames} frames): ${four.fps.toFixed(1)}`);
  console.log(`batch inference-only fps: ${inferFps.toFixed(1)}`);
  console.log(`batch throughput: ${ratio.toFixed(2)} (≥ 0.90)`);
  console.log(`    ${four.cpu}`);
  const limit = options.limit;
  if (limit) {
    const l = limit.best.framesPerSecond;
    for (const [name, run] of [["1 file", one], ["4 files", four]] as const) {
      report(`detect (${name}) / inference limit`, run.fps / l, 0.85, [
        `detect ${run.fps.toFixed(1)} fps over ${run.frames} frames, limit ${l.toFixed(1)} fps (${
          settingName(limit.best.setting)
        })`,
        run.cpu,
      ], true);
    }
    console.log(
      `detect (1 file, --panoptic) / inference limit: ${(fused.fps / l).toFixed(2)}x (${
        fused.fps.toFixed(1)
      } fps; no target: the panoptic fusion's own cost)\n    ${fused.cpu}`,
    );
  }
  return ratio;
}

if (import.meta.main) await batchBench();
