import assert from "node:assert/strict";
import { DecoderDelay, type TimedFrame } from "../../src/video/decoder_delay.ts";
import { FfmpegLog } from "../../src/video/ffmpeg_log.ts";
import { FrameSource } from "../../src/video/frame_source.ts";
import { ffmpegChildren, makeVideo, testFfmpeg } from "../_helpers/media.ts";

Deno.test("the decoder delay reader counts packets taken beyond each picture, and times its hold", () => {
  const delay = new DecoderDelay();
  const packet = (pts: number, stream = 0) =>
    `demuxer+ffmpeg -> ist_index:${stream} type:video pkt_pts:${pts} pkt_pts_time:0 pkt_dts:0`;
  assert.ok(delay.line(packet(0), 0));
  assert.ok(delay.line(packet(2), 40));
  assert.ok(delay.line(packet(9, 1), 41), "another stream's packet is read, not counted");
  assert.ok(delay.line(packet(1), 80));
  assert.ok(delay.line("decoder -> ist_index:0 type:video frame_pts:0 frame_pts_time:0", 81));
  assert.ok(delay.line("[vist#0:0/h264 @ 0x5] decoder -> pts:1 pts_time:0.04 pkt_dts:1", 82));
  assert.deepEqual(delay.take(0), { delayFrames: 2, holdMs: 81 });
  assert.deepEqual(delay.take(1), { delayFrames: 1, holdMs: 2 });
  assert.equal(delay.take(2), undefined, "not decoded yet");
  assert.ok(delay.line("muxer <- type:video pkt_pts:0 pkt_pts_time:0 size:3", 90));
  assert.ok(!delay.line("[h264 @ 0x5] error while decoding MB 1 2", 90));
});

Deno.test("showinfo's line of a frame carries what the decoder did, and -debug_ts lines stay out of errors", () => {
  let t = 0;
  const log = new FfmpegLog(() => t);
  log.line("demuxer+ffmpeg -> ist_index:0 type:video pkt_pts:512 pkt_pts_time:0.04 pkt_dts:0");
  t = 3;
  log.line(
    "decoder -> ist_index:0 type:video frame_pts:512 frame_pts_time:0.04 best_effort_ts:512",
  );
  log.line(
    "[Parsed_showinfo_1 @ 0x55] n:   0 pts:    512 pts_time:0.04    pos: 1 fmt:yuv420p s:64x48 i:P",
  );
  log.line("filter -> pts:1 pts_time:0.04 exact:1.000000 time_base:1/25");
  assert.deepEqual(log.takeFrame(0)?.decoder, { delayFrames: 0, holdMs: 3 });
  assert.equal(log.errorSummary(), "");
});

/** Reads a clip in real time, as the live pipeline does; what each frame's decoder did. */
async function decoderTimings(path: string, frames: number): Promise<TimedFrame[]> {
  const source = new FrameSource({
    streamId: "clip",
    input: path,
    ffmpeg: await testFfmpeg(),
    output: { width: 64, height: 64 },
    realtime: true,
    policy: "lossless",
    roots: [path.slice(0, path.lastIndexOf("/"))],
  });
  const out: TimedFrame[] = [];
  for await (const frame of source.frames()) out.push(frame as TimedFrame);
  assert.equal(out.length, frames, "every frame comes out");
  const pts = out.map((f) => f.ptsMs);
  assert.deepEqual(pts, [...pts].sort((a, b) => a - b), "in presentation order");
  return out;
}

Deno.test("a stream without B-frames leaves the decoder at once; one with B-frames is held for its reordering", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = (bf: number) =>
      makeVideo(`${dir}/bf${bf}.mp4`, {
        width: 64,
        height: 48,
        frames: 20,
        fps: 25,
        codec: [
          "-c:v",
          "libx264",
          "-preset",
          "ultrafast",
          "-bf",
          String(bf),
          "-pix_fmt",
          "yuv420p",
        ],
      });
    const [plain, reordered] = await Promise.all([clip(0), clip(2)]);
    const without = await decoderTimings(plain, 20);
    const withB = await decoderTimings(reordered, 20);
    const delays = (frames: TimedFrame[]) => frames.map((f) => f.decoder?.delayFrames);
    assert.deepEqual(delays(without), without.map(() => 0));
    // x264's two B-frames: the decoder holds each picture until two packets later.
    assert.deepEqual(delays(withB).slice(0, -2), withB.slice(0, -2).map(() => 2));
    const meanHold = (frames: TimedFrame[]) =>
      frames.reduce((s, f) => s + (f.decoder?.holdMs ?? NaN), 0) / frames.length;
    assert.ok(meanHold(without) < 10, `without B-frames: ${meanHold(without)} ms`);
    // Two frame periods (80 ms at 25 fps) on average, paced by -re.
    assert.ok(meanHold(withB) > 40, `with B-frames: ${meanHold(withB)} ms`);
    assert.ok(meanHold(withB) > meanHold(without) + 30);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(await ffmpegChildren(), []);
});
