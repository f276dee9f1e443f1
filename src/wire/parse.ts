/**
 * Parsing outside data with a wire schema: one call that validates, fills defaults,
 * rejects unknown fields and throws the format's own error class with every issue, the
 * first one in the message (`<where>: <field>: expected <what>, found <what>`).
 *
 * @module
 */

import type { z } from "zod";
import { StreamdetError, type StreamdetErrorOptions } from "../errors.ts";
import { expectedPhrase, formatIssue, type WireIssue, wireIssues } from "./issues.ts";

/** A domain error class a parse failure becomes (`ConfigError`, `ManifestError`...). */
export type WireErrorClass = new (message: string, options?: StreamdetErrorOptions) => Error;

/**
 * Every issue of `value` against `schema` (empty when it fits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * assert.deepEqual(checkWire(z.strictObject({ a: z.int() }), { a: 1.5 }), [
 *   { path: ["a"], expected: "an integer", found: "the number 1.5" },
 * ]);
 * ```
 */
export function checkWire(schema: z.ZodType, value: unknown): WireIssue[] {
  const result = schema.safeParse(value, { error: expectedPhrase, reportInput: true });
  return result.success ? [] : ordered(result.error.issues, value);
}

/** The issues in our words, unknown fields first: a misspelt field is both unknown and a
 * missing required one, and its own name is the better clue. */
function ordered(issues: readonly z.core.$ZodIssue[], value: unknown): WireIssue[] {
  const unknown = issues.filter((i) => i.code === "unrecognized_keys");
  const rest = issues.filter((i) => i.code !== "unrecognized_keys");
  return [...unknown, ...rest].flatMap((i) => wireIssues(i, value));
}

/**
 * Parses `value` with `schema` (defaults filled, transforms applied); otherwise throws
 * `new errorClass(message, { issues })` whose message is the first issue, prefixed with
 * `where` (a file name, `POST /streams`...), and says how many more there are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { ConfigError } from "../errors.ts";
 * const server = z.strictObject({ port: z.int().min(0).max(65535).default(8080) });
 * assert.deepEqual(parseWire(server, {}, "a.json: server", ConfigError), { port: 8080 });
 * assert.throws(
 *   () => parseWire(server, { port: 70000 }, "a.json: server", ConfigError),
 *   { name: "ConfigError", message: "a.json: server: port: expected an integer <= 65535, found the number 70000" },
 * );
 * ```
 */
export function parseWire<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
  errorClass: WireErrorClass = StreamdetError,
): z.output<S> {
  const result = schema.safeParse(value, { error: expectedPhrase, reportInput: true });
  if (result.success) return result.data;
  const issues = ordered(result.error.issues, value);
  throw new errorClass(wireMessage(where, issues), { issues });
}

/**
 * The message of a rejected value: its first issue, and how many more there are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const issues = [
 *   { path: ["a"], expected: "an integer", found: "nothing" },
 *   { path: ["b"], expected: "true or false", found: "the number 1" },
 * ];
 * assert.equal(wireMessage("x.json", issues), "x.json: a: expected an integer, found nothing (and 1 more issue)");
 * ```
 */
export function wireMessage(where: string, issues: readonly WireIssue[]): string {
  const more = issues.length - 1;
  const tail = more > 0 ? ` (and ${more} more issue${more === 1 ? "" : "s"})` : "";
  return formatIssue(where, issues[0]) + tail;
}
