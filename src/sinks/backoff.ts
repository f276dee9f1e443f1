/**
 * The backoff of a sink's reconnects and retries: the first delay, then twice the last,
 * up to a ceiling; a success starts it over. The delays are the sources' reconnect delays
 * (`backoffDelay` of `src/video/backoff.ts`) without jitter; this keeps the attempt count.
 *
 * @module
 */

import { backoffDelay, DEFAULT_RECONNECT } from "../video/backoff.ts";

/** The bounds of a {@link Backoff}, in ms. */
export interface BackoffConfig {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff: `initialDelayMs`, 2×, 4×... at most `maxDelayMs`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 3000 });
 * assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next()], [500, 1000, 2000, 3000]);
 * assert.equal(backoff.attempts, 4);
 * backoff.reset();
 * assert.equal(backoff.next(), 500);
 * ```
 */
export class Backoff {
  readonly config: BackoffConfig;
  #attempts = 0;

  constructor(config: BackoffConfig) {
    this.config = config;
  }

  /** The delay before the next try, ms (counts one more attempt). */
  next(): number {
    const { initialDelayMs, maxDelayMs } = this.config;
    return backoffDelay(++this.#attempts, {
      ...DEFAULT_RECONNECT,
      initialDelayMs,
      maxDelayMs,
      jitter: 0,
    });
  }

  /** Delays handed out since the last reset. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Starts over from the first delay (after a success). */
  reset(): void {
    this.#attempts = 0;
  }
}
