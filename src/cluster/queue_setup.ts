/**
 * Setting a job queue up on a NATS server: its work-queue stream of jobs, its stream of
 * outcomes and the workers' durable consumer, each created when missing and left as it is
 * otherwise (but the consumer's ack wait, when one is asked for). Several processes may
 * do it at once: whoever loses the race to create one uses the winner's.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/transport-node";
import {
  AckPolicy,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { type JobQueueNames, jobSubject } from "./job_subjects.ts";

/** How long outcomes are kept, ns (7 days). */
const OUTCOMES_MAX_AGE_NS = 7 * 24 * 3600 * 1e9;
/** Window of the message-id deduplication of jobs and outcomes, ns (10 minutes). */
const DUPLICATE_WINDOW_NS = 10 * 60 * 1e9;
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

/**
 * Creates what is missing of the queue `names` on `nc`'s server; resolves with the
 * manager and the consumer's ack wait (ns). `ackWaitNs`, when given, is set on the
 * consumer (created with it, or updated); a new consumer otherwise gets
 * `defaultAckWaitNs`.
 *
 * @example
 * ```ts ignore
 * const { ackWaitNs } = await ensureQueue(nc, jobQueueNames(), { defaultAckWaitNs: 30e9 });
 * ```
 */
export async function ensureQueue(
  nc: NatsConnection,
  names: JobQueueNames,
  options: { ackWaitNs?: number; defaultAckWaitNs: number },
): Promise<{ jsm: JetStreamManager; ackWaitNs: number }> {
  const jsm = await jetstreamManager(nc);
  await ensure(() => jsm.streams.info(names.jobs), STREAM_NOT_FOUND, () =>
    jsm.streams.add({
      name: names.jobs,
      subjects: [jobSubject(names.prefix, "*", "*")],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: DUPLICATE_WINDOW_NS,
    }));
  await ensure(() => jsm.streams.info(names.done), STREAM_NOT_FOUND, () =>
    jsm.streams.add({
      name: names.done,
      subjects: [jobSubject(names.prefix, "*", "*", "done")],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: OUTCOMES_MAX_AGE_NS,
      duplicate_window: DUPLICATE_WINDOW_NS,
    }));
  let info = await ensure(
    () => jsm.consumers.info(names.jobs, names.consumer),
    CONSUMER_NOT_FOUND,
    () =>
      jsm.consumers.add(names.jobs, {
        durable_name: names.consumer,
        ack_policy: AckPolicy.Explicit,
        ack_wait: options.ackWaitNs ?? options.defaultAckWaitNs,
        // Deliveries are counted per job by the workers (the submitter's limit).
        max_deliver: -1,
      }),
  );
  if (options.ackWaitNs !== undefined && info.config.ack_wait !== options.ackWaitNs) {
    info = await jsm.consumers.update(names.jobs, names.consumer, { ack_wait: options.ackWaitNs });
  }
  return { jsm, ackWaitNs: info.config.ack_wait ?? options.defaultAckWaitNs };
}

/** `read()`, else `create()` when it is missing (`code`), else `read()` again when another
 * process created it first. */
async function ensure<T>(
  read: () => Promise<T>,
  code: number,
  create: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === code)) throw error;
  }
  try {
    return await create();
  } catch (error) {
    try {
      return await read();
    } catch {
      throw error;
    }
  }
}
