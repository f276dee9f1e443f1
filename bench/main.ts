/**
 * `deno task bench`: every benchmark, each printing `name: value (target)` lines.
 * Record the figures in bench/RESULTS.md with the machine they ran on.
 *
 * `deno task bench --only limit,engine,pipeline,batch,engine-options` runs some of them (the
 * throughput figures of issue 15 in about 8 minutes instead of the whole run's 18).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { batchBench } from "./batch_bench.ts";
import { engineOptionsBench } from "./engine_options_bench.ts";
import { engineBench } from "./engine_bench.ts";
import { limitBench } from "./limit_bench.ts";
import { fanoutBench } from "./fanout_bench.ts";
import { maskBench } from "./mask_bench.ts";
import { modelBench } from "./model_bench.ts";
import { nmsBench } from "./nms_bench.ts";
import { pipelineBench } from "./pipeline_bench.ts";
import { videoBench } from "./video_bench.ts";
import { trackerBench } from "./tracker_bench.ts";
import { trackingLiveBench } from "./tracking_live_bench.ts";
import { sinkOutageBench } from "./sink_outage_bench.ts";
import { controlPlaneBench } from "./control_plane_bench.ts";
import { singleStageBench } from "./single_stage_bench.ts";

/** The benchmarks in the order they run; the limit is measured first among the ones that
 * are ratios to it. */
const BENCHES = [
  "nms",
  "mask",
  "single-stage",
  "video",
  "model",
  "limit",
  "engine",
  "pipeline",
  "fanout",
  "batch",
  "engine-options",
  "tracker",
  "tracking-live",
  "sink-outage",
  "control-plane",
] as const;
type BenchName = typeof BENCHES[number];

const { values } = parseArgs({ args: Deno.args, options: { only: { type: "string" } } });
const only = values.only?.split(",").map((n) => n.trim()).filter((n) => n !== "");
for (const name of only ?? []) {
  if (!BENCHES.includes(name as BenchName)) {
    console.error(`bench: --only: expected names among ${BENCHES.join(", ")}, found ${name}`);
    Deno.exit(2);
  }
}
const runs = (name: BenchName) => only === undefined || only.includes(name);

console.log(
  `# ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, V8 ${Deno.version.v8}`,
);
if (runs("nms")) await nmsBench();
if (runs("mask")) await maskBench();
if (runs("single-stage")) await singleStageBench();
if (runs("video")) await videoBench();
if (runs("model")) await modelBench();
// The machine's inference limit first: the pipeline and detect figures are also ratios to it
// (measured whenever either of them runs).
const limit = runs("limit") || runs("pipeline") || runs("batch") ? await limitBench() : undefined;
if (runs("engine")) await engineBench();
if (runs("pipeline")) await pipelineBench({ limit });
if (runs("fanout")) await fanoutBench();
if (runs("batch")) await batchBench({ limit });
if (runs("engine-options")) await engineOptionsBench();
if (runs("tracker")) await trackerBench();
if (runs("tracking-live")) await trackingLiveBench();
if (runs("sink-outage")) await sinkOutageBench();
if (runs("control-plane")) await controlPlaneBench();
// Every figure is printed. After the full-size control-plane bench something (not found
// yet: its own teardown completes, and its small form exits) keeps the event loop alive,
// so the task would never end: it ends here.
Deno.exit(0);
