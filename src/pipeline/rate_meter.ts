/**
 * Events per second over a sliding window (frames in, frames out).
 *
 * @module
 */

/**
 * Counts events in one-second buckets and reports the rate over the last `windowS`
 * complete seconds plus the current one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * let t = 0;
 * const meter = new RateMeter(5, () => t);
 * for (let i = 0; i < 50; i++) { meter.tick(); t += 100; } // 10 per second for 5 s
 * assert.equal(meter.rate(), 10);
 * t += 10_000;
 * assert.equal(meter.rate(), 0); // nothing lately
 * ```
 */
export class RateMeter {
  #counts: number[];
  #second = -1;
  #first = -1;
  #windowS: number;
  #clock: () => number;

  constructor(windowS = 5, clock: () => number = () => performance.now()) {
    this.#windowS = windowS;
    this.#counts = new Array(windowS).fill(0);
    this.#clock = clock;
  }

  /** Records one event now. */
  tick(): void {
    this.#advance();
    this.#counts[this.#second % this.#windowS]++;
  }

  /** Events per second over the window (over the time since the first event, if shorter). */
  rate(): number {
    this.#advance();
    if (this.#first < 0) return 0;
    const total = this.#counts.reduce((a, b) => a + b, 0);
    const now = this.#clock() / 1000;
    const span = (now - Math.floor(now)) + this.#windowS - 1;
    const elapsed = Math.min(span, now - this.#first);
    return elapsed <= 0 ? 0 : Math.round((total / elapsed) * 100) / 100;
  }

  #advance(): void {
    const now = this.#clock() / 1000;
    const second = Math.floor(now);
    if (this.#first < 0) this.#first = now;
    if (this.#second < 0) this.#second = second;
    for (let s = this.#second + 1; s <= second && s - this.#second <= this.#windowS; s++) {
      this.#counts[s % this.#windowS] = 0;
    }
    if (second - this.#second > this.#windowS) this.#counts.fill(0);
    this.#second = Math.max(this.#second, second);
  }
}
