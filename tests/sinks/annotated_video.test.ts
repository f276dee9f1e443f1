import assert from "node:assert/strict";
import { AnnotatedVideoError, AnnotatedVideoWriter } from "../../src/sinks/annotated_video.ts";
import { drawOverlay } from "../../src/sinks/overlay.ts";
import { FrameSource } from "../../src/video/frame_source.ts";
import { installSignalListeners } from "../../src/video/child_registry.ts";
import type { ClassSpec } from "../../src/inference/manifest.ts";
import type { Frame } from "../../src/types.ts";
import { ffmpegChildren, makeVideo, testFfmpeg } from "../_helpers/media.ts";

installSignalListeners(); // now, so that the first ffmpeg child's listeners are no test's leak

const ffmpeg = await testFfmpeg();
const dir = await Deno.makeTempDir({ prefix: "streamdet-annotate-" });
const W = 320, H = 180, FRAMES = 30, FPS = 12;
const input = await makeVideo(`${dir}/in.mp4`, {
  width: W,
  height: H,
  frames: FRAMES,
  fps: FPS,
  codec: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
});
// Orange: testsrc2 has saturated primaries and greys, nothing near it.
const ORANGE: [number, number, number] = [255, 128, 0];
const CLASSES: ClassSpec[] = [{ id: 1, name: "car", isThing: true, color: ORANGE }];
const SIDE = 24, Y = 80;

/** Where frame k's square is: one position per frame, 30 pixels apart, wrapping. */
function squareX(k: number): number {
  return 10 + (k * 30) % 300;
}

/** Frame k's overlay: an opaque orange square (a box with a full mask) at squareX(k). */
function overlay(k: number): Uint8Array {
  const x = squareX(k);
  return drawOverlay(
    {
      boxes: new Float32Array([x, Y, x + SIDE, Y + SIDE]),
      scores: new Float32Array([0.9]),
      classIds: new Int32Array([1]),
      masks: [{ x, y: Y, width: SIDE, height: SIDE, data: new Uint8Array(SIDE * SIDE).fill(1) }],
    },
    W,
    H,
    CLASSES,
    { maskAlpha: 255, labels: false },
  );
}

async function decode(path: string): Promise<{ frames: Frame[]; fps: number; size: number[] }> {
  const source = new FrameSource({ streamId: "check", input: path, ffmpeg, roots: [dir] });
  const info = await source.start();
  const frames: Frame[] = [];
  for await (const frame of source.frames()) frames.push(frame);
  return { frames, fps: info.input.fps, size: [info.input.width, info.input.height] };
}

function rgbAt(frame: Frame, x: number, y: number): number[] {
  const o = (y * frame.width + x) * 3;
  return [...frame.data.subarray(o, o + 3)];
}

function near(a: number[], b: number[], tolerance: number): boolean {
  return a.every((v, i) => Math.abs(v - b[i]) <= tolerance);
}

/** Mean absolute difference of two frames over rows [y0, y1). */
function meanDiff(a: Frame, b: Frame, y0: number, y1: number): number {
  let sum = 0;
  for (let o = y0 * a.width * 3; o < y1 * a.width * 3; o++) sum += Math.abs(a.data[o] - b.data[o]);
  return sum / ((y1 - y0) * a.width * 3);
}

async function files(folder: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(folder), (e) => e.name)).sort();
}

async function assertNoChildren(): Promise<void> {
  assert.deepEqual(await ffmpegChildren(), [], "an ffmpeg child is still running");
}

Deno.test("an annotated copy has every input frame at the input's rate, each under its own overlay", async () => {
  const output = `${dir}/sync/out.mp4`;
  const writer = await AnnotatedVideoWriter.start(ffmpeg, {
    input,
    output,
    width: W,
    height: H,
    fps: FPS,
  });
  for (let k = 0; k < FRAMES; k++) await writer.write(overlay(k));
  const summary = await writer.close();
  assert.deepEqual(summary, { path: output, frames: FRAMES, overlays: FRAMES, unused: 0 });
  assert.deepEqual(await files(`${dir}/sync`), ["out.mp4"], "no temporary file left");

  const [original, annotated] = [await decode(input), await decode(output)];
  assert.equal(annotated.frames.length, FRAMES);
  assert.equal(annotated.fps, FPS);
  assert.deepEqual(annotated.size, [W, H]);
  annotated.frames.forEach((frame, k) => {
    const at = (x: number) => rgbAt(frame, x + SIDE / 2, Y + SIDE / 2);
    const own = at(squareX(k));
    const plain = rgbAt(original.frames[k], squareX(k) + SIDE / 2, Y + SIDE / 2);
    assert.ok(!near(plain, ORANGE, 60), `frame ${k}: the input is not orange there (${plain})`);
    assert.ok(near(own, ORANGE, 40), `frame ${k}: its own square is orange, found ${own}`);
    for (const other of [k - 1, k + 1]) {
      const x = squareX(other) + SIDE / 2;
      const found = rgbAt(frame, x, Y + SIDE / 2);
      const before = rgbAt(original.frames[k], x, Y + SIDE / 2);
      assert.ok(
        near(found, before, 40),
        `frame ${k}: frame ${other}'s square is not there (input ${before}, found ${found})`,
      );
    }
    // Away from the squares the picture is the input's (re-encoded: nearly equal).
    const diff = meanDiff(frame, original.frames[k], 0, 60);
    assert.ok(diff < 6, `frame ${k}: the top rows differ from the input by ${diff} on average`);
  });
  await assertNoChildren();
});

Deno.test("frames after the last overlay pass through, and overlays after the last frame go unused", async () => {
  const few = await AnnotatedVideoWriter.start(ffmpeg, {
    input,
    output: `${dir}/few.mp4`,
    width: W,
    height: H,
    fps: FPS,
  });
  for (let k = 0; k < 10; k++) await few.write(overlay(k));
  assert.equal((await few.close()).frames, FRAMES);
  const [original, annotated] = [await decode(input), await decode(`${dir}/few.mp4`)];
  assert.equal(annotated.frames.length, FRAMES);
  const x = squareX(20) + SIDE / 2;
  const before = rgbAt(original.frames[20], x, Y + SIDE / 2);
  assert.ok(near(rgbAt(annotated.frames[20], x, Y + SIDE / 2), before, 40), "frame 20 is plain");

  const many = await AnnotatedVideoWriter.start(ffmpeg, {
    input,
    output: `${dir}/many.mp4`,
    width: W,
    height: H,
    fps: FPS,
  });
  for (let k = 0; k < FRAMES + 15; k++) await many.write(overlay(k % FRAMES));
  const summary = await many.close();
  assert.equal(summary.frames, FRAMES);
  assert.equal(summary.overlays + summary.unused, FRAMES + 15);
  assert.ok(
    summary.overlays >= FRAMES,
    `ffmpeg took at least one overlay per frame: ${summary.overlays}`,
  );
  assert.equal((await decode(`${dir}/many.mp4`)).frames.length, FRAMES);
  await assertNoChildren();
});

Deno.test("until close the output exists only as a hidden temporary file, and abort removes it", async () => {
  const folder = `${dir}/abort`;
  const writer = await AnnotatedVideoWriter.start(ffmpeg, {
    input,
    output: `${folder}/out.mp4`,
    width: W,
    height: H,
    fps: FPS,
  });
  for (let k = 0; k < 10; k++) await writer.write(overlay(k));
  const names = await files(folder);
  assert.equal(names.length, 1);
  assert.match(names[0], /^\.out\.mp4\.[0-9a-f]{12}\.tmp$/);
  assert.equal(`${folder}/${names[0]}`, writer.tempPath);
  await writer.abort();
  await writer.abort(); // twice is fine
  assert.equal(writer.state, "aborted");
  assert.deepEqual(await files(folder), [], "neither the output nor its temporary file");
  await assert.rejects(writer.write(overlay(0)), /expected an open writer, found it aborted/);
  await assert.rejects(writer.close(), /found it aborted/);
  await assertNoChildren();
});

Deno.test("an ffmpeg killed mid-way fails the writer with the reason and leaves no output", async () => {
  const folder = `${dir}/killed`;
  const writer = await AnnotatedVideoWriter.start(ffmpeg, {
    input,
    output: `${folder}/out.mp4`,
    width: W,
    height: H,
    fps: FPS,
  });
  for (let k = 0; k < 5; k++) await writer.write(overlay(k));
  Deno.kill(writer.pid, "SIGKILL");
  let failure: unknown;
  try {
    for (let k = 5; k < FRAMES; k++) await writer.write(overlay(k));
    await writer.close();
  } catch (error) {
    failure = error;
  }
  assert.ok(
    failure instanceof AnnotatedVideoError,
    `expected an AnnotatedVideoError, found ${failure}`,
  );
  assert.match(failure.message, /killed by SIGKILL/);
  assert.equal(writer.state, "failed");
  assert.deepEqual(await files(folder), [], "the failure removed the temporary file");
  await writer.abort(); // what a caller does after a failure: nothing left to do
  await assert.rejects(writer.close(), /killed by SIGKILL/);
  await assertNoChildren();
});

Deno.test("an input ffmpeg cannot decode fails close with ffmpeg's reason and leaves no output", async () => {
  const folder = `${dir}/bad`;
  await Deno.mkdir(folder);
  await Deno.writeTextFile(`${folder}/text.mp4`, "not a video\n");
  const writer = await AnnotatedVideoWriter.start(ffmpeg, {
    input: `${folder}/text.mp4`,
    output: `${folder}/out.mp4`,
    width: 16,
    height: 16,
    fps: FPS,
  });
  await assert.rejects(
    async () => {
      await writer.write(new Uint8Array(16 * 16 * 4));
      await writer.close();
    },
    (error: Error) => {
      assert.ok(error instanceof AnnotatedVideoError);
      assert.match(error.message, /exited with code \d+: .*Invalid data/);
      return true;
    },
  );
  assert.deepEqual(await files(folder), ["text.mp4"]);
  await assertNoChildren();
});

Deno.test("AnnotatedVideoWriter refuses a missing input, the input as output, and a wrong overlay size", async () => {
  const options = { input, output: `${dir}/x.mp4`, width: W, height: H, fps: FPS };
  await assert.rejects(
    AnnotatedVideoWriter.start(ffmpeg, { ...options, input: `${dir}/missing.mp4` }),
    /input: expected a video file, found nothing at .*missing\.mp4/,
  );
  await assert.rejects(
    AnnotatedVideoWriter.start(ffmpeg, { ...options, output: input }),
    /expected an output other than the input/,
  );
  await assert.rejects(AnnotatedVideoWriter.start(ffmpeg, { ...options, fps: 0 }), /fps/);
  const writer = await AnnotatedVideoWriter.start(ffmpeg, options);
  await assert.rejects(
    writer.write(new Uint8Array(10)),
    /expected 320×180×4 = 230400 RGBA bytes, found 10/,
  );
  await writer.abort();
  assert.equal((await files(dir)).filter((n) => n.includes("x.mp4")).length, 0);
  await assertNoChildren();
});

Deno.test("an odd-sized input comes out padded to even sizes, every frame kept", async () => {
  const odd = await makeVideo(`${dir}/odd.mp4`, {
    pattern: "testsrc",
    width: 33,
    height: 21,
    frames: 5,
    fps: 25,
    codec: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"],
  });
  const writer = await AnnotatedVideoWriter.start(ffmpeg, {
    input: odd,
    output: `${dir}/odd.annotated.mp4`,
    width: 33,
    height: 21,
    fps: 25,
  });
  for (let k = 0; k < 5; k++) await writer.write(new Uint8Array(33 * 21 * 4));
  assert.equal((await writer.close()).frames, 5);
  const out = await decode(`${dir}/odd.annotated.mp4`);
  assert.deepEqual([out.frames.length, out.fps, ...out.size], [5, 25, 34, 22]);
  await assertNoChildren();
});

Deno.test("annotated video tests leave no temporary files behind", async () => {
  await Deno.remove(dir, { recursive: true });
});
