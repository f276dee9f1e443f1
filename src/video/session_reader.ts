/**
 * Reading one ffmpeg session of a source under the source's time limits: the input must
 * open within the connect timeout (live inputs), the first frame come within it too (a
 * GOP can last seconds), and each frame after it within the stall timeout; files wait as
 * long as ffmpeg takes. Each wait ends at once when the source stops. The reader says
 * how the session ended, in the words of {@link SessionOutcome}.
 *
 * @module
 */

import type { FfmpegSession, RawFrame } from "./ffmpeg_session.ts";
import type { InputInfo } from "./ffmpeg_log.ts";
import type { ResolvedSourceOptions } from "./source_options.ts";
import type { SourceInput } from "./source_spec.ts";
import type { StopSignal } from "./stop_signal.ts";
import {
  endReason,
  isCamera,
  notOpenedReason,
  type SessionOutcome,
  stallReason,
} from "./session_outcome.ts";

/** What a {@link SessionReader} needs of the source's resolved options. */
export type SessionReaderOptions = Pick<
  ResolvedSourceOptions,
  "live" | "connectTimeoutMs" | "stallTimeoutMs" | "stopGraceMs"
>;

/**
 * The reader of one session: {@link SessionReader.open} once, then
 * {@link SessionReader.next} for each frame, until one of them gives the session's
 * {@link SessionOutcome} (a result with `end`). The caller stops the session after that
 * (the reader stops it itself only to learn why an input that never opened failed).
 *
 * @example Two frames of a test pattern
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveFfmpeg } from "./ffmpeg_binary.ts";
 * import { ffmpegArgs, frameGeometry } from "./ffmpeg_args.ts";
 * import { FfmpegSession } from "./ffmpeg_session.ts";
 * import { StopSignal } from "./stop_signal.ts";
 * const binary = await resolveFfmpeg({ env: Deno.env.toObject() });
 * const input = { kind: "lavfi" as const, graph: "testsrc2=size=64x48:rate=25" };
 * const output = { fit: "native" as const, width: 0, height: 0, format: "rgb24" as const };
 * const args = ffmpegArgs(binary, input, "", output, { realtime: false, loop: false }, "file");
 * const session = new FfmpegSession(binary, args, (w, h) => frameGeometry(w, h, output));
 * const options = { live: true, connectTimeoutMs: 10_000, stallTimeoutMs: 10_000, stopGraceMs: 2000 };
 * const reader = new SessionReader(session, input, options, new StopSignal());
 * const opened = await reader.open();
 * assert.ok(!("end" in opened) && opened.width === 64);
 * for (let i = 0; i < 2; i++) {
 *   const frame = await reader.next();
 *   assert.ok(!("end" in frame) && frame.data.length === 64 * 48 * 3);
 * }
 * assert.equal(reader.frames, 2);
 * await session.stop();
 * ```
 */
export class SessionReader {
  readonly #session: FfmpegSession;
  readonly #input: SourceInput;
  readonly #options: SessionReaderOptions;
  readonly #stop: StopSignal;
  readonly #camera: boolean;
  #header: InputInfo | undefined;
  #frames = 0;

  /**
   * `stop` is the source's; `onWarning` gets what ffmpeg says of a file that is damaged
   * or cut short, once its input has opened (an input that does not open fails with the
   * reason instead), while the source runs.
   */
  constructor(
    session: FfmpegSession,
    input: SourceInput,
    options: SessionReaderOptions,
    stop: StopSignal,
    onWarning?: (warning: string) => void,
  ) {
    this.#session = session;
    this.#input = input;
    this.#options = options;
    this.#stop = stop;
    this.#camera = isCamera(input.kind);
    if (!options.live && onWarning) {
      session.log.onDamage = (line, cutShort) => {
        if (session.log.info === undefined || stop.stopped) return;
        onWarning(`the input is ${cutShort ? "cut short" : "damaged"}: ${line}`);
      };
    }
  }

  /** Frames read so far. */
  get frames(): number {
    return this.#frames;
  }

  /** The input's video stream, once ffmpeg has read its header; else how the session ended. */
  async open(): Promise<InputInfo | SessionOutcome> {
    const { live, connectTimeoutMs, stopGraceMs } = this.#options;
    const session = this.#session;
    const info = await this.#stop.within(session.info, live ? connectTimeoutMs : Infinity);
    if (this.#stop.stopped) return { end: "stopped", ok: false, frames: 0 };
    if (info === "timeout" || info === undefined) {
      if (info === "timeout") await session.stop(stopGraceMs);
      const status = await session.finished();
      const timeout = info === "timeout" ? connectTimeoutMs : undefined;
      const reason = notOpenedReason(session.log, status, this.#input, timeout);
      return { end: "error", ok: false, reason, frames: 0 };
    }
    this.#header = info;
    return info;
  }

  /**
   * The next frame, or how the session ended: its output ended (`eof`), no frame came in
   * time (`stall`), or the source stopped. Call it when the frame has room to go.
   */
  async next(): Promise<RawFrame | SessionOutcome> {
    const { live, connectTimeoutMs, stallTimeoutMs } = this.#options;
    const session = this.#session;
    const frames = this.#frames;
    if (this.#stop.stopped) return { end: "stopped", ok: false, frames };
    // The first frame may wait for a keyframe (a GOP can last seconds): until then
    // the connect timeout applies, then the stall timeout.
    const limit = !live ? Infinity : frames === 0 ? connectTimeoutMs : stallTimeoutMs;
    const raw = await this.#stop.within(session.readFrame(), limit);
    if (this.#stop.stopped || raw === undefined) return { end: "stopped", ok: false, frames };
    if (raw === "timeout") {
      return { end: "stall", ok: false, reason: stallReason(this.#camera, frames, limit), frames };
    }
    if (raw === null) {
      const status = await session.finished();
      const reason = endReason({
        camera: this.#camera,
        live,
        frames,
        status,
        log: session.log,
        input: this.#header,
      });
      return { end: "eof", ok: status.success, reason, frames };
    }
    this.#frames++;
    return raw;
  }
}
