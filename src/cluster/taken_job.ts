/**
 * A job a worker took from the queue: its payload, how many times it was delivered, and
 * the one answer it gets (completed, failed or released). While taken and unanswered it is
 * kept alive: `working()` every quarter of the consumer's ack wait, so the server redelivers
 * it only when its worker died or stalls. Its outcome is recorded before the answer is sent:
 * a worker that dies between the two leaves a recorded outcome, and the job's next
 * delivery is acked at once instead of being done again (see `JobQueue.take`).
 *
 * @module
 */

import type { JsMsg } from "@nats-io/jetstream";

/** Progress of a job as its worker publishes it. */
export interface JobProgress<T = unknown> {
  run: string;
  job: string;
  /** Who works on it. */
  worker: string;
  /** This delivery's number (1 the first time). */
  deliveries: number;
  /** What the worker says (the payload of `TakenJob.progress`). */
  detail: T;
}

/** The final word on a job: recorded once in the outcome stream. */
export interface JobOutcome<T = unknown> {
  run: string;
  job: string;
  /** `completed`: acked; `failed`: terminated (never delivered again). */
  state: "completed" | "failed";
  /** Why it failed. */
  reason?: string;
  /** Who answered it. */
  worker: string;
  /** The delivery that answered it. */
  deliveries: number;
  /** What the worker reports (its result). */
  detail?: T;
}

/** What a taken job needs of its queue (given by `JobQueue.take`). */
export interface JobChannel {
  /** Records an outcome unless the job has one; resolves with whether it was recorded. */
  record(outcome: JobOutcome): Promise<boolean>;
  /** Publishes a progress message (not kept). */
  progress(run: string, job: string, message: JobProgress): void;
  /** Sends what was published so far. */
  flush(): Promise<void>;
  /** Whether the server keeps a reason given with a termination (2.11 and later). */
  termReasons: boolean;
  /** Forgets a job that was answered or abandoned. */
  forget(job: TakenJob): void;
}

/**
 * One delivery of a job, created by `JobQueue.take`; answer it once with
 * {@link TakenJob.complete}, {@link TakenJob.fail} or {@link TakenJob.release}.
 *
 * @example
 * ```ts ignore
 * const job = await queue.take({ worker: "host:1234" });
 * if (job) {
 *   job.progress({ frames: 10 });
 *   await job.complete({ frames: 30 });
 * }
 * ```
 */
export class TakenJob {
  /** The run it belongs to. */
  readonly run: string;
  /** Its id in the run. */
  readonly job: string;
  /** Its payload, parsed from JSON. */
  readonly payload: unknown;
  /** This delivery's number (1 the first time). */
  readonly deliveries: number;
  /** Deliveries allowed before it fails (set by the submitter). */
  readonly maxDeliver: number;
  /** Who took it. */
  readonly worker: string;
  readonly #msg: JsMsg;
  readonly #channel: JobChannel;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #answered = false;

  /** Starts keeping the delivery alive every `heartbeatMs`. */
  constructor(
    msg: JsMsg,
    ids: { run: string; job: string; worker: string; maxDeliver: number; payload: unknown },
    channel: JobChannel,
    heartbeatMs: number,
  ) {
    this.#msg = msg;
    this.#channel = channel;
    this.run = ids.run;
    this.job = ids.job;
    this.worker = ids.worker;
    this.maxDeliver = ids.maxDeliver;
    this.payload = ids.payload;
    this.deliveries = msg.info.deliveryCount;
    this.#heartbeat = setInterval(() => msg.working(), heartbeatMs);
  }

  /** Whether it was answered (or abandoned by closing the queue). */
  get answered(): boolean {
    return this.#answered;
  }

  /** Publishes `detail` on the job's progress subject (not kept; no-op once answered). */
  progress(detail: unknown): void {
    if (this.#answered) return;
    this.#channel.progress(this.run, this.job, {
      run: this.run,
      job: this.job,
      worker: this.worker,
      deliveries: this.deliveries,
      detail,
    });
  }

  /**
   * Records the job completed with `detail`, then acks it (the server removes it).
   * Resolves with whether this outcome is the job's: false when another delivery of it
   * (a worker that stalled past the ack wait and came back) recorded one first.
   */
  async complete(detail?: unknown): Promise<boolean> {
    this.#answer();
    const recorded = await this.#channel.record(this.#outcome("completed", undefined, detail));
    // The outcome is recorded: an ack lost now only costs a redelivery that is acked at once.
    await this.#msg.ackAck().catch(() => false);
    return recorded;
  }

  /** Records the job failed (`reason`), then terminates it: it is never delivered again.
   * Resolves with whether this outcome is the job's (see {@link complete}). */
  async fail(reason: string, detail?: unknown): Promise<boolean> {
    this.#answer();
    const recorded = await this.#channel.record(this.#outcome("failed", reason, detail));
    // Servers before 2.11 ignore a "+TERM" that carries a reason: send it bare there.
    this.#msg.term(this.#channel.termReasons ? reason.slice(0, 256) : undefined);
    await this.#channel.flush();
    return recorded;
  }

  /** Gives the job back undone: it is delivered again (to any worker) after `delayMs`. */
  async release(delayMs = 0): Promise<void> {
    this.#answer();
    this.#msg.nak(delayMs);
    await this.#channel.flush();
  }

  /** Stops the heartbeat without answering (the queue is closing: as if the worker died). */
  abandon(): void {
    if (this.#answered) return;
    this.#answered = true;
    clearInterval(this.#heartbeat);
    this.#channel.forget(this);
  }

  #answer(): void {
    if (this.#answered) {
      throw new Error(`TakenJob ${this.run}.${this.job}: expected one answer, found a second one`);
    }
    this.#answered = true;
    clearInterval(this.#heartbeat);
    this.#channel.forget(this);
  }

  #outcome(state: JobOutcome["state"], reason?: string, detail?: unknown): JobOutcome {
    return {
      run: this.run,
      job: this.job,
      state,
      ...(reason === undefined ? {} : { reason }),
      worker: this.worker,
      deliveries: this.deliveries,
      ...(detail === undefined ? {} : { detail }),
    };
  }
}
