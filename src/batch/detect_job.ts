/**
 * Batch detection: runs the pipeline losslessly over video files, several at once up to
 * a concurrency, and writes each file's results (JSON Lines of result messages, COCO
 * results JSON, an annotated video) atomically: a file's outputs appear complete or not
 * at all. A file whose outputs exist is skipped unless `force`.
 *
 * @module
 */

import { basename, extname, join } from "node:path";
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

/** What to run and where to write. */
export interface DetectOptions {
  /** Absolute paths of the videos (see `expandInputs`). */
  inputs: string[];
  /** The model's manifest. */
  manifest: string;
  /** Folder of the outputs. */
  outDir: string;
  /** Outputs per input: `<name>.jsonl` and/or `<name>.coco.json`. */
  formats: ("jsonl" | "coco")[];
  /** Also write `<name>.annotated.mp4` (or this path, for a single input). */
  annotate?: boolean | string;
  /** Inputs at once (default 4). */
  concurrency?: number;
  /** Redo inputs whose outputs exist. */
  force?: boolean;
  providers?: ProviderName[];
  maxBatch?: number;
  postprocess?: Partial<PostprocessOptions>;
}

/** How one input went. */
export interface InputOutcome {
  input: string;
  status: "done" | "skipped" | "failed";
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
 * The output paths of each input: `<out>/<name>.jsonl`, `.coco.json`, `.annotated.mp4`,
 * names made unique when two inputs share one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const paths = outputPaths(["/a/clip.mp4", "/b/clip.mkv"], { outDir: "/out", formats: ["jsonl"] });
 * assert.deepEqual([...paths.values()], [{ jsonl: "/out/clip.jsonl" }, { jsonl: "/out/clip-2.jsonl" }]);
 * ```
 */
export function outputPaths(
  inputs: readonly string[],
  options: Pick<DetectOptions, "outDir" | "formats" | "annotate">,
): Map<string, OutputPaths> {
  const used = new Map<string, number>();
  const out = new Map<string, OutputPaths>();
  for (const input of inputs) {
    let name = basename(input, extname(input));
    const n = used.get(name) ?? 0;
    used.set(name, n + 1);
    if (n > 0) name = `${name}-${n + 1}`;
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

/**
 * Runs detection over `options.inputs`; resolves with one outcome per input, in input
 * order. One input failing never stops the others.
 *
 * @example
 * ```ts ignore
 * const outcomes = await runDetect({ inputs, manifest, outDir: "out", formats: ["jsonl", "coco"] }, ffmpeg);
 * if (outcomes.some((o) => o.status === "failed")) Deno.exit(1);
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
          maxBatch: options.maxBatch ?? 4,
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
    if (!info || info.state !== "ended" || info.reason) {
      throw new Error(info?.reason ?? `the input ${info?.state ?? "did not start"}`);
    }
    if (job.failure) throw new Error(job.failure);
    if (job.frames === 0) throw new Error("no frames decoded");
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
    return { input: job.input, status: "done", frames: job.frames, outputs: outs };
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
      // A frame that failed in the model still gets its (empty) overlay: same frame count.
      while (job.frames < r.index) {
        await video.write(drawOverlay(emptyDetections, r.width, r.height, classes));
        job.frames++;
      }
      await video.write(drawOverlay(r.detections, r.width, r.height, classes));
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
