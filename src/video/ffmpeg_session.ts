/**
 * One run of ffmpeg for a source: the child process, its stderr read line by line into
 * an {@link FfmpegLog}, its stdout read frame by frame straight into each frame's
 * buffer (BYOB reads, no copy), and a stop that cannot leave the process behind.
 *
 * @module
 */

import type { FfmpegBinary } from "./ffmpeg_binary.ts";
import { FfmpegLog, type InputInfo } from "./ffmpeg_log.ts";
import { track } from "./child_registry.ts";

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
  /** The exit status. */
  readonly exited: Promise<Deno.CommandStatus>;
  private readonly child: Deno.ChildProcess;
  private readonly reader: ReadableStreamBYOBReader;
  private readonly stderrDone: Promise<void>;
  private frames = 0;
  private ended = false;
  private stopping: Promise<void> | undefined;

  constructor(binary: FfmpegBinary, args: string[]) {
    this.child = new Deno.Command(binary.path, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    track(this.child);
    this.exited = this.child.status;
    this.reader = this.child.stdout.getReader({ mode: "byob" });
    let resolveInfo: (info: InputInfo | undefined) => void = () => {};
    this.info = new Promise((resolve) => resolveInfo = resolve);
    this.log.onInfo = (info) => resolveInfo(info);
    this.stderrDone = this.pumpStderr().finally(() => {
      resolveInfo(this.log.info);
      this.log.close();
    });
  }

  private async pumpStderr(): Promise<void> {
    // Decoded by hand rather than through a TextDecoderStream: at hundreds of frames per
    // second (two showinfo lines each) the stream machinery costs measurable CPU.
    const decoder = new TextDecoder();
    const reader = this.child.stderr.getReader();
    let rest = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const lines = (rest + decoder.decode(value, { stream: true })).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) this.log.line(line.endsWith("\r") ? line.slice(0, -1) : line);
      }
    } catch {
      // the stream errors when the process is killed: nothing more to read
    } finally {
      reader.releaseLock();
    }
    rest += decoder.decode();
    if (rest) this.log.line(rest);
  }

  /**
   * The next frame of `bytes` bytes, or null at the end of the output (a partial last
   * frame is dropped).
   */
  async readFrame(bytes: number): Promise<RawFrame | null> {
    if (this.ended) return null;
    let view = new Uint8Array(bytes);
    let filled = 0;
    try {
      while (filled < bytes) {
        const { value, done } = await this.reader.read(
          new Uint8Array(view.buffer, filled, bytes - filled),
        );
        if (done || value === undefined) {
          this.ended = true;
          return null;
        }
        filled += value.byteLength;
        view = new Uint8Array(value.buffer, 0, bytes);
      }
    } catch {
      this.ended = true; // cancelled by stop()
      return null;
    }
    const n = this.frames++;
    await Promise.race([this.log.frameTimeSeen(n), this.stderrDone]);
    return { data: view, ptsMs: this.log.takeFrameTime(n)?.ptsMs ?? NaN };
  }

  /**
   * Ends the process: closes its stdout (a blocked write then fails at once), sends
   * SIGTERM, and SIGKILL if it is still running after `graceMs`; then waits for it and
   * for its stderr. Safe to call more than once.
   */
  stop(graceMs = 2000): Promise<void> {
    this.stopping ??= this.halt(graceMs);
    return this.stopping;
  }

  private async halt(graceMs: number): Promise<void> {
    this.ended = true;
    await this.reader.cancel().catch(() => {});
    let exited = false;
    this.exited.then(() => exited = true);
    try {
      this.child.kill("SIGTERM");
    } catch {
      // already exited
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.exited,
      new Promise((resolve) => timer = setTimeout(resolve, graceMs)),
    ]);
    clearTimeout(timer);
    if (!exited) {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // exited meanwhile
      }
    }
    await this.exited;
    await this.stderrDone;
  }

  /** Waits for the process to end on its own, then releases its pipes. */
  async finished(): Promise<Deno.CommandStatus> {
    const status = await this.exited;
    await this.reader.cancel().catch(() => {});
    await this.stderrDone;
    return status;
  }
}
