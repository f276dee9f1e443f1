/**
 * Batch detection: runs the pipeline losslessly over video files, several at once up to
 * a concurrency, and writes each file's results (JSON Lines of result messages, COCO
 * results JSON, an annotated video) atomically: a file's outputs appear complete or not
 * at all. A file whose outputs exist is skipped unless `force`. An input that ends early
 * (a truncated file: its stream ends with a reason) keeps the outputs of the frames read
 * and is reported `incomplete`.
 *
 * @module
 */

import { basename, dirname, extname, join, relative } from "node:path";
import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import type { ProviderName } from "../inference/load_model.ts";
import type { PostprocessOptions } from "../inference/postprocess.ts";
import { resolvePipelineConfig } from "../pipeline/config.ts";
import { createPipeline, type Pipeline } from "../pipeline/pipeline.ts";
import { PipelineMetrics } from "../pipeline/metrics.ts";
import type { StreamResult } from "../pipeline/events.ts";
import { resultMessage } from "../pipeline/result_message.ts";
import { cocoResults } from "../sinks/coco_results.ts";
import { AtomicOutput } from "../sinks/atomic_file.ts";
import { AnnotatedVideoWriter } from "../sinks/annotated_video.ts";
import { drawOverlay } from "../sinks/overlay.ts";
import { writeAll } from "../sinks/write_all.ts";
import { inputNamePath } from "./expand_inputs.ts";

/** What to run and where to write. */
export interface DetectOptions {
  /** Absolute paths of the videos (see `expandInputs`). */
  inputs: string[];
  /** The model's manifest. */
  manifest: string;
  /** Folder of the outputs. */
  outDir: string;
  /** Outputs per input: `<name>.jsonl` and/or `<name>.coco.json` (names: see
   * {@link outputPaths}). */
  formats: ("jsonl" | "coco")[];
  /** Also write `<name>.annotated.mp4` (or this path, for a single input). */
  annotate?: boolean | string;
  /** Inputs at once (default 4). */
  concurrency?: number;
  /** Redo inputs whose outputs exist. */
  force?: boolean;
  providers?: ProviderName[];
  /** Frames per batch (default: the largest batch the model's graph accepts, at most 4;
   * more than it accepts is refused). */
  maxBatch?: number;
  postprocess?: Partial<PostprocessOptions>;
}

/**
 * How one input went: `done`, `skipped` (its outputs exist), `incomplete` (the input
 * ended early, e.g. a truncated file: the outputs of the frames read are written, and
 * `error` says why it ended) or `failed` (no output written).
 */
export interface InputOutcome {
  input: string;
  status: "done" | "skipped" | "incomplete" | "failed";
  frames: number;
  outputs: string[];
  error?: string;
}

/** Progress callbacks (the CLI draws bars from them). */
export interface DetectReporter {
  /** An input started; `totalFrames` when its duration and rate are known. */
  started(input: string, totalFrames: number | undefined): void;
  /** A frame of an input was written. */
  frame(input: string): void;
  finished(outcome: InputOutcome): void;
}

interface Job {
  input: string;
  streamId: string;
  outputs: OutputPaths;
  jsonl?: { out: AtomicOutput; file: Deno.FsFile };
  coco?: { out: AtomicOutput; file: Deno.FsFile; first: boolean };
  video?: AnnotatedVideoWriter;
  videoStart?: Promise<AnnotatedVideoWriter>;
  frames: number;
  chain: Promise<void>;
  failure?: string;
  reporter?: DetectReporter;
}

const encoder = new TextEncoder();

/** Where an input's outputs go. */
export interface OutputPaths {
  jsonl?: string;
  coco?: string;
  video?: string;
}

/**
 * The output paths of each input: `<out>/<name>.jsonl`, `.coco.json`, `.annotated.mp4`.
 * `<name>` is the input's file name without its extension (an image folder's name; an
 * image glob's folder name, see `inputNamePath`). Inputs of one run that share
 * a name keep the folders that tell them apart, below the folder they have in common
 * (`a/clip.mp4` and `b/clip.mp4` write `<out>/a/clip.jsonl` and `<out>/b/clip.jsonl`),
 * and their extension too when that is what differs (`clip.mp4.jsonl`, `clip.mkv.jsonl`).
 * A name depends only on the input's own path and on which inputs of the run share its
 * name, never on their order, so a run given the same inputs again finds its own outputs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const options = { outDir: "/out", formats: ["jsonl" as const] };
 * const paths = outputPaths(["/v/b/clip.mp4", "/v/a/clip.mkv", "/v/x.mp4"], options);
 * assert.deepEqual([...paths.values()].map((p) => p.jsonl), [
 *   "/out/b/clip.jsonl",
 *   "/out/a/clip.jsonl",
 *   "/out/x.jsonl",
 * ]);
 * ```
 */
export function outputPaths(
  inputs: readonly string[],
  options: Pick<DetectOptions, "outDir" | "formats" | "annotate">,
): Map<string, OutputPaths> {
  const names = outputNames(inputs);
  const out = new Map<string, OutputPaths>();
  for (const input of inputs) {
    const name = names.get(input)!;
    const paths: OutputPaths = {};
    if (options.formats.includes("jsonl")) paths.jsonl = join(options.outDir, `${name}.jsonl`);
    if (options.formats.includes("coco")) paths.coco = join(options.outDir, `${name}.coco.json`);
    if (options.annotate) {
      paths.video = typeof options.annotate === "string" && inputs.length === 1
        ? options.annotate
        : join(options.outDir, `${name}.annotated.mp4`);
    }
    out.set(input, paths);
  }
  return out;
}

/** Each input's output name (see {@link outputPaths}); names compared without case, as a
 * case-insensitive file system would. */
function outputNames(inputs: readonly string[]): Map<string, string> {
  // Image folders and globs are named after their folder (see `inputNamePath`).
  const at = new Map(inputs.map((input) => [input, inputNamePath(input)]));
  const path = (input: string) => at.get(input)!;
  const groups = new Map<string, string[]>();
  for (const input of inputs) {
    const key = basename(path(input), extname(path(input))).toLowerCase();
    groups.set(key, [...groups.get(key) ?? [], input]);
  }
  const names = new Map<string, string>();
  for (const group of groups.values()) {
    if (group.length === 1) {
      names.set(group[0], basename(path(group[0]), extname(path(group[0]))));
      continue;
    }
    const common = commonFolder(group.map((i) => dirname(path(i))));
    const named = (file: (input: string) => string) =>
      group.map((i) => join(relative(common, dirname(path(i))), file(path(i))));
    let candidates = named((i) => basename(i, extname(i)));
    if (!distinct(candidates)) candidates = named((i) => basename(i));
    group.forEach((input, i) => names.set(input, candidates[i]));
  }
  // What is left (a kept extension equal to another input's name, names that differ only
  // in case within one folder) gets a short hash of the input's path.
  const count = new Map<string, number>();
  for (const name of names.values()) {
    count.set(name.toLowerCase(), (count.get(name.toLowerCase()) ?? 0) + 1);
  }
  for (const [input, name] of names) {
    if (count.get(name.toLowerCase())! > 1) names.set(input, `${name}-${fnv1a(input)}`);
  }
  return names;
}

function distinct(names: string[]): boolean {
  return new Set(names.map((n) => n.toLowerCase())).size === names.length;
}

/** The deepest folder that holds every one of `folders` (absolute paths). */
function commonFolder(folders: string[]): string {
  const parts = folders.map((f) => f.split("/"));
  let n = 0;
  while (parts.every((p) => n < p.length && p[n] === parts[0][n])) n++;
  return parts[0].slice(0, n).join("/") || "/";
}

/** FNV-1a of a string, 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
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
    const outs = Object.values(paths.get(input)!) as string[];
    const done = !options.force && (await Promise.all(outs.map(exists))).every(Boolean);
    if (done) {
      const outcome: InputOutcome = { input, status: "skipped", frames: 0, outputs: outs };
      outcomes.set(input, outcome);
      reporter?.finished(outcome);
    } else todo.push(input);
  }
  if (todo.length > 0) {
    const roots = [...new Set(todo.map((i) => join(i, "..")))];
    const config = resolvePipelineConfig({
      models: {
        model: {
          manifest: options.manifest,
          providers: options.providers ?? ["cpu"],
          ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
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
    });
    const model = pipeline.models()[0];
    if (model.state !== "loaded") {
      await pipeline.stop();
      throw new Error(`${options.manifest}: the model failed to load: ${model.error}`);
    }
    const classes = model.classes;
    const jobs = new Map<string, Job>();
    const off = pipeline.on("result", (r) => {
      const job = jobs.get(r.streamId);
      if (job) job.chain = job.chain.then(() => writeResult(job, r, pipeline, classes, ffmpeg));
    });
    let next = 0;
    const concurrency = Math.max(1, options.concurrency ?? 4);
    const worker = async () => {
      while (next < todo.length && !signal?.aborted) {
        const input = todo[next];
        const job: Job = {
          input,
          streamId: `input-${next++}`,
          outputs: paths.get(input)!,
          frames: 0,
          chain: Promise.resolve(),
        };
        const outcome = await runJob(job, pipeline, jobs, reporter, signal);
        outcomes.set(input, outcome);
        reporter?.finished(outcome);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
    } finally {
      off();
      await pipeline.stop();
    }
  }
  return options.inputs.map((input) =>
    outcomes.get(input) ??
      { input, status: "failed", frames: 0, outputs: [], error: "interrupted" }
  );
}

async function runJob(
  job: Job,
  pipeline: Pipeline,
  jobs: Map<string, Job>,
  reporter: DetectReporter | undefined,
  signal: AbortSignal | undefined,
): Promise<InputOutcome> {
  const outs = Object.values(job.outputs) as string[];
  try {
    if (job.outputs.jsonl) {
      const out = await AtomicOutput.create(job.outputs.jsonl);
      const file = await Deno.open(out.tempPath, { write: true, create: true, truncate: true });
      job.jsonl = { out, file };
    }
    if (job.outputs.coco) {
      const out = await AtomicOutput.create(job.outputs.coco);
      const file = await Deno.open(out.tempPath, { write: true, create: true, truncate: true });
      await writeAll(file, encoder.encode("["));
      job.coco = { out, file, first: true };
    }
    jobs.set(job.streamId, job);
    await pipeline.addStream({ id: job.streamId, source: job.input, policy: "lossless" });
    const onAbort = () => pipeline.removeStream(job.streamId);
    signal?.addEventListener("abort", onAbort, { once: true });
    const opened = await waitOpened(pipeline, job.streamId);
    const input = opened?.input;
    const total = input?.fps && input.durationMs
      ? Math.round((input.durationMs / 1000) * input.fps)
      : undefined;
    reporter?.started(job.input, total);
    job.reporter = reporter;
    try {
      await pipeline.streamFinished(job.streamId);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    await job.chain;
    const info = pipeline.stream(job.streamId);
    await pipeline.removeStream(job.streamId);
    jobs.delete(job.streamId);
    if (signal?.aborted) throw new Error("interrupted");
    if (!info || info.state !== "ended") {
      throw new Error(info?.reason ?? `the input ${info?.state ?? "did not start"}`);
    }
    if (job.failure) throw new Error(job.failure);
    if (job.frames === 0) throw new Error(info.reason ?? "no frames decoded");
    if (job.jsonl) {
      job.jsonl.file.close();
      await job.jsonl.out.commit();
    }
    if (job.coco) {
      await writeAll(job.coco.file, encoder.encode("\n]\n"));
      job.coco.file.close();
      await job.coco.out.commit();
    }
    const video = await job.videoStart;
    if (video) await video.close();
    // Ended with a reason (a truncated input): the frames read are kept, and said so.
    return info.reason
      ? {
        input: job.input,
        status: "incomplete",
        frames: job.frames,
        outputs: outs,
        error: info.reason,
      }
      : { input: job.input, status: "done", frames: job.frames, outputs: outs };
  } catch (error) {
    jobs.delete(job.streamId);
    await pipeline.removeStream(job.streamId).catch(() => {});
    await job.chain.catch(() => {});
    for (const out of [job.jsonl, job.coco]) {
      try {
        out?.file.close();
      } catch {
        // closed already
      }
      await out?.out.abort();
    }
    const video = await job.videoStart?.catch(() => undefined);
    await video?.abort();
    return {
      input: job.input,
      status: "failed",
      frames: job.frames,
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

async function writeResult(
  job: Job,
  r: StreamResult,
  pipeline: Pipeline,
  classes: Parameters<typeof drawOverlay>[3],
  ffmpeg: FfmpegBinary,
): Promise<void> {
  if (job.failure) return;
  try {
    const message = resultMessage(r, pipeline.labels(r.model), { masks: true, panoptic: true });
    if (job.jsonl) await writeAll(job.jsonl.file, encoder.encode(JSON.stringify(message) + "\n"));
    if (job.coco) {
      for (const entry of cocoResults(message)) {
        const sep = job.coco.first ? "\n" : ",\n";
        job.coco.first = false;
        await writeAll(job.coco.file, encoder.encode(sep + JSON.stringify(entry)));
      }
    }
    if (job.outputs.video) {
      job.videoStart ??= (async () => {
        const info = pipeline.stream(job.streamId);
        return await AnnotatedVideoWriter.start(ffmpeg, {
          input: job.input,
          output: job.outputs.video!,
          width: r.width,
          height: r.height,
          fps: info?.input?.fps || 25,
        });
      })();
      const video = await job.videoStart;
      // Each overlay at its own frame's size (an input may change size; the writer
      // stretches it onto the picture). A frame that failed in the model still gets its
      // (empty) overlay: same frame count.
      const size = { width: r.width, height: r.height };
      while (job.frames < r.index) {
        await video.write(drawOverlay(emptyDetections, r.width, r.height, classes), size);
        job.frames++;
      }
      await video.write(drawOverlay(r.detections, r.width, r.height, classes), size);
    }
    job.frames = r.index + 1;
    job.reporter?.frame(job.input);
  } catch (error) {
    job.failure = `writing the outputs failed: ${(error as Error).message}`;
  }
}

const emptyDetections = {
  boxes: new Float32Array(0),
  scores: new Float32Array(0),
  classIds: new Int32Array(0),
};

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
