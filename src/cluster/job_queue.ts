/**
 * A job queue on NATS JetStream, the transport of distributed batch jobs and nothing
 * more: it moves JSON payloads, never looks into them.
 *
 * - Jobs go to a work-queue stream; every worker pulls from its one durable consumer, so
 *   each job is delivered to one worker at a time and removed once acked or terminated.
 * - A taken job is kept alive by its worker (`working()`); a worker that dies stops doing
 *   so and the job is delivered again after the consumer's ack wait. The submitter says
 *   how many deliveries a job gets (a header); the delivery after the last is failed by
 *   whichever worker receives it, so a job that kills its workers is not retried forever.
 * - Outcomes are recorded in a second stream, once per job (deduplicated by the message
 *   id, and a redelivered job whose outcome is recorded is acked without being done
 *   again); progress goes on a plain subject. The submitter watches both.
 *
 * Names and subjects: see `job_subjects.ts`.
 *
 * @module
 */

import { connect, headers, millis, nanos, type NatsConnection } from "@nats-io/transport-node";
import {
  type Consumer,
  jetstream,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { StreamdetError } from "../errors.ts";
import { parseQueueUrl, redactUrl } from "./queue_url.ts";
import {
  checkJobToken,
  type JobQueueNames,
  jobQueueNames,
  jobSubject,
  parseJobSubject,
} from "./job_subjects.ts";
import { type JobChannel, type JobOutcome, TakenJob } from "./taken_job.ts";
import { ensureQueue } from "./queue_setup.ts";
import { type JobWatch, type JobWatchHandlers, watchRun } from "./job_watch.ts";

export type { JobOutcome, JobProgress } from "./taken_job.ts";
export type { JobWatch, JobWatchHandlers } from "./job_watch.ts";
export { newRunId } from "./job_subjects.ts";
export { TakenJob } from "./taken_job.ts";

/** The queue cannot be reached or set up (the message names the server). */
export class JobQueueError extends StreamdetError {}

/** The header that carries a job's allowed deliveries. */
const MAX_DELIVER_HEADER = "Streamdet-Max-Deliver";
/** Deliveries of a job when the submitter does not say. */
export const DEFAULT_MAX_DELIVER = 3;
/** The consumer's ack wait when the queue is created without one, ms. */
export const DEFAULT_ACK_WAIT_MS = 30_000;

/** Options of {@link JobQueue.connect}. */
export interface JobQueueOptions {
  /** The connection's name on the server (default `streamdet`). */
  name?: string;
  /** The ack wait the consumer must have, ms: set when the queue is created, updated
   * when it differs (default: as it is, 30 000 for a new queue). */
  ackWaitMs?: number;
  /** First token of the names (default `streamdet`). */
  prefix?: string;
  /** How long the first connection may take, ms (default 10 000). */
  connectTimeoutMs?: number;
}

/**
 * A connection to the job queue of a NATS server (JetStream on), with its streams and
 * consumer created when missing.
 *
 * @example
 * ```ts ignore
 * const queue = await JobQueue.connect("nats://127.0.0.1:4222");
 * const run = newRunId();
 * const watch = await queue.watch(run, { outcome: (o) => console.log(o.job, o.state) });
 * await queue.submit(run, "0", { input: "/shared/a.mp4" });
 * const job = await queue.take({ worker: "me" });
 * await job?.complete({ frames: 30 });
 * await watch.close();
 * await queue.close();
 * ```
 */
export class JobQueue {
  /** Its streams, consumer and prefix. */
  readonly names: JobQueueNames;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #consumer: Consumer;
  readonly #taken = new Set<TakenJob>();
  /** The stream sequence of each job this connection submitted, by run. */
  readonly #submitted = new Map<string, number[]>();
  #ackWaitMs: number;

  private constructor(
    nc: NatsConnection,
    jsm: JetStreamManager,
    consumer: Consumer,
    names: JobQueueNames,
    ackWaitMs: number,
  ) {
    this.#nc = nc;
    this.#jsm = jsm;
    this.#js = jetstream(nc);
    this.#consumer = consumer;
    this.names = names;
    this.#ackWaitMs = ackWaitMs;
  }

  /** Connects to `url` (see `parseQueueUrl`) and sets the queue up. Throws a `RangeError`
   * for a malformed URL, a {@link JobQueueError} naming the URL when the server cannot be
   * reached or has no JetStream. */
  static async connect(url: string, options: JobQueueOptions = {}): Promise<JobQueue> {
    const servers = parseQueueUrl(url);
    const names = jobQueueNames(options.prefix);
    const where = redactUrl(url);
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers,
        name: options.name ?? "streamdet",
        maxReconnectAttempts: -1,
        timeout: options.connectTimeoutMs ?? 10_000,
      });
    } catch (error) {
      throw new JobQueueError(
        `cannot reach the NATS server at ${where}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    try {
      const { jsm, ackWaitNs } = await ensureQueue(nc, names, {
        ackWaitNs: options.ackWaitMs === undefined ? undefined : nanos(options.ackWaitMs),
        defaultAckWaitNs: nanos(DEFAULT_ACK_WAIT_MS),
      });
      const consumer = await jetstream(nc).consumers.get(names.jobs, names.consumer);
      return new JobQueue(nc, jsm, consumer, names, millis(ackWaitNs));
    } catch (error) {
      await nc.close().catch(() => {});
      throw new JobQueueError(
        `the NATS server at ${where} cannot hold the job queue: ${(error as Error).message}` +
          (/jetstream/i.test(String(error)) ? " (start nats-server with -js)" : ""),
        { cause: error },
      );
    }
  }

  /** The consumer's ack wait as last read, ms: a taken job is kept alive four times in it. */
  get ackWaitMs(): number {
    return this.#ackWaitMs;
  }

  /** Puts a job on the queue as `run`.`job`, delivered at most `maxDeliver` times (default
   * 3). Submitting the same run and job twice within two minutes keeps the first. */
  async submit(
    run: string,
    job: string,
    payload: unknown,
    options: { maxDeliver?: number } = {},
  ): Promise<void> {
    checkJobToken("JobQueue.submit(): run", run);
    checkJobToken("JobQueue.submit(): job", job);
    const maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
    if (!Number.isInteger(maxDeliver) || maxDeliver < 1) {
      throw new RangeError(
        `JobQueue.submit(): maxDeliver: expected an integer >= 1, found ${maxDeliver}`,
      );
    }
    const h = headers();
    h.set(MAX_DELIVER_HEADER, String(maxDeliver));
    const ack = await this.#js.publish(
      jobSubject(this.names.prefix, run, job),
      JSON.stringify(payload),
      { msgID: `${run}.${job}`, headers: h },
    );
    if (!ack.duplicate) this.#submitted.set(run, [...this.#submitted.get(run) ?? [], ack.seq]);
  }

  /**
   * The next job for `worker`, or undefined when none came within `waitMs` (default 5000,
   * at least 1000) or `signal` aborted. A redelivered job whose outcome is recorded is
   * acked and skipped; one delivered more often than its submitter allowed, or whose
   * payload is not JSON, is failed here and skipped.
   */
  async take(
    options: { worker: string; waitMs?: number; signal?: AbortSignal },
  ): Promise<TakenJob | undefined> {
    while (!options.signal?.aborted) {
      const msg = await this.#fetchOne(Math.max(1000, options.waitMs ?? 5000), options.signal);
      if (!msg) return undefined;
      const taken = await this.#admit(msg, options.worker);
      if (taken) return taken;
    }
    return undefined;
  }

  /** The recorded outcome of a job, if any. */
  async outcome(run: string, job: string): Promise<JobOutcome | undefined> {
    const stored = await this.#jsm.streams.getMessage(this.names.done, {
      last_by_subj: jobSubject(this.names.prefix, run, job, "done"),
    });
    return stored ? stored.json<JobOutcome>() : undefined;
  }

  /** Calls `handlers` with the progress and the outcomes of `run`'s jobs until closed
   * (see `watchRun`). */
  watch(run: string, handlers: JobWatchHandlers): Promise<JobWatch> {
    checkJobToken("JobQueue.watch(): run", run);
    return watchRun(this.#nc, this.#js, this.names, run, handlers);
  }

  /** Removes the jobs of `run` this connection submitted that are still on the queue
   * (taken ones too: their answers are then ignored); resolves with how many. */
  async cancel(run: string): Promise<number> {
    let removed = 0;
    // One by one: a purge by subject moves the consumer past the jobs it keeps on
    // nats-server 2.9, so they would never be delivered.
    for (const seq of this.#submitted.get(run) ?? []) {
      const gone = await this.#jsm.streams.deleteMessage(this.names.jobs, seq, false)
        .catch(() => false);
      if (gone) removed++;
    }
    this.#submitted.delete(run);
    return removed;
  }

  /** Jobs waiting for a worker and jobs taken but not answered (the consumer's counts). */
  async pending(): Promise<{ waiting: number; taken: number }> {
    const info = await this.#consumer.info();
    return { waiting: info.num_pending, taken: info.num_ack_pending };
  }

  /** Stops keeping the unanswered jobs alive (they are delivered again after the ack
   * wait, as if this worker died) and closes the connection. */
  async close(): Promise<void> {
    for (const job of [...this.#taken]) job.abandon();
    await this.#nc.close();
  }

  async #fetchOne(waitMs: number, signal?: AbortSignal): Promise<JsMsg | undefined> {
    const messages = await this.#consumer.fetch({ max_messages: 1, expires: waitMs });
    const stop = () => messages.stop();
    signal?.addEventListener("abort", stop, { once: true });
    try {
      for await (const msg of messages) return msg;
      return undefined;
    } finally {
      signal?.removeEventListener("abort", stop);
    }
  }

  /** A delivery as a job to work on, or undefined when it was answered here. */
  async #admit(msg: JsMsg, worker: string): Promise<TakenJob | undefined> {
    const ids = parseJobSubject(this.names.prefix, msg.subject);
    if (!ids) {
      msg.term();
      return undefined;
    }
    if (msg.info.deliveryCount > 1 && await this.outcome(ids.run, ids.job)) {
      // Done by an earlier delivery whose worker died before its ack.
      await msg.ackAck().catch(() => false);
      return undefined;
    }
    this.#ackWaitMs = millis(
      (await this.#consumer.info()).config.ack_wait ?? nanos(this.#ackWaitMs),
    );
    const maxDeliver = Number(msg.headers?.get(MAX_DELIVER_HEADER)) || DEFAULT_MAX_DELIVER;
    let payload: unknown;
    let bad: string | undefined;
    try {
      payload = msg.json();
    } catch (error) {
      bad = `the job's payload is not JSON: ${(error as Error).message}`;
    }
    const taken = new TakenJob(
      msg,
      { ...ids, worker, maxDeliver, payload },
      this.#channel(),
      Math.max(20, Math.min(this.#ackWaitMs / 4, 10_000)),
    );
    this.#taken.add(taken);
    const deliveries = msg.info.deliveryCount;
    if (deliveries > maxDeliver) {
      bad = `delivered ${deliveries} times, more than the ${maxDeliver} allowed: each worker ` +
        `that took it died or stopped answering for longer than the ack wait ` +
        `(${this.#ackWaitMs / 1000} s)`;
    }
    if (bad === undefined) return taken;
    await taken.fail(bad);
    return undefined;
  }

  #channel(): JobChannel {
    const [major, minor] = (this.#nc.info?.version ?? "0.0").split(".").map(Number);
    return {
      record: async (outcome) => {
        // Once per job: not over a recorded one, nor twice within the duplicate window.
        if (await this.outcome(outcome.run, outcome.job)) return false;
        const ack = await this.#js.publish(
          jobSubject(this.names.prefix, outcome.run, outcome.job, "done"),
          JSON.stringify(outcome),
          { msgID: `${outcome.run}.${outcome.job}` },
        );
        return !ack.duplicate;
      },
      progress: (run, job, message) =>
        this.#nc.publish(
          jobSubject(this.names.prefix, run, job, "progress"),
          JSON.stringify(message),
        ),
      flush: () => this.#nc.flush(),
      termReasons: major > 2 || (major === 2 && minor >= 11),
      forget: (job) => this.#taken.delete(job),
    };
  }
}
