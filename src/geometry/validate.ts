/**
 * Argument checks shared by the pure ops. Each throws a `TypeError` (wrong kind of
 * value) or a `RangeError` (right kind, wrong size or value) whose message names the
 * function, the argument, what was expected and what was found:
 *
 * `nms(): boxes: expected a Float32Array of N×4 numbers (x1, y1, x2, y2), found length 10, not a multiple of 4`
 *
 * @module
 */

import { describe } from "../describe.ts";

/**
 * Checks an N×4 box array and returns N.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(checkBoxes("nms", "boxes", new Float32Array(8)), 2);
 * assert.throws(() => checkBoxes("nms", "boxes", new Float32Array(10)), RangeError);
 * ```
 */
export function checkBoxes(fn: string, name: string, boxes: unknown): number {
  const expected = "a Float32Array of N×4 numbers (x1, y1, x2, y2)";
  if (!(boxes instanceof Float32Array)) {
    throw new TypeError(`${fn}(): ${name}: expected ${expected}, found ${describe(boxes)}`);
  }
  if (boxes.length % 4 !== 0) {
    throw new RangeError(
      `${fn}(): ${name}: expected ${expected}, found length ${boxes.length}, not a multiple of 4`,
    );
  }
  return boxes.length / 4;
}

/**
 * Checks a score array of `n` entries, none NaN (and none infinite when `finite`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkScores("nms", "scores", new Float32Array([0.9, 0.1]), 2);
 * assert.throws(() => checkScores("nms", "scores", new Float32Array([NaN]), 1), RangeError);
 * ```
 */
export function checkScores(
  fn: string,
  name: string,
  scores: unknown,
  n: number,
  finite = false,
): void {
  const expected = `a Float32Array of ${n} scores (one per box)`;
  if (!(scores instanceof Float32Array)) {
    throw new TypeError(`${fn}(): ${name}: expected ${expected}, found ${describe(scores)}`);
  }
  if (scores.length !== n) {
    throw new RangeError(`${fn}(): ${name}: expected ${expected}, found length ${scores.length}`);
  }
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (s !== s || (finite && !Number.isFinite(s))) {
      throw new RangeError(
        `${fn}(): ${name}[${i}]: expected a ${finite ? "finite " : ""}number, found ${s}`,
      );
    }
  }
}

/**
 * Checks an `Int32Array` of `n` class ids.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkLabels("batchedNms", "classIds", new Int32Array(3), 3);
 * assert.throws(() => checkLabels("batchedNms", "classIds", [1, 2, 3], 3), TypeError);
 * ```
 */
export function checkLabels(fn: string, name: string, labels: unknown, n: number): void {
  const expected = `an Int32Array of ${n} class ids (one per box)`;
  if (!(labels instanceof Int32Array)) {
    throw new TypeError(`${fn}(): ${name}: expected ${expected}, found ${describe(labels)}`);
  }
  if (labels.length !== n) {
    throw new RangeError(`${fn}(): ${name}: expected ${expected}, found length ${labels.length}`);
  }
}

/**
 * Checks a finite number in `[min, max]` (both inclusive).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkNumber("nms", "iouThreshold", 0.5, 0, 1);
 * assert.throws(() => checkNumber("nms", "iouThreshold", -0.1, 0, 1), RangeError);
 * ```
 */
export function checkNumber(
  fn: string,
  name: string,
  value: unknown,
  min = -Infinity,
  max = Infinity,
): void {
  if (typeof value !== "number") {
    throw new TypeError(`${fn}(): ${name}: expected a number, found ${describe(value)}`);
  }
  if (!Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${fn}(): ${name}: expected a finite number ${range}, found ${value}`);
  }
}

/**
 * Checks an integer in `[min, max]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkInteger("pasteMask", "imageHeight", 720, 0);
 * assert.throws(() => checkInteger("pasteMask", "imageHeight", 7.5, 0), RangeError);
 * ```
 */
export function checkInteger(
  fn: string,
  name: string,
  value: unknown,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (typeof value !== "number") {
    throw new TypeError(`${fn}(): ${name}: expected an integer, found ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${fn}(): ${name}: expected an integer ${range}, found ${value}`);
  }
}

/**
 * Checks one of a fixed set of string options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkChoice("softNms", "method", "linear", ["linear", "gaussian", "hard"]);
 * assert.throws(() => checkChoice("softNms", "method", "soft", ["linear"]), RangeError);
 * ```
 */
export function checkChoice(
  fn: string,
  name: string,
  value: unknown,
  choices: readonly string[],
): void {
  if (typeof value !== "string" || !choices.includes(value)) {
    const list = choices.map((c) => JSON.stringify(c)).join(", ");
    const err = typeof value === "string" ? RangeError : TypeError;
    throw new err(`${fn}(): ${name}: expected one of ${list}, found ${describe(value)}`);
  }
}
