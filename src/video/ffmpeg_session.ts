/**
 * One run of ffmpeg for a source: an {@link FfmpegProcess} whose stderr goes line by
 * line into an {@link FfmpegLog} and whose stdout is read frame by frame straight into
 * each frame's buffer (BYOB reads, no copy). Stopping it is the process's stop policy
 * with no exit grace: a decoder's remaining output is not wanted, so its pipe is closed
 * and it gets SIGTERM at once, then SIGKILL after the grace.
 *
 * @module
 */

import type { FfmpegBinary } from "./ffmpeg_binary.ts";
import { FfmpegLog, type InputInfo } from "./ffmpeg_log.ts";
import { type FfmpegExit, FfmpegProcess } from "./ffmpeg_process.ts";

/** A frame read from the pipe, with its presentation time. */
export interface RawFrame {
  data: Uint8Array;
  ptsMs: number;
}

/**
 * A running ffmpeg.
 *
 * @example One frame of a test pattern
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveFfmpeg } from "./ffmpeg_binary.ts";
 * import { ffmpegArgs } from "./ffmpeg_args.ts";
 * const binary = await resolveFfmpeg({ env: Deno.env.toObject() });
 * const output = { fit: "native" as const, width: 0, height: 0, format: "rgb24" as const };
 * const args = ffmpegArgs(binary, { kind: "lavfi", graph: "testsrc2=size=64x48" }, "", output, { realtime: false, loop: false }, "file");
 * const session = new FfmpegSession(binary, args);
 * const info = await session.info;
 * const frame = await session.readFrame(info!.width * info!.height * 3);
 * assert.equal(frame!.data.length, 64 * 48 * 3);
 * await session.stop();
 * ```
 */
export class FfmpegSession {
  readonly log: FfmpegLog = new FfmpegLog();
  /** The input's video stream, once the header is read; undefined if ffmpeg exits first. */
  readonly info: Promise<InputInfo | undefined>;
  readonly #process: FfmpegProcess;
  #frames = 0;
  #ended = false;

  constructor(binary: FfmpegBinary, args: string[]) {
    let resolveInfo: (info: InputInfo | undefined) => void = () => {};
    this.info = new Promise((resolve) => resolveInfo = resolve);
    this.log.onInfo = (info) => resolveInfo(info);
    this.#process = new FfmpegProcess(binary, args, {
      stdout: "piped",
      onStderrLine: (line) => this.log.line(line),
      stop: { exitGraceMs: 0 },
    });
    this.#process.exited.then(() => {
      resolveInfo(this.log.info);
      this.log.close();
    });
  }

  /**
   * The next frame of `bytes` bytes, or null at the end of the output (a partial last
   * frame is dropped).
   */
  async readFrame(bytes: number): Promise<RawFrame | null> {
    if (this.#ended) return null;
    let view = new Uint8Array(bytes);
    let filled = 0;
    while (filled < bytes) {
      const value = await this.#process.read(new Uint8Array(view.buffer, filled, bytes - filled));
      if (value === null) {
        this.#ended = true; // the end, or stopped
        return null;
      }
      filled += value.byteLength;
      view = new Uint8Array(value.buffer, 0, bytes);
    }
    const n = this.#frames++;
    await this.log.frameTimeSeen(n); // at once if stderr has ended
    return { data: view, ptsMs: this.log.takeFrameTime(n)?.ptsMs ?? NaN };
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
}
