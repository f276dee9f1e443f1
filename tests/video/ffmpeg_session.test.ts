import assert from "node:assert/strict";
import { ffmpegArgs, frameGeometry, type OutputSpec } from "../../src/video/ffmpeg_args.ts";
import { FfmpegSession, LINE_GRACE_MS } from "../../src/video/ffmpeg_session.ts";
import { ffmpegChildren, testFfmpeg } from "../_helpers/media.ts";

const ffmpeg = await testFfmpeg();
const native: OutputSpec = { fit: "native", width: 0, height: 0, format: "rgb24" };

Deno.test("FfmpegSession reads frames whose showinfo line never comes, with the last known geometry and no timestamp", async () => {
  // No showinfo in the graph: no frame line at all, while ffmpeg goes on running.
  const args = [
    ...["-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", "-re"],
    ...["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-map", "0:v:0"],
    ...["-vf", "format=rgb24", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
  ];
  const session = new FfmpegSession(ffmpeg, args, (w, h) => frameGeometry(w, h, native));
  try {
    assert.deepEqual([(await session.info)?.width, (await session.info)?.height], [64, 48]);
    const start = performance.now();
    for (let i = 0; i < 2; i++) {
      const frame = await session.readFrame();
      assert.ok(frame, `frame ${i}`);
      assert.equal(frame.data.length, 64 * 48 * 3);
      assert.deepEqual([frame.geometry.sourceWidth, frame.geometry.sourceHeight], [64, 48]);
      assert.ok(Number.isNaN(frame.ptsMs));
      assert.ok(frame.data.some((v) => v > 0), "a picture, not zeros");
    }
    // Each frame waited for its line, for the grace only.
    const took = performance.now() - start;
    assert.ok(took >= 2 * LINE_GRACE_MS - 50 && took < 2 * LINE_GRACE_MS + 1500, `${took} ms`);
  } finally {
    await session.stop();
  }
  assert.equal(await session.readFrame(), null, "stopped: no more frames");
  assert.deepEqual(await ffmpegChildren(), []);
});

Deno.test("a live frame reaches the pipe before ffmpeg has taken the next picture, not a frame period later", async () => {
  // 2 frames a second in real time: a frame held until the next one is sent (ffmpeg 5's
  // frame-threaded rawvideo encoder, without `-threads 1`) would come 500 ms late, after
  // the next frame's showinfo line. (The npm ffmpeg 4.1 never held one; Debian's 5.1 did.)
  const args = ffmpegArgs(
    ffmpeg,
    { kind: "lavfi", graph: "testsrc2=size=64x48:rate=2" },
    "",
    native,
    { realtime: true, loop: false },
    "file",
  );
  const session = new FfmpegSession(ffmpeg, args, (w, h) => frameGeometry(w, h, native));
  try {
    for (let i = 0; i < 3; i++) {
      const frame = await session.readFrame();
      assert.ok(frame, `frame ${i}`);
      assert.equal(
        session.log.linesSeen,
        i + 1,
        `frame ${i} was read after showinfo had logged ${session.log.linesSeen} frames (${ffmpeg.version})`,
      );
    }
  } finally {
    await session.stop();
  }
});
