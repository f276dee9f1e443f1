/**
 * The engine's metrics: its setting, and one series per candidate measured at load, the
 * spinning candidate apart from the sleeping one of the same sessions, threads and batch.
 */

import assert from "node:assert/strict";
import client from "prom-client";
import { EngineMetrics } from "../../src/pipeline/engine_metrics.ts";
import type { ModelStatus } from "../../src/inference/model_runtime.ts";

Deno.test("each measured candidate has its own series, spinning or not, beside the setting in use", async () => {
  const registry = new client.Registry();
  const metrics = new EngineMetrics(registry);
  const setting = { sessions: 1, threads: 2, batch: 1, arena: true, optimization: "all" as const };
  const status = {
    sessions: 1,
    threads: 2,
    spinning: true,
    maxBatch: 1,
    tuning: {
      mode: "latency",
      reason: "one live stream",
      workload: { live: 1, lossless: 0 },
      retunes: 2,
      measurements: [
        { setting, framesPerSecond: 26.6, runMs: 36.8, frames: 60 },
        {
          setting: { ...setting, spinning: true },
          framesPerSecond: 27.1,
          runMs: 35.9,
          frames: 61,
          pacedRunMs: 36.4,
        },
        { setting: { ...setting, batch: 2 }, framesPerSecond: 28, runMs: 70, frames: 56 },
      ],
    },
  } as unknown as ModelStatus;
  metrics.update("street", status);
  const text = await registry.metrics();
  const series = (s: string) =>
    `streamdet_engine_tuning_frames_per_second{model="street",sessions="1",threads="2",batch="1",spinning="${s}"}`;
  assert.ok(text.includes(`${series("0")} 26.6`), text);
  assert.ok(text.includes(`${series("1")} 27.1`), text);
  assert.match(text, /streamdet_engine_threads\{model="street"\} 2/);
  assert.match(text, /streamdet_engine_retunes\{model="street"\} 2/);
  assert.match(text, /streamdet_engine_tuning_run_seconds\{[^}]*spinning="1"\} 0\.0359/);
  // The paced figure only where it was measured.
  assert.match(text, /streamdet_engine_tuning_paced_run_seconds\{[^}]*spinning="1"\} 0\.0364/);
  assert.doesNotMatch(text, /streamdet_engine_tuning_paced_run_seconds\{[^}]*batch="2"/);
});
