/**
 * A video source: an ffmpeg child decodes the input, scales and converts each frame for
 * the model, and writes raw frames to a pipe that this class reads. Files and image
 * folders are lossless (every frame once, in order, ffmpeg held back when the consumer
 * is slower); live inputs drop frames past a small queue so that latency stays bounded,
 * and reconnect with backoff after an error, an end, or a stall.
 *
 * The class wires the parts: each attempt's command line (`AttemptCommand`), one ffmpeg
 * session per attempt (`FfmpegSession`, its frame sizes from `frameLayout`), read under
 * the source's time limits (`SessionReader`), each frame's geometry noted in the source's
 * info (`withFrameGeometry`), the step after each session (`nextAttempt`, with the RTSP
 * transport of `RtspTransportChooser`), every wait bounded by the stop (`StopSignal`).
 *
 * @module
 */

import { SourceError } from "../errors.ts";
import type { Frame, SourceState, SourceStatus } from "../types.ts";
import { now } from "../clock.ts";
import { AttemptCommand } from "./attempt_command.ts";
import { FfmpegSession } from "./ffmpeg_session.ts";
import { FrameQueue } from "./frame_queue.ts";
import { checkHwaccel } from "./hwaccel.ts";
import type { TimedFrame } from "./decoder_delay.ts";
import { frameLayout } from "./frame_layout.ts";
import { nextAttempt } from "./next_attempt.ts";
import { RtspTransportChooser } from "./rtsp_transport_chooser.ts";
import type { SessionOutcome } from "./session_outcome.ts";
import { SessionReader } from "./session_reader.ts";
import { openedSourceInfo, type SourceInfo, withFrameGeometry } from "./source_info.ts";
import { parseSourceInput, type SourceInput, type SourceKind } from "./source_spec.ts";
import { type FrameSourceOptions, resolveSourceOptions } from "./source_options.ts";
import { StopSignal } from "./stop_signal.ts";

export type { FrameSourceOptions } from "./source_options.ts";
export type { SourceInfo } from "./source_info.ts";

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

/**
 * A source of frames from ffmpeg.
 *
 * Each frame carries its own geometry: an input may change size mid-stream (a camera
 * switching profiles, concatenated recordings), and the frames after the change come at
 * the new size, after a `connected` status event that gives the new `input` size and a
 * `reason`. Frames of low-delay inputs (live, or read in real time) carry what the decoder
 * did with them (`decoder`: see `TimedFrame`). A file whose data ffmpeg finds cut short, or a picture of which it finds
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
  private readonly command: AttemptCommand;
  private readonly stopSignal = new StopSignal();
  private current: SourceState | undefined;
  private lastReason: string | undefined;
  private session: FfmpegSession | undefined;
  private ready: Promise<SourceInfo> | undefined;
  private settleReady: ((info: SourceInfo | Error) => void) | undefined;
  private loop: Promise<void> | undefined;
  private streamTaken = false;
  private index = 0;
  private counts = { decoded: 0, delivered: 0, reconnects: 0 };

  constructor(options: FrameSourceOptions) {
    super();
    this.input = typeof options.input === "string"
      ? parseSourceInput(options.input)
      : options.input;
    this.kind = this.input.kind;
    this.options = resolveSourceOptions(options, this.kind);
    this.streamId = options.streamId;
    this.index = options.firstIndex ?? 0;
    this.queue = new FrameQueue<Frame>(this.options.queueSize, this.options.dropPolicy);
    this.command = new AttemptCommand(this.input, this.options);
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
    if (!this.stopSignal.stopped) {
      this.stopSignal.stop();
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

  /** The attempts, one ffmpeg session each, until the input ends, fails or stops. */
  private async run(): Promise<void> {
    try {
      const { ffmpeg, output, stopGraceMs } = this.options;
      await checkHwaccel(this.options.hwaccel, ffmpeg);
      const rtsp = new RtspTransportChooser(this.options.rtspTransport);
      let attempt = 0;
      while (!this.stopSignal.stopped) {
        const args = await this.command.next(rtsp.current);
        this.emit("connecting", attempt > 0 ? { attempt } : {});
        const session = this.session = new FfmpegSession(
          ffmpeg,
          args,
          frameLayout(output, ffmpeg),
        );
        const outcome = await this.runSession(session);
        await session.stop(stopGraceMs);
        if (this.stopSignal.stopped) break;
        const verdict = rtsp.after(outcome.frames, outcome.reason);
        const next = nextAttempt(outcome, verdict, this.options.reconnect, attempt);
        if (next.action === "fail") {
          this.emit("failed", { reason: next.reason });
          break;
        }
        if (next.action === "end") {
          this.emit("ended", next.reason ? { reason: next.reason } : {});
          break;
        }
        attempt = next.attempt;
        this.counts.reconnects++;
        this.emit("reconnecting", { attempt, reason: next.reason });
        if (next.delayMs !== undefined) await this.stopSignal.sleep(next.delayMs);
      }
    } catch (error) {
      this.emit("failed", { reason: (error as Error).message });
    } finally {
      await this.command.close(); // an image input's links: gone before the frame stream ends
      this.queue.close();
      this.settleReady?.(
        new SourceError(`${this.streamId}: ${this.lastReason ?? "the input did not open"}`),
      );
    }
  }

  /** Reads one session's frames into the queue; its outcome once it ends. */
  private async runSession(session: FfmpegSession): Promise<SessionOutcome> {
    const { output } = this.options;
    const reader = new SessionReader(
      session,
      this.input,
      this.options,
      this.stopSignal,
      (warning) => this.emit(this.current ?? "connecting", { warning }),
    );
    const header = await reader.open();
    if ("end" in header) return header;
    this.info = openedSourceInfo(
      this.streamId,
      this.kind,
      header,
      output,
      this.command.orientation,
    );
    this.emit("connected", { input: { width: header.width, height: header.height } });
    this.settleReady?.(this.info);
    for (;;) {
      await this.queue.space();
      const raw = await reader.next();
      if ("end" in raw) {
        if (raw.end === "stall") this.emit("stalled", { reason: raw.reason });
        return raw;
      }
      this.counts.decoded++;
      const { geometry } = raw;
      const { info, sizeChange } = withFrameGeometry(this.info, geometry);
      this.info = info;
      if (sizeChange) this.emit("connected", sizeChange);
      const frame: TimedFrame = {
        streamId: this.streamId,
        index: this.index++,
        ptsMs: raw.ptsMs,
        capturedAt: now(),
        width: geometry.width,
        height: geometry.height,
        format: output.format,
        data: raw.data,
        geometry,
        ...(raw.decoder ? { decoder: raw.decoder } : {}),
      };
      this.queue.push(frame);
    }
  }
}
