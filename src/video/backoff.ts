/**
 * Reconnect delays: exponential backoff with jitter.
 *
 * @module
 */

/** How a live source retries. */
export interface ReconnectOptions {
  /** Delay before the first retry, ms (default 500). */
  initialDelayMs: number;
  /** Longest delay, ms (default 30 000). */
  maxDelayMs: number;
  /** Growth per attempt (default 2). */
  factor: number;
  /** Random spread of each delay, as a fraction (default 0.2: ±20%). */
  jitter: number;
  /** Consecutive failed attempts before giving up (default Infinity). */
  maxAttempts: number;
}

/** The defaults of {@link ReconnectOptions}. */
export const DEFAULT_RECONNECT: Readonly<ReconnectOptions> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 0.2,
  maxAttempts: Infinity,
});

/**
 * Delay before attempt `attempt` (1, 2, ...): `initial * factor^(attempt-1)`, capped,
 * times a random factor in `[1 - jitter, 1 + jitter]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const options = { ...DEFAULT_RECONNECT, jitter: 0 };
 * assert.deepEqual([1, 2, 3].map((a) => backoffDelay(a, options)), [500, 1000, 2000]);
 * assert.equal(backoffDelay(20, options), 30_000);
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: ReconnectOptions,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    options.maxDelayMs,
    options.initialDelayMs * options.factor ** Math.max(0, attempt - 1),
  );
  return Math.max(0, base * (1 + options.jitter * (2 * random() - 1)));
}
