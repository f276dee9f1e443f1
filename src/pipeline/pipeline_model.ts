/**
 * One model of a pipeline: started once and shared by its streams, with the status
 * events of its loading (loading, a fallback per provider skipped, loaded or failed) and
 * what `GET /models` shows of it.
 *
 * @module
 */

import type { ClassSpec } from "../inference/manifest.ts";
import { type ModelRuntime, type ModelStatus, startModel } from "../inference/model_runtime.ts";
import type { ModelConfig } from "./config.ts";
import type { ModelStatusEvent } from "./events.ts";
import type { Workload } from "../inference/engine_tuning.ts";

/** A model as `GET /models` shows it. */
export interface ModelInfo {
  id: string;
  manifest: string;
  state: "loading" | "loaded" | "failed";
  /** Why it failed to load. */
  error?: string;
  classes: ClassSpec[];
  /** A keypoint model's keypoint names and skeleton (1-based pairs), for drawing. */
  keypoints?: { names: string[]; skeleton: [number, number][] };
  status?: ModelStatus;
}

/**
 * A pipeline's model: its configuration, and once {@link PipelineModel.load} is over,
 * either its runtime or why it failed. A model that fails is reported; the pipeline goes
 * on and fails only its streams.
 *
 * @example
 * ```ts ignore
 * const model = new PipelineModel(config.models[0]);
 * await model.load((event) => console.log(event.state), console.warn);
 * console.log(model.info().state, model.labels.get(1));
 * ```
 */
export class PipelineModel {
  readonly config: ModelConfig;
  /** The running model, once loaded. */
  runtime?: ModelRuntime;
  /** Why it failed to load. */
  error?: string;
  /** Class names by id (for result messages). */
  readonly labels: Map<number, string> = new Map();
  /** The manifest's classes, once loaded. */
  classes: ClassSpec[] = [];
  /** A keypoint model's keypoint names and skeleton, once loaded. */
  keypoints?: { names: string[]; skeleton: [number, number][] };

  constructor(config: ModelConfig) {
    this.config = config;
  }

  /** Starts the model's sessions, emitting its status events; never throws (a failure
   * is recorded in `error` and reported). `workload`: what its configured streams ask of
   * it, for an engine that tunes itself; `tuningCache`: the file that keeps its
   * measurements between runs. */
  async load(
    emit: (event: ModelStatusEvent) => void,
    warn: (message: string) => void,
    workload?: Workload,
    tuningCache?: string,
  ): Promise<void> {
    const c = this.config;
    emit({ type: "model", model: c.id, state: "loading", at: Date.now() });
    const warnings: string[] = [];
    try {
      this.runtime = await startModel(c.manifest, {
        providers: c.providers,
        sessions: c.sessions,
        intraOpThreads: c.intraOpThreads,
        maxBatch: c.maxBatch,
        cpuMemArena: c.arena,
        tuneMs: c.tuneMs,
        workload,
        tuningCache,
        maxWaitMs: c.maxWaitMs,
        postprocess: c.postprocess,
        onWarning: (w) => {
          warnings.push(w);
          warn(`model ${c.id}: ${w}`);
        },
      });
      this.classes = this.runtime.manifest.classes;
      for (const k of this.classes) this.labels.set(k.id, k.name);
      const points = this.runtime.manifest.keypoints;
      if (points) this.keypoints = { names: points.names, skeleton: points.skeleton };
      const provider = this.runtime.status().provider;
      for (const reason of warnings) {
        emit({ type: "model", model: c.id, state: "fallback", at: Date.now(), provider, reason });
      }
      emit({ type: "model", model: c.id, state: "loaded", at: Date.now(), provider });
    } catch (error) {
      this.error = (error as Error).message;
      warn(`model ${c.id}: failed to load: ${this.error}`);
      emit({ type: "model", model: c.id, state: "failed", at: Date.now(), reason: this.error });
    }
  }

  /** What `GET /models` shows. */
  info(): ModelInfo {
    return {
      id: this.config.id,
      manifest: this.config.manifest,
      state: this.runtime ? "loaded" : this.error ? "failed" : "loading",
      ...(this.error ? { error: this.error } : {}),
      classes: this.classes,
      ...(this.keypoints ? { keypoints: this.keypoints } : {}),
      ...(this.runtime ? { status: this.runtime.status() } : {}),
    };
  }
}
