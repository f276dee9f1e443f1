/**
 * An annotated copy of a video file: one ffmpeg child decodes the original file again,
 * composites the RGBA overlays this process pipes to it (one per decoded frame, see
 * `drawOverlay`), encodes H.264 (yuv420p) into MP4, and writes it to a temporary file
 * that is renamed onto the output path only once ffmpeg has succeeded (`AtomicOutput`).
 *
 * Frames are paired by index, not by timestamp: the filter graph numbers both streams
 * `0, 1, 2...` at the same rate before `overlay`, so overlay `k` lands on decoded frame
 * `k` whatever the file's start time, timebase or timestamp jitter. The output has every
 * decoded frame once (`passthrough` frame-rate mode) at exactly `fps` (a rate such as
 * 29.97 is taken as 30000/1001): a constant-rate input keeps its timestamps, a
 * variable-rate one comes out at constant rate with the same frames. Frames after the
 * last overlay pass through unannotated; overlays after the last frame are not used.
 * Odd sizes are padded by one black row or column (H.264 4:2:0 needs even sizes).
 * Audio is not copied. The picture is the one a player shows: ffmpeg turns a rotated input
 * upright (as the sources do, so the overlays, drawn at the results' upright size, fit it),
 * and a mirrored MP4 is turned upright with filters (see `readOrientation`).
 *
 * @module
 */

import { StreamdetError } from "../errors.ts";
import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import { FfmpegLog } from "../video/ffmpeg_log.ts";
import { readOrientation } from "../video/display_orientation.ts";
import { describeExit, type FfmpegExit, FfmpegProcess } from "../video/ffmpeg_process.ts";
import { AtomicOutput } from "./atomic_file.ts";
import {
  annotatedVideoArgs,
  type AnnotatedVideoOptions,
  checkAnnotatedVideoOptions,
  rationalFrameRate,
} from "./annotated_video_args.ts";

export {
  annotatedVideoArgs,
  type AnnotatedVideoOptions,
  rationalFrameRate,
} from "./annotated_video_args.ts";

/** Writing an annotated video failed: ffmpeg could not read the input or encode it. */
export class AnnotatedVideoError extends StreamdetError {}

/** What {@link AnnotatedVideoWriter.close} reports. */
export interface AnnotatedVideoSummary {
  /** The output path (now complete). */
  path: string;
  /** Frames ffmpeg encoded (from its final report; NaN if it printed none). */
  frames: number;
  /** Overlays ffmpeg took. */
  overlays: number;
  /** Overlays written after the input's last frame (not used). */
  unused: number;
}

type State = "open" | "closing" | "closed" | "failed" | "aborted";

/**
 * Writes an annotated copy of a video: `write` one overlay per decoded frame, in order,
 * then `close` (or `abort`).
 *
 * @example
 * ```ts ignore
 * const writer = await AnnotatedVideoWriter.start(ffmpeg, {
 *   input: "clip.mp4", output: "out/clip.annotated.mp4", width: 1280, height: 720, fps: 30,
 * });
 * const layer = new Uint8Array(1280 * 720 * 4);
 * try {
 *   for await (const result of results) {
 *     await writer.write(drawOverlay(result.detections, 1280, 720, classes, { out: layer }));
 *   }
 *   const summary = await writer.close(); // out/clip.annotated.mp4 appears only now
 *   console.log(`${summary.frames} frames`);
 * } catch (error) {
 *   await writer.abort();
 *   throw error;
 * }
 * ```
 */
export class AnnotatedVideoWriter {
  /** The final output path. */
  readonly path: string;
  /** Where ffmpeg writes until the writer is closed. */
  readonly tempPath: string;
  readonly width: number;
  readonly height: number;
  /** The output rate, e.g. `30000/1001`. */
  readonly rate: string;
  #process: FfmpegProcess;
  #output: AtomicOutput;
  #log = new FfmpegLog();
  #encoded = NaN;
  #written = 0;
  #unused = 0;
  #inputEnded = false;
  #state: State = "open";
  #error: AnnotatedVideoError | undefined;
  #closing: Promise<AnnotatedVideoSummary> | undefined;
  /** The buffer of overlays stretched to the writer's size. */
  #stretched: Uint8Array | undefined;

  private constructor(ffmpeg: FfmpegBinary, options: AnnotatedVideoOptions, output: AtomicOutput) {
    this.path = output.path;
    this.tempPath = output.tempPath;
    this.width = options.width;
    this.height = options.height;
    this.rate = rationalFrameRate(options.fps).join("/");
    this.#output = output;
    this.#process = new FfmpegProcess(
      ffmpeg,
      annotatedVideoArgs(ffmpeg, options, output.tempPath),
      {
        stdin: "piped",
        onStderrLine: (line) => {
          const frames = /^frame=\s*(\d+)/.exec(line);
          if (frames) this.#encoded = Number(frames[1]);
          else this.#log.line(line);
        },
        // Once the overlays end, ffmpeg encodes the rest of the input and writes the MP4's
        // index: a normal stop waits for it, however long the input; abort() kills it.
        stop: { exitGraceMs: Infinity },
      },
    );
  }

  /**
   * Checks the options and the input, reserves the temporary output beside `output`, and
   * starts ffmpeg. Rejects with a `TypeError` / `RangeError` for bad options and an
   * {@link AnnotatedVideoError} when the input is not a file.
   */
  static async start(
    ffmpeg: FfmpegBinary,
    options: AnnotatedVideoOptions,
  ): Promise<AnnotatedVideoWriter> {
    checkAnnotatedVideoOptions(options);
    let isFile = false;
    try {
      isFile = (await Deno.stat(options.input)).isFile;
    } catch (error) {
      throw new AnnotatedVideoError(
        `annotated video: input: expected a video file, found nothing at ${options.input}`,
        { cause: error },
      );
    }
    if (!isFile) {
      throw new AnnotatedVideoError(
        `annotated video: input: expected a video file, found a folder or device at ${options.input}`,
      );
    }
    // The overlays are drawn on the picture as a player shows it: a mirrored MP4 is turned
    // upright with filters, as the sources do (ffmpeg before 7 misreads it).
    let orientation = options.orientation;
    if (orientation === undefined) {
      const read = await readOrientation(options.input);
      if (read?.mirror) orientation = read;
    }
    const output = await AtomicOutput.create(options.output);
    try {
      return new AnnotatedVideoWriter(ffmpeg, { ...options, orientation }, output);
    } catch (error) {
      await output.abort();
      throw new AnnotatedVideoError(
        `annotated video: could not start ffmpeg (${ffmpeg.path}): ${String(error)}`,
        { cause: error },
      );
    }
  }

  /** The ffmpeg child's process id. */
  get pid(): number {
    return this.#process.pid;
  }

  /** Overlays ffmpeg has taken so far. */
  get written(): number {
    return this.#written;
  }

  /** `open`, then `closing` / `closed`, `failed` or `aborted`. */
  get state(): State {
    return this.#state;
  }

  /**
   * Sends the overlay of the next frame (`width × height × 4` RGBA bytes, or the `size`
   * of its own frame when the input changed size: it is then stretched to the writer's
   * size, as the frame is); resolves once ffmpeg's pipe has taken it, so the buffer may
   * then be reused. Rejects with an {@link AnnotatedVideoError} (ffmpeg's reason
   * included) when ffmpeg has failed; the temporary file is then already removed.
   * Overlays past the input's last frame are counted as unused.
   */
  async write(overlay: Uint8Array, size?: { width: number; height: number }): Promise<void> {
    if (this.#error) throw this.#error;
    if (this.#state !== "open") {
      throw new Error(
        `AnnotatedVideoWriter ${this.path}: expected an open writer, found it ${this.#state}`,
      );
    }
    const { width, height } = size ?? this;
    const bytes = width * height * 4;
    if (!(overlay instanceof Uint8Array) || overlay.length !== bytes) {
      throw new RangeError(
        `AnnotatedVideoWriter.write(): expected ${width}×${height}×4 = ${bytes} ` +
          `RGBA bytes, found ${overlay instanceof Uint8Array ? overlay.length : typeof overlay}`,
      );
    }
    if (width !== this.width || height !== this.height) {
      this.#stretched ??= new Uint8Array(this.width * this.height * 4);
      overlay = stretch(overlay, width, height, this.#stretched, this.width, this.height);
    }
    if (this.#inputEnded) {
      this.#unused++;
      return;
    }
    this.#written++;
    try {
      await this.#process.write(overlay);
    } catch (error) {
      // The pipe broke: ffmpeg has exited, or is exiting.
      const exit = await this.#process.exited;
      if (exit.success && this.#state === "open") {
        // It reached the input's end and finished: this overlay has no frame.
        this.#inputEnded = true;
        this.#written--;
        this.#unused++;
        return;
      }
      throw await this.#fail(exit, error);
    }
  }

  /**
   * Ends the overlays, waits for ffmpeg, and moves the finished file onto the output
   * path. Rejects with an {@link AnnotatedVideoError} carrying ffmpeg's reason (and
   * removes the temporary file) when ffmpeg failed. Safe to call twice.
   */
  close(): Promise<AnnotatedVideoSummary> {
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  async #finish(): Promise<AnnotatedVideoSummary> {
    if (this.#error) throw this.#error;
    if (this.#state !== "open") {
      throw new Error(
        `AnnotatedVideoWriter ${this.path}: expected an open writer to close, found it ${this.#state}`,
      );
    }
    this.#state = "closing";
    const exit = await this.#process.stop(); // stdin closed: ffmpeg finishes the file
    if (!exit.success || this.#state !== "closing") throw await this.#fail(exit);
    try {
      await this.#output.commit();
    } catch (error) {
      this.#state = "failed";
      await this.#output.abort();
      throw new AnnotatedVideoError(
        `annotated video ${this.path}: expected to move ${this.tempPath} onto it, ` +
          `found ${String(error)}`,
        { cause: error },
      );
    }
    this.#state = "closed";
    return {
      path: this.path,
      frames: this.#encoded,
      overlays: this.#written,
      unused: this.#unused,
    };
  }

  /**
   * Kills ffmpeg and removes the temporary file: nothing appears at the output path.
   * During `close`, it makes `close` reject unless ffmpeg had already finished. Does
   * nothing once closed or failed (a failure has cleaned up already); safe to call twice.
   */
  async abort(): Promise<void> {
    if (this.#state === "closed" || this.#state === "aborted" || this.#state === "failed") {
      return;
    }
    const closing = this.#state === "closing";
    this.#state = "aborted";
    await this.#process.stop({ exitGraceMs: 0, termGraceMs: 0 }); // SIGKILL, even during close
    if (closing) await this.#closing?.catch(() => {});
    if (this.#output.state === "open") await this.#output.abort();
  }

  /**
   * Records ffmpeg's failure once (the writer is then `failed`, unless aborted), releases
   * its pipes (it has exited) and removes the temporary file; returns the error to throw.
   */
  async #fail(exit: FfmpegExit, cause?: unknown): Promise<AnnotatedVideoError> {
    if (this.#error === undefined) {
      this.#error = this.#failure(exit, cause);
      if (this.#state === "open" || this.#state === "closing") this.#state = "failed";
      await this.#process.stop({ exitGraceMs: 0, termGraceMs: 0 });
      if (this.#output.state === "open") await this.#output.abort();
    }
    return this.#error;
  }

  #failure(exit: FfmpegExit, cause?: unknown): AnnotatedVideoError {
    if (this.#state === "aborted") {
      return new AnnotatedVideoError(`annotated video ${this.path}: aborted`, { cause });
    }
    const how = describeExit(exit);
    const reason = this.#log.errorSummary() || "no message";
    return new AnnotatedVideoError(
      `annotated video ${this.path}: expected ffmpeg to encode ${this.#written} overlays over the ` +
        `frames of ${this.#inputName()}, found it ${how}: ${reason}`,
      { cause },
    );
  }

  #inputName(): string {
    return this.#log.info
      ? `a ${this.#log.info.width}×${this.#log.info.height} input`
      : "the input";
  }
}

/** `from` (`fw × fh` RGBA) stretched into `to` (`tw × th`), nearest pixel. */
function stretch(
  from: Uint8Array,
  fw: number,
  fh: number,
  to: Uint8Array,
  tw: number,
  th: number,
): Uint8Array {
  const aligned = from.byteOffset % 4 === 0 ? from : from.slice();
  const src = new Uint32Array(aligned.buffer, aligned.byteOffset, fw * fh);
  const dst = new Uint32Array(to.buffer, to.byteOffset, tw * th);
  for (let y = 0; y < th; y++) {
    const row = Math.min(fh - 1, Math.floor(((y + 0.5) * fh) / th)) * fw;
    for (let x = 0; x < tw; x++) {
      dst[y * tw + x] = src[row + Math.min(fw - 1, Math.floor(((x + 0.5) * fw) / tw))];
    }
  }
  return to;
}
