/**
 * An ffmpeg child process, and the one way every part of the runtime starts and stops
 * one: the decoders of the sources, the thumbnail encoders of the viewer and the encoder
 * of an annotated video.
 *
 * The child is spawned with the pipes its user asks for, tracked by the child registry
 * while it runs (so none outlives the process), its stderr read line by line (each line
 * to the user's `onStderrLine`, the last ones kept for reports), its stdout read into the
 * user's buffers (BYOB reads, no copy) and its stdin written frame by frame.
 *
 * The stop policy, the same for every child (see {@link FfmpegProcess.stop}):
 *
 * 1. stdin is closed: an encoder sees the end of its input and finishes its file;
 * 2. the child gets `exitGraceMs` to finish by itself (exit, and its stdout be read to
 *    the end): `Infinity` for an encoder that must write its trailer, `0` for a decoder
 *    whose remaining output nobody wants;
 * 3. then its stdout is closed (a blocked write fails at once), it gets SIGTERM and
 *    `termGraceMs` to exit, then SIGKILL;
 * 4. the stop resolves once the child has exited and every pipe is released (a test run
 *    with `--trace-leaks` sees nothing left open).
 *
 * @module
 */

import type { FfmpegBinary } from "./ffmpeg_binary.ts";
import { track } from "./child_registry.ts";

/** The grace periods of the stop policy. */
export interface FfmpegStopOptions {
  /**
   * Once stdin is closed, how long the child may take to finish by itself (exit, and its
   * stdout be read to the end) before it is signalled: `Infinity` to wait for it (an
   * encoder writing its file), `0` to signal it at once (a decoder). Default 2 000 ms.
   */
  exitGraceMs?: number;
  /** After SIGTERM, how long the child gets before SIGKILL (0: SIGKILL at once, no
   * SIGTERM). Default 2 000 ms. */
  termGraceMs?: number;
}

/** How to start an {@link FfmpegProcess}. */
export interface FfmpegProcessOptions {
  /** `piped` to {@link FfmpegProcess.write} to it (default `null`). */
  stdin?: "piped" | "null";
  /** `piped` to {@link FfmpegProcess.read} from it (default `null`). */
  stdout?: "piped" | "null";
  /** `piped` (default) to read it line by line, or `null`. */
  stderr?: "piped" | "null";
  /** Called with each line of stderr (`\r`-separated progress lines apart). */
  onStderrLine?: (line: string) => void;
  /** How many of the last stderr lines {@link FfmpegExit.stderrTail} keeps (default 20). */
  tailLines?: number;
  /** The grace periods of {@link FfmpegProcess.stop} when it is called without them. */
  stop?: FfmpegStopOptions;
}

/** How a child ended: its exit status and the last lines of its stderr. */
export interface FfmpegExit extends Deno.CommandStatus {
  /** The last lines of stderr, oldest first (empty when stderr was not piped). */
  stderrTail: string[];
}

/**
 * How a child ended, for a message: `exited with code 1`, `was killed by SIGKILL`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(describeExit({ success: false, code: 1, signal: null }), "exited with code 1");
 * assert.equal(describeExit({ success: false, code: 137, signal: "SIGKILL" }), "was killed by SIGKILL");
 * ```
 */
export function describeExit(status: Deno.CommandStatus): string {
  return status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
}

const DEFAULT_GRACE_MS = 2000;
/** setTimeout's largest delay; longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function checkGrace(where: string, field: string, value: number | undefined): void {
  if (value !== undefined && !(typeof value === "number" && value >= 0)) {
    throw new RangeError(`${where}: ${field}: expected a number ≥ 0 (ms), found ${value}`);
  }
}

/**
 * A running ffmpeg child.
 *
 * @example A child that exits by itself: its status and the end of its stderr
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveFfmpeg } from "./ffmpeg_binary.ts";
 * const ffmpeg = await resolveFfmpeg({ env: Deno.env.toObject() });
 * const child = new FfmpegProcess(ffmpeg, ["-hide_banner", "-i", "no-such-file.mp4"]);
 * const exit = await child.stop({ exitGraceMs: Infinity });
 * assert.equal(exit.success, false);
 * assert.match(exit.stderrTail.join("\n"), /no-such-file\.mp4: No such file/);
 * ```
 *
 * @example Raw frames in, raw frames out, then a normal stop
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveFfmpeg } from "./ffmpeg_binary.ts";
 * const ffmpeg = await resolveFfmpeg({ env: Deno.env.toObject() });
 * const raw = ["-f", "rawvideo", "-pix_fmt", "gray", "-s", "4x4"];
 * const child = new FfmpegProcess(ffmpeg, [...raw, "-i", "pipe:0", "-vf", "negate", ...raw, "pipe:1"], {
 *   stdin: "piped",
 *   stdout: "piped",
 * });
 * await child.write(new Uint8Array(16).fill(200));
 * const stopped = child.stop(); // stdin closes: ffmpeg writes its last frame and exits
 * const frame = await child.read(new Uint8Array(16));
 * assert.equal(frame![0], 55);
 * assert.equal(await child.read(new Uint8Array(16)), null); // the end: the child has finished
 * assert.equal((await stopped).success, true);
 * ```
 */
export class FfmpegProcess {
  /** The child's process id. */
  readonly pid: number;
  /** The exit status, as soon as the child has exited. */
  readonly status: Promise<Deno.CommandStatus>;
  /** How the child ended, once it has exited and its stderr is read to the end. */
  readonly exited: Promise<FfmpegExit>;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  readonly #reader: ReadableStreamBYOBReader | undefined;
  readonly #onLine: ((line: string) => void) | undefined;
  readonly #tail: string[] = [];
  readonly #tailLines: number;
  #tailAt = 0;
  readonly #exitGraceMs: number;
  #termGraceMs: number;
  #hasExited = false;
  #stdoutDone: boolean;
  #stdoutReleased = false;
  /** When the child stops finishing by itself and is signalled (performance.now() ms). */
  #exitBy = Infinity;
  /** When SIGKILL follows SIGTERM; undefined before SIGTERM. */
  #killBy: number | undefined;
  /** Wakes the stop sequence: the child exited, stdout ended, or a stop hurried it. */
  #wake: () => void = () => {};
  #stopping: Promise<FfmpegExit> | undefined;

  /**
   * Spawns `binary` with `args` and registers it with the child registry. Throws what
   * `Deno.Command.spawn` throws (e.g. `Deno.errors.NotFound`) when it cannot start.
   */
  constructor(binary: FfmpegBinary, args: string[], options: FfmpegProcessOptions = {}) {
    const where = "FfmpegProcess";
    checkGrace(where, "stop.exitGraceMs", options.stop?.exitGraceMs);
    checkGrace(where, "stop.termGraceMs", options.stop?.termGraceMs);
    this.#exitGraceMs = options.stop?.exitGraceMs ?? DEFAULT_GRACE_MS;
    this.#termGraceMs = options.stop?.termGraceMs ?? DEFAULT_GRACE_MS;
    this.#tailLines = Math.max(0, options.tailLines ?? 20);
    this.#onLine = options.onStderrLine;
    const stderr = options.stderr ?? "piped";
    this.#child = new Deno.Command(binary.path, {
      args,
      stdin: options.stdin ?? "null",
      stdout: options.stdout ?? "null",
      stderr,
    }).spawn();
    track(this.#child);
    this.pid = this.#child.pid;
    this.status = this.#child.status.then((status) => {
      this.#hasExited = true;
      this.#wake();
      return status;
    });
    if (options.stdin === "piped") this.#writer = this.#child.stdin.getWriter();
    if (options.stdout === "piped") this.#reader = this.#child.stdout.getReader({ mode: "byob" });
    this.#stdoutDone = this.#reader === undefined;
    const stderrDone = stderr === "piped" ? this.#pumpStderr() : Promise.resolve();
    this.exited = Promise.all([this.status, stderrDone]).then(([status]) => ({
      success: status.success,
      code: status.code,
      signal: status.signal,
      stderrTail: this.stderrTail(),
    }));
  }

  /** The last lines of stderr so far, oldest first. */
  stderrTail(): string[] {
    const n = this.#tail.length;
    return n < this.#tailLines
      ? [...this.#tail]
      : [...this.#tail.slice(this.#tailAt), ...this.#tail.slice(0, this.#tailAt)];
  }

  /**
   * Writes `data` to the child's stdin; resolves once the pipe has taken all of it (the
   * buffer may then be reused). Rejects when the pipe is broken (the child has exited)
   * or closed (the child is stopping).
   */
  write(data: Uint8Array): Promise<void> {
    if (this.#writer === undefined) {
      return Promise.reject(
        new TypeError("FfmpegProcess.write(): stdin: expected piped, found null"),
      );
    }
    return this.#writer.write(data);
  }

  /**
   * Reads the child's stdout into `view` (transferred, not copied): the bytes read, a
   * view on `view`'s memory (from its offset, at most its length), or null at the end of
   * the output or once the stop policy has closed it.
   */
  async read(view: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer> | null> {
    if (this.#reader === undefined) {
      throw new TypeError("FfmpegProcess.read(): stdout: expected piped, found null");
    }
    if (this.#stdoutDone) return null;
    try {
      const { value, done } = await this.#reader.read(view);
      if (!done && value !== undefined) return value;
    } catch {
      // cancelled by stop(), or the pipe failed: there is nothing more to read
    }
    this.#endStdout();
    return null;
  }

  /**
   * Stops the child with the one stop policy: stdin closed; up to `exitGraceMs` for the
   * child to finish by itself (exit, its stdout read to the end); then stdout closed,
   * SIGTERM, up to `termGraceMs`, SIGKILL. Resolves with how the child ended once it has
   * exited and its pipes are released; also the way to release them after the child
   * exited by itself. Safe to call more than once: a later call with shorter grace
   * periods hurries a stop under way (e.g. an abort during an encoder's normal stop).
   */
  stop(options: FfmpegStopOptions = {}): Promise<FfmpegExit> {
    checkGrace("FfmpegProcess.stop()", "exitGraceMs", options.exitGraceMs);
    checkGrace("FfmpegProcess.stop()", "termGraceMs", options.termGraceMs);
    const t = performance.now();
    this.#exitBy = Math.min(this.#exitBy, t + (options.exitGraceMs ?? this.#exitGraceMs));
    this.#termGraceMs = Math.min(this.#termGraceMs, options.termGraceMs ?? this.#termGraceMs);
    if (this.#killBy !== undefined) this.#killBy = Math.min(this.#killBy, t + this.#termGraceMs);
    this.#wake();
    this.#stopping ??= this.#halt();
    return this.#stopping;
  }

  async #halt(): Promise<FfmpegExit> {
    // 1. The end of the input: an encoder finishes its file. A write that the pipe has
    // not taken yet is still sent first; it fails if the child dies meanwhile.
    const closing = this.#writer?.close().catch(() => {});
    // 2. The child's grace to finish by itself.
    const finished = () => this.#hasExited && this.#stdoutDone;
    if (!await this.#until(finished, () => this.#exitBy)) {
      // 3. Stdout closed (a blocked write fails), SIGTERM, SIGKILL.
      await this.#releaseStdout();
      if (!this.#hasExited && this.#termGraceMs > 0) {
        this.#killBy = performance.now() + this.#termGraceMs;
        this.#signal("SIGTERM");
        await this.#until(() => this.#hasExited, () => this.#killBy!);
      }
      if (!this.#hasExited) this.#signal("SIGKILL");
    }
    // 4. Everything released.
    await this.status;
    await closing;
    await this.#releaseStdout();
    return await this.exited;
  }

  /** Waits until `done()` or the (movable) deadline; whether `done()` came first. */
  async #until(done: () => boolean, deadline: () => number): Promise<boolean> {
    while (!done()) {
      const left = deadline() - performance.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        if (left !== Infinity) timer = setTimeout(resolve, Math.min(left, MAX_TIMER_MS));
      });
      clearTimeout(timer);
    }
    return true;
  }

  #signal(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch {
      // exited meanwhile
    }
  }

  async #releaseStdout(): Promise<void> {
    if (this.#reader !== undefined && !this.#stdoutReleased) {
      this.#stdoutReleased = true;
      await this.#reader.cancel().catch(() => {});
    }
    this.#endStdout();
  }

  #endStdout(): void {
    if (this.#stdoutDone) return;
    this.#stdoutDone = true;
    this.#wake();
  }

  #line(text: string): void {
    if (this.#tailLines > 0) {
      if (this.#tail.length < this.#tailLines) this.#tail.push(text);
      else this.#tail[this.#tailAt] = text;
      this.#tailAt = (this.#tailAt + 1) % this.#tailLines;
    }
    this.#onLine?.(text);
  }

  async #pumpStderr(): Promise<void> {
    // Decoded by hand rather than through a TextDecoderStream: a decoder at hundreds of
    // frames per second logs two showinfo lines a frame, and the stream machinery costs
    // measurable CPU.
    const decoder = new TextDecoder();
    const reader = this.#child.stderr.getReader();
    let rest = "";
    const emit = (line: string) => {
      // A line may hold `\r`-separated progress updates (`frame=  30 fps=...\r`).
      if (!line.includes("\r")) return this.#line(line);
      for (const part of line.split("\r")) if (part) this.#line(part);
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const lines = (rest + decoder.decode(value, { stream: true })).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) emit(line);
      }
    } catch {
      // the stream errors when the process is killed: nothing more to read
    } finally {
      reader.releaseLock();
    }
    rest += decoder.decode();
    if (rest) emit(rest);
  }
}
