/**
 * The ffmpeg side of an annotated video: its options and their checks, the exact frame
 * rate of the output, and the command line that pairs each overlay with its decoded
 * frame by index (see `AnnotatedVideoWriter` for why).
 *
 * @module
 */

import { resolve } from "node:path";
import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import { type Orientation, orientationFilters } from "../video/display_orientation.ts";

/** Options of `AnnotatedVideoWriter.start`. */
export interface AnnotatedVideoOptions {
  /** The original video file, decoded again by ffmpeg. */
  input: string;
  /** The MP4 to write (its folder is created if missing; an existing file is replaced). */
  output: string;
  /**
   * Size of the overlays: the input's decoded (source) size, upright as a player shows it
   * (a result's `width` and `height`; the first frame's, for an input that changes size).
   */
  width: number;
  height: number;
  /** The input's frame rate (e.g. `SourceInfo.input.fps`): the output's rate. */
  fps: number;
  /** libx264 constant rate factor (default 23). */
  crf?: number;
  /** libx264 preset (default `veryfast`). */
  preset?: string;
  /**
   * A display orientation to apply with filters instead of ffmpeg's autorotation (a
   * mirrored MP4, which ffmpeg before 7 misreads; see `readOrientation`). By default
   * `AnnotatedVideoWriter.start` reads it from the input. Rotations alone are left to
   * ffmpeg, which turns the picture upright as the sources do.
   */
  orientation?: Orientation;
}

/**
 * A frame rate as an exact fraction: integers as they are, NTSC rates (23.98, 29.97,
 * 59.94...) as `n·1000/1001`, anything else to the thousandth.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(rationalFrameRate(12), [12, 1]);
 * assert.deepEqual(rationalFrameRate(29.97), [30000, 1001]);
 * assert.deepEqual(rationalFrameRate(23.976023976), [24000, 1001]);
 * assert.deepEqual(rationalFrameRate(12.5), [25, 2]);
 * ```
 */
export function rationalFrameRate(fps: number): [number, number] {
  if (!Number.isFinite(fps) || fps <= 0) {
    throw new RangeError(`frame rate: expected a positive number, found ${fps}`);
  }
  if (Number.isInteger(fps)) return [fps, 1];
  const ntsc = fps * 1.001;
  if (Math.abs(ntsc - Math.round(ntsc)) < 0.006 && Math.round(ntsc) > 0) {
    return [Math.round(ntsc) * 1000, 1001];
  }
  let num = Math.round(fps * 1000), den = 1000;
  const gcd = (a: number, b: number): number => b === 0 ? a : gcd(b, a % b);
  const g = gcd(num, den);
  num /= g;
  den /= g;
  return [num, den];
}

/**
 * The ffmpeg arguments of a writer: the input file, raw RGBA overlays on stdin, the
 * index-paired overlay graph, libx264 and MP4 with `+faststart`, into `target`. The
 * decoded picture is scaled to the overlays' size first: a no-op, unless the input
 * changes size mid-stream, when ffmpeg must not rebuild the graph either
 * (`-reinit_filter 0`: a rebuilt graph numbers its frames from 0 again, and the pairing
 * by index is lost), so the frames of another size are stretched to the first size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const ffmpeg = { path: "ffmpeg", origin: "PATH" as const, version: "", libavformat: [58, 29] as [number, number] };
 * const args = annotatedVideoArgs(ffmpeg, { input: "in.mp4", output: "out.mp4", width: 320, height: 180, fps: 12 }, "/tmp/.out.mp4.1.tmp");
 * assert.deepEqual(args.slice(args.indexOf("-filter_complex"), args.indexOf("-filter_complex") + 2), [
 *   "-filter_complex",
 *   "[0:v]scale=320:180:flags=bilinear,settb=AVTB,setpts='N/((12/1)*TB)'[main];" +
 *     "[1:v]settb=AVTB,setpts='N/((12/1)*TB)'[marks];" +
 *     "[main][marks]overlay=eof_action=pass:shortest=0:format=auto,format=yuv420p[v]",
 * ]);
 * assert.ok(args.includes("-vsync")); // ffmpeg 4; -fps_mode from ffmpeg 5.1 on
 * assert.equal(args.at(-1), "file:/tmp/.out.mp4.1.tmp");
 * ```
 */
export function annotatedVideoArgs(
  ffmpeg: FfmpegBinary,
  options: AnnotatedVideoOptions,
  target: string,
): string[] {
  const { width, height } = options;
  const [num, den] = rationalFrameRate(options.fps);
  const rate = `${num}/${den}`;
  // Both streams numbered 0, 1, 2... at the output rate, in the same timebase: overlay
  // frame k has exactly decoded frame k's timestamp, so `overlay` pairs them by index.
  const index = `settb=AVTB,setpts='N/((${rate})*TB)'`;
  const even = width % 2 === 1 || height % 2 === 1 ? ",pad=ceil(iw/2)*2:ceil(ih/2)*2" : "";
  const upright = options.orientation ? orientationFilters(options.orientation) : [];
  const main = [...upright, `scale=${width}:${height}:flags=bilinear`, index].join(",");
  const graph = `[0:v]${main}[main];[1:v]${index}[marks];` +
    `[main][marks]overlay=eof_action=pass:shortest=0:format=auto${even},format=yuv420p[v]`;
  // ffmpeg 5.1 (libavformat 59.27) renamed -vsync to -fps_mode.
  const [major, minor] = ffmpeg.libavformat;
  const fpsMode = major > 59 || (major === 59 && minor >= 27) ? "-fps_mode" : "-vsync";
  return [
    "-hide_banner",
    "-nostdin",
    "-nostats",
    "-loglevel",
    "info",
    "-y",
    ...(options.orientation ? ["-noautorotate"] : []),
    "-reinit_filter",
    "0",
    "-protocol_whitelist",
    "file",
    "-i",
    `file:${options.input}`,
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgba",
    "-s",
    `${width}x${height}`,
    "-framerate",
    rate,
    "-probesize",
    "32",
    "-analyzeduration",
    "0",
    "-i",
    "pipe:0",
    "-filter_complex",
    graph,
    "-map",
    "[v]",
    "-an",
    "-sn",
    "-dn",
    fpsMode,
    "passthrough",
    // The encoder counts in frames of the output rate (not the input's own guess).
    "-enc_time_base",
    `${den}/${num}`,
    "-c:v",
    "libx264",
    "-preset",
    options.preset ?? "veryfast",
    "-crf",
    String(options.crf ?? 23),
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
    `file:${target}`,
  ];
}

/**
 * Checks the options of `AnnotatedVideoWriter.start`: a `TypeError` / `RangeError`
 * naming the option otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => checkAnnotatedVideoOptions({ input: "a.mp4", output: "b.mp4", width: 0, height: 2, fps: 1 }),
 *   /AnnotatedVideoWriter.start\(\): width: expected a positive integer, found 0/,
 * );
 * ```
 */
export function checkAnnotatedVideoOptions(options: AnnotatedVideoOptions): void {
  const fn = "AnnotatedVideoWriter.start()";
  for (const key of ["input", "output"] as const) {
    if (typeof options[key] !== "string" || options[key] === "") {
      throw new TypeError(
        `${fn}: ${key}: expected a file path, found ${JSON.stringify(options[key])}`,
      );
    }
  }
  for (const key of ["width", "height"] as const) {
    const v = options[key];
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${fn}: ${key}: expected a positive integer, found ${v}`);
    }
  }
  if (!Number.isFinite(options.fps) || options.fps <= 0) {
    throw new RangeError(`${fn}: fps: expected a positive number, found ${options.fps}`);
  }
  if (options.crf !== undefined && !(options.crf >= 0 && options.crf <= 51)) {
    throw new RangeError(`${fn}: crf: expected a number 0–51, found ${options.crf}`);
  }
  if (resolve(options.input) === resolve(options.output)) {
    throw new RangeError(
      `${fn}: expected an output other than the input, found both ${options.input}`,
    );
  }
}
