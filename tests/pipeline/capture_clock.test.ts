import assert from "node:assert/strict";
import { ANCHOR_CONFIRM_FRAMES, CaptureClock } from "../../src/pipeline/capture_clock.ts";

const T = 1000 / 15;

/** Decode delays (read time − estimated capture) of frames read at `reads` for pts k·T. */
function delays(reads: number[], clock = new CaptureClock()): number[] {
  return reads.map((at, k) => Math.round(at - clock.capturedAt(k * T, at)));
}

Deno.test("frames a looping file's decoder flushes early do not raise every later frame's decode delay", () => {
  // 5 ms after their pts, except two frames flushed a frame period early at the loop.
  const reads = Array.from(
    { length: 20 },
    (_, k) => 1000 + k * T + 5 - (k === 9 || k === 10 ? T : 0),
  );
  const after = delays(reads).slice(11);
  assert.deepEqual(after, after.map(() => 0), "the anchor stays where the steady frames put it");
  // The old clock (anchor at the earliest frame) reported a frame period for every one.
  const old = delays(reads, new CaptureClock(1)).slice(11);
  assert.deepEqual(old, old.map(() => Math.round(T)));
});

Deno.test("the clock moves its anchor once enough frames in a row come earlier", () => {
  // Late by 40 ms for 5 frames (a connection's start), then on time.
  const reads = Array.from({ length: 12 }, (_, k) => 1000 + k * T + (k < 5 ? 40 : 0));
  const d = delays(reads);
  assert.equal(d[4], 0);
  assert.deepEqual(d.slice(5 + ANCHOR_CONFIRM_FRAMES - 1), [0, 0, 0, 0]);
  // Frames late by 40 ms after the anchor moved show 40 ms.
  const clock = new CaptureClock();
  reads.forEach((at, k) => clock.capturedAt(k * T, at));
  const at = 1000 + 12 * T + 40;
  assert.equal(Math.round(at - clock.capturedAt(12 * T, at)), 40);
});

Deno.test("a frame without pts gets no estimate, and does not spoil the clock", () => {
  const clock = new CaptureClock();
  assert.equal(clock.capturedAt(0, 1000), 1000);
  assert.equal(clock.capturedAt(NaN, 1070), 1070);
  assert.equal(clock.capturedAt(2 * T, 1000 + 2 * T + 5), 1000 + 2 * T);
  assert.throws(() => new CaptureClock(0), /confirm: expected an integer >= 1, found 0/);
});
