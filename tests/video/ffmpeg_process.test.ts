import assert from "node:assert/strict";
import { type FfmpegExit, FfmpegProcess } from "../../src/video/ffmpeg_process.ts";
import { installSignalListeners, runningChildren } from "../../src/video/child_registry.ts";
import type { FfmpegBinary } from "../../src/video/ffmpeg_binary.ts";
import type { Frame } from "../../src/types.ts";
import { FrameSource } from "../../src/video/frame_source.ts";
import { ThumbnailEncoder } from "../../src/pipeline/thumbnail_encoder.ts";
import { ffmpegChildren, testFfmpeg } from "../_helpers/media.ts";

installSignalListeners(); // now, so that the first child's listeners are no test's leak

const ffmpeg = await testFfmpeg();
const dir = await Deno.makeTempDir({ prefix: "streamdet-ffmpeg-process-" });
const quiet = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "error"];
/** A test pattern with no end, decoded as fast as ffmpeg can into nothing. */
const forever = [...quiet, "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=30", "-f", "null", "-"];

async function assertNoChildren(): Promise<void> {
  assert.equal(runningChildren(), 0, "the registry still holds a child");
  assert.deepEqual(await ffmpegChildren(), [], "an ffmpeg child is still running");
}

/** Runs ffmpeg to its end with `args`; how it ended. */
function run(args: string[]): Promise<FfmpegExit> {
  return new FfmpegProcess(ffmpeg, args).stop({ exitGraceMs: Infinity });
}

Deno.test("stop() ends a child that ignores the end of its stdin, within the grace periods", async () => {
  const child = new FfmpegProcess(ffmpeg, forever, { stdin: "piped" });
  assert.equal(runningChildren(), 1, "the registry holds the running child");
  await new Promise((resolve) => setTimeout(resolve, 200));
  const start = performance.now();
  const exit = await child.stop({ exitGraceMs: 300, termGraceMs: 300 });
  const took = performance.now() - start;
  assert.ok(took >= 280, `the child had its exit grace first, found a stop after ${took} ms`);
  assert.ok(took < 300 + 300 + 1500, `expected a stop within the grace periods, found ${took} ms`);
  assert.equal(exit.success, false, "SIGTERM ended it");
  await assertNoChildren();
});

Deno.test("stop() kills a child that ignores SIGTERM once the SIGTERM grace is over", async () => {
  // Not ffmpeg: ffmpeg always obeys SIGTERM. An ignored signal stays ignored across exec.
  const stubborn: FfmpegBinary = { path: "sh", origin: "PATH", version: "", libavformat: [0, 0] };
  const child = new FfmpegProcess(stubborn, ["-c", "trap '' TERM; echo ready >&2; exec sleep 30"], {
    stdin: "piped",
    stdout: "piped",
  });
  while (child.stderrTail().length === 0) await new Promise((r) => setTimeout(r, 10));
  const start = performance.now();
  const exit = await child.stop({ exitGraceMs: 0, termGraceMs: 300 });
  const took = performance.now() - start;
  assert.equal(exit.signal, "SIGKILL");
  assert.ok(took >= 280 && took < 300 + 1500, `expected SIGKILL after 300 ms, found ${took} ms`);
  assert.equal(runningChildren(), 0, "the registry no longer holds the killed child");
});

Deno.test("a child that exits by itself is reaped, with its exit status and the end of its stderr", async () => {
  const lines: string[] = [];
  const child = new FfmpegProcess(
    ffmpeg,
    ["-hide_banner", "-nostdin", "-i", `${dir}/missing.mp4`],
    {
      onStderrLine: (line) => lines.push(line),
      tailLines: 1,
    },
  );
  const exit = await child.exited;
  assert.equal(exit.success, false);
  assert.notEqual(exit.code, 0);
  assert.equal(exit.signal, null);
  assert.match(lines.join("\n"), /missing\.mp4: No such file or directory/);
  assert.deepEqual(exit.stderrTail, lines.slice(-1), "the tail keeps the last line");
  assert.equal(runningChildren(), 0, "the registry forgot the child when it exited");
  assert.deepEqual(await child.stop({ termGraceMs: 0 }), exit, "stop() releases its pipes");
  await assertNoChildren();
});

Deno.test("stopping twice is safe, and a second stop with shorter grace periods hurries the first", async () => {
  const child = new FfmpegProcess(ffmpeg, forever, { stdin: "piped" });
  const patient = child.stop({ exitGraceMs: Infinity });
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(runningChildren(), 1, "the child still runs: it may take forever");
  const start = performance.now();
  const hurried = child.stop({ exitGraceMs: 0, termGraceMs: 0 });
  assert.equal(hurried, patient, "one stop, whoever calls it");
  const exit = await hurried;
  assert.ok(performance.now() - start < 1500, "the second stop did not wait for the first's grace");
  assert.equal(exit.signal, "SIGKILL");
  assert.deepEqual(await child.stop(), exit, "a stop after the end tells how it ended");
  await assert.rejects(child.write(new Uint8Array(1)), "stdin is closed");
  await assertNoChildren();
});

/** A 64×48 gray frame of level `v`. */
function grayFrame(v: number): Uint8Array {
  return new Uint8Array(64 * 48).fill(v);
}

function encoder(path: string): FfmpegProcess {
  const raw = ["-f", "rawvideo", "-pix_fmt", "gray", "-s", "64x48", "-framerate", "10"];
  return new FfmpegProcess(
    ffmpeg,
    [...quiet, ...raw, "-i", "pipe:0", "-c:v", "libx264", "-preset", "ultrafast"]
      .concat(["-pix_fmt", "yuv420p", "-movflags", "+faststart", "-y", `file:${path}`]),
    { stdin: "piped", stop: { exitGraceMs: Infinity } },
  );
}

Deno.test("an encoder stopped normally finishes its file; killed at once, it leaves a broken one", async () => {
  const complete = `${dir}/complete.mp4`;
  const child = encoder(complete);
  for (let k = 0; k < 12; k++) await child.write(grayFrame(k * 20));
  const exit = await child.stop();
  assert.equal(exit.success, true, `ffmpeg failed: ${exit.stderrTail.join("; ")}`);
  const check = await run(["-v", "error", "-i", complete, "-f", "null", "-"]);
  assert.deepEqual([check.success, check.stderrTail], [true, []], "ffmpeg reads it without error");
  const source = new FrameSource({ streamId: "check", input: complete, ffmpeg, roots: [dir] });
  assert.equal((await Array.fromAsync(source.frames())).length, 12, "every frame is in it");

  const broken = `${dir}/broken.mp4`;
  const killed = encoder(broken);
  for (let k = 0; k < 12; k++) await killed.write(grayFrame(k * 20));
  const size = async () => (await Deno.stat(broken).catch(() => undefined))?.size ?? 0;
  for (const deadline = Date.now() + 5000; await size() === 0 && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 10)); // until ffmpeg has begun the file
  }
  assert.equal((await killed.stop({ exitGraceMs: 0, termGraceMs: 0 })).signal, "SIGKILL");
  const bad = await run(["-v", "error", "-i", broken, "-f", "null", "-"]);
  assert.equal(bad.success, false, "without its trailer the MP4 does not open");
  assert.match(bad.stderrTail.join("\n"), /moov atom not found|Invalid data/);
  await assertNoChildren();
});

const geometry = {
  sourceWidth: 64,
  sourceHeight: 48,
  width: 64,
  height: 48,
  scaledWidth: 64,
  scaledHeight: 48,
  scaleX: 1,
  scaleY: 1,
  padX: 0,
  padY: 0,
};

function rgbFrame(index: number, width = 64, height = 48): Frame {
  const data = new Uint8Array(width * height * 3).fill(index * 40);
  const own = { ...geometry, width, height, sourceWidth: width, sourceHeight: height };
  return {
    streamId: "a",
    index,
    ptsMs: 0,
    capturedAt: 0,
    width,
    height,
    format: "rgb24",
    data,
    geometry: own,
  };
}

Deno.test("a ThumbnailEncoder closed with frames pending gets their JPEGs, then refuses frames, and leaves no child", async () => {
  const thumbnails = new ThumbnailEncoder(ffmpeg, 64, 48, geometry);
  const pending = [0, 1, 2].map((k) => thumbnails.encode(rgbFrame(k)));
  await Promise.all([thumbnails.close(), thumbnails.close()]);
  for (const thumbnail of await Promise.all(pending)) {
    assert.deepEqual([thumbnail.jpeg[0], thumbnail.jpeg[1], thumbnail.width], [0xff, 0xd8, 64]);
  }
  await assert.rejects(thumbnails.encode(rgbFrame(3)), /ThumbnailEncoder: closed/);
  await assertNoChildren();
});

Deno.test("a ThumbnailEncoder whose ffmpeg fails rejects its frames with ffmpeg's reason", async () => {
  // 16×16 frames, but a geometry that crops 64×48 out of them: ffmpeg's filter fails.
  const thumbnails = new ThumbnailEncoder(ffmpeg, 16, 16, geometry);
  const pending = [0, 1].map((k) => thumbnails.encode(rgbFrame(k, 16, 16)));
  for (const thumbnail of pending) {
    await assert.rejects(
      thumbnail,
      /^Error: ThumbnailEncoder: expected a JPEG from ffmpeg, found it exited with code \d+: .+/,
    );
  }
  assert.equal(runningChildren(), 0, "the failed child is gone before close()");
  await thumbnails.close();
  await assertNoChildren();
});

Deno.test("ffmpeg process tests leave no temporary files behind", async () => {
  await Deno.remove(dir, { recursive: true });
});
