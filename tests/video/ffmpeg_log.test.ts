import assert from "node:assert/strict";
import { FfmpegLog } from "../../src/video/ffmpeg_log.ts";

Deno.test("FfmpegLog reads the header of a live lavfi input (rate from tbr)", () => {
  const log = new FfmpegLog();
  log.line("Input #0, lavfi, from 'testsrc2=size=320x240:rate=30':");
  log.line("  Duration: N/A, start: 0.000000, bitrate: N/A");
  log.line(
    "    Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuv420p, 320x240 [SAR 1:1 DAR 4:3], 30 tbr, 30 tbn, 30 tbc",
  );
  assert.deepEqual(log.info, {
    container: "lavfi",
    codec: "rawvideo",
    width: 320,
    height: 240,
    fps: 30,
  });
});

Deno.test("FfmpegLog reads an RTSP header with fractional rates", () => {
  const log = new FfmpegLog();
  log.line("Input #0, rtsp, from 'rtsp://cam/1':");
  log.line(
    "    Stream #0:0: Video: h264 (Main), yuvj420p(pc, bt709, progressive), 2560x1440, 29.97 fps, 29.97 tbr, 90k tbn",
  );
  assert.deepEqual([log.info?.codec, log.info?.width, log.info?.height, log.info?.fps], [
    "h264",
    2560,
    1440,
    29.97,
  ]);
});

Deno.test("FfmpegLog reads showinfo timestamps of ffmpeg 4 and 6 alike", async () => {
  const log = new FfmpegLog();
  log.line("[Parsed_showinfo_1 @ 0x1] n:   0 pts:      0 pts_time:0       pos:       48 fmt:rgb24");
  log.line(
    "[Parsed_showinfo_1 @ 0x1] n:   1 pts:   3003 pts_time:0.0333667 duration:   3003 duration_time:0.0333667 fmt:rgb24",
  );
  log.line("[Parsed_showinfo_1 @ 0x1] n:   2 pts:NOPTS pts_time:NOPTS pos: -1");
  assert.deepEqual(log.takeFrameTime(0), { n: 0, ptsMs: 0 });
  assert.deepEqual(log.takeFrameTime(1), { n: 1, ptsMs: 33.367 });
  assert.ok(Number.isNaN(log.takeFrameTime(2)!.ptsMs));
  assert.equal(log.takeFrameTime(1), undefined, "taken once");
  const seen = log.frameTimeSeen(3);
  log.line("[Parsed_showinfo_1 @ 0x1] n:   3 pts:   9009 pts_time:0.1001");
  await seen;
});

Deno.test("FfmpegLog sums up an error from its last error lines", () => {
  const log = new FfmpegLog();
  log.line("[tcp @ 0x1] Connection to tcp://127.0.0.1:9 failed: Connection refused");
  log.line("http://127.0.0.1:9/x.ts: Connection refused");
  assert.equal(
    log.errorSummary(),
    "[tcp @ 0x1] Connection to tcp://127.0.0.1:9 failed: Connection refused; http://127.0.0.1:9/x.ts: Connection refused",
  );
});
