/**
 * The Prometheus metrics of each model's engine: the setting it runs (sessions, threads
 * per session, batch size), and, when it tuned itself, the candidates it measured at
 * load (frames/s and run time of each) and how often it re-chose since.
 *
 * @module
 */

import client from "prom-client";
import type { ModelStatus } from "../inference/model_runtime.ts";

/** The labels of a measured candidate. */
type Candidate = "model" | "sessions" | "threads" | "batch" | "spinning";

/**
 * Engine metrics, registered in the pipeline's registry; `update` sets them from a
 * model's status.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import client from "prom-client";
 * const registry = new client.Registry();
 * const m = new EngineMetrics(registry);
 * m.update("street", { sessions: 1, threads: 2, maxBatch: 4 } as never);
 * assert.match(await registry.metrics(), /streamdet_engine_max_batch\{model="street"\} 4/);
 * ```
 */
export class EngineMetrics {
  readonly sessions: client.Gauge<"model">;
  readonly threads: client.Gauge<"model">;
  readonly maxBatch: client.Gauge<"model">;
  readonly tunedFps: client.Gauge<Candidate>;
  readonly tunedRun: client.Gauge<Candidate>;
  readonly tunedPacedRun: client.Gauge<Candidate>;
  readonly retunes: client.Gauge<"model">;

  constructor(registry: client.Registry) {
    const registers = [registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new client.Gauge<L>({ name, help, labelNames, registers });
    this.sessions = gauge("streamdet_engine_sessions", "Worker sessions of the model", [
      "model",
    ]);
    this.threads = gauge("streamdet_engine_threads", "Intra-op threads of each session", [
      "model",
    ]);
    this.maxBatch = gauge("streamdet_engine_max_batch", "Frames a batch closes at", ["model"]);
    const candidate: Candidate[] = ["model", "sessions", "threads", "batch", "spinning"];
    this.tunedFps = gauge(
      "streamdet_engine_tuning_frames_per_second",
      "Inference-only frames/s of each candidate setting measured at load (engines on auto)",
      candidate,
    );
    this.tunedRun = gauge(
      "streamdet_engine_tuning_run_seconds",
      "Median run time of one batch of each candidate setting measured at load",
      candidate,
    );
    this.tunedPacedRun = gauge(
      "streamdet_engine_tuning_paced_run_seconds",
      "Median run time of one frame between frames, as a live stream runs (one-session batch-1 candidates)",
      candidate,
    );
    this.retunes = gauge(
      "streamdet_engine_retunes",
      "Times the engine changed its setting since load (streams added or removed)",
      ["model"],
    );
  }

  /** Sets the gauges of `model` from its status. */
  update(model: string, status: ModelStatus): void {
    this.sessions.set({ model }, status.sessions);
    this.threads.set({ model }, status.threads);
    this.maxBatch.set({ model }, status.maxBatch);
    if (!status.tuning) return;
    for (const m of status.tuning.measurements) {
      const labels = {
        model,
        sessions: String(m.setting.sessions),
        threads: String(m.setting.threads),
        batch: String(m.setting.batch),
        spinning: m.setting.spinning ? "1" : "0",
      };
      this.tunedFps.set(labels, m.framesPerSecond);
      this.tunedRun.set(labels, m.runMs / 1000);
      if (m.pacedRunMs !== undefined) this.tunedPacedRun.set(labels, m.pacedRunMs / 1000);
    }
    this.retunes.set({ model }, status.tuning.retunes);
  }
}
