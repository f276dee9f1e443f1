/**
 * The stop of a source as something to wait against: every wait of a source's loop (the
 * input to open, the next frame, the delay before a reconnect) ends at its time limit or
 * as soon as the source stops, whichever comes first, and leaves no timer behind.
 *
 * @module
 */

/**
 * A flag that a source raises once, and the waits that end when it is raised.
 *
 * @example A wait ends at its limit, or at once when the source stops
 * ```ts
 * import assert from "node:assert/strict";
 * const signal = new StopSignal();
 * assert.equal(await signal.within(Promise.resolve(7), 1000), 7);
 * assert.equal(await signal.within(new Promise(() => {}), 10), "timeout");
 * const frame = signal.within(new Promise(() => {}), 60_000);
 * signal.stop();
 * assert.equal(await frame, undefined);
 * assert.equal(signal.stopped, true);
 * await signal.sleep(60_000); // at once: stopped
 * ```
 */
export class StopSignal {
  #stopped = false;
  readonly #waiters = new Set<() => void>();

  /** Whether {@link StopSignal.stop} was called. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Raises the flag and ends every wait in progress; again does nothing more. */
  stop(): void {
    this.#stopped = true;
    for (const wake of this.#waiters) wake();
  }

  /**
   * The promise's value, or "timeout" after `ms`, or undefined once stopped. Without a
   * limit it is the promise itself: every promise a source passes here belongs to its
   * ffmpeg session, and stopping the source ends the session, which settles them (this
   * runs per frame: no race).
   */
  async within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout" | undefined> {
    if (ms === Infinity) return await promise;
    return await this.#race([promise], ms);
  }

  /** Waits `ms`, or until stopped. */
  async sleep(ms: number): Promise<void> {
    await this.#race([], ms);
  }

  /** The first of `promises`, a timeout after `ms`, and the stop; no timer is left. */
  async #race<T>(promises: Promise<T>[], ms: number): Promise<T | "timeout" | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) =>
      timer = setTimeout(() => resolve("timeout"), ms)
    );
    const stopped = this.#whenStopped();
    try {
      return await Promise.race([...promises, timeout, stopped.promise]);
    } finally {
      stopped.release();
      clearTimeout(timer);
    }
  }

  /**
   * A promise that resolves (to undefined) when the flag is raised, and `release()` to
   * forget it. Racing against one long-lived "stopped" promise would hang every race on
   * it, and with it each race's result: every frame read would stay in memory.
   */
  #whenStopped(): { promise: Promise<undefined>; release: () => void } {
    if (this.#stopped) return { promise: Promise.resolve(undefined), release: () => {} };
    let wake = () => {};
    const promise = new Promise<undefined>((resolve) => wake = () => resolve(undefined));
    this.#waiters.add(wake);
    return { promise, release: () => this.#waiters.delete(wake) };
  }
}
