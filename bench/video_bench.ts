/**
 * Decode throughput: frames per second delivered to TypeScript by a {@link FrameSource}
 * reading a 1080p H.264 file scaled to 640×360 RGB, against the same ffmpeg command
 * writing its frames to /dev/null, in the same run (the pipe and the reader must not be
 * the bottleneck).
 *
 * @module
 */

import { ffmpegArgs } from "../src/video/ffmpeg_args.ts";
import { type FfmpegBinary, resolveFfmpeg } from "../src/video/ffmpeg_binary.ts";
import { FrameSource } from "../src/video/frame_source.ts";
import { report } from "./timing.ts";
import { median } from "../src/stats.ts";

const OUT = new URL("./out/", import.meta.url).pathname;
const FRAMES = 300;
const output = { fit: "resize" as const, width: 640, height: 360, format: "rgb24" as const };

async function makeClip(ffmpeg: FfmpegBinary, path: string): Promise<void> {
  try {
    await Deno.stat(path);
    return;
  } catch {
    // not made yet
  }
  const { success, stderr } = await new Deno.Command(ffmpeg.path, {
    args: [
      ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
      ["-f", "lavfi", "-i", `testsrc2=size=1920x1080:rate=30`, "-frames:v", String(FRAMES)],
      ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", path],
    ].flat(),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(new TextDecoder().decode(stderr));
}

/** Frames per second through a FrameSource. */
async function throughSource(ffmpeg: FfmpegBinary, path: string): Promise<number> {
  const start = performance.now();
  const source = new FrameSource({ streamId: "bench", input: path, ffmpeg, output, roots: [OUT] });
  let frames = 0;
  for await (const _ of source.frames()) frames++;
  if (frames !== FRAMES) throw new Error(`expected ${FRAMES} frames, got ${frames}`);
  return frames / ((performance.now() - start) / 1000);
}

/** Frames per second of the same ffmpeg command writing to /dev/null. */
async function toDevNull(ffmpeg: FfmpegBinary, path: string): Promise<number> {
  const args = ffmpegArgs(ffmpeg, { kind: "file", path }, path, output, {
    realtime: false,
    loop: false,
  }, "file");
  args[args.length - 1] = "/dev/null";
  const start = performance.now();
  const { success } = await new Deno.Command(ffmpeg.path, {
    args: ["-y", ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  if (!success) throw new Error("ffmpeg to /dev/null failed");
  return FRAMES / ((performance.now() - start) / 1000);
}

/** Runs the decode benchmark and prints its line. */
export async function videoBench(): Promise<void> {
  const ffmpeg = await resolveFfmpeg({ env: Deno.env.toObject() });
  await Deno.mkdir(OUT, { recursive: true });
  const clip = `${OUT}clip_1080p.mp4`;
  await makeClip(ffmpeg, clip);
  await throughSource(ffmpeg, clip); // warm-up (page cache, JIT)
  const ours: number[] = [], theirs: number[] = [];
  for (let round = 0; round < 5; round++) {
    ours.push(await throughSource(ffmpeg, clip));
    theirs.push(await toDevNull(ffmpeg, clip));
  }
  const a = median(ours), b = median(theirs);
  report(
    "decode 1080p H.264 -> 640x360 RGB: FrameSource fps / ffmpeg to /dev/null fps",
    a / b,
    0.9,
    [`FrameSource ${a.toFixed(1)} fps, the same ffmpeg command alone ${
      b.toFixed(1)
    } fps (${ffmpeg.version})`],
    true,
  );
}
