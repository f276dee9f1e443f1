/**
 * Batch detection: runs the pipeline losslessly over video files, several at once up to
 * a concurrency, and writes each file's results (JSON Lines of result messages, COCO
 * results JSON, an annotated video) atomically: a file's outputs appear complete or not
 * at all. A file whose outputs exist is skipped unless `force`. An input that ends early
 * (a truncated file: its stream ends with a reason) keeps the outputs of the frames read
 * and is reported `incomplete`.
 *
 * The parts: where outputs go (`output_paths.ts`), one input's files and how a result is
 * written to them (`result_files.ts`), one input run as a stream and its outcome
 * (`detect_input.ts`); {@link runDetect} wires them over every input.
 *
 * @module
 */

import { join } from "node:path";
import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import type { ProviderName } from "../inference/load_model.ts";
import type { PostprocessOptions } from "../inference/postprocess.ts";
import { detectPipeline } from "./detect_pipeline.ts";
import { detectInput, type DetectReporter, type InputOutcome } from "./detect_input.ts";
import { outputList, type OutputPathOptions, outputPaths, outputsExist } from "./output_paths.ts";
import type { AnalyticsFields } from "../pipeline/stream_analytics_config.ts";

export type { DetectReporter, InputOutcome } from "./detect_input.ts";
export { type OutputPaths, outputPaths } from "./output_paths.ts";

/** What to run and where to write (the output folder, formats and annotated video: see
 * {@link OutputPathOptions}). */
export interface DetectOptions extends OutputPathOptions {
  /** Absolute paths of the videos (see `expandInputs`). */
  inputs: string[];
  /** The model's manifest. */
  manifest: string;
  /** Inputs at once (default 4). */
  concurrency?: number;
  /** Redo inputs whose outputs exist. */
  force?: boolean;
  /** Execution providers, first that starts (default `["cpu"]`). */
  providers?: ProviderName[];
  /** Frames per batch (default `"auto"`: measured at load among the batches the graph
   * accepts, at most 4; more than it accepts is refused). */
  maxBatch?: number | "auto";
  /** Worker sessions of the model (default `"auto"`: measured at load). */
  sessions?: number | "auto";
  /** A file that keeps the tuning's measurements between runs (default none; the CLI
   * passes `defaultTuningCache()`). */
  tuningCache?: string;
  /** Overrides of the manifest's post-processing defaults. */
  postprocess?: Partial<PostprocessOptions>;
  /** Frames per second of the image folders and globs among the inputs (default 25). */
  imageRate?: number;
  /** Track every input (with `track: true`), and count these lines and zones. */
  analytics?: AnalyticsFields;
  /** Write the run's timings as zeros (see `ResultFilesOptions.reproducible`). */
  reproducible?: boolean;
}

/**
 * Runs detection over `options.inputs`; resolves with one outcome per input, in input
 * order. One input failing never stops the others. An input whose stream ends with a
 * reason after some frames (a truncated file) keeps the outputs of those frames and is
 * `incomplete`; one that fails before any frame (no video stream, not a video) writes
 * nothing and is `failed`.
 *
 * @example
 * ```ts ignore
 * const outcomes = await runDetect({ inputs, manifest, outDir: "out", formats: ["jsonl", "coco"] }, ffmpeg);
 * if (outcomes.some((o) => o.status === "failed" || o.status === "incomplete")) Deno.exit(1);
 * ```
 */
export async function runDetect(
  options: DetectOptions,
  ffmpeg: FfmpegBinary,
  reporter?: DetectReporter,
  signal?: AbortSignal,
): Promise<InputOutcome[]> {
  await Deno.mkdir(options.outDir, { recursive: true });
  const paths = outputPaths(options.inputs, options);
  const outcomes = new Map<string, InputOutcome>();
  const todo: string[] = [];
  for (const input of options.inputs) {
    if (!options.force && await outputsExist(paths.get(input)!)) {
      const outputs = outputList(paths.get(input)!);
      const outcome: InputOutcome = { input, status: "skipped", frames: 0, outputs };
      outcomes.set(input, outcome);
      reporter?.finished(outcome);
    } else todo.push(input);
  }
  if (todo.length > 0) {
    // The inputs' folders are the sources' roots.
    const roots = [...new Set(todo.map((i) => join(i, "..")))];
    const pipeline = await detectPipeline(options, roots, ffmpeg);
    const classes = pipeline.models()[0].classes;
    const skeleton = pipeline.models()[0].keypoints?.skeleton;
    let next = 0;
    const concurrency = Math.max(1, options.concurrency ?? 4);
    const worker = async () => {
      while (next < todo.length && !signal?.aborted) {
        const input = todo[next];
        const outcome = await detectInput(pipeline, {
          input,
          streamId: `input-${next++}`,
          paths: paths.get(input)!,
          classes,
          skeleton,
          ffmpeg,
          reporter,
          signal,
          ...(options.imageRate === undefined ? {} : { imageRate: options.imageRate }),
          ...(options.track ? { analytics: options.analytics ?? { tracking: true } } : {}),
          ...(options.reproducible ? { reproducible: true } : {}),
        });
        outcomes.set(input, outcome);
        reporter?.finished(outcome);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
    } finally {
      await pipeline.stop();
    }
  }
  return options.inputs.map((input) =>
    outcomes.get(input) ??
      { input, status: "failed", frames: 0, outputs: [], error: "interrupted" }
  );
}
