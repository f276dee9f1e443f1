/**
 * `streamdet/video`: video sources. {@link FrameSource} runs one ffmpeg child per source
 * (a file, a live URL, a camera, an image folder or glob, a test pattern), scales and
 * converts inside ffmpeg, and delivers raw frames: losslessly for files (ffmpeg is held
 * back when the consumer is slower), through a bounded queue with a drop policy for live
 * inputs, which reconnect with backoff and report their status. {@link resolveFfmpeg}
 * finds ffmpeg. Needs `--allow-run` and `--allow-read` (and `--allow-net` for URLs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameSource, resolveFfmpeg } from "./mod.ts";
 * const source = new FrameSource({
 *   streamId: "pattern",
 *   input: "lavfi:testsrc2=size=320x240:rate=30",
 *   ffmpeg: await resolveFfmpeg({ env: Deno.env.toObject() }),
 *   output: { width: 640, height: 640 }, // letterboxed: 640×480 picture, 80 px bars
 * });
 * const info = await source.start();
 * assert.equal(info.geometry.padY, 80);
 * for await (const frame of source.frames()) {
 *   assert.equal(frame.data.length, 640 * 640 * 3);
 *   break; // leaving the loop stops ffmpeg
 * }
 * ```
 *
 * @module
 */

export type {
  DropPolicy,
  Frame,
  FrameGeometry,
  PixelFormat,
  SourceState,
  SourceStatus,
} from "../types.ts";
export { SourceError } from "../errors.ts";
export {
  FrameSource,
  type FrameSourceOptions,
  type SourceInfo,
  type SourceStats,
} from "./frame_source.ts";
export {
  type FfmpegBinary,
  type FfmpegOrigin,
  resolveFfmpeg,
  type ResolveFfmpegOptions,
} from "./ffmpeg_binary.ts";
export {
  type FileInput,
  type ImagesInput,
  type LavfiInput,
  parseSourceInput,
  type SourceInput,
  type SourceKind,
  type UrlInput,
  type V4l2Input,
} from "./source_spec.ts";
export { frameGeometry, type OutputSpec } from "./ffmpeg_args.ts";
export { DEFAULT_RECONNECT, type ReconnectOptions } from "./backoff.ts";
export { type InputInfo } from "./ffmpeg_log.ts";
export { handOverSignals } from "./child_registry.ts";
