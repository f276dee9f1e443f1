/**
 * What the submitter of a run hears: its jobs' progress (a plain subscription: what is
 * sent while nobody listens is lost, and nothing depends on it) and their outcomes (an
 * ordered consumer of the outcome stream from its start: every outcome, also those
 * recorded before the watch began, each job once).
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/transport-node";
import { DeliverPolicy, type JetStreamClient } from "@nats-io/jetstream";
import { type JobQueueNames, jobSubject } from "./job_subjects.ts";
import type { JobOutcome, JobProgress } from "./taken_job.ts";

/** Handlers of a watch. */
export interface JobWatchHandlers {
  /** A progress message of one of the run's jobs. */
  progress?(progress: JobProgress): void;
  /** A job's outcome, once per job, also those recorded before the watch began. */
  outcome(outcome: JobOutcome): void;
}

/** A running watch. */
export interface JobWatch {
  /** Stops listening (the handlers are not called after it resolves). */
  close(): Promise<void>;
}

/**
 * Calls `handlers` with the progress and outcomes of `run`'s jobs until closed. Messages
 * that are not JSON are ignored.
 *
 * @example
 * ```ts ignore
 * const watch = await watchRun(nc, jetstream(nc), jobQueueNames(), "a1b2c3", {
 *   outcome: (o) => console.log(o.job, o.state),
 * });
 * await watch.close();
 * ```
 */
export async function watchRun(
  nc: NatsConnection,
  js: JetStreamClient,
  names: JobQueueNames,
  run: string,
  handlers: JobWatchHandlers,
): Promise<JobWatch> {
  const parse = <T>(msg: { json<U>(): U }): T | undefined => {
    try {
      return msg.json<T>();
    } catch {
      return undefined;
    }
  };
  const sub = nc.subscribe(jobSubject(names.prefix, run, "*", "progress"), {
    callback: (error, msg) => {
      const progress = error ? undefined : parse<JobProgress>(msg);
      if (progress) handlers.progress?.(progress);
    },
  });
  const consumer = await js.consumers.get(names.done, {
    filter_subjects: jobSubject(names.prefix, run, "*", "done"),
    deliver_policy: DeliverPolicy.All,
  });
  const messages = await consumer.consume();
  const seen = new Set<string>();
  const loop = (async () => {
    for await (const msg of messages) {
      const outcome = parse<JobOutcome>(msg);
      if (!outcome || seen.has(outcome.job)) continue;
      seen.add(outcome.job);
      handlers.outcome(outcome);
    }
  })();
  return {
    close: async () => {
      sub.unsubscribe();
      await messages.close();
      await loop;
    },
  };
}
