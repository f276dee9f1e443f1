/**
 * A stream's source as its runner opens it: the `FrameSource` of its configuration, at
 * the model's input size and colour order, and how it is read (every frame or the
 * latest, in real time or as fast as it decodes).
 *
 * @module
 */

import type { ModelManifest } from "../inference/manifest.ts";
import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import { FrameSource } from "../video/frame_source.ts";
import { isLiveKind, parseSourceInput, type SourceKind } from "../video/source_spec.ts";
import type { StreamConfig } from "./config.ts";

/** How a stream reads its input. */
export interface ReadMode {
  /** Every frame goes to the model, in order (a file), rather than the latest ones. */
  lossless: boolean;
  /** Read at the input's own rate (live inputs, looping files). */
  realtime: boolean;
}

/**
 * The read mode of a stream whose input is of `kind`: its `policy` and `realtime` when
 * given, else lossless and as fast as it decodes for a file that does not loop, live
 * and in real time otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(readMode({ loop: false }, "file"), { lossless: true, realtime: false });
 * assert.deepEqual(readMode({ loop: true }, "file"), { lossless: false, realtime: true });
 * assert.deepEqual(readMode({ loop: false, policy: "lossless" }, "url"), { lossless: true, realtime: true });
 * ```
 */
export function readMode(
  config: Pick<StreamConfig, "policy" | "loop" | "realtime">,
  kind: SourceKind,
): ReadMode {
  const live = isLiveKind(kind);
  return {
    lossless: config.policy === "lossless" ||
      (config.policy === undefined && !config.loop && !live),
    realtime: config.realtime ?? (config.loop || live),
  };
}

/**
 * The `FrameSource` of a stream's configuration: letterboxed to the model's input, decoded
 * in the model's colour order (a uint8 graph takes the bytes as they are).
 *
 * @example
 * ```ts ignore
 * const source = streamSource(config, model.manifest.input, ffmpeg, ["/srv/clips"]);
 * ```
 */
export function streamSource(
  config: StreamConfig,
  input: Pick<ModelManifest["input"], "width" | "height" | "colorOrder">,
  ffmpeg: FfmpegBinary,
  roots: string[],
): FrameSource {
  return new FrameSource({
    streamId: config.id,
    firstIndex: config.firstFrame,
    input: parseSourceInput(config.source, { imageRate: config.imageRate }),
    ffmpeg,
    output: {
      fit: "letterbox",
      width: input.width,
      height: input.height,
      fps: config.fps,
      format: input.colorOrder === "BGR" ? "bgr24" : "rgb24",
    },
    policy: config.policy,
    queueSize: config.queueSize,
    loop: config.loop,
    realtime: config.realtime,
    reconnect: config.reconnect === false ? false : config.reconnect,
    stallTimeoutMs: config.stallTimeoutMs,
    roots,
    rtspTransport: config.rtspTransport,
    hwaccel: config.hwaccel,
  });
}
