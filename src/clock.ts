/**
 * The one clock of the runtime. Every timestamp of a frame's timeline is taken with
 * {@link now} on the thread where its event happens: the main thread, an inference
 * worker, a post-processing worker. `performance.timeOrigin` is the moment each thread
 * started, on the Unix epoch, so `timeOrigin + performance.now()` reads the same
 * monotonic high-resolution clock in every thread and can be compared across them, and
 * with `Date.now()` to within a millisecond.
 *
 * @module
 */

/**
 * Epoch milliseconds, high resolution, comparable across threads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const t = now();
 * assert.ok(Math.abs(t - Date.now()) < 1000);
 * assert.ok(now() >= t);
 * ```
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
