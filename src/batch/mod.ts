/**
 * `streamdet/batch`: detection over video files, image folders and globs as a job
 * ({@link runDetect}, what `deno task detect` runs): every frame once, in order, written
 * as JSON Lines of result messages, COCO results and optionally an annotated video, each
 * output complete or absent. Needs what `./pipeline` and `./sinks` need. The same job
 * spread over machines: {@link submitDetect} puts its inputs on a NATS JetStream queue
 * ({@link JobQueue}), {@link runQueueWorker} takes and runs them (docs/distributed-detect.md).
 *
 * @example
 * ```ts ignore
 * import { resolveFfmpeg } from "../video/mod.ts";
 * import { expandInputs, runDetect } from "./mod.ts";
 * const outcomes = await runDetect({
 *   inputs: await expandInputs(["models/demo/street.mp4"]),
 *   manifest: "models/street-maskrcnn/manifest.json",
 *   outDir: "detections",
 *   formats: ["jsonl", "coco"],
 * }, await resolveFfmpeg({ env: Deno.env.toObject() }));
 * ```
 *
 * @module
 */

export { type DetectOptions, runDetect } from "./detect_job.ts";
export { type DetectReporter, type InputOutcome } from "./detect_input.ts";
export { type OutputPathOptions, type OutputPaths, outputPaths } from "./output_paths.ts";
export { expandInputs, VIDEO_EXTENSIONS } from "./expand_inputs.ts";
export { type QueueDetectOptions, submitDetect } from "./queue_submit.ts";
export {
  type DetectProgress,
  type QueueWorkerOptions,
  runQueueWorker,
  type WorkerTally,
} from "./queue_worker.ts";
export { type DetectJobMessage, parseDetectJob } from "./detect_job_message.ts";
export { JobQueue, JobQueueError, type JobQueueOptions } from "../cluster/job_queue.ts";
