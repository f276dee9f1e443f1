/**
 * The object schema of every wire format: zod's `strictObject` (an unknown field is an
 * error, not a silently ignored typo) whose unknown-field issue lists the fields it
 * knows.
 *
 * @module
 */

import { z } from "zod";

/**
 * A strict object schema: a field outside `shape` is rejected with `expected only the
 * fields a, b, c, found an unknown field "x"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { checkWire } from "./parse.ts";
 * const server = strictObject({ hostname: z.string(), port: z.int() });
 * assert.deepEqual(checkWire(server, { hostname: "a", port: 1, prot: 2 }), [
 *   { path: ["prot"], expected: "only the fields hostname, port", found: 'an unknown field "prot"' },
 * ]);
 * ```
 */
export function strictObject<T extends z.core.$ZodLooseShape>(
  shape: T,
  params?: { description?: string },
): z.ZodObject<T, z.core.$strict> {
  const fields = Object.keys(shape).join(", ");
  const schema = z.strictObject(shape, {
    error: (issue) => issue.code === "unrecognized_keys" ? `only the fields ${fields}` : undefined,
  });
  return params?.description ? schema.describe(params.description) : schema;
}
