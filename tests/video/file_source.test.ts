import assert from "node:assert/strict";
import { SourceError } from "../../src/errors.ts";
import { FrameSource, type FrameSourceOptions } from "../../src/video/frame_source.ts";
import { parseSourceInput } from "../../src/video/source_spec.ts";
import type { Frame } from "../../src/types.ts";
import { ffmpegChildren, makeVideo, runFfmpeg, testFfmpeg, watch } from "../_helpers/media.ts";

const ffmpeg = await testFfmpeg();
const dir = await Deno.makeTempDir({ prefix: "streamdet-video-" });
const roots = [dir];

const h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];
const videos = {
  h264Mp4: await makeVideo(`${dir}/h264.mp4`, {
    width: 320,
    height: 240,
    frames: 30,
    fps: 30,
    codec: h264,
  }),
  hevcMkv: await makeVideo(`${dir}/hevc.mkv`, {
    width: 256,
    height: 144,
    frames: 24,
    fps: 24,
    codec: [
      "-c:v",
      "libx265",
      "-preset",
      "ultrafast",
      "-x265-params",
      "log-level=error",
      "-pix_fmt",
      "yuv420p",
    ],
  }),
  vp9Mkv: await makeVideo(`${dir}/vp9.mkv`, {
    width: 176,
    height: 144,
    frames: 20,
    fps: 20,
    codec: ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k"],
  }),
  mjpegAvi: await makeVideo(`${dir}/mjpeg.avi`, {
    width: 320,
    height: 180,
    frames: 15,
    fps: 15,
    codec: ["-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj420p"],
  }),
  // Odd sizes: H.264 4:4:4 allows them (testsrc, unlike testsrc2, keeps odd sizes).
  odd: await makeVideo(`${dir}/odd.mp4`, {
    pattern: "testsrc",
    width: 1917,
    height: 1079,
    frames: 5,
    fps: 25,
    codec: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"],
  }),
  // Variable frame rate: every third frame 15 ms late.
  vfr: await makeVideo(`${dir}/vfr.mkv`, {
    width: 160,
    height: 120,
    frames: 12,
    fps: 25,
    codec: h264,
    // A millisecond timebase first: 1/25 s cannot hold a 15 ms offset.
    extra: [
      "-vf",
      "settb=1/1000,setpts=(N/25+if(eq(mod(N\\,3)\\,1)\\,0.015\\,0))/TB",
      "-vsync",
      "vfr",
      "-enc_time_base",
      "1/1000",
    ],
  }),
};

function source(input: string, extra: Partial<FrameSourceOptions> = {}): FrameSource {
  return new FrameSource({ streamId: "test", input, ffmpeg, roots, ...extra });
}

/** Every frame of a source, and the states it went through. */
async function readAll(s: FrameSource, delayMs = 0) {
  const events = watch(s);
  const frames: Frame[] = [];
  for await (const frame of s.frames()) {
    frames.push(frame);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
  }
  return { frames, states: events.map((e) => e.state) };
}

async function assertNoChildren() {
  assert.deepEqual(await ffmpegChildren(), [], "an ffmpeg child is still running");
}

for (
  const [name, path, count, width, height] of [
    ["H.264 in MP4", videos.h264Mp4, 30, 320, 240],
    ["HEVC in MKV", videos.hevcMkv, 24, 256, 144],
    ["VP9 in MKV", videos.vp9Mkv, 20, 176, 144],
    ["MJPEG in AVI", videos.mjpegAvi, 15, 320, 180],
  ] as const
) {
  Deno.test(`FrameSource delivers every frame of ${name} exactly once, in order, at native size`, async () => {
    const s = source(path);
    const events = watch(s);
    const info = await s.start();
    assert.deepEqual([info.input.width, info.input.height], [width, height]);
    const { frames } = await readAll(s);
    assert.equal(frames.length, count);
    assert.deepEqual(frames.map((f) => f.index), [...Array(count).keys()]);
    for (const f of frames) {
      assert.deepEqual([f.width, f.height, f.data.length], [width, height, width * height * 3]);
    }
    assert.deepEqual(events.map((e) => e.state), ["connecting", "connected", "ended"]);
    assert.deepEqual(s.stats().dropped, 0);
    await assertNoChildren();
  });
}

Deno.test("FrameSource knows the native size and frame rate before the first frame", async () => {
  const s = source(videos.h264Mp4, { output: { width: 64, height: 64 } });
  const info = await s.start();
  assert.equal(s.stats().delivered, 0);
  assert.deepEqual(info.input, {
    ...info.input,
    codec: "h264",
    width: 320,
    height: 240,
    fps: 30,
    durationMs: 1000,
  });
  await s.stop();
  await assertNoChildren();
});

Deno.test("FrameSource decodes an odd-sized 1917×1079 video at native size and resized", async () => {
  const native = await readAll(source(videos.odd));
  assert.equal(native.frames.length, 5);
  assert.deepEqual([native.frames[0].width, native.frames[0].height], [1917, 1079]);
  const resized = await readAll(
    source(videos.odd, { output: { fit: "resize", width: 640, height: 360 } }),
  );
  assert.equal(resized.frames.length, 5);
  assert.equal(resized.frames[0].data.length, 640 * 360 * 3);
  await assertNoChildren();
});

Deno.test("FrameSource keeps a variable frame rate: every frame, with its own timestamp", async () => {
  const { frames } = await readAll(source(videos.vfr));
  assert.equal(frames.length, 12);
  const expected = [...Array(12).keys()].map((n) => n * 40 + (n % 3 === 1 ? 15 : 0));
  frames.forEach((f, n) =>
    assert.ok(Math.abs(f.ptsMs - expected[n]) <= 1, `${f.ptsMs} vs ${expected[n]}`)
  );
});

Deno.test("FrameSource letterboxes into the requested size where frameGeometry says", async () => {
  const red = `${dir}/red.mkv`;
  await runFfmpeg([
    "-f",
    "lavfi",
    "-i",
    "color=c=red:size=200x100:rate=5",
    "-frames:v",
    "2",
    "-c:v",
    "libx264",
    "-pix_fmt",
    "yuv444p",
    "-qp",
    "0",
    red,
  ]);
  const s = source(red, { output: { fit: "letterbox", width: 100, height: 100 } });
  const info = await s.start();
  assert.deepEqual(
    [info.geometry.scaledWidth, info.geometry.scaledHeight, info.geometry.padX, info.geometry.padY],
    [100, 50, 0, 25],
  );
  const [frame] = (await readAll(s)).frames;
  const pixel = (
    x: number,
    y: number,
  ) => [...frame.data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3)];
  assert.deepEqual(pixel(50, 24), [0, 0, 0]); // padding
  assert.deepEqual(pixel(50, 75), [0, 0, 0]);
  const [r, g, b] = pixel(50, 50);
  assert.ok(r > 240 && g < 15 && b < 15, `red inside the picture, found ${[r, g, b]}`);
  const [r2, , b2] = (await readAll(source(red, { output: { fit: "native", format: "bgr24" } })))
    .frames[0].data;
  assert.ok(r2 < 15 && b2 > 240, "bgr24 puts blue first");
});

Deno.test("FrameSource holds ffmpeg back for a slow consumer of a file and loses no frame", async () => {
  const s = source(videos.h264Mp4);
  const { frames } = await readAll(s, 20);
  assert.equal(frames.length, 30);
  assert.equal(s.stats().dropped, 0);
  assert.ok(s.stats().maxQueueDepth <= 2);
});

Deno.test("FrameSource reads a folder of images in name order, and a glob", async () => {
  const folder = `${dir}/shots`;
  await Deno.mkdir(folder);
  for (const [i, size] of ["64x48", "32x24", "64x48"].entries()) {
    await runFfmpeg([
      "-f",
      "lavfi",
      "-i",
      `color=c=white:size=${size}`,
      "-frames:v",
      "1",
      `${folder}/img${i}.png`,
    ]);
  }
  const all = await readAll(
    source(folder, {
      input: { kind: "images", path: folder },
      output: { fit: "resize", width: 32, height: 32 },
    }),
  );
  assert.equal(all.frames.length, 3);
  const glob = await readAll(
    source(folder, {
      input: { kind: "images", path: `${folder}/img[02].png` },
      output: { width: 32, height: 32 },
    }),
  );
  assert.equal(parseSourceInput(`${folder}/img?.png`).kind, "images");
  assert.equal(glob.frames.length, 2);
  await Deno.writeFile(`${folder}/extra.jpg`, new Uint8Array([0xff, 0xd8]));
  await assert.rejects(
    () => source(folder, { input: { kind: "images", path: folder } }).start(),
    /expected images of one type, found (png and jpg|jpg and png)/,
  );
});

Deno.test("FrameSource stops ffmpeg mid-file and ends the frame stream", async () => {
  const s = source(videos.h264Mp4);
  let n = 0;
  for await (const _ of s.frames()) if (++n === 3) break;
  assert.equal(s.state, "stopped");
  await assertNoChildren();
});

Deno.test("FrameSource fails on a zero-byte file with ffmpeg's reason", async () => {
  const empty = `${dir}/empty.mp4`;
  await Deno.writeFile(empty, new Uint8Array());
  const s = source(empty);
  await assert.rejects(
    () => s.start(),
    (e: Error) => e instanceof SourceError && /Invalid data|no frames|End of file/i.test(e.message),
  );
  assert.equal(s.state, "failed");
  await assertNoChildren();
});

Deno.test("FrameSource fails on a text file named .mp4", async () => {
  const text = `${dir}/notes.mp4`;
  await Deno.writeTextFile(text, "these are notes, not a video\n".repeat(20));
  await assert.rejects(
    () => source(text).start(),
    (e: Error) => e instanceof SourceError && /notes\.mp4|Invalid data/.test(e.message),
  );
  await assertNoChildren();
});

Deno.test("FrameSource fails on an MP4 whose end is cut off (no moov atom)", async () => {
  const cut = `${dir}/cut.mp4`;
  const bytes = await Deno.readFile(videos.h264Mp4);
  await Deno.writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
  await assert.rejects(() => source(cut).start(), /moov atom not found|Invalid data/);
  await assertNoChildren();
});

Deno.test("FrameSource delivers the frames before the cut of a truncated MKV, then ends", async () => {
  const cut = `${dir}/cut.mkv`;
  const full = await makeVideo(`${dir}/long.mkv`, {
    width: 160,
    height: 120,
    frames: 60,
    fps: 30,
    codec: h264,
  });
  const bytes = await Deno.readFile(full);
  await Deno.writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const { frames, states } = await readAll(source(cut));
  assert.ok(frames.length > 10 && frames.length < 60, `${frames.length} frames`);
  assert.equal(states.at(-1), "ended");
  await assertNoChildren();
});

Deno.test("FrameSource refuses a file outside its root folders", async () => {
  await assert.rejects(
    () => new FrameSource({ streamId: "x", input: "/etc/hostname", ffmpeg, roots }).start(),
    /file inputs are confined to the root folders/,
  );
});

Deno.test("FrameSource refuses protocol tricks and non-synthetic lavfi graphs", async () => {
  for (
    const input of [
      "concat:a.mp4|b.mp4",
      "gopher://host/x",
      "lavfi:movie=/etc/passwd",
      "lavfi:testsrc,movie=x",
    ]
  ) {
    await assert.rejects(() => source(input).start(), SourceError, input);
  }
});

Deno.test("FrameSource rejects bad options with errors that name them", () => {
  assert.throws(
    () => source(videos.h264Mp4, { streamId: "" }),
    /streamId: expected a non-empty string/,
  );
  assert.throws(
    () => source(videos.h264Mp4, { output: { width: 0, height: 10 } }),
    /output\.width: expected an integer in \[1, 16384\], found 0/,
  );
  assert.throws(
    () => source(videos.h264Mp4, { policy: "newest" as "wait" }),
    /policy: expected one of/,
  );
  assert.throws(() => source(videos.h264Mp4, { queueSize: 0 }), RangeError);
});

Deno.test({
  name: "file source tests leave no temporary files behind",
  fn: async () => {
    await Deno.remove(dir, { recursive: true });
  },
});
