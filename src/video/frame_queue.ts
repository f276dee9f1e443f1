/**
 * The bounded queue between a source's decoder and its consumer. Lossless sources use it
 * with `"wait"` (the decoder is not read while the queue is full: backpressure reaches
 * ffmpeg through the pipe); live sources drop frames instead, so that the consumer always
 * gets recent frames and latency stays bounded.
 *
 * @module
 */

import type { DropPolicy } from "../types.ts";

/**
 * A bounded FIFO with a drop policy; counts what it drops.
 *
 * @example A full drop-oldest queue keeps the newest frames
 * ```ts
 * import assert from "node:assert/strict";
 * const queue = new FrameQueue<number>(2, "drop-oldest");
 * for (const v of [1, 2, 3]) queue.push(v);
 * assert.equal(queue.dropped, 1);
 * assert.equal(await queue.shift(), 2);
 * assert.equal(await queue.shift(), 3);
 * queue.close();
 * assert.equal(await queue.shift(), undefined);
 * ```
 */
export class FrameQueue<T> {
  private items: T[] = [];
  private closed = false;
  private readers: ((item: T | undefined) => void)[] = [];
  private writers: (() => void)[] = [];
  /** Items dropped by the policy. */
  dropped = 0;
  /** The most items held at once. */
  maxDepth = 0;

  constructor(readonly capacity: number, readonly policy: DropPolicy) {}

  /** Items held now. */
  get size(): number {
    return this.items.length;
  }

  /** Adds an item, applying the policy when full; false when the item itself was dropped. */
  push(item: T): boolean {
    if (this.closed) return false;
    const reader = this.readers.shift();
    if (reader) {
      reader(item);
      return true;
    }
    if (this.items.length >= this.capacity) {
      if (this.policy === "drop-latest") {
        this.dropped++;
        return false;
      }
      if (this.policy === "drop-oldest") {
        this.items.shift();
        this.dropped++;
      }
    }
    this.items.push(item);
    if (this.items.length > this.maxDepth) this.maxDepth = this.items.length;
    return true;
  }

  /** Resolves when there is room (at once for the drop policies, which always have). */
  space(): Promise<void> {
    if (this.policy !== "wait" || this.items.length < this.capacity || this.closed) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.writers.push(resolve));
  }

  /** The next item; undefined once the queue is closed and empty. */
  shift(): Promise<T | undefined> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.writers.shift()?.();
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.readers.push(resolve));
  }

  /** No more items: waiting readers get undefined once the queue is empty. */
  close(): void {
    this.closed = true;
    for (const reader of this.readers.splice(0)) reader(undefined);
    for (const writer of this.writers.splice(0)) writer();
  }
}
