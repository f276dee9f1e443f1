import assert from "node:assert/strict";
import { ffmpegArgs, isLowDelay, type OutputSpec } from "../../src/video/ffmpeg_args.ts";
import type { FfmpegBinary } from "../../src/video/ffmpeg_binary.ts";
import { LIVE_PROBE, urlInputArgs } from "../../src/video/url_input_args.ts";

const v4: FfmpegBinary = { path: "ffmpeg", origin: "PATH", version: "4.1", libavformat: [58, 20] };
const native: OutputSpec = { fit: "native", width: 0, height: 0, format: "rgb24" };
const asFast = { realtime: false, loop: false };

/** The options before `-i`. */
const inputOptions = (args: string[]) => args.slice(0, args.indexOf("-i")).join(" ");

Deno.test("live URLs decode with low delay, a short probe and no demuxer buffering", () => {
  for (
    const url of [
      "rtsp://cam/1",
      "rtmp://host/live",
      "http://cam/1.ts",
      "udp://239.0.0.1:1234",
      "srt://host:9000",
    ]
  ) {
    const args = inputOptions(ffmpegArgs(v4, { kind: "url", url }, "", native, asFast, "x"));
    assert.ok(args.includes("-flags low_delay"), `${url}: ${args}`);
    assert.ok(args.includes("-thread_type slice"), url);
    assert.ok(args.includes("-debug_ts"), url);
    assert.ok(args.includes("-fflags nobuffer"), url);
    assert.ok(args.includes(`-analyzeduration ${LIVE_PROBE.analyzeDurationUs}`), url);
    assert.ok(args.includes(`-probesize ${LIVE_PROBE.probeSizeBytes}`), url);
  }
  assert.deepEqual(LIVE_PROBE, { analyzeDurationUs: 500_000, probeSizeBytes: 500_000 });
});

Deno.test("a camera and a file read in real time decode with low delay, without the URL probe", () => {
  const cam = inputOptions(
    ffmpegArgs(v4, { kind: "v4l2", device: "/dev/video0" }, "", native, asFast, "file"),
  );
  assert.ok(cam.includes("-flags low_delay") && !cam.includes("-probesize"));
  const looped = inputOptions(
    ffmpegArgs(v4, { kind: "file", path: "a.mp4" }, "/d/a.mp4", native, {
      realtime: true,
      loop: true,
    }, "file"),
  );
  assert.ok(looped.includes("-re") && looped.includes("-flags low_delay"));
  assert.ok(!looped.includes("-fflags nobuffer") && !looped.includes("-probesize"));
});

Deno.test("files and images read as fast as they decode keep ffmpeg's decoding defaults", () => {
  const file = ffmpegArgs(v4, { kind: "file", path: "a.mp4" }, "/d/a.mp4", native, asFast, "file");
  const images = ffmpegArgs(
    v4,
    { kind: "images", path: "/d", fps: 5 },
    "/tmp/x/%d.png",
    native,
    asFast,
    "file",
  );
  for (const args of [file, images]) {
    for (const flag of ["-flags", "-debug_ts", "-thread_type", "-fflags", "-probesize", "-re"]) {
      assert.ok(!args.includes(flag), `${flag} in ${args.join(" ")}`);
    }
  }
  assert.equal(isLowDelay({ kind: "file", path: "a.mp4" }, asFast), false);
  assert.equal(
    isLowDelay({ kind: "lavfi", graph: "testsrc2" }, { realtime: true, loop: false }),
    true,
  );
});

Deno.test("an RTSP URL keeps its transport after the probe options", () => {
  const args = urlInputArgs("rtsp://cam/1", "rtsp,rtp,udp,tcp", "udp");
  assert.deepEqual(args.slice(2), [
    "-fflags",
    "nobuffer",
    "-analyzeduration",
    "500000",
    "-probesize",
    "500000",
    "-rtsp_transport",
    "udp",
    "-i",
    "rtsp://cam/1",
  ]);
});

Deno.test("hwaccel goes before the input, with no output format: pictures come back to system memory", () => {
  const mode = { realtime: false, loop: false, hwaccel: "cuda" as const };
  const file = ffmpegArgs(v4, { kind: "file", path: "a.mp4" }, "/d/a.mp4", native, mode, "file");
  const at = file.indexOf("-hwaccel");
  assert.ok(at >= 0 && at < file.indexOf("-i"), file.join(" "));
  assert.equal(file[at + 1], "cuda");
  assert.ok(!file.some((a) => a.startsWith("-hwaccel_output_format")));
  const url = ffmpegArgs(v4, { kind: "url", url: "rtsp://cam/1" }, "", native, mode, "x");
  assert.ok(inputOptions(url).includes("-hwaccel cuda"));
  const pattern = ffmpegArgs(v4, { kind: "lavfi", graph: "testsrc2" }, "", native, mode, "x");
  assert.ok(!pattern.includes("-hwaccel"), "a test pattern has no decoder to accelerate");
  const software = ffmpegArgs(
    v4,
    { kind: "file", path: "a.mp4" },
    "/d/a.mp4",
    native,
    asFast,
    "file",
  );
  assert.ok(!software.includes("-hwaccel"));
});
