/**
 * What a source does after one of its ffmpeg sessions ended: end (the input is over),
 * fail (nothing left to try), or try again, at once or after a backoff delay. A live
 * source reconnects after an error, an end or a stall, and gives up after
 * `maxAttempts` consecutive attempts that delivered no frame; a source without
 * reconnects ends with its input, or fails when it delivered nothing. An RTSP transport
 * the camera refused fails the source, or is swapped for another that is tried at once
 * (see `RtspTransportChooser`).
 *
 * @module
 */

import { backoffDelay, type ReconnectOptions } from "./backoff.ts";
import type { TransportVerdict } from "./rtsp_transport_chooser.ts";
import type { SessionOutcome } from "./session_outcome.ts";

/** The source's next step, as {@link nextAttempt} says. */
export type NextAttempt =
  /** The source fails (`failed` status) with `reason`. */
  | { action: "fail"; reason: string }
  /** The input is over (`ended` status), with a `reason` when it was cut short. */
  | { action: "end"; reason?: string }
  /**
   * Another attempt, numbered `attempt` (`reconnecting` status with `reason`), after
   * `delayMs`, or at once when that is undefined.
   */
  | { action: "retry"; attempt: number; reason: string; delayMs: number | undefined };

/**
 * The next step after a session: `outcome` is how it ended, `verdict` what the RTSP
 * transport chooser made of it (see `RtspTransportChooser.after`: for other inputs, the
 * outcome's reason, neither fatal nor to retry now), `reconnect` the source's reconnect
 * settings (null: no reconnects), `attempt` the number of the attempt that ended (0 for
 * the first). An attempt that delivered frames counts the next as the first again.
 *
 * @example A live source retries with backoff, then gives up
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_RECONNECT } from "./backoff.ts";
 * const reconnect = { ...DEFAULT_RECONNECT, jitter: 0, maxAttempts: 2 };
 * const refused = { end: "eof" as const, ok: false, reason: "Connection refused", frames: 0 };
 * const verdict = { reason: refused.reason, fatal: false, retryNow: false };
 * assert.deepEqual(nextAttempt(refused, verdict, reconnect, 0), {
 *   action: "retry",
 *   attempt: 1,
 *   reason: "Connection refused",
 *   delayMs: 500,
 * });
 * assert.equal(nextAttempt(refused, verdict, reconnect, 1).action, "retry");
 * assert.deepEqual(nextAttempt(refused, verdict, reconnect, 2), {
 *   action: "fail",
 *   reason: "gave up after 2 attempts: Connection refused",
 * });
 * ```
 *
 * @example A file without reconnects ends with its input
 * ```ts
 * import assert from "node:assert/strict";
 * const outcome = { end: "eof" as const, ok: true, frames: 300 };
 * const verdict = { reason: undefined, fatal: false, retryNow: false };
 * assert.deepEqual(nextAttempt(outcome, verdict, null, 0), { action: "end" });
 * const none = { ...outcome, ok: false, frames: 0, reason: "moov atom not found" };
 * assert.deepEqual(nextAttempt(none, { ...verdict, reason: none.reason }, null, 0), {
 *   action: "fail",
 *   reason: "moov atom not found",
 * });
 * ```
 */
export function nextAttempt(
  outcome: SessionOutcome,
  verdict: TransportVerdict,
  reconnect: ReconnectOptions | null,
  attempt: number,
  random: () => number = Math.random,
): NextAttempt {
  const { reason, fatal, retryNow } = verdict;
  if (fatal) return { action: "fail", reason: reason! }; // a fatal verdict says why
  if (reconnect === null && !retryNow) {
    if (outcome.frames > 0 || (outcome.end === "eof" && outcome.ok)) {
      return reason ? { action: "end", reason } : { action: "end" };
    }
    return { action: "fail", reason: reason ?? "no frames" };
  }
  const next = outcome.frames > 0 ? 1 : attempt + 1;
  if (reconnect !== null && next > reconnect.maxAttempts) {
    return { action: "fail", reason: `gave up after ${reconnect.maxAttempts} attempts: ${reason}` };
  }
  return {
    action: "retry",
    attempt: next,
    reason: reason ?? "the input ended",
    delayMs: reconnect !== null && !retryNow ? backoffDelay(next, reconnect, random) : undefined,
  };
}
