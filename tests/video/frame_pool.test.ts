import assert from "node:assert/strict";
import { FRAME_POOL_CAPACITY, FramePool } from "../../src/video/frame_pool.ts";
import { FrameSource } from "../../src/video/frame_source.ts";
import { makeVideo, testFfmpeg } from "../_helpers/media.ts";

Deno.test("FramePool hands back a buffer it was given, and a fresh one when none is free", () => {
  const pool = new FramePool();
  const a = pool.take(300);
  assert.equal(a.byteLength, 300);
  pool.give(a);
  assert.equal(pool.free, 1);
  assert.equal(pool.take(300), a);
  const b = pool.take(300);
  assert.notEqual(b, a);
  assert.equal(pool.free, 0);
});

Deno.test("FramePool refuses views, detached and wrongly sized buffers, the same buffer twice, and more than its capacity", () => {
  const pool = new FramePool(2);
  const a = pool.take(100);
  pool.give(a.subarray(0, 50)); // a view into a larger buffer
  pool.give(new Uint8Array(new ArrayBuffer(200), 100, 100)); // an offset view
  pool.give(new Uint8Array(64)); // another size
  const moved = pool.take(100);
  structuredClone(moved.buffer, { transfer: [moved.buffer] }); // detached: its length is 0
  pool.give(moved);
  assert.equal(pool.free, 0);
  pool.give(a);
  pool.give(a);
  pool.give(new Uint8Array(a.buffer)); // the same memory under another view
  assert.equal(pool.free, 1);
  pool.give(new Uint8Array(100));
  pool.give(new Uint8Array(100));
  assert.equal(pool.free, 2);
  assert.equal(new FramePool().capacity, FRAME_POOL_CAPACITY);
});

Deno.test("FramePool drops its free buffers when the frame size changes", () => {
  const pool = new FramePool();
  pool.give(pool.take(100));
  assert.equal(pool.free, 1);
  assert.equal(pool.take(120).byteLength, 120);
  assert.equal(pool.free, 0);
  pool.give(new Uint8Array(100)); // the old size: not taken back
  assert.equal(pool.free, 0);
});

Deno.test("FramePool refuses a capacity that is not a count", () => {
  for (const bad of [-1, 1.5, NaN]) {
    assert.throws(() => new FramePool(bad), /FramePool: capacity: expected an integer >= 0, found/);
  }
});

Deno.test("FrameSource reads frames into the buffers of recycled frames, with the same pixels as fresh buffers", async () => {
  const ffmpeg = await testFfmpeg();
  const dir = await Deno.makeTempDir({ prefix: "streamdet-pool-" });
  try {
    const video = await makeVideo(`${dir}/moving.mp4`, {
      width: 160,
      height: 96,
      frames: 24,
      fps: 24,
      codec: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
    });
    const read = async (recycle: boolean) => {
      const source = new FrameSource({ streamId: "pool", input: video, ffmpeg, roots: [dir] });
      const sums: string[] = [];
      const views: Uint8Array[] = [];
      for await (const frame of source.frames()) {
        const digest = await crypto.subtle.digest("SHA-256", frame.data.slice());
        sums.push(Array.from(new Uint8Array(digest), (b) => b.toString(16)).join(""));
        views.push(frame.data);
        if (recycle) source.recycle(frame);
      }
      // A recycled buffer that a later frame was read into has had its old view detached
      // by that read (the pipe reads transfer the buffer they fill).
      const reused = views.filter((v) => v.byteLength === 0).length;
      return { sums, reused };
    };
    const fresh = await read(false);
    const pooled = await read(true);
    assert.equal(fresh.sums.length, 24);
    assert.equal(new Set(fresh.sums).size, 24, "every frame of the clip differs");
    assert.deepEqual(pooled.sums, fresh.sums);
    assert.equal(fresh.reused, 0);
    // All but the frames recycled after ffmpeg's last frame was read (the read-ahead queue's).
    assert.ok(pooled.reused >= 12, `recycled buffers read into: ${pooled.reused} of 24`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
