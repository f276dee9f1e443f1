/**
 * The capture clock of a realtime stream: when each frame was taken, estimated from its
 * presentation time and when it left ffmpeg (see docs/decode-latency.md).
 *
 * @module
 */

/** Frames that must agree before the clock moves its anchor earlier (see {@link CaptureClock}). */
export const ANCHOR_CONFIRM_FRAMES = 4;

/**
 * Estimates when a frame was captured from its presentation time: the stream's clock is
 * anchored at the earliest arrival relative to pts, so each frame's decode delay is how
 * much later than that it arrived (0 for a file read faster than real time). The anchor
 * moves earlier only when {@link ANCHOR_CONFIRM_FRAMES} frames in a row arrived earlier:
 * the frames a decoder flushes at once (the last ones before a looping file starts again,
 * held for B-frame reordering; frames released in a burst) come out ahead of their
 * schedule, and one of them as the anchor would add its head start to every later frame's
 * decode delay. A pts that goes backwards (a reconnect) starts a new anchor; a frame
 * without pts gets no estimate (its read time).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const clock = new CaptureClock();
 * assert.equal(clock.capturedAt(0, 1000), 1000);     // first frame: the anchor
 * assert.equal(clock.capturedAt(40, 1045), 1040);    // 5 ms later than its pts says
 * assert.equal(clock.capturedAt(80, 1060), 1060);    // 20 ms early: one frame moves nothing
 * assert.equal(clock.capturedAt(120, 1125), 1120);   // so this one is still 5 ms late
 * assert.equal(clock.capturedAt(0, 5000), 5000);     // pts went back: new anchor
 * ```
 */
export class CaptureClock {
  readonly #confirm: number;
  #offset = Infinity;
  #lastPts = -Infinity;
  /** `decodedAt − ptsMs` of the latest frames, at most `#confirm`. */
  #recent: number[] = [];

  /** `confirm`: frames that must arrive earlier, in a row, to move the anchor (≥ 1). */
  constructor(confirm: number = ANCHOR_CONFIRM_FRAMES) {
    if (!Number.isInteger(confirm) || confirm < 1) {
      throw new RangeError(`CaptureClock: confirm: expected an integer >= 1, found ${confirm}`);
    }
    this.#confirm = confirm;
  }

  /** The estimated capture time of a frame with `ptsMs` read at `decodedAt`. */
  capturedAt(ptsMs: number, decodedAt: number): number {
    if (!Number.isFinite(ptsMs)) return decodedAt;
    if (ptsMs < this.#lastPts) {
      this.#offset = Infinity;
      this.#recent = [];
    }
    this.#lastPts = ptsMs;
    this.#recent.push(decodedAt - ptsMs);
    if (this.#recent.length > this.#confirm) this.#recent.shift();
    this.#offset = Math.min(this.#offset, Math.max(...this.#recent));
    return Math.min(decodedAt, this.#offset + ptsMs);
  }
}
