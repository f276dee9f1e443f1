import assert from "node:assert/strict";
import {
  ffmpegArgs,
  filterGraph,
  frameGeometry,
  type OutputSpec,
} from "../../src/video/ffmpeg_args.ts";
import type { FfmpegBinary } from "../../src/video/ffmpeg_binary.ts";

const v4: FfmpegBinary = { path: "ffmpeg", origin: "PATH", version: "4.1", libavformat: [58, 20] };
const v6: FfmpegBinary = { path: "ffmpeg", origin: "PATH", version: "6.0", libavformat: [60, 3] };
const native: OutputSpec = { fit: "native", width: 0, height: 0, format: "rgb24" };
const live = { realtime: false, loop: false };

Deno.test("frameGeometry() letterboxes wide and tall sources, centred", () => {
  const box = (w: number, h: number) => {
    const g = frameGeometry(w, h, { fit: "letterbox", width: 640, height: 640, format: "rgb24" });
    return [g.scaledWidth, g.scaledHeight, g.padX, g.padY];
  };
  assert.deepEqual(box(1920, 1080), [640, 360, 0, 140]);
  assert.deepEqual(box(1080, 1920), [360, 640, 140, 0]);
  assert.deepEqual(box(1917, 1079), [640, 360, 0, 140]);
  assert.deepEqual(box(100, 100), [640, 640, 0, 0]);
});

Deno.test("frameGeometry() resizes and keeps native sizes as asked", () => {
  const resized = frameGeometry(1920, 1080, {
    fit: "resize",
    width: 640,
    height: 640,
    format: "rgb24",
  });
  assert.deepEqual([resized.scaleX, resized.scaleY, resized.padX], [1 / 3, 640 / 1080, 0]);
  const kept = frameGeometry(1917, 1079, native);
  assert.deepEqual([kept.width, kept.height, kept.scaleX], [1917, 1079, 1]);
});

Deno.test("filterGraph() caps the frame rate, logs each picture's time and size, then scales, converts and pads", () => {
  assert.equal(filterGraph(native), "showinfo,format=rgb24");
  assert.equal(
    filterGraph({ fit: "letterbox", width: 64, height: 48, format: "bgr24", fps: 5 }),
    "fps=5,showinfo,scale=w='min(64\\,max(1\\,round(iw*min(64/iw\\,48/ih))))':h='min(48\\,max(1\\,round(ih*min(64/iw\\,48/ih))))':flags=bilinear," +
      "format=bgr24,pad=64:48:'floor((ow-iw)/2)':'floor((oh-ih)/2)':color=black",
  );
  assert.equal(
    filterGraph(native, { checksum: false, upright: ["hflip"] }),
    "hflip,showinfo=checksum=0,format=rgb24",
  );
});

Deno.test("ffmpegArgs() reads files through the file protocol only, and writes raw frames", () => {
  const args = ffmpegArgs(v6, { kind: "file", path: "a.mp4" }, "/data/a.mp4", native, live, "file");
  assert.deepEqual(args.slice(args.indexOf("-protocol_whitelist"), args.indexOf("-i") + 2), [
    "-protocol_whitelist",
    "file",
    "-i",
    "file:/data/a.mp4",
  ]);
  assert.deepEqual(args.slice(-13), [
    "-autoscale",
    "0",
    "-vf",
    "showinfo=checksum=0,format=rgb24",
    "-fps_mode",
    "passthrough",
    "-threads",
    "1",
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "pipe:1",
  ]);
  assert.ok(args.includes("-nostdin"));
});

Deno.test("ffmpegArgs() uses -vsync before ffmpeg 5.1 and -fps_mode after", () => {
  const input = { kind: "lavfi" as const, graph: "testsrc2" };
  assert.ok(ffmpegArgs(v4, input, "", native, live, "file").includes("-vsync"));
  assert.ok(ffmpegArgs(v6, input, "", native, live, "file").includes("-fps_mode"));
});

Deno.test("ffmpegArgs() keeps native frames at their own size and skips showinfo's checksums from ffmpeg 4.4 on", () => {
  const input = { kind: "lavfi" as const, graph: "testsrc2" };
  const old = ffmpegArgs(v4, input, "", native, live, "file");
  assert.ok(!old.includes("-autoscale") && old.includes("showinfo,format=rgb24"));
  const boxed = { fit: "letterbox" as const, width: 64, height: 64, format: "rgb24" as const };
  assert.ok(!ffmpegArgs(v6, input, "", boxed, live, "file").includes("-autoscale"));
});

Deno.test("ffmpegArgs() turns a mirrored file upright itself, with ffmpeg's autorotation off", () => {
  const file = { kind: "file" as const, path: "selfie.mp4" };
  const args = ffmpegArgs(v6, file, "/d/selfie.mp4", native, live, "file", {
    rotation: 90,
    mirror: true,
  });
  assert.ok(args.indexOf("-noautorotate") < args.indexOf("-i"));
  assert.equal(
    args[args.indexOf("-vf") + 1],
    "transpose=clock_flip,showinfo=checksum=0,format=rgb24",
  );
  assert.ok(!ffmpegArgs(v6, file, "/d/a.mp4", native, live, "file").includes("-noautorotate"));
});

Deno.test("ffmpegArgs() sets up each input kind", () => {
  const rtsp = ffmpegArgs(
    v6,
    { kind: "url", url: "rtsp://cam/1" },
    "",
    native,
    live,
    "rtsp,rtp,udp,tcp",
  );
  assert.ok(rtsp.join(" ").includes("-rtsp_transport tcp -i rtsp://cam/1"));
  assert.ok(rtsp.join(" ").includes("-analyzeduration 500000 -probesize 500000"));
  const cam = ffmpegArgs(
    v6,
    { kind: "v4l2", device: "/dev/video0", size: [1280, 720], fps: 30, inputFormat: "mjpeg" },
    "",
    native,
    live,
    "file",
  );
  assert.ok(
    cam.join(" ").includes(
      "-f v4l2 -input_format mjpeg -framerate 30 -video_size 1280x720 -i /dev/video0",
    ),
  );
  const images = ffmpegArgs(
    v6,
    { kind: "images", path: "shots", fps: 2 },
    "/tmp/streamdet-images-1/%d.png",
    native,
    { realtime: false, loop: true },
    "file",
  );
  assert.ok(
    images.join(" ").includes(
      "-stream_loop -1 -protocol_whitelist file -f image2 -pattern_type sequence -start_number 0 -framerate 2 -i /tmp/streamdet-images-1/%d.png",
    ),
  );
  const pattern = ffmpegArgs(v6, { kind: "lavfi", graph: "smptebars" }, "", native, {
    realtime: true,
    loop: false,
  }, "file");
  assert.ok(pattern.join(" ").includes("-re -f lavfi -i smptebars"));
  assert.ok(
    pattern.join(" ").includes("-thread_type slice"),
    "live inputs decode without frame delay",
  );
  assert.ok(!images.includes("-thread_type"), "files keep frame threads");
});
