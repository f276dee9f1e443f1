/**
 * `deno task bench`: every benchmark, each printing `name: value (target)` lines.
 * Record the figures in bench/RESULTS.md with the machine they ran on.
 *
 * @module
 */

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

console.log(
  `# ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, V8 ${Deno.version.v8}`,
);
await nmsBench();
await maskBench();
await singleStageBench();
await videoBench();
await modelBench();
// The machine's inference limit first: the pipeline and detect figures are also ratios to it.
const limit = await limitBench();
await engineBench();
await pipelineBench({ limit });
await fanoutBench();
await batchBench({ limit });
await engineOptionsBench();
await trackerBench();
await trackingLiveBench();
await sinkOutageBench();
await controlPlaneBench();
// Every figure is printed. After the full-size control-plane bench something (not found
// yet: its own teardown completes, and its small form exits) keeps the event loop alive,
// so the task would never end: it ends here.
Deno.exit(0);
