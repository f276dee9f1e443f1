/**
 * One run of ffmpeg for a source: an {@link FfmpegProcess} whose stderr goes line by
 * line into an {@link FfmpegLog} and whose stdout is read frame by frame straight into
 * each frame's buffer (BYOB reads, no copy). Stopping it is the process's stop policy
 * with no exit grace: a decoder's remaining output is not wanted, so its pipe is closed
 * and it gets SIGTERM at once, then SIGKILL after the grace.
 *
 * Each frame's bytes are tied to its `showinfo` line by order: ffmpeg logs the line as
 * the frame passes the filter, before the frame is scaled, encoded and written, so the
 * k-th line belongs to the k-th frame on the pipe, however often ffmpeg rebuilds its
 * filter graph (showinfo's own counter restarts then). The line gives the frame's
 * picture size, and so its geometry and its byte size. A line that never comes (lost in
 * another thread's output) does not stop the reading: once the frame's bytes are on the
 * pipe, its line gets {@link LINE_GRACE_MS}, then the frame takes the previous frame's
 * geometry and no timestamp.
 *
 * @module
 */

import type { FrameGeometry } from "../types.ts";
import type { FfmpegBinary } from "./ffmpeg_binary.ts";
import { FfmpegLog, type InputInfo } from "./ffmpeg_log.ts";
import type { DecoderTiming } from "./decoder_delay.ts";
import { type FfmpegExit, FfmpegProcess } from "./ffmpeg_process.ts";

/** A frame read from the pipe, with its presentation time and geometry. */
export interface RawFrame {
  /** `geometry.height × geometry.width × 3` bytes. */
  data: Uint8Array;
  /** Milliseconds; NaN when ffmpeg gave none. */
  ptsMs: number;
  /** How the frame was made from its picture (the picture's size is `sourceWidth × sourceHeight`). */
  geometry: FrameGeometry;
  /** What the decoder did with it (low-delay inputs, whose ffmpeg logs `-debug_ts`). */
  decoder?: DecoderTiming;
}

/** The geometry of the output frame that ffmpeg makes from a picture of this size. */
export type FrameLayout = (pictureWidth: number, pictureHeight: number) => FrameGeometry;

/**
 * How long a frame whose bytes are on the pipe waits for its showinfo line, which ffmpeg
 * wrote before them: only a line lost in the log waits this long.
 */
export const LINE_GRACE_MS = 1000;

/**
 * A running ffmpeg.
 *
 * @example One frame of a test pattern
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveFfmpeg } from "./ffmpeg_binary.ts";
 * import { ffmpegArgs, frameGeometry } from "./ffmpeg_args.ts";
 * const binary = await resolveFfmpeg({ env: Deno.env.toObject() });
 * const output = { fit: "native" as const, width: 0, height: 0, format: "rgb24" as const };
 * const args = ffmpegArgs(binary, { kind: "lavfi", graph: "testsrc2=size=64x48" }, "", output, { realtime: false, loop: false }, "file");
 * const session = new FfmpegSession(binary, args, (w, h) => frameGeometry(w, h, output));
 * const info = await session.info;
 * assert.deepEqual([info!.width, info!.height], [64, 48]);
 * const frame = await session.readFrame();
 * assert.equal(frame!.data.length, 64 * 48 * 3);
 * assert.equal(frame!.geometry.sourceWidth, 64);
 * await session.stop();
 * ```
 */
export class FfmpegSession {
  readonly log: FfmpegLog = new FfmpegLog();
  /** The input's video stream, once the header is read; undefined if ffmpeg exits first. */
  readonly info: Promise<InputInfo | undefined>;
  readonly #process: FfmpegProcess;
  readonly #layout: FrameLayout;
  #last: FrameGeometry | undefined;
  #frames = 0;
  #ended = false;

  /** Starts ffmpeg with `args`; `layout` says what frame it makes of a picture. */
  constructor(binary: FfmpegBinary, args: string[], layout: FrameLayout) {
    this.#layout = layout;
    let resolveInfo: (info: InputInfo | undefined) => void = () => {};
    this.info = new Promise((resolve) => resolveInfo = resolve);
    this.log.onInfo = (info) => resolveInfo(info);
    this.#process = new FfmpegProcess(binary, args, {
      stdout: "piped",
      onStderrLine: (line) => this.log.line(line),
      stop: { exitGraceMs: 0 },
    });
    this.#process.exited.then(() => {
      this.log.close();
      resolveInfo(this.log.info);
    });
  }

  /**
   * The next frame, or null at the end of the output (a partial last frame is dropped).
   */
  async readFrame(): Promise<RawFrame | null> {
    if (this.#ended) return null;
    const index = this.#frames;
    let line = this.log.takeFrame(index);
    let head: Uint8Array | undefined;
    if (line === undefined) {
      // Wait for the line, or for the frame's first byte: whichever comes first.
      const first = this.#process.read(new Uint8Array(1));
      await Promise.race([this.log.frameSeen(index), first]);
      head = await first ?? undefined;
      if (head === undefined) return this.#end();
      line = this.log.takeFrame(index);
      if (line === undefined) {
        await this.log.frameSeen(index, LINE_GRACE_MS);
        line = this.log.takeFrame(index);
      }
    }
    this.#frames++;
    const sized = line !== undefined && line.width > 0 && line.height > 0;
    const geometry = sized ? this.#layout(line!.width, line!.height) : this.#fallback();
    if (geometry === undefined) return this.#end(); // no size known at all: nothing to read
    this.#last = geometry;
    const bytes = geometry.width * geometry.height * 3;
    let view = new Uint8Array(bytes);
    let filled = 0;
    if (head !== undefined) view[filled++] = head[0];
    while (filled < bytes) {
      const value = await this.#process.read(new Uint8Array(view.buffer, filled, bytes - filled));
      if (value === null) return this.#end(); // the end, or stopped
      filled += value.byteLength;
      view = new Uint8Array(value.buffer, 0, bytes);
    }
    const decoder = line?.decoder;
    return { data: view, ptsMs: line?.ptsMs ?? NaN, geometry, ...(decoder ? { decoder } : {}) };
  }

  /**
   * Ends the process: closes its stdout (a blocked write then fails at once), sends
   * SIGTERM, and SIGKILL if it is still running after `graceMs`; then waits for it and
   * for its stderr. Safe to call more than once.
   */
  async stop(graceMs = 2000): Promise<void> {
    this.#ended = true;
    await this.#process.stop({ termGraceMs: graceMs });
  }

  /** Waits for the process to end on its own, then releases its pipes. */
  async finished(): Promise<FfmpegExit> {
    await this.#process.status;
    return await this.#process.stop();
  }

  /** The geometry of a frame whose line is missing: the previous frame's, or the header's. */
  #fallback(): FrameGeometry | undefined {
    if (this.#last) return this.#last;
    const info = this.log.info;
    return info ? this.#layout(info.width, info.height) : undefined;
  }

  #end(): null {
    this.#ended = true;
    return null;
  }
}
