/**
 * The pipeline a detect job runs its inputs through: its one model (named `model` in the
 * result messages) loaded with the job's post-processing, no stream yet, its sources
 * confined to given folders. `runDetect` makes one per job; a queue worker keeps one per
 * model and options for the jobs it takes.
 *
 * @module
 */

import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import type { ProviderName } from "../inference/load_model.ts";
import type { PostprocessOptions } from "../inference/postprocess.ts";
import { resolvePipelineConfig } from "../pipeline/config.ts";
import { createPipeline, type Pipeline } from "../pipeline/pipeline.ts";
import { PipelineMetrics } from "../pipeline/metrics.ts";

/** The model part of a detect job (see `DetectOptions`). */
export interface DetectModelOptions {
  /** The model's manifest. */
  manifest: string;
  /** Execution providers, first that starts (default `["cpu"]`). */
  providers?: ProviderName[];
  /** Frames per batch (default `"auto"`). */
  maxBatch?: number | "auto";
  /** Worker sessions of the model (default `"auto"`). */
  sessions?: number | "auto";
  /** A file that keeps the tuning's measurements between runs (default none). */
  tuningCache?: string;
  /** Overrides of the manifest's post-processing defaults. */
  postprocess?: Partial<PostprocessOptions>;
}

/**
 * The job's pipeline: its one model loaded, no stream yet; `roots` are its sources' roots
 * (a source outside them is refused). Throws when the model fails to load.
 *
 * @example
 * ```ts ignore
 * const pipeline = await detectPipeline({ manifest: "models/street-maskrcnn/manifest.json" }, ["/videos"], ffmpeg);
 * const classes = pipeline.models()[0].classes;
 * await pipeline.stop();
 * ```
 */
export async function detectPipeline(
  options: DetectModelOptions,
  roots: string[],
  ffmpeg: FfmpegBinary,
): Promise<Pipeline> {
  const config = resolvePipelineConfig({
    models: {
      model: {
        manifest: options.manifest,
        providers: options.providers ?? ["cpu"],
        // The engine tunes itself unless told: sessions and batch measured at load.
        sessions: options.sessions ?? "auto",
        maxBatch: options.maxBatch ?? "auto",
        maxWaitMs: 20,
        postprocess: options.postprocess ?? {},
      },
    },
    streams: [],
    sources: { roots },
  }, { name: "detect", baseDir: Deno.cwd() });
  const pipeline = await createPipeline(config, {
    ffmpeg,
    metrics: new PipelineMetrics({ collectDefault: false }),
    onWarning: () => {},
    tuningCache: options.tuningCache,
  });
  const model = pipeline.models()[0];
  if (model.state !== "loaded") {
    await pipeline.stop();
    throw new Error(`${options.manifest}: the model failed to load: ${model.error}`);
  }
  return pipeline;
}
