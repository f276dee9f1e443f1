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
 * Audio is not copied.
 *
 * @module
 */

import { resolve } from "node:path";
import { StreamdetError } from "../errors.ts";
import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import { FfmpegLog } from "../video/ffmpeg_log.ts";
import { track } from "../video/child_registry.ts";
import { AtomicOutput } from "./atomic_file.ts";

/** Writing an annotated video failed: ffmpeg could not read the input or encode it. */
export class AnnotatedVideoError extends StreamdetError {}

/** Options of {@link AnnotatedVideoWriter.start}. */
export interface AnnotatedVideoOptions {
  /** The original video file, decoded again by ffmpeg. */
  input: string;
  /** The MP4 to write (its folder is created if missing; an existing file is replaced). */
  output: string;
  /** Size of the overlays: the input's decoded (source) size. */
  width: number;
  height: number;
  /** The input's frame rate (e.g. `SourceInfo.input.fps`): the output's rate. */
  fps: number;
  /** libx264 constant rate factor (default 23). */
  crf?: number;
  /** libx264 preset (default `veryfast`). */
  preset?: string;
}

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

/**
 * A frame rate as an exact fraction: integers as they are, NTSC rates (23.98, 29.97,
 * 59.94...) as `n·1000/1001`, anything else to the thousandth.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(rationalFrameRate(12), [12, 1]);
 * assert.deepEqual(rationalFrameRate(29.97), [30000, 1001]);
 * assert.deepEqual(rationalFrameRate(23.976023976), [24000, 1001]);
 * assert.deepEqual(rationalFrameRate(12.5), [25, 2]);
 * ```
 */
export function rationalFrameRate(fps: number): [number, number] {
  if (!Number.isFinite(fps) || fps <= 0) {
    throw new RangeError(`frame rate: expected a positive number, found ${fps}`);
  }
  if (Number.isInteger(fps)) return [fps, 1];
  const ntsc = fps * 1.001;
  if (Math.abs(ntsc - Math.round(ntsc)) < 0.006 && Math.round(ntsc) > 0) {
    return [Math.round(ntsc) * 1000, 1001];
  }
  let num = Math.round(fps * 1000), den = 1000;
  const gcd = (a: number, b: number): number => b === 0 ? a : gcd(b, a % b);
  const g = gcd(num, den);
  num /= g;
  den /= g;
  return [num, den];
}

/**
 * The ffmpeg arguments of a writer: the input file, raw RGBA overlays on stdin, the
 * index-paired overlay graph, libx264 and MP4 with `+faststart`, into `target`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const ffmpeg = { path: "ffmpeg", origin: "PATH" as const, version: "", libavformat: [58, 29] as [number, number] };
 * const args = annotatedVideoArgs(ffmpeg, { input: "in.mp4", output: "out.mp4", width: 320, height: 180, fps: 12 }, "/tmp/.out.mp4.1.tmp");
 * assert.deepEqual(args.slice(args.indexOf("-filter_complex"), args.indexOf("-filter_complex") + 2), [
 *   "-filter_complex",
 *   "[0:v]settb=AVTB,setpts='N/((12/1)*TB)'[main];[1:v]settb=AVTB,setpts='N/((12/1)*TB)'[marks];" +
 *     "[main][marks]overlay=eof_action=pass:shortest=0:format=auto,format=yuv420p[v]",
 * ]);
 * assert.ok(args.includes("-vsync")); // ffmpeg 4; -fps_mode from ffmpeg 5.1 on
 * assert.equal(args.at(-1), "file:/tmp/.out.mp4.1.tmp");
 * ```
 */
export function annotatedVideoArgs(
  ffmpeg: FfmpegBinary,
  options: AnnotatedVideoOptions,
  target: string,
): string[] {
  const { width, height } = options;
  const [num, den] = rationalFrameRate(options.fps);
  const rate = `${num}/${den}`;
  // Both streams numbered 0, 1, 2... at the output rate, in the same timebase: overlay
  // frame k has exactly decoded frame k's timestamp, so `overlay` pairs them by index.
  const index = `settb=AVTB,setpts='N/((${rate})*TB)'`;
  const even = width % 2 === 1 || height % 2 === 1 ? ",pad=ceil(iw/2)*2:ceil(ih/2)*2" : "";
  const graph = `[0:v]${index}[main];[1:v]${index}[marks];` +
    `[main][marks]overlay=eof_action=pass:shortest=0:format=auto${even},format=yuv420p[v]`;
  // ffmpeg 5.1 (libavformat 59.27) renamed -vsync to -fps_mode.
  const [major, minor] = ffmpeg.libavformat;
  const fpsMode = major > 59 || (major === 59 && minor >= 27) ? "-fps_mode" : "-vsync";
  return [
    "-hide_banner",
    "-nostdin",
    "-nostats",
    "-loglevel",
    "info",
    "-y",
    "-protocol_whitelist",
    "file",
    "-i",
    `file:${options.input}`,
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgba",
    "-s",
    `${width}x${height}`,
    "-framerate",
    rate,
    "-probesize",
    "32",
    "-analyzeduration",
    "0",
    "-i",
    "pipe:0",
    "-filter_complex",
    graph,
    "-map",
    "[v]",
    "-an",
    "-sn",
    "-dn",
    fpsMode,
    "passthrough",
    // The encoder counts in frames of the output rate (not the input's own guess).
    "-enc_time_base",
    `${den}/${num}`,
    "-c:v",
    "libx264",
    "-preset",
    options.preset ?? "veryfast",
    "-crf",
    String(options.crf ?? 23),
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
    `file:${target}`,
  ];
}

function checkOptions(options: AnnotatedVideoOptions): void {
  const fn = "AnnotatedVideoWriter.start()";
  for (const key of ["input", "output"] as const) {
    if (typeof options[key] !== "string" || options[key] === "") {
      throw new TypeError(
        `${fn}: ${key}: expected a file path, found ${JSON.stringify(options[key])}`,
      );
    }
  }
  for (const key of ["width", "height"] as const) {
    const v = options[key];
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${fn}: ${key}: expected a positive integer, found ${v}`);
    }
  }
  if (!Number.isFinite(options.fps) || options.fps <= 0) {
    throw new RangeError(`${fn}: fps: expected a positive number, found ${options.fps}`);
  }
  if (options.crf !== undefined && !(options.crf >= 0 && options.crf <= 51)) {
    throw new RangeError(`${fn}: crf: expected a number 0–51, found ${options.crf}`);
  }
  if (resolve(options.input) === resolve(options.output)) {
    throw new RangeError(
      `${fn}: expected an output other than the input, found both ${options.input}`,
    );
  }
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
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #output: AtomicOutput;
  #log = new FfmpegLog();
  #stderrDone: Promise<void>;
  #encoded = NaN;
  #written = 0;
  #unused = 0;
  #inputEnded = false;
  #state: State = "open";
  #error: AnnotatedVideoError | undefined;
  #closing: Promise<AnnotatedVideoSummary> | undefined;

  private constructor(ffmpeg: FfmpegBinary, options: AnnotatedVideoOptions, output: AtomicOutput) {
    this.path = output.path;
    this.tempPath = output.tempPath;
    this.width = options.width;
    this.height = options.height;
    this.rate = rationalFrameRate(options.fps).join("/");
    this.#output = output;
    this.#child = new Deno.Command(ffmpeg.path, {
      args: annotatedVideoArgs(ffmpeg, options, output.tempPath),
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    track(this.#child);
    this.#writer = this.#child.stdin.getWriter();
    this.#stderrDone = this.#pumpStderr();
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
    checkOptions(options);
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
    const output = await AtomicOutput.create(options.output);
    try {
      return new AnnotatedVideoWriter(ffmpeg, options, output);
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
    return this.#child.pid;
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
   * Sends the overlay of the next frame (`width × height × 4` RGBA bytes); resolves once
   * ffmpeg's pipe has taken it, so the buffer may then be reused. Rejects with an
   * {@link AnnotatedVideoError} (ffmpeg's reason included) when ffmpeg has failed; the
   * temporary file is then already removed. Overlays past the input's last frame are
   * counted as unused.
   */
  async write(overlay: Uint8Array): Promise<void> {
    if (this.#error) throw this.#error;
    if (this.#state !== "open") {
      throw new Error(
        `AnnotatedVideoWriter ${this.path}: expected an open writer, found it ${this.#state}`,
      );
    }
    const bytes = this.width * this.height * 4;
    if (!(overlay instanceof Uint8Array) || overlay.length !== bytes) {
      throw new RangeError(
        `AnnotatedVideoWriter.write(): expected ${this.width}×${this.height}×4 = ${bytes} ` +
          `RGBA bytes, found ${overlay instanceof Uint8Array ? overlay.length : typeof overlay}`,
      );
    }
    if (this.#inputEnded) {
      this.#unused++;
      return;
    }
    this.#written++;
    try {
      await this.#writer.write(overlay);
    } catch (error) {
      // The pipe broke: ffmpeg has exited, or is exiting.
      const status = await this.#child.status;
      await this.#stderrDone;
      if (status.success && this.#state === "open") {
        // It reached the input's end and finished: this overlay has no frame.
        this.#inputEnded = true;
        this.#written--;
        this.#unused++;
        return;
      }
      throw await this.#fail(status, error);
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
    await this.#writer.close().catch(() => {}); // a broken pipe: the status tells why
    const status = await this.#child.status;
    await this.#stderrDone;
    if (!status.success || this.#state !== "closing") throw await this.#fail(status);
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
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await this.#writer.abort().catch(() => {});
    await this.#child.status;
    await this.#stderrDone;
    if (closing) await this.#closing?.catch(() => {});
    if (this.#output.state === "open") await this.#output.abort();
  }

  /**
   * Records ffmpeg's failure once (the writer is then `failed`, unless aborted), releases
   * its stdin and removes the temporary file; returns the error to throw.
   */
  async #fail(status: Deno.CommandStatus, cause?: unknown): Promise<AnnotatedVideoError> {
    if (this.#error === undefined) {
      this.#error = this.#failure(status, cause);
      if (this.#state === "open" || this.#state === "closing") this.#state = "failed";
      await this.#writer.abort().catch(() => {});
      if (this.#output.state === "open") await this.#output.abort();
    }
    return this.#error;
  }

  #failure(status: Deno.CommandStatus, cause?: unknown): AnnotatedVideoError {
    if (this.#state === "aborted") {
      return new AnnotatedVideoError(`annotated video ${this.path}: aborted`, { cause });
    }
    const how = status.signal
      ? `was killed by ${status.signal}`
      : `exited with code ${status.code}`;
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

  async #pumpStderr(): Promise<void> {
    const decoder = new TextDecoder();
    const reader = this.#child.stderr.getReader();
    let rest = "";
    const line = (text: string) => {
      const frames = /^frame=\s*(\d+)/.exec(text);
      if (frames) this.#encoded = Number(frames[1]);
      else this.#log.line(text);
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const lines = (rest + decoder.decode(value, { stream: true })).split(/\r?\n|\r/);
        rest = lines.pop() ?? "";
        lines.forEach(line);
      }
    } catch {
      // the stream errors when the process is killed: nothing more to read
    } finally {
      reader.releaseLock();
    }
    rest += decoder.decode();
    if (rest) line(rest);
    this.#log.close();
  }
}
