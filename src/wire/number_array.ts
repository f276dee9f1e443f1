/**
 * Arrays of plain numbers (boxes, polygons, run lengths), checked in one pass: one
 * refinement loops over the items instead of a schema per item, which matters for a COCO
 * results file of 100,000 boxes. The JSON Schema of such an array is written out by hand
 * (`type: "array"`, `items`, `minItems`/`maxItems`), as zod cannot see into the check.
 *
 * @module
 */

import { z } from "zod";

/** What {@link numberArray} accepts. */
export interface NumberArrayOptions {
  /** The "expected" half of a wrong kind or length: `a box [x, y, w, h] of 4 numbers`. */
  expected: string;
  /** The lengths allowed (any length when left out). */
  lengths?: readonly number[];
  /** Items must be integers (`false`: any finite number). */
  integer?: boolean;
  /** Items must be at least this. */
  min?: number;
  /** What the JSON Schema says the array is. */
  description?: string;
}

/**
 * An array of finite numbers, checked in one loop. A value that is not an array is an
 * `invalid_type` issue worded `options.expected`; a length not in `options.lengths` a
 * `too_small`/`too_big` one worded the same; an item that is not a finite number an
 * `invalid_type` issue at its index, and one that is not an integer (when asked) or is
 * below `min` a `custom` one there. Only the first bad item is reported.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * const box = numberArray({ expected: "a box [x, y, w, h] of 4 numbers", lengths: [4] });
 * assert.deepEqual(checkWire(box, [1, 2, 3, 4]), []);
 * assert.deepEqual(checkWire(box, [1, 2, 3]), [
 *   { path: [], expected: "a box [x, y, w, h] of 4 numbers", found: "an array of 3 items" },
 * ]);
 * assert.deepEqual(checkWire(box, [1, "2", 3, 4]), [
 *   { path: [1], expected: "a finite number", found: 'the string "2"' },
 * ]);
 * ```
 */
export function numberArray<T extends number[] = number[]>(
  options: NumberArrayOptions,
): z.ZodType<T> {
  const { expected, lengths, integer = false, min = -Infinity } = options;
  const item = integer
    ? (min === -Infinity ? "an integer" : `an integer >= ${min}`)
    : (min === -Infinity ? "a finite number" : `a finite number >= ${min}`);
  const schema = z.custom<T>().check((ctx) => {
    const value = ctx.value as unknown;
    if (!Array.isArray(value)) {
      ctx.issues.push({ code: "invalid_type", expected: "array", input: value, message: expected });
      return;
    }
    const n = value.length;
    if (lengths !== undefined && !lengths.includes(n)) {
      const small = n < Math.max(...lengths);
      ctx.issues.push(
        small
          ? {
            code: "too_small",
            origin: "array",
            minimum: Math.min(...lengths),
            input: value,
            message: expected,
          }
          : {
            code: "too_big",
            origin: "array",
            maximum: Math.max(...lengths),
            input: value,
            message: expected,
          },
      );
      return;
    }
    for (let i = 0; i < n; i++) {
      const v = value[i];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        ctx.issues.push({
          code: "invalid_type",
          expected: "number",
          input: v,
          path: [i],
          message: item,
        });
        return;
      }
      if (v < min || (integer && !Number.isInteger(v))) {
        ctx.issues.push({ code: "custom", input: v, path: [i], message: item });
        return;
      }
    }
  });
  const json: Record<string, unknown> = {
    type: "array",
    items: integer
      ? { type: "integer", ...(min > -Infinity ? { minimum: min } : {}) }
      : { type: "number", ...(min > -Infinity ? { minimum: min } : {}) },
  };
  if (lengths !== undefined && lengths.length === 1) {
    json.minItems = json.maxItems = lengths[0];
  } else if (lengths !== undefined && lengths.length > 1) {
    json.anyOf = lengths.map((n) => ({ minItems: n, maxItems: n }));
  }
  if (options.description) json.description = options.description;
  return schema.meta(json);
}
