/**
 * The command line's `worker` (take detect jobs from a NATS JetStream work queue) and the
 * queue flags of `detect --queue`: see docs/distributed-detect.md.
 *
 * @module
 */

import { defaultTuningCache } from "./inference/tuning_cache.ts";
import { resolveFfmpeg } from "./video/ffmpeg_binary.ts";
import { handOverSignals } from "./video/child_registry.ts";
import { runQueueWorker } from "./batch/queue_worker.ts";
import { JobQueue } from "./cluster/job_queue.ts";
import { parseQueueUrl, redactUrl } from "./cluster/queue_url.ts";

/**
 * `--queue`, `--max-deliver` and `--ack-wait` of detect: undefined without `--queue`, or
 * a usage error's message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(queueFlags({}), undefined);
 * assert.deepEqual(queueFlags({ queue: "nats://127.0.0.1:4222" }), { url: "nats://127.0.0.1:4222", maxDeliver: 3 });
 * assert.equal(queueFlags({ "max-deliver": "2" }), "--max-deliver: only with --queue");
 * ```
 */
export function queueFlags(
  values: Record<string, string | boolean | string[] | undefined>,
): { url: string; maxDeliver: number; ackWaitMs?: number } | string | undefined {
  const url = values.queue as string | undefined;
  if (url === undefined) {
    const alone = ["max-deliver", "ack-wait"].find((f) => values[f] !== undefined);
    return alone ? `--${alone}: only with --queue` : undefined;
  }
  try {
    parseQueueUrl(url);
  } catch (error) {
    return `--queue: ${(error as Error).message}`;
  }
  if (values.concurrency !== undefined) {
    return "--concurrency: with --queue, each worker has its own (deno task worker --concurrency N)";
  }
  const maxDeliver = Number(values["max-deliver"] ?? 3);
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1) {
    return `--max-deliver: expected an integer >= 1, found "${values["max-deliver"]}"`;
  }
  const ackWait = values["ack-wait"] === undefined ? undefined : Number(values["ack-wait"]);
  if (ackWait !== undefined && !(ackWait >= 0.1 && ackWait <= 86_400)) {
    return `--ack-wait: expected seconds in [0.1, 86400], found "${values["ack-wait"]}"`;
  }
  return { url, maxDeliver, ...(ackWait === undefined ? {} : { ackWaitMs: ackWait * 1000 }) };
}

/** Flags of detect that describe the job: the submitter's, carried by each job. */
const JOB_FLAGS = [
  "out",
  "format",
  "annotate",
  "annotate-to",
  "track",
  "analytics",
  "model",
  "nms",
  "score",
  "image-rate",
  "force",
  "reproducible",
  "max-deliver",
  "ack-wait",
];

/**
 * `worker`: takes detect jobs from a queue until SIGINT / SIGTERM (then gives back the
 * jobs it holds; exit 0); 1 when the queue cannot be reached. `usage` prints a usage error
 * and gives its exit code.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await worker([], { queue: "nats://127.0.0.1:4222" }, (m) => (console.error(m), 2)));
 * ```
 */
export async function worker(
  args: string[],
  values: Record<string, string | boolean | string[] | undefined>,
  usage: (message: string) => number,
): Promise<number> {
  if (args.length > 0) {
    return usage(`worker takes no inputs (the jobs carry them), found "${args[0]}"`);
  }
  const flag = JOB_FLAGS.find((f) => values[f] !== undefined);
  if (flag) {
    return usage(
      `--${flag}: belongs to the submitter (deno task detect --queue URL --${flag} ...): every job carries its model, options and outputs`,
    );
  }
  const url = values.queue as string | undefined;
  if (url === undefined) return usage("worker needs --queue nats://host:4222");
  try {
    parseQueueUrl(url);
  } catch (error) {
    return usage(`--queue: ${(error as Error).message}`);
  }
  const concurrency = Number(values.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    return usage(`--concurrency: expected an integer >= 1, found "${values.concurrency}"`);
  }
  const roots = (values.root as string[] | undefined) ?? ["/"];
  for (const root of roots) {
    if (!(await Deno.stat(root).catch(() => undefined))?.isDirectory) {
      return usage(`--root: expected a folder, found nothing there: "${root}"`);
    }
  }
  const name = `${Deno.hostname()}:${Deno.pid}`;
  let queue: JobQueue;
  try {
    queue = await JobQueue.connect(url, { name: `streamdet worker ${name}` });
  } catch (error) {
    console.error(`error: --queue: ${(error as Error).message}`);
    return 1;
  }
  const ffmpeg = await resolveFfmpeg({ env: Deno.env.toObject() });
  const controller = new AbortController();
  handOverSignals();
  const onSignal = () => controller.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const log = (line: string) => console.error(`worker ${name}: ${line}`);
  log(`taking jobs from ${redactUrl(url)} (${concurrency} at once)`);
  try {
    const tally = await runQueueWorker(queue, {
      worker: name,
      ffmpeg,
      concurrency,
      roots,
      tuningCache: defaultTuningCache(),
      log,
    }, controller.signal);
    log(
      `stopped: ${tally.completed} completed, ${tally.failed} failed, ` +
        `${tally.released} given back, ${tally.duplicates} done twice`,
    );
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    await queue.close();
  }
  return 0;
}
