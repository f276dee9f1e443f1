/**
 * A stream's thumbnails: one JPEG encoder (an ffmpeg child) for the frames' layout,
 * replaced when an input changes size (the old one finishes its frames), each thumbnail
 * handed on with the frame it shows.
 *
 * @module
 */

import type { Frame, FrameGeometry } from "../types.ts";
import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import type { StreamThumbnail } from "./events.ts";
import { ThumbnailEncoder } from "./thumbnail_encoder.ts";

/**
 * Encodes frames into thumbnails for `onThumbnail`, while someone wants them.
 *
 * @example
 * ```ts ignore
 * const thumbnails = new StreamThumbnails(ffmpeg, (t) => hub.send(t));
 * thumbnails.encode(frame, frame.geometry);
 * await thumbnails.close();
 * ```
 */
export class StreamThumbnails {
  #ffmpeg: FfmpegBinary;
  #onThumbnail: (thumbnail: StreamThumbnail) => void;
  #encoder: ThumbnailEncoder | undefined;
  /** Encoders of an earlier layout, finishing their frames. */
  #retired: Promise<void>[] = [];

  constructor(ffmpeg: FfmpegBinary, onThumbnail: (thumbnail: StreamThumbnail) => void) {
    this.#ffmpeg = ffmpeg;
    this.#onThumbnail = onThumbnail;
  }

  /** Encodes the frame's thumbnail and hands it on when ffmpeg has it. */
  encode(frame: Frame, geometry: FrameGeometry): void {
    if (this.#encoder && !sameLayout(this.#encoder.geometry, geometry)) {
      this.#retired.push(this.#encoder.close());
      this.#encoder = undefined;
    }
    this.#encoder ??= new ThumbnailEncoder(
      this.#ffmpeg,
      frame.width,
      frame.height,
      geometry,
      { format: frame.format },
    );
    this.#encoder.encode(frame).then((thumbnail) =>
      this.#onThumbnail({
        ...thumbnail,
        streamId: frame.streamId,
        index: frame.index,
        ptsMs: frame.ptsMs,
        sourceWidth: geometry.sourceWidth,
        sourceHeight: geometry.sourceHeight,
      })
    ).catch(() => {});
  }

  /** Stops the encoders once they have written what they have. */
  async close(): Promise<void> {
    await this.#encoder?.close();
    await Promise.all(this.#retired);
  }
}

/** Whether two geometries lay frames out alike (a thumbnail encoder serves both). */
function sameLayout(a: FrameGeometry, b: FrameGeometry): boolean {
  return a === b || (Object.keys(a) as (keyof FrameGeometry)[]).every((k) => a[k] === b[k]);
}
