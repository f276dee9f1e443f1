/**
 * Numbers between two bounds, worded the way users read them: `expected an integer in
 * [1, 256], found the number 0` whichever way the value misses (a wrong type, a fraction,
 * below, above). A bound on one side only needs no helper: zod's `.min()` / `.max()` read
 * `an integer >= 1` through the wire layer's error map.
 *
 * @module
 */

import { z } from "zod";

/**
 * An integer in `[min, max]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(intIn(1, 256), 0), [
 *   { path: [], expected: "an integer in [1, 256]", found: "the number 0" },
 * ]);
 * assert.deepEqual(checkWire(intIn(1, 256), 256), []);
 * ```
 */
export function intIn(min: number, max: number): z.ZodInt {
  const error = `an integer in [${min}, ${max}]`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

/**
 * A finite number in `[min, max]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(numberIn(0, 1), "0.5"), [
 *   { path: [], expected: "a number in [0, 1]", found: 'the string "0.5"' },
 * ]);
 * assert.deepEqual(checkWire(numberIn(0, 1), 0.5), []);
 * ```
 */
export function numberIn(min: number, max: number): z.ZodNumber {
  const error = `a number in [${min}, ${max}]`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}
