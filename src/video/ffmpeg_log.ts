/**
 * Reading ffmpeg's stderr: the input header (native size, frame rate, codec), the
 * `showinfo` line of each frame (its presentation time), and the lines worth quoting
 * when something fails. ffmpeg itself probes the input, so no ffprobe is needed.
 *
 * @module
 */

/** What the input header says about the video stream. */
export interface InputInfo {
  /** Container format, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `lavfi`. */
  container: string;
  /** Codec, e.g. `h264`. */
  codec: string;
  width: number;
  height: number;
  /** Frame rate (the `fps` figure, else `tbr`); 0 when the header gives none. */
  fps: number;
  /** Duration in ms for files; undefined for live inputs. */
  durationMs?: number;
}

/** Presentation time of one output frame, from `showinfo`. */
export interface FrameTime {
  /** 0, 1, 2... in output order. */
  n: number;
  /** Milliseconds; NaN when the frame has none. */
  ptsMs: number;
}

const STREAM = /^\s*Stream #\d+:\d+.*?: Video: ([^\s,]+).*?, (\d+)x(\d+)(?:[\s,[]|$)/;
const FPS = /, ([\d.]+k?) fps\b/;
const TBR = /, ([\d.]+k?) tbr\b/;
const INPUT = /^Input #\d+, ([^,]+(?:,[^,\s]+)*), from/;
const DURATION = /^\s*Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/;
const SHOWINFO = /\] n:\s*(\d+) pts:\s*(-?\d+|NOPTS) pts_time:\s*(-?[\d.]+(?:e[-+]?\d+)?|NOPTS)/;

function rate(text: string | undefined): number {
  if (text === undefined) return 0;
  return text.endsWith("k") ? Number(text.slice(0, -1)) * 1000 : Number(text);
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
 * log.line("    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1917x1079 [SAR 1:1 DAR 1917:1079], 30 kb/s, 25 fps, 25 tbr, 12800 tbn (default)");
 * log.line("[Parsed_showinfo_2 @ 0x55] n:   1 pts:    512 pts_time:0.04    pos: 1234 fmt:rgb24");
 * assert.deepEqual(log.info, {
 *   container: "mov,mp4,m4a,3gp,3g2,mj2",
 *   codec: "h264",
 *   width: 1917,
 *   height: 1079,
 *   fps: 25,
 *   durationMs: 2000,
 * });
 * assert.deepEqual(log.takeFrameTime(1), { n: 1, ptsMs: 40 });
 * ```
 */
export class FfmpegLog {
  /** The video stream of the input, once the header has been read. */
  info: InputInfo | undefined;
  private container = "";
  private durationMs: number | undefined;
  private readonly times = new Map<number, number>();
  private readonly recent: string[] = [];
  private readonly waiters = new Map<number, () => void>();
  private closed = false;
  /** Called when the header's video stream line arrives. */
  onInfo: ((info: InputInfo) => void) | undefined;

  /** Takes one line of stderr. */
  line(text: string): void {
    const shown = SHOWINFO.exec(text);
    if (shown) {
      const n = Number(shown[1]);
      // showinfo prints seconds with 6 digits: keep the ms to the microsecond.
      const t = shown[3] === "NOPTS" ? NaN : Math.round(Number(shown[3]) * 1e6) / 1e3;
      this.times.set(n, t);
      this.waiters.get(n)?.();
      this.waiters.delete(n);
      return;
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
      this.info = {
        container: this.container,
        codec: stream[1],
        width: Number(stream[2]),
        height: Number(stream[3]),
        fps: rate(FPS.exec(text)?.[1]) || rate(TBR.exec(text)?.[1]),
        ...(this.durationMs !== undefined ? { durationMs: this.durationMs } : {}),
      };
      this.onInfo?.(this.info);
    }
    if (text.trim().length > 0 && !/^\s/.test(text) && !text.includes("showinfo")) {
      this.recent.push(text.trim());
      if (this.recent.length > 8) this.recent.shift();
    }
  }

  /** The presentation time of frame `n`, removed from the log; undefined if not seen yet. */
  takeFrameTime(n: number): FrameTime | undefined {
    const t = this.times.get(n);
    if (t === undefined) return undefined;
    this.times.delete(n);
    return { n, ptsMs: t };
  }

  /**
   * Resolves when frame `n`'s time has been logged (at once if it has, or if the log is
   * closed: no time will come).
   */
  frameTimeSeen(n: number): Promise<void> {
    if (this.times.has(n) || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(n, resolve));
  }

  /** Releases anyone waiting for a frame time (the process ended). */
  close(): void {
    this.closed = true;
    for (const resolve of this.waiters.values()) resolve();
    this.waiters.clear();
  }

  /**
   * The last lines that look like errors (or the last lines at all), for a message:
   * e.g. `file:/tmp/x.mp4: Invalid data found when processing input`.
   */
  errorSummary(): string {
    const errors = this.recent.filter((l) =>
      /error|invalid|not found|no such|refused|denied|failed|unable|could not|timed out|unsupported|corrupt|truncat|moov/i
        .test(l)
    );
    return (errors.length > 0 ? errors : this.recent).slice(-3).join("; ");
  }
}
