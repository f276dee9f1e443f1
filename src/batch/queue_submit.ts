/**
 * Submitting a detect run to a job queue (`deno task detect --queue URL`): the inputs are
 * named and skipped as `runDetect` names and skips them, each remaining one becomes a job
 * (see `DetectJobMessage`) for the workers, and the run's progress and outcomes come back
 * from the queue until every job has its outcome. Outcomes are the workers' own
 * `InputOutcome`s, so the run reports and exits as a single-machine run does.
 *
 * @module
 */

import { resolve } from "node:path";
import { DEFAULT_MAX_DELIVER, type JobOutcome, type JobQueue } from "../cluster/job_queue.ts";
import { newRunId } from "../cluster/job_queue.ts";
import type { PostprocessOptions } from "../inference/postprocess.ts";
import type { AnalyticsFields } from "../pipeline/stream_analytics_config.ts";
import type { DetectReporter, InputOutcome } from "./detect_input.ts";
import type { DetectJobMessage } from "./detect_job_message.ts";
import type { DetectProgress } from "./queue_worker.ts";
import { outputList, type OutputPathOptions, outputPaths, outputsExist } from "./output_paths.ts";

/** What to submit: `DetectOptions` without what belongs to the workers (concurrency,
 * providers, tuning), with the queue's delivery limit. */
export interface QueueDetectOptions extends OutputPathOptions {
  /** Absolute paths of the inputs (see `expandInputs`), on the shared mount. */
  inputs: string[];
  /** The model's manifest, on the shared mount. */
  manifest: string;
  /** Redo inputs whose outputs exist. */
  force?: boolean;
  /** Overrides of the manifest's post-processing defaults. */
  postprocess?: Partial<PostprocessOptions>;
  /** Frames per second of the image folders and globs among the inputs (default 25). */
  imageRate?: number;
  /** Track every input (with `track: true`), and count these lines and zones. */
  analytics?: AnalyticsFields;
  /** Deliveries of a job before it fails (default 3): a job whose workers keep dying. */
  maxDeliver?: number;
  /** Write the run's timings as zeros (see `ResultFilesOptions.reproducible`). */
  reproducible?: boolean;
}

/**
 * Submits one job per input that has no outputs yet (all of them with `force`) and
 * resolves, once every job has its outcome, with one outcome per input in input order
 * (`skipped` for those not submitted). `reporter` hears the workers' progress. Aborting
 * `signal` removes the jobs no worker took and resolves at once, the inputs without an
 * outcome `failed` ("interrupted").
 *
 * @example
 * ```ts ignore
 * const queue = await JobQueue.connect("nats://10.0.0.5:4222");
 * const outcomes = await submitDetect(queue, {
 *   inputs: await expandInputs(["/shared/videos"]), manifest: "/shared/models/street-maskrcnn/manifest.json",
 *   outDir: "/shared/detections", formats: ["jsonl", "coco"],
 * });
 * await queue.close();
 * ```
 */
export async function submitDetect(
  queue: JobQueue,
  options: QueueDetectOptions,
  reporter?: DetectReporter,
  signal?: AbortSignal,
): Promise<InputOutcome[]> {
  // Workers run elsewhere: every path they are given is absolute.
  const outDir = resolve(options.outDir);
  const annotate = typeof options.annotate === "string"
    ? resolve(options.annotate)
    : options.annotate;
  const manifest = resolve(options.manifest);
  try {
    await Deno.stat(manifest);
  } catch {
    throw new Error(`${manifest}: expected a model manifest, found nothing there`);
  }
  await Deno.mkdir(outDir, { recursive: true });
  const paths = outputPaths(options.inputs, { ...options, outDir, annotate });
  const outcomes = new Map<string, InputOutcome>();
  const todo: string[] = [];
  for (const input of options.inputs) {
    if (!options.force && await outputsExist(paths.get(input)!)) {
      const outcome: InputOutcome = {
        input,
        status: "skipped",
        frames: 0,
        outputs: outputList(paths.get(input)!),
      };
      outcomes.set(input, outcome);
      reporter?.finished(outcome);
    } else todo.push(input);
  }
  if (todo.length > 0 && !signal?.aborted) {
    const jobs = todo.map((input, k): [string, DetectJobMessage] => [String(k), {
      v: 1,
      input,
      // As runDetect numbers the streams of the inputs it runs.
      streamId: `input-${k}`,
      outDir,
      paths: paths.get(input)!,
      manifest,
      postprocess: options.postprocess ?? {},
      ...(options.imageRate === undefined ? {} : { imageRate: options.imageRate }),
      ...(options.track ? { analytics: options.analytics ?? { tracking: true } } : {}),
      ...(options.reproducible ? { reproducible: true } : {}),
    }]);
    await runJobs(queue, new Map(jobs), outcomes, options.maxDeliver, reporter, signal);
  }
  return options.inputs.map((input) =>
    outcomes.get(input) ??
      { input, status: "failed", frames: 0, outputs: [], error: "interrupted" }
  );
}

/** Submits `jobs` as one run and fills `outcomes` until each has one (or `signal`). */
async function runJobs(
  queue: JobQueue,
  jobs: Map<string, DetectJobMessage>,
  outcomes: Map<string, InputOutcome>,
  maxDeliver = DEFAULT_MAX_DELIVER,
  reporter?: DetectReporter,
  signal?: AbortSignal,
): Promise<void> {
  const run = newRunId();
  let left = jobs.size;
  let allDone!: () => void;
  const finished = new Promise<void>((r) => allDone = r);
  /** Frames reported per job (a redelivered job counts again from 0: only more is new). */
  const frames = new Map<string, number>();
  const feed = (job: string, input: string, to: number) => {
    for (let f = frames.get(job) ?? 0; f < to; f++) reporter?.frame(input);
    frames.set(job, Math.max(to, frames.get(job) ?? 0));
  };
  const watch = await queue.watch(run, {
    progress: ({ job, detail }) => {
      const input = jobs.get(job)?.input;
      if (!input || outcomes.has(input)) return;
      const { frames: n, totalFrames } = detail as DetectProgress;
      if (!frames.has(job)) {
        frames.set(job, 0);
        reporter?.started(input, totalFrames);
      }
      feed(job, input, n);
    },
    outcome: (o) => {
      const input = jobs.get(o.job)?.input;
      if (!input || outcomes.has(input)) return;
      const outcome = inputOutcome(o, input);
      if (frames.has(o.job)) feed(o.job, input, outcome.frames);
      outcomes.set(input, outcome);
      reporter?.finished(outcome);
      if (--left === 0) allDone();
    },
  });
  const onAbort = () => allDone();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (const [job, message] of jobs) {
      if (signal?.aborted) break;
      await queue.submit(run, job, message, { maxDeliver });
    }
    await finished;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (signal?.aborted) await queue.cancel(run).catch(() => 0);
    await watch.close();
  }
}

/** The input's outcome from its job's: the worker's own when it gave one, else failed
 * with the queue's reason (e.g. delivered too often). */
function inputOutcome(o: JobOutcome, input: string): InputOutcome {
  const detail = o.detail as InputOutcome | undefined;
  if (detail && typeof detail.status === "string") return { ...detail, input };
  return { input, status: "failed", frames: 0, outputs: [], error: o.reason ?? o.state };
}
