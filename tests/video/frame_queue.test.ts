import assert from "node:assert/strict";
import { backoffDelay, DEFAULT_RECONNECT } from "../../src/video/backoff.ts";
import { FrameQueue } from "../../src/video/frame_queue.ts";

Deno.test("FrameQueue with drop-latest keeps what it has and counts the newcomers it drops", async () => {
  const queue = new FrameQueue<number>(2, "drop-latest");
  assert.deepEqual([1, 2, 3, 4].map((v) => queue.push(v)), [true, true, false, false]);
  assert.equal(queue.dropped, 2);
  assert.deepEqual([await queue.shift(), await queue.shift()], [1, 2]);
});

Deno.test("FrameQueue with wait makes the writer wait for room and drops nothing", async () => {
  const queue = new FrameQueue<number>(1, "wait");
  queue.push(1);
  let roomAt = 0;
  const writer = queue.space().then(() => roomAt = Date.now());
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(roomAt, 0, "no room while full");
  assert.equal(await queue.shift(), 1);
  await writer;
  assert.ok(roomAt > 0);
  assert.equal(queue.dropped, 0);
});

Deno.test("FrameQueue hands an item straight to a waiting reader, and undefined once closed", async () => {
  const queue = new FrameQueue<string>(2, "drop-oldest");
  const waiting = queue.shift();
  queue.push("a");
  assert.equal(await waiting, "a");
  const later = queue.shift();
  queue.close();
  assert.equal(await later, undefined);
  assert.equal(queue.push("b"), false);
});

Deno.test("backoffDelay() doubles up to the cap, within the jitter", () => {
  const plain = { ...DEFAULT_RECONNECT, jitter: 0, maxDelayMs: 3000 };
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelay(a, plain)), [
    500,
    1000,
    2000,
    3000,
    3000,
  ]);
  const jittered = { ...DEFAULT_RECONNECT, jitter: 0.2 };
  assert.equal(backoffDelay(2, jittered, () => 0), 800);
  assert.equal(backoffDelay(2, jittered, () => 1), 1200);
});
