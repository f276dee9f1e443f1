/**
 * A worker of distributed detect jobs (`deno task worker --queue URL`): takes jobs from
 * the queue, runs each one's input exactly as `detect` runs an input (`detectInput`, the
 * same pipeline, files and names), and answers it once its outputs are in place:
 *
 * - `done` or `incomplete` (a truncated input: the frames read are kept): the outcome is
 *   recorded and the job acked, after every output was renamed into place;
 * - `failed` (an input that cannot be decoded, a model that does not load, an input or
 *   output folder this worker cannot see): the outcome is recorded with the reason and the
 *   job terminated, never delivered again;
 * - interrupted (the worker is stopping): the job is given back at once for another worker.
 *
 * A job stays alive while it runs (see `TakenJob`); if this worker dies, it is delivered
 * again after the queue's ack wait. Outputs are written atomically (a hidden temporary file
 * renamed onto its path), so a job done twice (its first worker died after the rename and
 * before the ack) replaces complete files with complete files: never a corrupt one.
 *
 * @module
 */

import { dirname, resolve, sep } from "node:path";
import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import type { ProviderName } from "../inference/load_model.ts";
import type { JobQueue, TakenJob } from "../cluster/job_queue.ts";
import { detectInput, type DetectReporter, type InputOutcome } from "./detect_input.ts";
import { type DetectJobMessage, parseDetectJob } from "./detect_job_message.ts";
import { WorkerPipelines } from "./worker_pipelines.ts";

/** What a worker publishes while a job runs (a job's progress `detail`). */
export interface DetectProgress {
  /** Frames written so far. */
  frames: number;
  /** The input's frames, when its duration and rate are known. */
  totalFrames?: number;
}

/** Options of {@link runQueueWorker}. */
export interface QueueWorkerOptions {
  /** This worker's name in progress and outcomes (e.g. `host:pid`). */
  worker: string;
  /** Runs the decoders and the annotated videos' encoders. */
  ffmpeg: FfmpegBinary;
  /** Jobs at once (default 4), sharing one pipeline. */
  concurrency?: number;
  /** Folders the inputs and outputs must be in (default `["/"]`). */
  roots?: string[];
  /** Execution providers (default `["cpu"]`). */
  providers?: ProviderName[];
  /** A file that keeps the engine's measurements between runs. */
  tuningCache?: string;
  /** Told one line per job taken and answered (default: nothing). */
  log?: (line: string) => void;
}

/** How many jobs a worker answered, by answer. */
export interface WorkerTally {
  /** Completed, their outcome recorded by this worker. */
  completed: number;
  /** Failed, their outcome recorded by this worker. */
  failed: number;
  /** Given back (stopping, or a job of the same stream id running here). */
  released: number;
  /** Done again while another delivery of the job recorded its outcome first (this
   * worker stalled past the ack wait): acked, not recorded twice. */
  duplicates: number;
}

/**
 * Takes and runs jobs until `signal` aborts; then gives back the jobs it holds and
 * resolves with its tally.
 *
 * @example
 * ```ts ignore
 * const queue = await JobQueue.connect("nats://10.0.0.5:4222");
 * const stop = new AbortController();
 * Deno.addSignalListener("SIGTERM", () => stop.abort());
 * await runQueueWorker(queue, { worker: `${Deno.hostname()}:${Deno.pid}`, ffmpeg }, stop.signal);
 * await queue.close();
 * ```
 */
export async function runQueueWorker(
  queue: JobQueue,
  options: QueueWorkerOptions,
  signal: AbortSignal,
): Promise<WorkerTally> {
  const roots = (options.roots ?? ["/"]).map((r) => resolve(r));
  const pipelines = new WorkerPipelines(options.ffmpeg, {
    roots,
    ...(options.providers ? { providers: options.providers } : {}),
    ...(options.tuningCache ? { tuningCache: options.tuningCache } : {}),
  });
  const tally: WorkerTally = { completed: 0, failed: 0, released: 0, duplicates: 0 };
  const log = options.log ?? (() => {});
  const slot = async () => {
    while (!signal.aborted) {
      let job: TakenJob | undefined;
      try {
        job = await queue.take({ worker: options.worker, signal });
      } catch (error) {
        log(`cannot take a job (retrying in 1 s): ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (!job) continue;
      const name = `${job.run}.${job.job}`;
      try {
        const answer = await runJob(job, { ...options, roots, pipelines, signal, log });
        tally[answer]++;
      } catch (error) {
        const why = (error as Error).message;
        if (job.answered) {
          // The answer could not be sent (the server is gone): it comes back after the
          // ack wait.
          log(`${name}: cannot answer: ${why}`);
        } else {
          log(`${name}: FAILED: ${why}`);
          await job.fail(`worker ${options.worker} failed: ${why}`).catch(() => job!.abandon());
          tally.failed++;
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, slot));
  } finally {
    await pipelines.close();
  }
  return tally;
}

/** Runs one job and answers it; resolves with the answer. */
async function runJob(
  job: TakenJob,
  context: QueueWorkerOptions & {
    roots: string[];
    pipelines: WorkerPipelines;
    signal: AbortSignal;
    log: (line: string) => void;
  },
): Promise<keyof WorkerTally> {
  const name = `${job.run}.${job.job}`;
  const fail = async (reason: string, outcome?: InputOutcome) => {
    context.log(`${name}: FAILED: ${reason}`);
    return await job.fail(reason, outcome) ? "failed" as const : "duplicates" as const;
  };
  let message: DetectJobMessage;
  try {
    message = parseDetectJob(job.payload, `job ${name}`);
  } catch (error) {
    return await fail((error as Error).message);
  }
  context.log(`${name}: took ${message.input} (delivery ${job.deliveries})`);
  const unseen = await invisible(message, context.roots, context.worker);
  if (unseen) return await fail(unseen);
  let lease;
  try {
    lease = await context.pipelines.acquire(message, message.streamId);
  } catch (error) {
    return await fail((error as Error).message);
  }
  if (!lease) {
    await job.release(1000);
    return "released";
  }
  let outcome: InputOutcome;
  try {
    outcome = await detectInput(lease.pipeline, {
      input: message.input,
      streamId: message.streamId,
      paths: message.paths,
      classes: lease.pipeline.models()[0].classes,
      skeleton: lease.pipeline.models()[0].keypoints?.skeleton,
      ffmpeg: context.ffmpeg,
      reporter: progressOf(job),
      signal: context.signal,
      ...(message.imageRate === undefined ? {} : { imageRate: message.imageRate }),
      ...(message.analytics ? { analytics: message.analytics } : {}),
      ...(message.reproducible ? { reproducible: true } : {}),
    });
  } finally {
    lease.release();
  }
  if (outcome.status === "failed" && context.signal.aborted) {
    context.log(`${name}: given back (stopping)`);
    await job.release();
    return "released";
  }
  if (outcome.status === "failed") return await fail(outcome.error ?? "failed", outcome);
  // detectInput resolves after every output was renamed into place: only now the ack.
  const recorded = await job.complete(outcome);
  context.log(
    `${name}: ${outcome.status}, ${outcome.frames} frames` +
      (recorded ? "" : " (done again: another delivery of it recorded its outcome first)"),
  );
  return recorded ? "completed" : "duplicates";
}

/** Why this worker cannot do the job's input or outputs (not there, outside its roots),
 * or undefined. */
async function invisible(
  message: DetectJobMessage,
  roots: string[],
  worker: string,
): Promise<string | undefined> {
  const shared = "inputs and the output folder must be at the same paths on every worker " +
    "(a shared mount)";
  const inside = (path: string) =>
    roots.some((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
  const outputs = [message.outDir, ...Object.values(message.paths)].map((p) => resolve(p));
  const outside = outputs.find((p) => !inside(p));
  if (outside) {
    return `${outside}: outside the folders worker ${worker} writes to (${roots.join(", ")})`;
  }
  // An image folder is its own path; a glob's pictures are in its folder.
  const { input } = message;
  const probe = input.endsWith("/") || !/[*?]/.test(input) ? input : dirname(input);
  for (const [path, what] of [[probe, "input"], [message.outDir, "output folder"]]) {
    try {
      await Deno.stat(path);
    } catch (error) {
      return error instanceof Deno.errors.NotFound
        ? `${path}: the ${what} is not there on worker ${worker}: ${shared}`
        : `${path}: the ${what} cannot be read on worker ${worker}: ${(error as Error).message}`;
    }
  }
  return undefined;
}

/** A reporter that publishes the job's progress: when it starts, then its frame count at
 * most every 250 ms. */
function progressOf(job: TakenJob): DetectReporter {
  let frames = 0;
  let last = 0;
  return {
    started: (_input, totalFrames) => {
      last = performance.now();
      job.progress(
        totalFrames === undefined ? { frames: 0 } : { frames: 0, totalFrames } as DetectProgress,
      );
    },
    frame: () => {
      frames++;
      const now = performance.now();
      if (now - last < 250) return;
      last = now;
      job.progress({ frames } as DetectProgress);
    },
    finished: () => {},
  };
}
