/**
 * Progress of a detect run as plain lines, one per input as it finishes: what a log file
 * or a pipe gets instead of progress bars (`deno task detect --queue` when stderr is not
 * a terminal).
 *
 * @module
 */

import type { DetectReporter, InputOutcome } from "./detect_input.ts";

/**
 * A {@link DetectReporter} that writes `[3/12] /in/c2.mp4: done, 15 frames` when an input
 * finishes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const lines: string[] = [];
 * const progress = new ProgressLines(2, (line) => lines.push(line));
 * progress.finished({ input: "/in/a.mp4", status: "done", frames: 15, outputs: [] });
 * progress.finished({ input: "/in/b.mp4", status: "failed", frames: 0, outputs: [], error: "no video" });
 * assert.deepEqual(lines, ["[1/2] /in/a.mp4: done, 15 frames", "[2/2] /in/b.mp4: FAILED: no video"]);
 * ```
 */
export class ProgressLines implements DetectReporter {
  readonly #inputs: number;
  readonly #write: (line: string) => void;
  #finished = 0;

  /** `inputs`: how many there are; `write`: where lines go (default stderr). */
  constructor(inputs: number, write: (line: string) => void = (line) => console.error(line)) {
    this.#inputs = inputs;
    this.#write = write;
  }

  started(): void {}

  frame(): void {}

  finished(outcome: InputOutcome): void {
    const state = outcome.status === "failed"
      ? `FAILED: ${outcome.error}`
      : outcome.status === "incomplete"
      ? `INCOMPLETE (${outcome.error}), ${outcome.frames} frames`
      : outcome.status === "skipped"
      ? "skipped (outputs exist)"
      : `done, ${outcome.frames} frames`;
    this.#write(`[${++this.#finished}/${this.#inputs}] ${outcome.input}: ${state}`);
  }

  /** Nothing to release (the same call as `ProgressBars.stop`). */
  stop(): void {}
}
