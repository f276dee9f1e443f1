/**
 * Progress bars of `deno task detect` (cli-progress): one per input with frames, fps and
 * ETA, and one for the total.
 *
 * @module
 */

// @ts-types="@types/cli-progress"
import cliProgress from "cli-progress";
import { basename } from "node:path";
import process from "node:process";
import type { DetectReporter, InputOutcome } from "./detect_job.ts";

/**
 * A {@link DetectReporter} drawing bars on stderr (or plain lines every 2 s when stderr is
 * not a terminal).
 *
 * @example
 * ```ts ignore
 * const bars = new ProgressBars(inputs.length);
 * await runDetect(options, ffmpeg, bars);
 * bars.stop();
 * ```
 */
export class ProgressBars implements DetectReporter {
  #multi: cliProgress.MultiBar;
  #total: cliProgress.SingleBar;
  #bars = new Map<string, { bar: cliProgress.SingleBar; start: number; frames: number }>();
  #started = performance.now();
  #frames = 0;
  #totalFrames = 0;

  constructor(inputs: number) {
    this.#multi = new cliProgress.MultiBar({
      format: "{name} |{bar}| {value}/{total} frames | {fps} fps | ETA {eta_formatted} {state}",
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      noTTYOutput: true,
      notTTYSchedule: 2000,
      stream: process.stderr,
    }, cliProgress.Presets.shades_classic);
    this.#total = this.#multi.create(0, 0, {
      name: `total (${inputs} inputs)`.padEnd(28),
      fps: "0.0",
      state: "",
    });
  }

  started(input: string, totalFrames: number | undefined): void {
    const bar = this.#multi.create(totalFrames ?? 0, 0, {
      name: basename(input).slice(0, 28).padEnd(28),
      fps: "0.0",
      state: "",
    });
    this.#bars.set(input, { bar, start: performance.now(), frames: 0 });
    this.#totalFrames += totalFrames ?? 0;
    this.#total.setTotal(this.#totalFrames);
  }

  frame(input: string): void {
    const entry = this.#bars.get(input);
    this.#frames++;
    const now = performance.now();
    if (entry) {
      entry.frames++;
      if (entry.frames > entry.bar.getTotal()) entry.bar.setTotal(entry.frames);
      entry.bar.increment(1, { fps: rate(entry.frames, now - entry.start) });
    }
    if (this.#frames > this.#total.getTotal()) this.#total.setTotal(this.#frames);
    this.#total.increment(1, { fps: rate(this.#frames, now - this.#started) });
  }

  finished(outcome: InputOutcome): void {
    const entry = this.#bars.get(outcome.input);
    const state = outcome.status === "failed"
      ? `FAILED: ${outcome.error}`
      : outcome.status === "incomplete"
      ? `INCOMPLETE: ${outcome.error}`
      : outcome.status;
    if (entry) {
      entry.bar.setTotal(entry.frames);
      entry.bar.update(entry.frames, { state });
    } else {
      this.#multi.log(`${basename(outcome.input)}: ${state}\n`);
    }
  }

  /** Draws the last state and releases the terminal. */
  stop(): void {
    this.#multi.stop();
  }
}

function rate(frames: number, ms: number): string {
  return ms > 0 ? ((frames * 1000) / ms).toFixed(1) : "0.0";
}
