/**
 * JPEG thumbnails of the frames the pipeline already decoded, for the viewer: one ffmpeg
 * child per stream reads raw frames on stdin, crops away letterbox padding, and writes
 * JPEGs (`mjpeg` into `image2pipe`) on stdout, one per frame, in order. ffmpeg holds
 * each frame until the next one arrives (or stdin closes), so thumbnails trail their
 * frames by one frame: the pipeline sends them apart from results, which never wait.
 *
 * @module
 */

import type { Frame } from "../types.ts";
import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import type { FrameGeometry } from "../types.ts";
import { describeExit, FfmpegProcess } from "../video/ffmpeg_process.ts";
import { JpegSplitter } from "./jpeg_splitter.ts";

/** A JPEG of a frame's picture (padding cropped), and its size. */
export interface Thumbnail {
  jpeg: Uint8Array;
  width: number;
  height: number;
}

/**
 * Encodes frames of one size and geometry to JPEG with ffmpeg.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveFfmpeg } from "../video/ffmpeg_binary.ts";
 * const ffmpeg = await resolveFfmpeg({ env: Deno.env.toObject() });
 * const geometry = { sourceWidth: 64, sourceHeight: 32, width: 64, height: 64, scaledWidth: 64,
 *   scaledHeight: 32, scaleX: 1, scaleY: 1, padX: 0, padY: 16 };
 * const encoder = new ThumbnailEncoder(ffmpeg, 64, 64, geometry);
 * const frame = { streamId: "a", index: 0, ptsMs: 0, capturedAt: 0, width: 64, height: 64,
 *   format: "rgb24" as const, data: new Uint8Array(64 * 64 * 3).fill(128), geometry };
 * const pending = encoder.encode(frame);
 * await encoder.close(); // ffmpeg writes a frame's JPEG once the next frame or the end arrives
 * const thumb = await pending;
 * assert.deepEqual([thumb.jpeg[0], thumb.jpeg[1], thumb.width, thumb.height], [0xff, 0xd8, 64, 32]);
 * ```
 */
export class ThumbnailEncoder {
  readonly width: number;
  readonly height: number;
  readonly geometry: FrameGeometry;
  #process: FfmpegProcess;
  #waiting: { resolve: (t: Thumbnail) => void; reject: (e: Error) => void }[] = [];
  #reading: Promise<void>;
  #closing: Promise<void> | undefined;
  #failure: Error | undefined;

  /** Starts ffmpeg for `frameWidth × frameHeight` RGB frames laid out as `geometry` says. */
  constructor(
    ffmpeg: FfmpegBinary,
    frameWidth: number,
    frameHeight: number,
    geometry: FrameGeometry,
    { quality = 6, format = "rgb24" }: { quality?: number; format?: "rgb24" | "bgr24" } = {},
  ) {
    this.geometry = geometry;
    // mjpeg needs even sizes in yuvj420p.
    this.width = Math.max(2, geometry.scaledWidth & ~1);
    this.height = Math.max(2, geometry.scaledHeight & ~1);
    const crop = `crop=${this.width}:${this.height}:${geometry.padX}:${geometry.padY}`;
    this.#process = new FfmpegProcess(
      ffmpeg,
      [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-probesize",
        "32",
        "-analyzeduration",
        "0",
        "-f",
        "rawvideo",
        "-pix_fmt",
        format,
        "-s",
        `${frameWidth}x${frameHeight}`,
        "-i",
        "pipe:0",
        "-vf",
        `${crop},format=yuvj420p`,
        "-vsync",
        "0",
        "-c:v",
        "mjpeg",
        "-q:v",
        String(quality),
        "-f",
        "image2pipe",
        "-flush_packets",
        "1",
        "pipe:1",
      ],
      // On close, ffmpeg gets the end of its input and writes the last frame's JPEG.
      { stdin: "piped", stdout: "piped", stop: { exitGraceMs: 2000, termGraceMs: 1000 } },
    );
    this.#reading = this.#read();
  }

  /** Encodes one frame; resolves with its JPEG once ffmpeg has written it. */
  encode(frame: Frame): Promise<Thumbnail> {
    if (this.#closing || this.#failure) {
      return Promise.reject(this.#failure ?? new Error("ThumbnailEncoder: closed"));
    }
    const done = new Promise<Thumbnail>((resolve, reject) =>
      this.#waiting.push({ resolve, reject })
    );
    // A write fails only when ffmpeg has exited or is exiting: its output then ends, and
    // the reading rejects what is pending, with ffmpeg's reason.
    this.#process.write(frame.data).catch(() => {});
    return done;
  }

  /**
   * Stops ffmpeg once it has written the JPEGs of the frames it has (the process's stop
   * policy: 2 s, then SIGTERM, then SIGKILL); encodes still pending then reject. Safe to
   * call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#process.stop();
      await this.#reading;
      this.#fail(new Error("ThumbnailEncoder: closed"));
    })();
    return this.#closing;
  }

  async #read(): Promise<void> {
    const splitter = new JpegSplitter();
    let buffer = new Uint8Array(1 << 16);
    let failure: Error | undefined;
    try {
      for (;;) {
        const chunk = await this.#process.read(buffer);
        if (chunk === null) break;
        for (const jpeg of splitter.push(chunk)) {
          this.#waiting.shift()?.resolve({ jpeg, width: this.width, height: this.height });
        }
        buffer = new Uint8Array(chunk.buffer); // the splitter copied what it keeps
      }
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    if (this.#closing) return;
    // The output ended, or is malformed, before close: no JPEG will come.
    const exit = await this.#process.stop({ exitGraceMs: 0 });
    const reason = exit.stderrTail.slice(-3).join("; ");
    this.#fail(
      failure ?? new Error(
        `ThumbnailEncoder: expected a JPEG from ffmpeg, found it ${describeExit(exit)}` +
          (reason ? `: ${reason}` : ""),
      ),
    );
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const w of this.#waiting.splice(0)) w.reject(error);
  }
}
