/**
 * The ffmpeg command line of a source: input options per kind, then one filter graph
 * that scales (letterbox or resize) and converts to the model's pixel format, then raw
 * frames on stdout. Every decoded frame comes out exactly once (`passthrough` frame-rate
 * mode) and `showinfo` logs each frame's presentation time and picture size on stderr.
 *
 * @module
 */

import type { FrameGeometry, PixelFormat } from "../types.ts";
import type { FfmpegBinary } from "./ffmpeg_binary.ts";
import type { SourceInput } from "./source_spec.ts";
import { type Orientation, orientationFilters } from "./display_orientation.ts";
import { type RtspLowerTransport, urlInputArgs } from "./url_input_args.ts";
import { imageInputArgs } from "./image_input_args.ts";
import type { Hwaccel } from "./hwaccel.ts";

/** How frames are sized for the model. */
export interface OutputSpec {
  /**
   * `"letterbox"`: scale to fit inside `width × height` keeping the aspect ratio, pad
   * the rest with black, centred; `"resize"`: stretch to `width × height`; `"native"`:
   * keep the source's size (`width` / `height` ignored).
   */
  fit: "letterbox" | "resize" | "native";
  width: number;
  height: number;
  format: PixelFormat;
  /** Keep at most this many frames per second (ffmpeg's `fps` filter); all when absent. */
  fps?: number;
}

/**
 * The geometry the filter graph of {@link filterGraph} produces for a source size:
 * computed with the same expressions ffmpeg evaluates, in float64 as it does.
 *
 * @example Letterboxing 1920×1080 into 640×640
 * ```ts
 * import assert from "node:assert/strict";
 * const g = frameGeometry(1920, 1080, { fit: "letterbox", width: 640, height: 640, format: "rgb24" });
 * assert.deepEqual([g.scaledWidth, g.scaledHeight, g.padX, g.padY], [640, 360, 0, 140]);
 * ```
 */
export function frameGeometry(
  sourceWidth: number,
  sourceHeight: number,
  out: OutputSpec,
): FrameGeometry {
  let scaledWidth = sourceWidth, scaledHeight = sourceHeight, width = sourceWidth;
  let height = sourceHeight;
  if (out.fit === "resize") {
    scaledWidth = width = out.width;
    scaledHeight = height = out.height;
  } else if (out.fit === "letterbox") {
    const s = Math.min(out.width / sourceWidth, out.height / sourceHeight);
    // ffmpeg's round() is C's: half away from zero; sizes are positive, so Math.round.
    scaledWidth = Math.min(out.width, Math.max(1, Math.round(sourceWidth * s)));
    scaledHeight = Math.min(out.height, Math.max(1, Math.round(sourceHeight * s)));
    width = out.width;
    height = out.height;
  }
  const padX = Math.floor((width - scaledWidth) / 2),
    padY = Math.floor((height - scaledHeight) / 2);
  return {
    sourceWidth,
    sourceHeight,
    width,
    height,
    scaledWidth,
    scaledHeight,
    scaleX: scaledWidth / sourceWidth,
    scaleY: scaledHeight / sourceHeight,
    padX,
    padY,
  };
}

/** What the filter graph of {@link filterGraph} may use of the ffmpeg that runs it. */
export interface GraphOptions {
  /**
   * Whether showinfo computes its plane checksums (default true: ffmpeg before 4.4
   * always does, and knows no option to stop it). Turned off where ffmpeg allows it: they
   * cost about 10 ms per 4K frame, and nobody reads them.
   */
  checksum?: boolean;
  /** Filters that turn each decoded picture upright first (see `orientationFilters`). */
  upright?: string[];
}

/**
 * The `-vf` graph: an optional frame-rate cap, then `showinfo`, which logs each frame's
 * presentation time and picture size as it comes out of the decoder (turned upright by
 * ffmpeg's autorotation, and at its own size when the input changes size mid-stream),
 * then scaling (in one swscale pass with the pixel-format conversion) and padding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const graph = filterGraph({ fit: "resize", width: 640, height: 360, format: "rgb24" });
 * assert.equal(graph, "showinfo,scale=w=640:h=360:flags=bilinear,format=rgb24");
 * const quiet = filterGraph({ fit: "native", width: 0, height: 0, format: "rgb24" }, { checksum: false });
 * assert.equal(quiet, "showinfo=checksum=0,format=rgb24");
 * ```
 */
export function filterGraph(out: OutputSpec, options: GraphOptions = {}): string {
  const parts: string[] = [...options.upright ?? []];
  if (out.fps !== undefined) parts.push(`fps=${out.fps}`);
  parts.push(options.checksum === false ? "showinfo=checksum=0" : "showinfo");
  if (out.fit === "resize") {
    parts.push(`scale=w=${out.width}:h=${out.height}:flags=bilinear`, `format=${out.format}`);
  } else if (out.fit === "letterbox") {
    const s = `min(${out.width}/iw\\,${out.height}/ih)`;
    parts.push(
      `scale=w='min(${out.width}\\,max(1\\,round(iw*${s})))':h='min(${out.height}\\,max(1\\,round(ih*${s})))':flags=bilinear`,
      `format=${out.format}`,
      `pad=${out.width}:${out.height}:'floor((ow-iw)/2)':'floor((oh-ih)/2)':color=black`,
    );
  } else {
    parts.push(`format=${out.format}`);
  }
  return parts.join(",");
}

/**
 * Whether an ffmpeg is 4.4 or newer (libavformat 58.76): it has `-autoscale` and
 * showinfo's `checksum` option.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isFfmpeg44({ libavformat: [58, 29] }), false); // 4.2
 * assert.equal(isFfmpeg44({ libavformat: [59, 27] }), true); // 5.1
 * ```
 */
export function isFfmpeg44(binary: Pick<FfmpegBinary, "libavformat">): boolean {
  const [major, minor] = binary.libavformat;
  return major > 58 || (major === 58 && minor >= 76);
}

/** How the input is read. */
export interface ReadMode {
  /** Read at the input's native rate (`-re`), as a camera would deliver it. */
  realtime: boolean;
  /** Start again at the end, forever (files and image folders). */
  loop: boolean;
  /** The RTP transport of an RTSP URL (default TCP; see `urlInputArgs`). */
  rtspTransport?: RtspLowerTransport;
  /** Decode with this hardware method (ffmpeg's `-hwaccel`); software when absent. */
  hwaccel?: Hwaccel;
}

/**
 * Whether a source decodes for low delay (slice threads, the decoder's `low_delay` flag):
 * live inputs (URLs, cameras) and inputs read in real time; not files or images read as
 * fast as they decode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(isLowDelay({ kind: "url", url: "rtsp://cam/1" }, { realtime: false, loop: false }));
 * assert.ok(!isLowDelay({ kind: "file", path: "a.mp4" }, { realtime: false, loop: false }));
 * assert.ok(isLowDelay({ kind: "file", path: "a.mp4" }, { realtime: true, loop: true }));
 * ```
 */
export function isLowDelay(input: SourceInput, mode: ReadMode): boolean {
  return mode.realtime || input.kind === "url" || input.kind === "v4l2";
}

/**
 * The full argument list. `resolvedPath` is the checked, resolved path of a file input,
 * or the numbered pattern of an image input's checked images (see `prepareImages`).
 * `orientation`, for a file whose display matrix ffmpeg would misread (a mirror: see
 * `readOrientation`), turns its autorotation off and the picture upright with filters
 * instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const binary = { path: "ffmpeg", origin: "PATH" as const, version: "5.1", libavformat: [59, 27] as [number, number] };
 * const args = ffmpegArgs(binary, { kind: "lavfi", graph: "testsrc2" }, "", { fit: "native", width: 0, height: 0, format: "rgb24" }, { realtime: true, loop: false }, "file");
 * assert.deepEqual(args.slice(-9), ["-fps_mode", "passthrough", "-threads", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);
 * assert.ok(args.includes("-re"));
 * ```
 */
export function ffmpegArgs(
  binary: FfmpegBinary,
  input: SourceInput,
  resolvedPath: string,
  out: OutputSpec,
  mode: ReadMode,
  whitelist: string,
  orientation?: Orientation,
): string[] {
  const args = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "info"];
  // Frame-threaded decoding holds a frame per extra thread: live inputs decode with
  // slice threads, so each frame leaves the decoder as soon as it is whole, and with the
  // decoder's low-delay flag, so a stream without B-frames is not held for a reordering
  // it does not need (a stream with them still comes out whole and in order). Files read
  // as fast as they decode keep ffmpeg's defaults: their frames are the same either way.
  // -debug_ts logs each packet and picture, from which `DecoderDelay` tells how long the
  // decoder held each frame (a few lines a frame: not for files read at full speed).
  if (isLowDelay(input, mode)) {
    args.push("-debug_ts", "-thread_type", "slice", "-flags", "low_delay");
  }
  // Hardware decoding: without -hwaccel_output_format the pictures come back to system
  // memory, where the filter graph scales them.
  if (mode.hwaccel && input.kind !== "lavfi") args.push("-hwaccel", mode.hwaccel);
  if (mode.realtime) args.push("-re");
  if (mode.loop && (input.kind === "file" || input.kind === "images")) {
    args.push("-stream_loop", "-1");
  }
  switch (input.kind) {
    case "file":
      if (orientation) args.push("-noautorotate");
      args.push("-protocol_whitelist", whitelist, "-i", `file:${resolvedPath}`);
      break;
    case "url":
      args.push(...urlInputArgs(input.url, whitelist, mode.rtspTransport));
      break;
    case "v4l2":
      args.push("-f", "v4l2");
      if (input.inputFormat) args.push("-input_format", input.inputFormat);
      if (input.fps) args.push("-framerate", String(input.fps));
      if (input.size) args.push("-video_size", `${input.size[0]}x${input.size[1]}`);
      args.push("-i", input.device);
      break;
    case "images":
      args.push(...imageInputArgs(resolvedPath, input.fps, whitelist));
      break;
    case "lavfi":
      args.push("-f", "lavfi", "-i", input.graph);
      break;
  }
  // ffmpeg 5.1 (libavformat 59.27) renamed -vsync to -fps_mode.
  const [major, minor] = binary.libavformat;
  const fpsMode = major > 59 || (major === 59 && minor >= 27) ? "-fps_mode" : "-vsync";
  const since44 = isFfmpeg44(binary);
  args.push("-map", "0:v:0", "-an", "-sn", "-dn");
  // ffmpeg scales every frame to the size of the first one unless told not to (from 4.4):
  // native frames keep the size of their own picture where it can.
  if (out.fit === "native" && since44) args.push("-autoscale", "0");
  args.push(
    "-vf",
    filterGraph(out, {
      checksum: !since44,
      ...(orientation && input.kind === "file" ? { upright: orientationFilters(orientation) } : {}),
    }),
    fpsMode,
    "passthrough",
    // One encoder thread: ffmpeg 5's rawvideo encoder is frame-threaded by default and
    // gives a frame back only when a later one is sent, so each frame reached the pipe a
    // frame period late (two, from the moment a busy CPU let the encoder fall behind; it
    // never caught up). A copy gains nothing from threads (docs/decode-latency.md).
    "-threads",
    "1",
    "-f",
    "rawvideo",
    "-pix_fmt",
    out.format,
    "pipe:1",
  );
  return args;
}
