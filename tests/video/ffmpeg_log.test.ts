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

Deno.test("FfmpegLog reads showinfo timestamps and sizes of ffmpeg 4 and 6 alike", async () => {
  const log = new FfmpegLog();
  log.line(
    "[Parsed_showinfo_1 @ 0x1] n:   0 pts:      0 pts_time:0       pos:       48 fmt:yuv420p sar:1/1 s:640x360 i:P",
  );
  log.line(
    "[Parsed_showinfo_1 @ 0x1] n:   1 pts:   3003 pts_time:0.0333667 duration:   3003 duration_time:0.0333667 fmt:yuv420p cl:left sar:1/1 s:640x360 i:P",
  );
  log.line("[Parsed_showinfo_1 @ 0x1] n:   2 pts:NOPTS pts_time:NOPTS pos: -1");
  assert.deepEqual(log.takeFrame(0), { index: 0, ptsMs: 0, width: 640, height: 360 });
  assert.deepEqual(log.takeFrame(1), { index: 1, ptsMs: 33.367, width: 640, height: 360 });
  const third = log.takeFrame(2)!;
  assert.ok(Number.isNaN(third.ptsMs) && Number.isNaN(third.width));
  assert.equal(log.takeFrame(1), undefined, "taken once");
  const seen = log.frameSeen(3);
  log.line(
    "[Parsed_showinfo_1 @ 0x1] n:   3 pts:   9009 pts_time:0.1001 pos: 1 fmt:rgb24 sar:1/1 s:64x48",
  );
  await seen;
});

Deno.test("FfmpegLog counts frames in output order when ffmpeg rebuilds its graph and showinfo counts from 0 again", () => {
  const log = new FfmpegLog();
  const shown = (n: number, t: number, size: string) =>
    log.line(
      `[Parsed_showinfo_0 @ 0x2] n:${String(n).padStart(4)} pts:${t * 90} pts_time:${
        t / 1000
      } pos: 1 fmt:yuv420p sar:0/1 s:${size} i:P`,
    );
  shown(0, 0, "640x360");
  shown(1, 40, "640x360");
  log.line("[Parsed_showinfo_0 @ 0x3] config in time_base: 1/90000, frame_rate: 25/1");
  shown(0, 80, "320x180");
  // A line another thread wrote at the same moment swallows showinfo's prefix.
  log.line(
    "[h264 @ 0x4] error while decoding MBn:   1 pts: 10800 pts_time:0.12 pos: 2 fmt:yuv420p sar:0/1 s:320x180 i:P",
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => log.takeFrame(i)).map((f) => [f?.index, f?.ptsMs, f?.width]),
    [[0, 0, 640], [1, 40, 640], [2, 80, 320], [3, 120, 320]],
  );
});

Deno.test("FfmpegLog gives a timed wait for a frame line an end", async () => {
  const log = new FfmpegLog();
  const start = performance.now();
  await log.frameSeen(0, 50);
  assert.ok(performance.now() - start >= 45);
  assert.equal(log.takeFrame(0), undefined);
  const pending = log.frameSeen(0);
  log.close(); // the process ended: no line will come
  await pending;
});

Deno.test("FfmpegLog turns the size of a rotated stream upright, from its display matrix or rotate tag", () => {
  const header = (side: string[]) => {
    const log = new FfmpegLog();
    let told = 0;
    log.onInfo = () => told++;
    log.line("Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/tmp/phone.mp4':");
    log.line(
      "    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 360x640, 900 kb/s, 30 fps, 30 tbr, 15360 tbn (default)",
    );
    for (const line of side) log.line(line);
    assert.equal(told, 0, "not before the stream's block ends");
    log.line("Stream mapping:");
    assert.equal(told, 1);
    return [log.info?.width, log.info?.height, log.info?.rotation];
  };
  assert.deepEqual(header([]), [360, 640, undefined]);
  // ffmpeg 4.1: a rotate tag, then the matrix; 5.1 and later: the matrix only.
  const matrix = (degrees: string) => [
    "    Metadata:",
    "      rotate          : 90",
    "      handler_name    : VideoHandler",
    "    Side data:",
    `      displaymatrix: rotation of ${degrees} degrees`,
  ];
  assert.deepEqual(header(matrix("-90.00")), [640, 360, 90]);
  assert.deepEqual(header(matrix("-90.00").slice(0, 3)), [640, 360, 90]);
  assert.deepEqual(header(matrix("90.00").slice(3)), [640, 360, 270]);
  assert.deepEqual(header(matrix("-180.00").slice(3)), [360, 640, 180]);
});

Deno.test("FfmpegLog tells a damaged picture, data that ends early, and an input without a video stream", () => {
  const log = new FfmpegLog();
  const told: [string, boolean][] = [];
  log.onDamage = (line, cutShort) => told.push([line, cutShort]);
  log.line("file:a.ts: corrupt input packet in stream 0"); // joined recordings say this too
  log.line("[mpegts @ 0x1] Packet corrupt (stream = 0, dts = 180000).");
  assert.equal(log.damage, undefined);
  log.line("[h264 @ 0x4] concealing 782 DC, 782 AC, 782 MV errors in P frame");
  log.line("[h264 @ 0x4] concealing 12 DC, 12 AC, 12 MV errors in B frame");
  assert.equal(log.cutShort, undefined, "a damaged picture is not the end of the data");
  log.line("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x2] stream 0, offset 0xa35cf: partial file");
  log.line("[matroska,webm @ 0x3] File ended prematurely");
  assert.deepEqual(told, [
    ["h264: concealing 782 DC, 782 AC, 782 MV errors in P frame", false],
    ["mov,mp4,m4a,3gp,3g2,mj2: stream 0, offset 0xa35cf: partial file", true],
  ]);
  assert.equal(log.cutShort, told[1][0]);
  assert.equal(log.noVideo, false, "no header read");

  const audio = new FfmpegLog();
  audio.line("Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:voice.m4a':");
  audio.line(
    "    Stream #0:0(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s (default)",
  );
  audio.line("Stream map '0:v:0' matches no streams.");
  assert.equal(audio.noVideo, true);
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
