/**
 * The names of a job queue on a NATS server: its two JetStream streams, its consumer and
 * the subjects of a run's jobs, progress and outcomes. Every name starts with a prefix
 * (default `streamdet`), so that queues sharing one server stay apart.
 *
 * | What              | Name                                | Kept                                 |
 * | ----------------- | ----------------------------------- | ------------------------------------ |
 * | a job             | `<prefix>.jobs.<run>.<job>`         | stream `<prefix>_jobs` (work queue)  |
 * | its progress      | `<prefix>.jobs.<run>.<job>.progress`| not kept (core NATS)                 |
 * | its outcome       | `<prefix>.jobs.<run>.<job>.done`    | stream `<prefix>_jobs_done` (7 days) |
 * | the workers       | consumer `workers` of `<prefix>_jobs` | durable, pull, explicit acks       |
 *
 * @module
 */

/** The default first token of every subject and stream name. */
export const DEFAULT_QUEUE_PREFIX = "streamdet";

/** A run id or job id: one subject token, kept short and plain. */
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** The streams and consumer of a queue. */
export interface JobQueueNames {
  /** The work-queue stream of jobs. */
  jobs: string;
  /** The stream of outcomes. */
  done: string;
  /** The durable consumer every worker pulls from. */
  consumer: string;
  /** The first token of the subjects. */
  prefix: string;
}

/**
 * The stream and consumer names of the queue under `prefix`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(jobQueueNames(), {
 *   jobs: "streamdet_jobs", done: "streamdet_jobs_done", consumer: "workers", prefix: "streamdet",
 * });
 * ```
 */
export function jobQueueNames(prefix: string = DEFAULT_QUEUE_PREFIX): JobQueueNames {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(prefix)) {
    throw new RangeError(
      `jobQueueNames(): prefix: expected 1 to 32 letters, digits, _ or -, found ${
        JSON.stringify(prefix)
      }`,
    );
  }
  return { jobs: `${prefix}_jobs`, done: `${prefix}_jobs_done`, consumer: "workers", prefix };
}

/**
 * Throws a `RangeError` unless `value` can be a run or job id (1 to 64 letters, digits,
 * `_` or `-`: one subject token).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkJobToken("run", "a1b2");
 * assert.throws(() => checkJobToken("job", "a.b"), {
 *   message: 'job: expected 1 to 64 letters, digits, _ or -, found "a.b"',
 * });
 * ```
 */
export function checkJobToken(what: string, value: string): void {
  if (typeof value !== "string" || !TOKEN.test(value)) {
    throw new RangeError(
      `${what}: expected 1 to 64 letters, digits, _ or -, found ${JSON.stringify(value)}`,
    );
  }
}

/**
 * The subject of a job, or of its progress or outcome; `job` may be `*` (every job of the
 * run, for subscriptions).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(jobSubject("streamdet", "r1", "3"), "streamdet.jobs.r1.3");
 * assert.equal(jobSubject("streamdet", "r1", "*", "done"), "streamdet.jobs.r1.*.done");
 * ```
 */
export function jobSubject(
  prefix: string,
  run: string,
  job: string,
  kind?: "progress" | "done",
): string {
  return `${prefix}.jobs.${run}.${job}${kind ? `.${kind}` : ""}`;
}

/**
 * The run and job of a job, progress or outcome subject under `prefix`, or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseJobSubject("streamdet", "streamdet.jobs.r1.3.done"), { run: "r1", job: "3" });
 * assert.equal(parseJobSubject("streamdet", "other.jobs.r1.3"), undefined);
 * ```
 */
export function parseJobSubject(
  prefix: string,
  subject: string,
): { run: string; job: string } | undefined {
  const parts = subject.split(".");
  if (parts[0] !== prefix || parts[1] !== "jobs" || parts.length < 4 || parts.length > 5) {
    return undefined;
  }
  if (parts.length === 5 && parts[4] !== "progress" && parts[4] !== "done") return undefined;
  return TOKEN.test(parts[2]) && TOKEN.test(parts[3])
    ? { run: parts[2], job: parts[3] }
    : undefined;
}

/**
 * A new run id: 12 random hex digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(newRunId(), /^[0-9a-f]{12}$/);
 * ```
 */
export function newRunId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}
