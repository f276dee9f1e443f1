/**
 * What a source knows of its input once it is open: the native video stream as a player
 * shows it, and where its pixels land in the output frames. Both follow the frames: an
 * input may change size mid-stream (a camera switching profiles, concatenated
 * recordings), and the source's info is then the latest frame's.
 *
 * @module
 */

import type { FrameGeometry, PixelFormat, SourceStatus } from "../types.ts";
import { frameGeometry, type OutputSpec } from "./ffmpeg_args.ts";
import type { InputInfo } from "./ffmpeg_log.ts";
import type { Orientation } from "./display_orientation.ts";
import type { SourceKind } from "./source_spec.ts";

/** What a source knows once its input is open. */
export interface SourceInfo {
  streamId: string;
  kind: SourceKind;
  /**
   * The native video stream: codec, size (upright, as a player shows it; the latest
   * frame's, when the input changes size), frame rate (duration for files).
   */
  input: InputInfo;
  /** Where native pixels land in the output frames (the latest frame's: see `Frame.geometry`). */
  geometry: FrameGeometry;
  format: PixelFormat;
}

/**
 * The info of an input that has just opened, from the header ffmpeg read. `orientation`
 * is the display orientation the source applies with filters (a mirrored file, see
 * `readOrientation`): the input is then shown mirrored and rotated as it says, not as
 * ffmpeg read it.
 *
 * @example A mirrored recording, letterboxed
 * ```ts
 * import assert from "node:assert/strict";
 * const output = { fit: "letterbox" as const, width: 640, height: 640, format: "rgb24" as const };
 * const header = { container: "mov", codec: "h264", width: 320, height: 240, fps: 30, rotation: 90 };
 * const info = openedSourceInfo("cam", "file", header, output, { rotation: 0, mirror: true });
 * assert.equal(info.input.mirror, true);
 * assert.equal(info.input.rotation, undefined);
 * assert.equal(info.geometry.padY, 80);
 * ```
 */
export function openedSourceInfo(
  streamId: string,
  kind: SourceKind,
  header: InputInfo,
  output: OutputSpec,
  orientation?: Orientation,
): SourceInfo {
  const shown: InputInfo = { ...header };
  if (orientation) {
    shown.mirror = true;
    if (orientation.rotation === 0) delete shown.rotation;
    else shown.rotation = orientation.rotation;
  }
  return {
    streamId,
    kind,
    input: shown,
    geometry: frameGeometry(header.width, header.height, output),
    format: output.format,
  };
}

/** A frame's geometry noted in a source's info, by {@link withFrameGeometry}. */
export interface FrameGeometryUpdate {
  /** The info with the frame's geometry and picture size. */
  info: SourceInfo;
  /**
   * When the frame's picture is of another size than the last frame's: the `connected`
   * status event that tells the size change (the new size, and a `reason`).
   */
  sizeChange?: Required<Pick<SourceStatus, "input" | "reason">>;
}

/**
 * Notes a frame's geometry in the source's info: a picture of another size than the last
 * frame's is a size change of the input.
 *
 * @example A camera that switches from 640×360 to 1280×720
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameGeometry } from "./ffmpeg_args.ts";
 * const output = { fit: "native" as const, width: 0, height: 0, format: "rgb24" as const };
 * const info = openedSourceInfo("cam", "url", { container: "rtsp", codec: "h264", width: 640, height: 360, fps: 25 }, output);
 * const same = withFrameGeometry(info, frameGeometry(640, 360, output));
 * assert.equal(same.sizeChange, undefined);
 * const { info: after, sizeChange } = withFrameGeometry(same.info, frameGeometry(1280, 720, output));
 * assert.deepEqual([after.input.width, after.input.height], [1280, 720]);
 * assert.deepEqual(sizeChange, {
 *   input: { width: 1280, height: 720 },
 *   reason: "the input changed size from 640×360 to 1280×720",
 * });
 * ```
 */
export function withFrameGeometry(
  info: SourceInfo,
  geometry: FrameGeometry,
): FrameGeometryUpdate {
  if (info.geometry === geometry) return { info };
  const before = info.geometry;
  const { sourceWidth: width, sourceHeight: height } = geometry;
  const updated = { ...info, input: { ...info.input, width, height }, geometry };
  if (before.sourceWidth === width && before.sourceHeight === height) return { info: updated };
  return {
    info: updated,
    sizeChange: {
      input: { width, height },
      reason: `the input changed size from ${before.sourceWidth}×${before.sourceHeight} ` +
        `to ${width}×${height}`,
    },
  };
}
