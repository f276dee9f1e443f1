/**
 * A video source: an ffmpeg child decodes the input, scales and converts each frame for
 * the model, and writes raw frames to a pipe that this class reads. Files and image
 * folders are lossless (every frame once, in order, ffmpeg held back when the consumer
 * is slower); live inputs drop frames past a small queue so that latency stays bounded,
 * and reconnect with backoff after an error, an end, or a stall.
 *
 * @module
 */

import { SourceError } from "../errors.ts";
import type { Frame, PixelFormat, SourceState, SourceStatus } from "../types.ts";
import { backoffDelay } from "./backoff.ts";
import { ffmpegArgs, frameGeometry, isFfmpeg44 } from "./ffmpeg_args.ts";
import type { FrameGeometry } from "../types.ts";
import type { InputInfo } from "./ffmpeg_log.ts";
import { FfmpegSession, type FrameLayout } from "./ffmpeg_session.ts";
import { FrameQueue } from "./frame_queue.ts";
import { type Orientation, readOrientation } from "./display_orientation.ts";
import { type PreparedImages, prepareImages } from "./image_sequence.ts";
import { RtspTransportChooser } from "./rtsp_transport_chooser.ts";
import type { RtspLowerTransport } from "./url_input_args.ts";
import {
  confineToRoots,
  parseSourceInput,
  protocolWhitelist,
  type SourceInput,
  type SourceKind,
} from "./source_spec.ts";
import { type FrameSourceOptions, resolveSourceOptions } from "./source_options.ts";
import { now } from "../clock.ts";

export type { FrameSourceOptions } from "./source_options.ts";

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

/** Counters of a source. */
export interface SourceStats {
  /** Frames read from the decoder. */
  decoded: number;
  /** Frames handed to the consumer. */
  delivered: number;
  /** Frames dropped by the live queue. */
  dropped: number;
  /** Frames waiting now, and the most at once. */
  queueDepth: number;
  maxQueueDepth: number;
  /** Restarts after an error, an end or a stall. */
  reconnects: number;
}

interface Outcome {
  /** How the session ended. */
  end: "eof" | "error" | "stall" | "stopped";
  /** ffmpeg exited with status 0. */
  ok: boolean;
  reason?: string;
  /** Frames read in this session. */
  frames: number;
}

/**
 * A source of frames from ffmpeg.
 *
 * Each frame carries its own geometry: an input may change size mid-stream (a camera
 * switching profiles, concatenated recordings), and the frames after the change come at
 * the new size, after a `connected` status event that gives the new `input` size and a
 * `reason`. A file whose data ffmpeg finds cut short, or a picture of which it finds
 * damaged, gets a status event with a `warning` when ffmpeg says so; one cut short ends
 * with a `reason` that says how many frames were read.
 *
 * @example A test pattern, letterboxed: two frames, then stop
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveFfmpeg } from "./ffmpeg_binary.ts";
 * const ffmpeg = await resolveFfmpeg({ env: Deno.env.toObject() });
 * const source = new FrameSource({
 *   streamId: "pattern",
 *   input: "lavfi:testsrc2=size=320x240:rate=30",
 *   ffmpeg,
 *   output: { fit: "letterbox", width: 640, height: 640 },
 * });
 * const states: string[] = [];
 * source.addEventListener("status", (e) => states.push((e as CustomEvent).detail.state));
 * const info = await source.start(); // native size and rate known before any frame
 * assert.deepEqual([info.input.width, info.input.height, info.input.fps], [320, 240, 30]);
 * let n = 0;
 * for await (const frame of source.frames()) {
 *   assert.equal(frame.data.length, 640 * 640 * 3);
 *   if (++n === 2) break; // leaving the loop stops the source
 * }
 * assert.deepEqual(states, ["connecting", "connected", "stopped"]);
 * ```
 */
export class FrameSource extends EventTarget {
  readonly streamId: string;
  readonly kind: SourceKind;
  /** Info once the input is open. */
  info: SourceInfo | undefined;
  private readonly options: ReturnType<typeof resolveSourceOptions>;
  private readonly input: SourceInput;
  private readonly queue: FrameQueue<Frame>;
  private current: SourceState | undefined;
  private lastReason: string | undefined;
  private session: FfmpegSession | undefined;
  private ready: Promise<SourceInfo> | undefined;
  private settleReady: ((info: SourceInfo | Error) => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private readonly stopWaiters = new Set<() => void>();
  private streamTaken = false;
  private index = 0;
  /** The display orientation applied with filters (a mirrored MP4), else undefined. */
  private orientation: Orientation | undefined;
  /** The links to an image input's checked images that the running ffmpeg reads. */
  private images: PreparedImages | undefined;
  private counts = { decoded: 0, delivered: 0, reconnects: 0 };

  constructor(options: FrameSourceOptions) {
    super();
    this.input = typeof options.input === "string"
      ? parseSourceInput(options.input)
      : options.input;
    this.kind = this.input.kind;
    this.options = resolveSourceOptions(options, this.kind);
    this.streamId = options.streamId;
    this.queue = new FrameQueue<Frame>(this.options.queueSize, this.options.dropPolicy);
  }

  /** The latest state; undefined before `start`. */
  get state(): SourceState | undefined {
    return this.current;
  }

  /** Counters so far. */
  stats(): SourceStats {
    return {
      ...this.counts,
      dropped: this.queue.dropped,
      queueDepth: this.queue.size,
      maxQueueDepth: this.queue.maxDepth,
    };
  }

  /**
   * Starts decoding; resolves once the input is open and its native size and frame
   * rate are known (before the first frame). Rejects with a {@link SourceError} when the
   * input is refused or cannot be opened (after the reconnect attempts, for a live one).
   */
  start(): Promise<SourceInfo> {
    if (this.ready) return this.ready;
    this.ready = new Promise<SourceInfo | Error>((resolve) => this.settleReady = resolve)
      .then((value) => value instanceof Error ? Promise.reject(value) : value);
    this.ready.catch(() => {}); // the caller may never await it
    this.loop = this.run();
    return this.ready;
  }

  /**
   * The frames, as a stream for one consumer (starts the source if needed). It ends when
   * the input ends or the source stops, and errors with a {@link SourceError} when the
   * source fails. Cancelling it stops the source.
   */
  frames(): ReadableStream<Frame> {
    if (this.streamTaken) throw new Error(`${this.streamId}: frames() has a consumer already`);
    this.streamTaken = true;
    return new ReadableStream<Frame>({
      pull: async (controller) => {
        this.start().catch(() => {});
        const frame = await this.queue.shift();
        if (frame !== undefined) {
          this.counts.delivered++;
          controller.enqueue(frame);
        } else if (this.current === "failed") {
          controller.error(new SourceError(`${this.streamId}: ${this.lastReason ?? "failed"}`));
        } else {
          controller.close();
        }
      },
      cancel: () => this.stop(),
    }, { highWaterMark: 0 });
  }

  /** Stops decoding: ends ffmpeg (SIGTERM, then SIGKILL) and the frame stream. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      for (const wake of this.stopWaiters) wake();
      const active = this.current !== "ended" && this.current !== "failed";
      await this.session?.stop(this.options.stopGraceMs);
      this.queue.close();
      await this.loop;
      if (active) this.emit("stopped");
      this.settleReady?.(new SourceError(`${this.streamId}: stopped before the input opened`));
    }
    await this.loop;
  }

  private emit(state: SourceState, extra: Partial<SourceStatus> = {}): void {
    this.current = state;
    if (extra.reason) this.lastReason = extra.reason;
    const status: SourceStatus = { streamId: this.streamId, state, at: Date.now(), ...extra };
    this.dispatchEvent(new CustomEvent("status", { detail: status }));
  }

  private async run(): Promise<void> {
    try {
      const reconnect = this.options.reconnect;
      const rtsp = new RtspTransportChooser(this.options.rtspTransport);
      let attempt = 0;
      while (!this.stopping) {
        const args = await this.commandLine(rtsp.current);
        this.emit("connecting", attempt > 0 ? { attempt } : {});
        const session = this.session = new FfmpegSession(
          this.options.ffmpeg,
          args,
          this.layout(),
        );
        const outcome = await this.runSession(session);
        await session.stop(this.options.stopGraceMs);
        if (this.stopping) break;
        // An RTSP transport the camera refused fails the source, or (auto) tries another.
        const { reason, fatal, retryNow } = rtsp.after(outcome.frames, outcome.reason);
        if (fatal) {
          this.emit("failed", { reason });
          break;
        }
        if (reconnect === null && !retryNow) {
          if (outcome.frames > 0 || (outcome.end === "eof" && outcome.ok)) {
            this.emit("ended", reason ? { reason } : {});
          } else {
            this.emit("failed", { reason: reason ?? "no frames" });
          }
          break;
        }
        attempt = outcome.frames > 0 ? 1 : attempt + 1;
        if (reconnect !== null && attempt > reconnect.maxAttempts) {
          this.emit("failed", {
            reason: `gave up after ${reconnect.maxAttempts} attempts: ${reason}`,
          });
          break;
        }
        this.counts.reconnects++;
        this.emit("reconnecting", { attempt, reason: reason ?? "the input ended" });
        if (reconnect !== null && !retryNow) await this.sleep(backoffDelay(attempt, reconnect));
      }
    } catch (error) {
      this.emit("failed", { reason: (error as Error).message });
    } finally {
      await this.images?.close(); // gone before the frame stream ends
      this.queue.close();
      this.settleReady?.(
        new SourceError(`${this.streamId}: ${this.lastReason ?? "the input did not open"}`),
      );
    }
  }

  /** Checks the input and builds ffmpeg's arguments (a refused input throws), with the
   * RTSP transport of this attempt. */
  private async commandLine(rtspTransport?: RtspLowerTransport): Promise<string[]> {
    const { ffmpeg, output, roots } = this.options;
    const whitelist = protocolWhitelist(this.input);
    let path = "";
    if (this.input.kind === "file") {
      path = await confineToRoots(this.input.path, roots);
      // ffmpeg turns rotated pictures upright itself, not mirrored ones (before ffmpeg 7).
      const orientation = await readOrientation(path);
      if (orientation?.mirror) this.orientation = orientation;
    }
    if (this.input.kind === "images") {
      await this.images?.close(); // the last session's: its ffmpeg has exited
      this.images = await prepareImages(this.input.path, roots);
      path = this.images.pattern;
    }
    return ffmpegArgs(
      ffmpeg,
      this.input,
      path,
      output,
      { ...this.options.mode, rtspTransport },
      whitelist,
      this.orientation,
    );
  }

  private async runSession(session: FfmpegSession): Promise<Outcome> {
    const { live, connectTimeoutMs, stallTimeoutMs, output } = this.options;
    const camera = this.kind === "url" || this.kind === "v4l2";
    let frames = 0;
    if (!live) {
      // Only once the input has opened: an input that does not open fails with the reason.
      session.log.onDamage = (line, cutShort) => {
        if (session.log.info === undefined || this.stopping) return;
        this.emit(this.current ?? "connecting", {
          warning: `the input is ${cutShort ? "cut short" : "damaged"}: ${line}`,
        });
      };
    }
    const info = await this.within(session.info, live ? connectTimeoutMs : Infinity);
    if (this.stopping) return { end: "stopped", ok: false, frames: 0 };
    if (info === "timeout" || info === undefined) {
      if (info === "timeout") await session.stop(this.options.stopGraceMs);
      const status = await session.finished();
      const reason = info === "timeout"
        ? `no video stream after ${connectTimeoutMs} ms`
        : session.log.noVideo
        ? `no video stream in ${this.inputName()}`
        : session.log.errorSummary() || `ffmpeg exited with code ${status.code}`;
      return { end: "error", ok: false, reason, frames: 0 };
    }
    const shown: InputInfo = { ...info };
    if (this.orientation) {
      shown.mirror = true;
      if (this.orientation.rotation === 0) delete shown.rotation;
      else shown.rotation = this.orientation.rotation;
    }
    this.info = {
      streamId: this.streamId,
      kind: this.kind,
      input: shown,
      geometry: frameGeometry(info.width, info.height, output),
      format: output.format,
    };
    this.emit("connected", { input: { width: info.width, height: info.height } });
    this.settleReady?.(this.info);
    for (;;) {
      await this.queue.space();
      if (this.stopping) return { end: "stopped", ok: false, frames };
      // The first frame may wait for a keyframe (a GOP can last seconds): until then
      // the connect timeout applies, then the stall timeout.
      const limit = !live ? Infinity : frames === 0 ? connectTimeoutMs : stallTimeoutMs;
      const raw = await this.within(session.readFrame(), limit);
      if (this.stopping || raw === undefined) return { end: "stopped", ok: false, frames };
      if (raw === "timeout") {
        const reason = `${camera && frames > 0 ? "the camera stopped answering: " : ""}` +
          `no frame for ${limit} ms`;
        this.emit("stalled", { reason });
        await session.stop(this.options.stopGraceMs);
        return { end: "stall", ok: false, reason, frames };
      }
      if (raw === null) {
        const status = await session.finished();
        return {
          end: "eof",
          ok: status.success,
          reason: this.endReason(session, status, frames),
          frames,
        };
      }
      frames++;
      this.counts.decoded++;
      const { geometry } = raw;
      this.resized(geometry);
      this.queue.push({
        streamId: this.streamId,
        index: this.index++,
        ptsMs: raw.ptsMs,
        capturedAt: now(),
        width: geometry.width,
        height: geometry.height,
        format: output.format,
        data: raw.data,
        geometry,
      });
    }
  }

  /**
   * Why a session's output ended, when that is worth saying: ffmpeg's error, a camera
   * that stopped answering, or a damaged or cut-short file (with the frames read).
   */
  private endReason(
    session: FfmpegSession,
    status: Deno.CommandStatus,
    frames: number,
  ): string | undefined {
    const camera = this.kind === "url" || this.kind === "v4l2";
    const error = status.success
      ? undefined
      : session.log.errorSummary() || `ffmpeg exited with code ${status.code}`;
    if (camera && frames > 0) {
      return `the camera stopped answering: ${error ?? "its stream ended"}`;
    }
    // A damaged picture is only warned of; data that ends early ends the input early.
    const cut = this.options.live ? undefined : session.log.cutShort;
    if (cut === undefined || frames === 0) return error;
    const input = this.info?.input;
    const total = input?.durationMs && input.fps
      ? Math.round((input.durationMs / 1000) * input.fps)
      : 0;
    const expected = total > frames ? ` of about ${total}` : "";
    return `the input is truncated or damaged: ${frames}${expected} frames read, then ` +
      `ffmpeg said: ${cut}`;
  }

  /**
   * Notes a frame's geometry: a picture of another size than the last frame's is a size
   * change of the input, told by a `connected` event with the new size.
   */
  private resized(geometry: FrameGeometry): void {
    const info = this.info!;
    if (info.geometry === geometry) return;
    const before = info.geometry;
    const { sourceWidth: width, sourceHeight: height } = geometry;
    this.info = { ...info, input: { ...info.input, width, height }, geometry };
    if (before.sourceWidth === width && before.sourceHeight === height) return;
    this.emit("connected", {
      input: { width, height },
      reason: `the input changed size from ${before.sourceWidth}×${before.sourceHeight} ` +
        `to ${width}×${height}`,
    });
  }

  /**
   * What ffmpeg's filter graph makes of a picture of each size (one object per size, for
   * one session). ffmpeg before 4.4 scales every frame of a native output to the size of
   * its first frame: a picture of another size is then stretched to it.
   */
  private layout(): FrameLayout {
    const { output, ffmpeg } = this.options;
    const stretch = output.fit === "native" && !isFfmpeg44(ffmpeg);
    const known = new Map<string, FrameGeometry>();
    let first: [number, number] | undefined;
    return (width, height) => {
      const key = `${width}x${height}`;
      let geometry = known.get(key);
      if (geometry === undefined) {
        first ??= [width, height];
        geometry = stretch && (width !== first[0] || height !== first[1])
          ? frameGeometry(width, height, {
            ...output,
            fit: "resize",
            width: first[0],
            height: first[1],
          })
          : frameGeometry(width, height, output);
        known.set(key, geometry);
      }
      return geometry;
    };
  }

  /** The input, as a message names it. */
  private inputName(): string {
    const input = this.input;
    switch (input.kind) {
      case "file":
      case "images":
        return input.path;
      case "url":
        return input.url.replace(/\/\/[^/@]*@/, "//"); // no credentials in messages
      case "v4l2":
        return input.device;
      case "lavfi":
        return input.graph;
    }
  }

  /**
   * The promise's value, or "timeout" after `ms`, or undefined once stopping. Without a
   * limit it is the promise itself: every promise passed here belongs to the session,
   * and stop() ends the session, which settles them (this runs per frame: no race).
   */
  private async within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout" | undefined> {
    if (ms === Infinity) return await promise;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) =>
      timer = setTimeout(() => resolve("timeout"), ms)
    );
    const stopped = this.whenStopped();
    try {
      return await Promise.race([promise, timeout, stopped.promise]);
    } finally {
      stopped.release();
      clearTimeout(timer);
    }
  }

  private async sleep(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stopped = this.whenStopped();
    await Promise.race([
      new Promise((resolve) => timer = setTimeout(resolve, ms)),
      stopped.promise,
    ]);
    stopped.release();
    clearTimeout(timer);
  }

  /**
   * A promise that resolves (to undefined) when the source stops, and `release()` to forget
   * it. Racing against one long-lived "stopped" promise would hang every race on it, and
   * with it each race's result: every frame read would stay in memory.
   */
  private whenStopped(): { promise: Promise<undefined>; release: () => void } {
    if (this.stopping) return { promise: Promise.resolve(undefined), release: () => {} };
    let wake = () => {};
    const promise = new Promise<undefined>((resolve) => wake = () => resolve(undefined));
    this.stopWaiters.add(wake);
    return { promise, release: () => this.stopWaiters.delete(wake) };
  }
}
