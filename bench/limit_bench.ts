/**
 * The machine's inference limit: the best inference-only throughput the shipped street
 * Mask R-CNN reaches here, over a small grid of engine settings (sessions × intra-op
 * threads × batch × ORT's CPU arena, then the graph optimisation levels of the best
 * ones), on real demo frames prepared beforehand (the graph's uint8 input, joined into
 * batches before the clock starts). Every pipeline and `detect` figure of `deno task
 * bench` is also reported as a ratio to this limit, from the same run.
 *
 * Each setting runs 2.5 s (this VM's throughput moves by ±20% between runs of a few
 * seconds). The best setting, and the best batch-1 one, are then run twice more, and the
 * better of those two runs gives the figure: the best of 23 noisy measurements is biased
 * upwards (the setting chosen is also the one whose noise was kindest). One session at batch 1 with spinning intra-op threads is measured too: the
 * batch-1 latency floor (the engine's choice for one live stream), not a throughput
 * candidate.
 *
 * Run alone with `deno run -A bench/limit_bench.ts [--seconds=2.5]`.
 *
 * @module
 */

import {
  type EngineSetting,
  graphImage,
  measureSetting,
  type SettingMeasurement,
  settingName,
} from "../src/inference/engine_measure.ts";
import type { GraphOptimization } from "../src/inference/load_model.ts";
import { parseManifest } from "../src/inference/manifest.ts";
import { demoFrames } from "./demo_frames.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const MANIFEST = `${ROOT}models/street-maskrcnn/manifest.json`;

/** What {@link limitBench} found. */
export interface InferenceLimit {
  /** The best setting and its throughput: the limit. */
  best: SettingMeasurement;
  /** The best batch-1 run latency of one session (the live latency's floor). */
  batchOne: SettingMeasurement;
  /** Every setting measured, in the order measured. */
  all: SettingMeasurement[];
}

/**
 * Measures the grid and prints one line per setting, then `inference limit: X frames/s`.
 *
 * @example
 * ```ts ignore
 * const { best } = await limitBench();
 * console.log(best.framesPerSecond);
 * ```
 */
export async function limitBench(durationMs = 2500): Promise<InferenceLimit> {
  const manifest = parseManifest(JSON.parse(await Deno.readTextFile(MANIFEST)), MANIFEST);
  const { input } = manifest;
  const { frames } = await demoFrames(24, 12, input.width, input.height);
  const images = frames.map((f) => graphImage(input, f.data, f.format));
  const cores = navigator.hardwareConcurrency;
  const lanes: [number, number][] = [[1, cores], [1, Math.max(1, cores / 2)], [cores, 1]];
  const unique = lanes.filter(([s, t], i) =>
    lanes.findIndex(([s2, t2]) => s2 === s && t2 === t) === i
  );
  const all: SettingMeasurement[] = [];
  const measure = async (setting: EngineSetting) => {
    const m = await measureSetting(MANIFEST, setting, images, { durationMs });
    all.push(m);
    console.log(
      `    limit grid: ${settingName(setting)}: ${m.framesPerSecond.toFixed(1)} frames/s, ` +
        `run ${m.runMs.toFixed(1)} ms`,
    );
    return m;
  };
  for (const [sessions, threads] of unique) {
    for (const batch of [1, 2, 4]) {
      for (const arena of [true, false]) {
        await measure({ sessions, threads, batch, arena, optimization: "all" });
      }
    }
  }
  // One session at batch 1 with spinning threads: the engine's choice for one live stream.
  await measure({
    sessions: 1,
    threads: cores,
    batch: 1,
    arena: true,
    optimization: "all",
    spinning: true,
  });
  const top = [...all].filter((m) => !m.setting.spinning)
    .sort((a, b) => b.framesPerSecond - a.framesPerSecond).slice(0, 2);
  for (const m of top) {
    for (const optimization of ["basic", "extended"] as GraphOptimization[]) {
      await measure({ ...m.setting, optimization });
    }
  }
  // The limit is throughput: spinning threads are measured for latency only.
  const chosen = all.filter((m) => !m.setting.spinning)
    .reduce((a, b) => (b.framesPerSecond > a.framesPerSecond ? b : a));
  const chosenOne = all.filter((m) => m.setting.batch === 1 && m.setting.sessions === 1)
    .reduce((a, b) => (b.runMs < a.runMs ? b : a));
  // The best of many noisy measurements overstates the best setting (it is also the one
  // that drew the luckiest noise): the chosen settings run twice more, and the better of
  // those two runs is the figure (as the pipeline's figure is the better of its rounds).
  const again = async (
    setting: EngineSetting,
    better: (a: SettingMeasurement, b: SettingMeasurement) => boolean,
  ) => {
    const a = await measure(setting), b = await measure(setting);
    return better(b, a) ? b : a;
  };
  const best = await again(chosen.setting, (b, a) => b.framesPerSecond > a.framesPerSecond);
  const batchOne = await again(chosenOne.setting, (b, a) => b.runMs < a.runMs);
  console.log(
    `inference limit: ${best.framesPerSecond.toFixed(1)} frames/s (${
      settingName(best.setting)
    }, re-measured; ${chosen.framesPerSecond.toFixed(1)} when chosen as the best of ${
      all.length - 4
    } settings; ${images.length} demo frames, inference only)`,
  );
  console.log(
    `inference batch-1 latency: ${batchOne.runMs.toFixed(1)} ms (${
      settingName(batchOne.setting)
    }, median run, re-measured; ${chosenOne.runMs.toFixed(1)} ms when chosen)`,
  );
  return { best, batchOne, all };
}

if (import.meta.main) {
  const arg = Deno.args.find((a) => a.startsWith("--seconds="));
  await limitBench(arg ? Number(arg.slice(10)) * 1000 : undefined);
}
