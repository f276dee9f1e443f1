/**
 * Reading ffmpeg's stderr: the input header (native size, frame rate, codec, display
 * rotation), the `showinfo` line of each frame (its presentation time and picture size,
 * and what the decoder did with it when ffmpeg logs `-debug_ts`: see `DecoderDelay`),
 * the lines that say an input is damaged, and the lines worth quoting when something
 * fails. ffmpeg itself probes the input, so no ffprobe is needed.
 *
 * @module
 */

import { now } from "../clock.ts";
import { DecoderDelay, type DecoderTiming } from "./decoder_delay.ts";

/** What the input header says about the video stream. */
export interface InputInfo {
  /** Container format, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `lavfi`. */
  container: string;
  /** Codec, e.g. `h264`. */
  codec: string;
  /**
   * Picture size as a player shows it: the coded size, turned by {@link rotation} (a
   * phone clip coded 360×640 with a 90° display rotation is 640×360).
   */
  width: number;
  height: number;
  /** Frame rate (the `fps` figure, else `tbr`); 0 when the header gives none. */
  fps: number;
  /** Duration in ms for files; undefined for live inputs. */
  durationMs?: number;
  /**
   * Clockwise rotation, in degrees, that the stream's display matrix (or `rotate` tag)
   * asks for and ffmpeg applies when it decodes (0, 90, 180, 270); absent when 0.
   */
  rotation?: number;
  /**
   * The display matrix also mirrors the picture left-right (before the rotation); set by
   * a source that reads the matrix itself (ffmpeg before 7 ignores mirrors).
   */
  mirror?: true;
}

/** What `showinfo` says about one frame that went through the filter graph. */
export interface FrameLine {
  /** 0, 1, 2... in output order, counted by the log (showinfo's own `n` restarts at 0
   * whenever ffmpeg rebuilds the graph, e.g. when the input changes size). */
  index: number;
  /** Milliseconds; NaN when the frame has none. */
  ptsMs: number;
  /** The picture's size where showinfo sees it (NaN when the line does not say). */
  width: number;
  height: number;
  /** What the decoder did with it, when ffmpeg runs with `-debug_ts` (see `DecoderDelay`). */
  decoder?: DecoderTiming;
}

const STREAM = /^\s*Stream #\d+:\d+.*?: Video: ([^\s,]+).*?, (\d+)x(\d+)(?:[\s,[]|$)/;
const FPS = /, ([\d.]+k?) fps\b/;
const TBR = /, ([\d.]+k?) tbr\b/;
const INPUT = /^Input #\d+, ([^,]+(?:,[^,\s]+)*), from/;
const DURATION = /^\s*Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/;
/** The header lines that belong to a stream's block: its metadata and side data. */
const STREAM_BLOCK = /^ {4}(?:Metadata|Side data):|^ {6,}\S/;
const DISPLAY_MATRIX = /displaymatrix: rotation of (-?[\d.]+) degrees/;
const ROTATE_TAG = /^\s+rotate\s*: (-?\d+(?:\.\d+)?)\s*$/;
// Not anchored on showinfo's "[Parsed_showinfo_N @ 0x...] " prefix: a line another
// thread logs at the same moment can swallow it. `s:WxH` is printed by the same call.
const SHOWINFO =
  /n:\s*(\d+)\s+pts:\s*(-?\d+|NOPTS)\s+pts_time:\s*(-?[\d.]+(?:e[-+]?\d+)?|NOPTS)(?:.*?\ss:(\d+)x(\d+)\b)?/;
/**
 * What ffmpeg says of an input whose data ends early: MP4 (`partial file`), Matroska
 * (`Read error` in 4.x, `File ended prematurely` from 5.0), a demuxer failing mid-file.
 */
const CUT_SHORT =
  /partial file|File ended prematurely|\] Read error|Invalid data found when processing input/i;
/**
 * What ffmpeg says of a picture it could not decode whole (a decoder failing, or hiding
 * the damage). Not `corrupt input packet` or `Packet corrupt`: MPEG-TS says them of a
 * discontinuity, e.g. between joined recordings.
 */
const DAMAGED = /Error while decoding stream|corrupt decoded frame|concealing \d+ DC/i;

function rate(text: string | undefined): number {
  if (text === undefined) return 0;
  return text.endsWith("k") ? Number(text.slice(0, -1)) * 1000 : Number(text);
}

/** A line of ffmpeg's for a message: `[h264 @ 0x55d0] text` reads `h264: text`. */
function quoted(line: string): string {
  return line.trim().replace(/^\[([^\]@]+?) @ 0x[0-9a-f]+\] /i, "$1: ");
}

/** A clockwise rotation in degrees, in [0, 360), multiples of 90 exact. */
function clockwise(degrees: number): number {
  const d = ((degrees % 360) + 360) % 360;
  const right = Math.round(d / 90) * 90;
  return Math.abs(d - right) < 1 ? right % 360 : d;
}

/**
 * Accumulates what stderr says, line by line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const log = new FfmpegLog();
 * log.line("Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/tmp/a.mp4':");
 * log.line("  Duration: 00:00:02.00, start: 0.000000, bitrate: 33 kb/s");
 * log.line("    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 360x640 [SAR 1:1 DAR 9:16], 30 kb/s, 25 fps, 25 tbr, 12800 tbn (default)");
 * log.line("    Side data:");
 * log.line("      displaymatrix: rotation of -90.00 degrees");
 * log.line("Stream mapping:");
 * log.line("[Parsed_showinfo_1 @ 0x55] n:   0 pts:    512 pts_time:0.04    pos: 1234 fmt:yuv420p sar:1/1 s:640x360 i:P");
 * assert.deepEqual(log.info, {
 *   container: "mov,mp4,m4a,3gp,3g2,mj2",
 *   codec: "h264",
 *   width: 640, // shown turned a quarter clockwise
 *   height: 360,
 *   fps: 25,
 *   durationMs: 2000,
 *   rotation: 90,
 * });
 * assert.deepEqual(log.takeFrame(0), { index: 0, ptsMs: 40, width: 640, height: 360 });
 * ```
 */
export class FfmpegLog {
  /** The video stream of the input, once its header line has been read. */
  info: InputInfo | undefined;
  /** The first line that said the input's data ends early (e.g. `partial file`). */
  cutShort: string | undefined;
  /** The first line that said a picture of the input is damaged (or the data ends early). */
  damage: string | undefined;
  /** Called once the header's video stream block has been read (its size and rotation known). */
  onInfo: ((info: InputInfo) => void) | undefined;
  /**
   * Called with the first line that says a picture is damaged, and with the first that
   * says the data ends early (`cutShort`): at most twice.
   */
  onDamage: ((line: string, cutShort: boolean) => void) | undefined;
  private container = "";
  private durationMs: number | undefined;
  /** The stream's header block is being read (its rotation may follow). */
  private infoOpen = false;
  private matrixSeen = false;
  /** The coded size of the video stream. */
  private coded: [number, number] = [0, 0];
  private sawVideo = false;
  private readonly frames: FrameLine[] = [];
  private shown = 0;
  private readonly recent: string[] = [];
  private waiter: { index: number; wake: () => void } | undefined;
  private closed = false;
  private readonly decoder = new DecoderDelay();
  private readonly clock: () => number;

  /** `clock` times the `-debug_ts` lines (default `now()` of src/clock.ts). */
  constructor(clock: () => number = now) {
    this.clock = clock;
  }

  /** Takes one line of stderr. */
  line(text: string): void {
    const shown = SHOWINFO.exec(text);
    if (shown) {
      this.endInfo();
      // showinfo prints seconds with 6 digits: keep the ms to the microsecond.
      const t = shown[3] === "NOPTS" ? NaN : Math.round(Number(shown[3]) * 1e6) / 1e3;
      const index = this.shown++;
      const decoder = shown[2] === "NOPTS" ? undefined : this.decoder.take(Number(shown[2]));
      this.frames.push({
        index,
        ptsMs: t,
        width: shown[4] === undefined ? NaN : Number(shown[4]),
        height: shown[5] === undefined ? NaN : Number(shown[5]),
        ...(decoder ? { decoder } : {}),
      });
      if (this.waiter !== undefined && this.waiter.index <= index) this.wake();
      return;
    }
    if (this.decoder.line(text, this.clock())) return;
    if (this.infoOpen) {
      if (STREAM_BLOCK.test(text)) {
        const matrix = DISPLAY_MATRIX.exec(text);
        const tag = ROTATE_TAG.exec(text);
        // ffmpeg turns the picture by the matrix's opposite angle (its rotate tag, in 4.x).
        if (matrix) {
          this.matrixSeen = true;
          this.rotate(clockwise(-Number(matrix[1])));
        } else if (tag && !this.matrixSeen) this.rotate(clockwise(Number(tag[1])));
      } else this.endInfo();
    }
    const input = INPUT.exec(text);
    if (input) this.container = input[1];
    const duration = DURATION.exec(text);
    if (duration) {
      this.durationMs = Math.round(
        ((Number(duration[1]) * 60 + Number(duration[2])) * 60 + Number(duration[3])) * 1000,
      );
    }
    const stream = this.info === undefined ? STREAM.exec(text) : null;
    if (stream) {
      this.sawVideo = true;
      this.coded = [Number(stream[2]), Number(stream[3])];
      this.info = {
        container: this.container,
        codec: stream[1],
        width: Number(stream[2]),
        height: Number(stream[3]),
        fps: rate(FPS.exec(text)?.[1]) || rate(TBR.exec(text)?.[1]),
        ...(this.durationMs !== undefined ? { durationMs: this.durationMs } : {}),
      };
      this.infoOpen = true;
    }
    if (this.cutShort === undefined && CUT_SHORT.test(text)) {
      this.cutShort = this.damage = quoted(text);
      this.onDamage?.(this.cutShort, true);
    } else if (this.damage === undefined && DAMAGED.test(text)) {
      this.damage = quoted(text);
      this.onDamage?.(this.damage, false);
    }
    if (text.trim().length > 0 && !/^\s/.test(text) && !text.includes("showinfo")) {
      this.recent.push(text.trim());
      if (this.recent.length > 8) this.recent.shift();
    }
  }

  /**
   * How many frame lines showinfo has logged so far: frame `linesSeen - 1` is the latest
   * picture ffmpeg's filter graph has let through.
   */
  get linesSeen(): number {
    return this.shown;
  }

  /**
   * Whether ffmpeg opened the input and found no video stream in it (an audio-only file,
   * say): the input's header was read and named no video stream.
   */
  get noVideo(): boolean {
    return this.container !== "" && !this.sawVideo;
  }

  /**
   * What showinfo said of frame `index` (0, 1, 2... in output order), removed from the log
   * with the lines of earlier frames; undefined if not seen yet.
   */
  takeFrame(index: number): FrameLine | undefined {
    while (this.frames.length > 0 && this.frames[0].index < index) this.frames.shift();
    if (this.frames.length === 0 || this.frames[0].index !== index) return undefined;
    return this.frames.shift();
  }

  /**
   * Resolves when frame `index`'s line has been logged (at once if it has, or if the log
   * is closed: no line will come), or after `timeoutMs`. One waiter at a time: a new call
   * releases the previous one.
   */
  frameSeen(index: number, timeoutMs = Infinity): Promise<void> {
    if (this.shown > index || this.closed) return Promise.resolve();
    this.wake();
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter = {
        index,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      if (timeoutMs !== Infinity) {
        timer = setTimeout(() => {
          if (this.waiter === waiter) this.waiter = undefined;
          resolve();
        }, timeoutMs);
      }
      this.waiter = waiter;
    });
  }

  /** Releases anyone waiting for a frame line (the process ended), and ends the header. */
  close(): void {
    this.closed = true;
    this.endInfo();
    this.wake();
  }

  /**
   * The last lines that look like errors (or the last lines at all), for a message:
   * e.g. `file:/tmp/x.mp4: Invalid data found when processing input`.
   */
  errorSummary(): string {
    const errors = this.recent.filter((l) =>
      /error|invalid|not found|no such|refused|denied|failed|unable|could not|timed out|unsupported|corrupt|truncat|moov|partial/i
        .test(l)
    );
    return (errors.length > 0 ? errors : this.recent).slice(-3).join("; ");
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.wake();
  }

  private rotate(degrees: number): void {
    if (this.info === undefined) return;
    const { rotation: _, ...info } = this.info;
    const [w, h] = this.coded;
    const quarter = degrees === 90 || degrees === 270;
    this.info = {
      ...info,
      width: quarter ? h : w,
      height: quarter ? w : h,
      ...(degrees === 0 ? {} : { rotation: degrees }),
    };
  }

  private endInfo(): void {
    if (!this.infoOpen) return;
    this.infoOpen = false;
    if (this.info) this.onInfo?.(this.info);
  }
}
