import assert from "node:assert/strict";
import { FrameSource, type FrameSourceOptions } from "../../src/video/frame_source.ts";
import { isFfmpeg44 } from "../../src/video/ffmpeg_args.ts";
import type { Frame, SourceStatus } from "../../src/types.ts";
import { ffmpegChildren, runFfmpeg, testFfmpeg, watch } from "../_helpers/media.ts";

const ffmpeg = await testFfmpeg();
const dir = await Deno.makeTempDir({ prefix: "streamdet-size-change-" });
const demo = new URL("../../models/demo/street.mp4", import.meta.url).pathname;

/** 10 frames of the demo video at `w×h` as MPEG-TS (TS files can simply be joined). */
async function part(name: string, w: number, h: number, from: number): Promise<Uint8Array> {
  const path = `${dir}/${name}.ts`;
  await runFfmpeg([
    "-ss",
    String(from),
    "-i",
    demo,
    "-frames:v",
    "10",
    "-vf",
    `scale=${w}:${h}`,
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    path,
  ]);
  return await Deno.readFile(path);
}

// `cat a.ts b.ts a.ts`: 10 frames at 640×360, 10 at 320×180, 10 at 640×360.
const a = await part("a", 640, 360, 2), b = await part("b", 320, 180, 2);
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

Deno.test({
  name: "size change tests leave no temporary files behind",
  fn: async () => {
    await Deno.remove(dir, { recursive: true });
  },
});
