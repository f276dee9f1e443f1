/**
 * The pipeline a queue worker runs its jobs through: one at a time, for the model and
 * post-processing of the jobs it takes, loaded at the first such job and kept for the
 * next ones. A job of another model waits until the jobs of the current one are done,
 * then the current pipeline is stopped and the other one loaded.
 *
 * @module
 */

import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import { type DetectModelOptions, detectPipeline } from "./detect_pipeline.ts";

/** A pipeline lent to one job: give it back with `release()`. */
export interface PipelineLease {
  pipeline: Pipeline;
  release(): void;
}

interface Current {
  key: string;
  pipeline: Promise<Pipeline>;
  /** Stream ids of the jobs using it. */
  active: Set<string>;
}

/**
 * The worker's pipeline (see the module).
 *
 * @example
 * ```ts ignore
 * const pipelines = new WorkerPipelines(ffmpeg, { roots: ["/shared"] });
 * const lease = await pipelines.acquire({ manifest, postprocess: {} }, "input-3");
 * try { await detectInput(lease!.pipeline, options); } finally { lease!.release(); }
 * await pipelines.close();
 * ```
 */
export class WorkerPipelines {
  readonly #ffmpeg: FfmpegBinary;
  readonly #roots: string[];
  readonly #defaults: Omit<DetectModelOptions, "manifest" | "postprocess">;
  #current: Current | undefined;
  #switching: Promise<void> | undefined;
  #idle: (() => void)[] = [];

  /** `roots`: the folders sources may be in; `defaults`: providers, tuning cache... */
  constructor(
    ffmpeg: FfmpegBinary,
    options: { roots: string[] } & Omit<DetectModelOptions, "manifest" | "postprocess">,
  ) {
    const { roots, ...defaults } = options;
    this.#ffmpeg = ffmpeg;
    this.#roots = roots;
    this.#defaults = defaults;
  }

  /**
   * The pipeline of `model` for the job of `streamId`, loading it when needed (after the
   * jobs of another model are done); undefined when a job of that stream id runs already
   * (another run's job of the same number: take it later). Rejects when the model fails
   * to load.
   */
  async acquire(
    model: Pick<DetectModelOptions, "manifest" | "postprocess">,
    streamId: string,
  ): Promise<PipelineLease | undefined> {
    const key = JSON.stringify([model.manifest, model.postprocess ?? {}]);
    for (;;) {
      if (this.#switching) {
        await this.#switching;
        continue;
      }
      const current = this.#current;
      if (current?.key === key) {
        if (current.active.has(streamId)) return undefined;
        current.active.add(streamId);
        let pipeline: Pipeline;
        try {
          pipeline = await current.pipeline;
        } catch (error) {
          current.active.delete(streamId);
          if (this.#current === current) this.#current = undefined; // the next job tries again
          this.#wake();
          throw error;
        }
        return { pipeline, release: () => this.#release(current, streamId) };
      }
      if (current && current.active.size > 0) {
        await new Promise<void>((resolve) => this.#idle.push(resolve));
        continue;
      }
      this.#switching = this.#switch(current, key, model).finally(() => {
        this.#switching = undefined;
      });
    }
  }

  /** Stops the pipeline (its jobs must be done). */
  async close(): Promise<void> {
    await this.#switching;
    const current = this.#current;
    this.#current = undefined;
    await (await current?.pipeline.catch(() => undefined))?.stop();
  }

  async #switch(
    old: Current | undefined,
    key: string,
    model: Pick<DetectModelOptions, "manifest" | "postprocess">,
  ): Promise<void> {
    this.#current = undefined;
    await (await old?.pipeline.catch(() => undefined))?.stop();
    const pipeline = detectPipeline({ ...this.#defaults, ...model }, this.#roots, this.#ffmpeg);
    pipeline.catch(() => {}); // reported to the job that waits for it
    this.#current = { key, pipeline, active: new Set() };
  }

  #release(current: Current, streamId: string): void {
    current.active.delete(streamId);
    if (current.active.size === 0) this.#wake();
  }

  #wake(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
