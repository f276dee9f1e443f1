/**
 * One input of a detect job: a lossless stream of the job's pipeline whose results are
 * written to the input's files (see `ResultFiles`), and how it went: `done`, `incomplete`
 * (it ended early: the frames read are kept) or `failed` (nothing is kept).
 *
 * @module
 */

import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import type { ClassSpec } from "../wire/manifest.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import type { StreamResult } from "../pipeline/events.ts";
import { outputList, type OutputPaths } from "./output_paths.ts";
import { ResultFiles } from "./result_files.ts";
import type { AnalyticsFields } from "../pipeline/stream_analytics_config.ts";

/**
 * How one input went: `done`, `skipped` (its outputs exist), `incomplete` (the input
 * ended early, e.g. a truncated file: the outputs of the frames read are written, and
 * `error` says why it ended) or `failed` (no output written).
 */
export interface InputOutcome {
  /** The input, as given. */
  input: string;
  /** How it went (see {@link InputOutcome}). */
  status: "done" | "skipped" | "incomplete" | "failed";
  /** Frames written (0 when skipped). */
  frames: number;
  /** The output paths in place (none when failed). */
  outputs: string[];
  /** Why it failed or ended early. */
  error?: string;
}

/** Progress callbacks (the CLI draws bars from them). */
export interface DetectReporter {
  /** An input started; `totalFrames` when its duration and rate are known. */
  started(input: string, totalFrames: number | undefined): void;
  /** A frame of an input was written. */
  frame(input: string): void;
  /** An input is done, skipped, incomplete or failed. */
  finished(outcome: InputOutcome): void;
}

/** Options of {@link detectInput}. */
export interface DetectInputOptions {
  /** The input (a video file, an image folder or glob). */
  input: string;
  /** Its stream's id in the pipeline (unique while it runs). */
  streamId: string;
  /** Where its outputs go. */
  paths: OutputPaths;
  /** The model's classes (the annotated video's colours and names). */
  classes: readonly ClassSpec[];
  /** A keypoint model's skeleton (the annotated video draws it). */
  skeleton?: readonly (readonly [number, number])[];
  /** Runs the annotated video's encoder. */
  ffmpeg: FfmpegBinary;
  /** Told when the input starts and of each frame written (not when it finishes). */
  reporter?: DetectReporter;
  /** Aborting it stops the input; it is then `failed` with "interrupted". */
  signal?: AbortSignal;
  /** Frames per second of an image folder or glob (default: the stream's, 25). */
  imageRate?: number;
  /** Track the input's objects (and count these lines and zones): the stream fields
   * `tracking`, `lines`, `zones` of a pipeline configuration. */
  analytics?: AnalyticsFields;
  /** Write the run's timings as zeros (see `ResultFilesOptions.reproducible`). */
  reproducible?: boolean;
}

/**
 * Runs one input through `pipeline` (a stream of its own, lossless) and writes every
 * result to the input's files, in frame order. Resolves, never rejects, once its stream
 * is removed: `done` with every output in place; `incomplete` when its stream ended with
 * a reason after some frames (a truncated file), the outputs of those frames in place;
 * `failed` when it failed before any frame, or writing failed, with no output left.
 *
 * @example
 * ```ts ignore
 * const outcome = await detectInput(pipeline, {
 *   input: "/videos/clip.mp4", streamId: "input-0", paths: { jsonl: "out/clip.jsonl" },
 *   classes: pipeline.models()[0].classes, ffmpeg,
 * });
 * if (outcome.status !== "done") console.error(`${outcome.input}: ${outcome.error}`);
 * ```
 */
export async function detectInput(
  pipeline: Pipeline,
  options: DetectInputOptions,
): Promise<InputOutcome> {
  const { input, streamId: id, signal } = options;
  let files: ResultFiles | undefined;
  let reporter: DetectReporter | undefined;
  let failure: string | undefined;
  // Results are written one at a time, in order; after a failure, no more.
  let chain = Promise.resolve();
  const write = async (r: StreamResult) => {
    if (failure) return;
    try {
      await files!.write(r);
      reporter?.frame(input);
    } catch (error) {
      failure = `writing the outputs failed: ${(error as Error).message}`;
    }
  };
  let off: (() => void) | undefined;
  let offEvents: (() => void) | undefined;
  try {
    files = await ResultFiles.open({
      input,
      paths: options.paths,
      labels: (model) => pipeline.labels(model),
      classes: options.classes,
      skeleton: options.skeleton,
      ffmpeg: options.ffmpeg,
      fps: () => pipeline.stream(id)?.input?.fps,
      reproducible: options.reproducible,
    });
    off = pipeline.on("result", (r) => {
      if (r.streamId === id) chain = chain.then(() => write(r));
    });
    offEvents = pipeline.on("event", (e) => {
      if (e.streamId !== id) return;
      chain = chain.then(async () => {
        if (!failure) await files!.writeEvent(e).catch((error) => failure ??= String(error));
      });
    });
    await pipeline.addStream({
      id,
      source: input,
      policy: "lossless",
      ...options.analytics,
      ...(options.imageRate === undefined ? {} : { imageRate: options.imageRate }),
    });
    const onAbort = () => pipeline.removeStream(id);
    signal?.addEventListener("abort", onAbort, { once: true });
    const opened = (await waitOpened(pipeline, id))?.input;
    const total = opened?.fps && opened.durationMs
      ? Math.round((opened.durationMs / 1000) * opened.fps)
      : undefined;
    options.reporter?.started(input, total);
    reporter = options.reporter;
    try {
      await pipeline.streamFinished(id);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    await chain;
    const info = pipeline.stream(id);
    const summary = info?.tracking && {
      input,
      frames: files.frames,
      tracking: info.tracking,
      ...pipeline.analyticsOf(id),
      counts: pipeline.counts(id),
    };
    await pipeline.removeStream(id);
    off();
    offEvents();
    if (signal?.aborted) throw new Error("interrupted");
    if (!info || info.state !== "ended") {
      throw new Error(info?.reason ?? `the input ${info?.state ?? "did not start"}`);
    }
    if (failure) throw new Error(failure);
    if (files.frames === 0) throw new Error(info.reason ?? "no frames decoded");
    await files.commit(summary);
    const outputs = outputList(options.paths);
    // Ended with a reason (a truncated input): the frames read are kept, and said so.
    return info.reason
      ? { input, status: "incomplete", frames: files.frames, outputs, error: info.reason }
      : { input, status: "done", frames: files.frames, outputs };
  } catch (error) {
    off?.();
    offEvents?.();
    await pipeline.removeStream(id).catch(() => {});
    await chain.catch(() => {});
    await files?.abort();
    return {
      input,
      status: "failed",
      frames: files?.frames ?? 0,
      outputs: [],
      error: (error as Error).message,
    };
  }
}

/** The stream once its source opened (or undefined when it failed first). */
async function waitOpened(pipeline: Pipeline, id: string) {
  for (;;) {
    const info = pipeline.stream(id);
    if (!info || ["failed", "ended", "stopped"].includes(info.state)) return info;
    if (info.input) return info;
    await new Promise((r) => setTimeout(r, 20));
  }
}
