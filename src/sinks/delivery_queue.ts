/**
 * The one queue of a sink that delivers over a network: a bounded buffer that the
 * pipeline's listeners push into synchronously (the oldest message goes when it is full),
 * and a delivery loop of its own that hands batches to the destination while it is ready,
 * retries a failed batch with backoff, and counts what was sent, dropped and failed. A
 * dead, refused or slow destination fills the buffer and nothing else: `push` never waits.
 *
 * @module
 */

import { Backoff, type BackoffConfig } from "./backoff.ts";

/** What the queue needs of a message: the tries it has had. */
export interface QueuedMessage {
  attempts: number;
}

/** Where a queue delivers. */
export interface DeliveryTarget<T> {
  /** Whether it takes messages now (connected); while not, the queue waits for
   * {@link DeliveryQueue.wake}. */
  ready(): boolean;
  /** Delivers a batch, in order: resolves when every message is delivered, rejects when
   * not (each is tried again, up to the queue's `maxAttempts`, unless the error is a
   * {@link PermanentDeliveryError}). */
  deliver(batch: T[]): Promise<void>;
}

/**
 * An error of a delivery that no retry can mend (e.g. an HTTP 400): its batch is counted
 * failed at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(new PermanentDeliveryError("HTTP 400 Bad Request").name, "PermanentDeliveryError");
 * ```
 */
export class PermanentDeliveryError extends Error {
  override name = "PermanentDeliveryError";
}

/** What became of a message: delivered, dropped (the buffer was full, or the sink
 * closed before it went), or failed (its last try failed). */
export type DeliveryOutcome = "sent" | "dropped" | "failed";

/** Options of a {@link DeliveryQueue}. */
export interface DeliveryQueueOptions<T> {
  /** Messages held at most (besides the batch being delivered). */
  capacity: number;
  /** Messages handed to the target at once (default 1). */
  batch?: number;
  /** Tries of a message before it is counted failed. */
  maxAttempts: number;
  /** The delays between tries of a batch the target refused while ready. */
  backoff: BackoffConfig;
  /** Hears each message's outcome (called synchronously, `dropped` from `push` too). */
  onOutcome?: (message: T, outcome: DeliveryOutcome) => void;
  /** Hears each failed delivery: the error, and the tries of the batch's first message. */
  onError?: (error: unknown, attempts: number) => void;
  /** Hears each delivery that went through. */
  onDelivered?: () => void;
}

/**
 * A bounded buffer with its own delivery loop.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const delivered: number[] = [];
 * const outcomes: string[] = [];
 * const queue = new DeliveryQueue<{ n: number; attempts: number }>({
 *   ready: () => true,
 *   deliver: async (batch) => void delivered.push(...batch.map((m) => m.n)),
 * }, { capacity: 2, maxAttempts: 3, backoff: { initialDelayMs: 1, maxDelayMs: 1 },
 *   onOutcome: (m, outcome) => outcomes.push(`${m.n} ${outcome}`) });
 * for (const n of [1, 2, 3]) queue.push({ n, attempts: 0 }); // 1 goes: the buffer holds 2
 * await queue.drain(1000);
 * await queue.stop();
 * assert.deepEqual(delivered, [2, 3]);
 * assert.deepEqual(outcomes, ["1 dropped", "2 sent", "3 sent"]);
 * ```
 */
export class DeliveryQueue<T extends QueuedMessage> {
  #target: DeliveryTarget<T>;
  #options: DeliveryQueueOptions<T>;
  #items: T[] = [];
  #head = 0;
  #inFlight = 0;
  #stopped = false;
  #wakeup: (() => void) | undefined;
  #cancelSleep: (() => void) | undefined;
  #loop: Promise<void>;

  constructor(target: DeliveryTarget<T>, options: DeliveryQueueOptions<T>) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new RangeError(
        `DeliveryQueue(): capacity: expected an integer >= 1, found ${options.capacity}`,
      );
    }
    this.#target = target;
    this.#options = options;
    this.#loop = this.#run();
  }

  /** Messages waiting, and being delivered. */
  get buffered(): number {
    return this.#size() + this.#inFlight;
  }

  /** Adds a message (synchronously, never waiting); when the buffer is full, its oldest
   * message is dropped. */
  push(message: T): void {
    if (this.#stopped) {
      this.#options.onOutcome?.(message, "dropped");
      return;
    }
    this.#items.push(message);
    if (this.#size() > this.#options.capacity) this.#dropOldest();
    this.wake();
  }

  /** Tells the loop to look again (a message arrived, the target became ready). */
  wake(): void {
    const wakeup = this.#wakeup;
    this.#wakeup = undefined;
    wakeup?.();
  }

  /** Waits until everything buffered is delivered, the target is not ready, or
   * `timeoutMs` passed. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.buffered > 0 && this.#target.ready() && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Stops the loop once its current delivery settles (the sink closes its transport to
   * make that quick); what is still buffered is counted dropped. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelSleep?.();
    this.wake();
    await this.#loop;
    for (let i = this.#head; i < this.#items.length; i++) {
      this.#options.onOutcome?.(this.#items[i], "dropped");
    }
    this.#items = [];
    this.#head = 0;
  }

  async #run(): Promise<void> {
    const { batch: batchSize = 1, maxAttempts, onOutcome, onError, onDelivered } = this.#options;
    const backoff = new Backoff(this.#options.backoff);
    while (!this.#stopped) {
      if (this.#size() === 0 || !this.#target.ready()) {
        await new Promise<void>((resolve) => this.#wakeup = resolve);
        continue;
      }
      const batch = this.#take(batchSize);
      this.#inFlight = batch.length;
      try {
        await this.#target.deliver(batch);
        this.#inFlight = 0;
        for (const message of batch) onOutcome?.(message, "sent");
        backoff.reset();
        onDelivered?.();
      } catch (error) {
        this.#inFlight = 0;
        if (this.#stopped) {
          for (const message of batch) onOutcome?.(message, "dropped");
          break;
        }
        const permanent = error instanceof PermanentDeliveryError;
        const retry: T[] = [];
        for (const message of batch) {
          if (++message.attempts >= maxAttempts || permanent) onOutcome?.(message, "failed");
          else retry.push(message);
        }
        this.#requeue(retry);
        onError?.(error, batch[0].attempts);
        // A target that is no longer ready wakes the loop when it is again.
        if (this.#target.ready()) await this.#sleep(backoff.next());
      }
    }
  }

  #size(): number {
    return this.#items.length - this.#head;
  }

  #take(n: number): T[] {
    const end = Math.min(this.#items.length, this.#head + n);
    const batch = this.#items.slice(this.#head, end);
    this.#head = end;
    this.#compact();
    return batch;
  }

  #dropOldest(): void {
    const oldest = this.#items[this.#head];
    this.#head++;
    this.#compact();
    this.#options.onOutcome?.(oldest, "dropped");
  }

  /** Puts a batch back in front; beyond the capacity its oldest messages go. */
  #requeue(batch: T[]): void {
    if (batch.length === 0) return;
    this.#items.splice(this.#head, 0, ...batch);
    while (this.#size() > this.#options.capacity) this.#dropOldest();
  }

  /** Forgets the taken part of the array once it is the larger half. */
  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#cancelSleep = undefined;
        resolve();
      }, ms);
      this.#cancelSleep = () => {
        clearTimeout(timer);
        this.#cancelSleep = undefined;
        resolve();
      };
    });
  }
}
