/**
 * Frame buffers kept for reuse, so that a stream reading frames at its input's rate does not
 * allocate a fresh buffer for each one. A 512×288 RGB frame (the street models' input) is
 * 442 kB; at 79 frames/s (the overload bench) fresh buffers were 35 MB/s of ArrayBuffer
 * memory, and V8 answers that much external memory with a full (mark-compact) collection of
 * the main thread's heap every second or two, each with marking steps of up to 12 ms on the
 * thread that reads the frames and publishes the results (bench/RESULTS.md, issue 15,
 * seventh pass).
 *
 * A buffer comes back when its frame is dropped by the live queue, or once its result is
 * published and nothing else reads it (the frame was lent to the inference worker and came
 * back). A buffer that is not whole (detached by a transfer that never came back, a view
 * into a larger buffer) or of another size is not taken back.
 *
 * @module
 */

/** How many free buffers a pool keeps at most (beyond them, they are left to the GC). */
export const FRAME_POOL_CAPACITY = 8;

/**
 * Free frame buffers of one size (the frames' current size; a new size empties it).
 *
 * @example A buffer given back is the next one taken
 * ```ts
 * import assert from "node:assert/strict";
 * const pool = new FramePool();
 * const a = pool.take(12);
 * pool.give(a);
 * assert.equal(pool.take(12), a);
 * assert.notEqual(pool.take(12), a); // none free: a fresh one
 * pool.give(a.subarray(0, 6));       // a view: not taken back
 * assert.equal(pool.free, 0);
 * ```
 */
export class FramePool {
  #free: Uint8Array<ArrayBuffer>[] = [];
  #bytes = 0;

  /** `capacity`: the most free buffers kept (≥ 0). */
  constructor(readonly capacity: number = FRAME_POOL_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`FramePool: capacity: expected an integer >= 0, found ${capacity}`);
    }
  }

  /** Free buffers held now. */
  get free(): number {
    return this.#free.length;
  }

  /** A buffer of `bytes` bytes: a free one (its old contents still there), or a new one. */
  take(bytes: number): Uint8Array<ArrayBuffer> {
    if (bytes !== this.#bytes) {
      this.#free = [];
      this.#bytes = bytes;
    }
    return this.#free.pop() ?? new Uint8Array(bytes);
  }

  /** Gives a frame's buffer back; ignored unless it is a whole buffer of the current size,
   * not already free, and the pool has room. The caller must not use it afterwards. */
  give(data: Uint8Array): void {
    const whole = data.byteOffset === 0 && data.byteLength === this.#bytes &&
      data.buffer.byteLength === this.#bytes;
    if (!whole || !(data.buffer instanceof ArrayBuffer)) return;
    // Already free under another view of the same memory: two frames would share it.
    if (this.#free.length >= this.capacity || this.#free.some((f) => f.buffer === data.buffer)) {
      return;
    }
    this.#free.push(data as Uint8Array<ArrayBuffer>);
  }
}
