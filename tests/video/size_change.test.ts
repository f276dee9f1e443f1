import assert from "node:assert/strict";
import { FrameSource, type FrameSourceOptions } from "../../src/video/frame_source.ts";
import { isFfmpeg44 } from "../../src/video/ffmpeg_args.ts";
import { AnnotatedVideoWriter } from "../../src/sinks/annotated_video.ts";
import type { Frame, SourceStatus } from "../../src/types.ts";
import { ffmpegChildren, freePort, runFfmpeg, testFfmpeg, watch } from "../_helpers/media.ts";

const ffmpeg = await testFfmpeg();
const dir = await Deno.makeTempDir({ prefix: "streamdet-size-change-" });
const demo = new URL("../../models/demo/street.mp4", import.meta.url).pathname;

/** `frames` frames of the demo video at `w×h` as MPEG-TS (TS files can simply be joined). */
async function part(name: string, w: number, h: number, frames = 10): Promise<Uint8Array> {
  const path = `${dir}/${name}.ts`;
  await runFfmpeg([
    "-ss",
    "2",
    "-i",
    demo,
    "-frames:v",
    String(frames),
    "-vf",
    `scale=${w}:${h}`,
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-g", // a keyframe every 5 frames, as cameras send them
    "5",
    "-pix_fmt",
    "yuv420p",
    path,
  ]);
  return await Deno.readFile(path);
}

// `cat a.ts b.ts a.ts`: 10 frames at 640×360, 10 at 320×180, 10 at 640×360.
const a = await part("a", 640, 360), b = await part("b", 320, 180);
const joined = `${dir}/joined.ts`;
await Deno.writeFile(joined, new Uint8Array([...a, ...b, ...a]));
const SIZES = [
  ...Array(10).fill("640×360"),
  ...Array(10).fill("320×180"),
  ...Array(10).fill("640×360"),
];

/** Every frame of the source, failing (not hanging) when one takes over 20 s. */
async function readAll(options: Partial<FrameSourceOptions>): Promise<{
  frames: Frame[];
  events: SourceStatus[];
}> {
  const source = new FrameSource({
    streamId: "joined",
    input: joined,
    ffmpeg,
    roots: [dir],
    ...options,
  });
  const events = watch(source);
  const reader = source.frames().getReader();
  const frames: Frame[] = [];
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const next = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) =>
          timer = setTimeout(
            () => reject(new Error(`no frame after frame ${frames.length} within 20 s`)),
            20_000,
          )
        ),
      ]).finally(() => clearTimeout(timer));
      if (next.done) break;
      frames.push(next.value);
    }
  } finally {
    await reader.cancel();
  }
  return { frames, events };
}

const size = (f: Frame) => `${f.geometry.sourceWidth}×${f.geometry.sourceHeight}`;

Deno.test("a video whose size changes mid-stream delivers every frame, letterboxed from its own size", async () => {
  const { frames, events } = await readAll({ output: { width: 320, height: 320 } });
  assert.deepEqual(frames.map(size), SIZES);
  assert.deepEqual(frames.map((f) => f.index), [...Array(30).keys()]);
  for (const f of frames) {
    assert.deepEqual([f.width, f.height, f.data.length], [320, 320, 320 * 320 * 3]);
    // Letterboxed: 640×360 and 320×180 both fill the width, 180 rows high, centred.
    assert.deepEqual(
      [f.geometry.scaledWidth, f.geometry.scaledHeight, f.geometry.padX, f.geometry.padY],
      [320, 180, 0, 70],
    );
    assert.equal(f.geometry.scaleX, 320 / f.geometry.sourceWidth);
  }
  // Each frame has its own timestamp, increasing across the joins.
  const pts = frames.map((f) => f.ptsMs);
  assert.ok(pts.every((t, i) => i === 0 || t > pts[i - 1]), `pts ${pts}`);
  // A black frame would mean misaligned bytes: the pictures sit in rows 70..250.
  const row = (f: Frame, y: number) => f.data.subarray(y * 320 * 3, (y + 1) * 320 * 3);
  for (const f of frames) {
    assert.ok(row(f, 60).every((v) => v === 0), "padding above the picture");
    assert.ok(row(f, 160).some((v) => v > 30), "picture in the middle");
  }
  const changes = events.filter((e) => e.state === "connected" && e.reason);
  assert.deepEqual(changes.map((e) => [e.input, e.reason]), [
    [{ width: 320, height: 180 }, "the input changed size from 640×360 to 320×180"],
    [{ width: 640, height: 360 }, "the input changed size from 320×180 to 640×360"],
  ]);
  assert.deepEqual(events.at(0)?.state, "connecting");
  assert.deepEqual(events.find((e) => e.state === "connected")?.input, { width: 640, height: 360 });
  assert.equal(events.at(-1)?.state, "ended");
  assert.equal(events.at(-1)?.reason, undefined, "joined recordings are not damaged");
  assert.deepEqual(await ffmpegChildren(), []);
});

Deno.test("a video whose size changes mid-stream, read at native size, gives each frame the bytes of its own size", async () => {
  const { frames } = await readAll({});
  assert.deepEqual(frames.map(size), SIZES);
  for (const f of frames) {
    assert.equal(f.data.length, f.width * f.height * 3);
    assert.equal(f.geometry.width, f.width);
    if (isFfmpeg44(ffmpeg)) {
      // -autoscale 0: each frame at its picture's own size.
      assert.deepEqual([f.width, f.height], [f.geometry.sourceWidth, f.geometry.sourceHeight]);
    } else {
      // ffmpeg 4.1 stretches every frame to the first one's size: the geometry says so.
      assert.deepEqual([f.width, f.height], [640, 360]);
      assert.equal(f.geometry.scaleX, 640 / f.geometry.sourceWidth);
    }
  }
  assert.deepEqual(await ffmpegChildren(), []);
});

Deno.test("a live camera whose stream changes size goes on at the new size, without reconnecting", async () => {
  // 2 s at each size, served at its own rate as a camera would send it (a live source
  // probes its first second, and keeps no frame of it).
  const long = `${dir}/long.ts`;
  const [a2, b2] = [await part("a2", 640, 360, 30), await part("b2", 320, 180, 30)];
  await Deno.writeFile(long, new Uint8Array([...a2, ...b2, ...a2]));
  const port = freePort();
  const camera = new Deno.Command(ffmpeg.path, {
    args: [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-i", long],
      ...["-c", "copy", "-f", "mpegts", "-listen", "1", `http://127.0.0.1:${port}/live.ts`],
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await new Promise((r) => setTimeout(r, 300));
    const { frames, events } = await readAll({
      input: `http://127.0.0.1:${port}/live.ts`,
      output: { width: 160, height: 160 },
      policy: "wait", // every frame, to see each size
      reconnect: false,
    });
    const sizes = frames.map(size).filter((s, i, all) => i === 0 || s !== all[i - 1]);
    assert.deepEqual(sizes, ["640×360", "320×180", "640×360"]);
    assert.ok(frames.length >= 60, `${frames.length} frames`);
    assert.ok(!events.some((e) => e.state === "reconnecting" || e.state === "stalled"));
    assert.equal(events.filter((e) => e.state === "connected" && e.reason).length, 2);
  } finally {
    try {
      camera.kill("SIGKILL");
    } catch {
      // gone already
    }
    await camera.status;
  }
  assert.deepEqual(await ffmpegChildren(), []);
});

Deno.test("an annotated copy of a video that changes size pairs each overlay with its frame, stretched to the first size", async () => {
  const writer = await AnnotatedVideoWriter.start(ffmpeg, {
    input: joined,
    output: `${dir}/joined.annotated.mp4`,
    width: 640,
    height: 360,
    fps: 15,
  });
  try {
    for (const [k, text] of SIZES.entries()) {
      // A 40×40 block in the frame's own pixels, its red channel counting the frames.
      const [w, h] = text.split("×").map(Number);
      const layer = new Uint8Array(w * h * 4);
      for (let y = 0; y < 40; y++) {
        for (let x = 0; x < 40; x++) layer.set([k * 8, 0, 0, 255], (y * w + x) * 4);
      }
      await writer.write(layer, { width: w, height: h });
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const copy = new FrameSource({
    streamId: "copy",
    input: `${dir}/joined.annotated.mp4`,
    ffmpeg,
    roots: [dir],
  });
  const red = (f: Frame, x: number, y: number) => f.data[(y * f.width + x) * 3];
  const frames: Frame[] = [];
  for await (const f of copy.frames()) frames.push(f);
  assert.equal(frames.length, 30);
  for (const [k, f] of frames.entries()) {
    assert.deepEqual([f.width, f.height], [640, 360]);
    assert.ok(Math.abs(red(f, 20, 20) - k * 8) <= 6, `frame ${k}: red ${red(f, 20, 20)}`);
    // A half-size frame's block covers 80×80 pixels of the copy.
    const small = SIZES[k] === "320×180";
    assert.equal(Math.abs(red(f, 70, 70) - k * 8) <= 6, small, `frame ${k} at (70, 70)`);
  }
  assert.deepEqual(await ffmpegChildren(), []);
});

Deno.test({
  name: "size change tests leave no temporary files behind",
  fn: async () => {
    await Deno.remove(dir, { recursive: true });
  },
});
