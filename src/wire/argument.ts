/**
 * A wire schema used on a library function's argument (`evaluateCoco(groundTruth, ...)`
 * takes a COCO file's JSON as it was read): the same schema and the same messages as for
 * the file, but thrown as the `TypeError` / `RangeError` that arguments throw, the path
 * starting at the argument: `evaluateCoco(): groundTruth.annotations[3].area: expected a
 * number, found nothing`.
 *
 * @module
 */

import type { core, z } from "zod";
import { expectedPhrase, wireIssues } from "./issues.ts";
import { wireMessage } from "./parse.ts";

/**
 * Parses the argument `name` of `fn()` with `schema`; otherwise throws a `TypeError`
 * when its first issue is a value of the wrong kind (zod's `invalid_type`, or no form of
 * a union fitting), a `RangeError` when it is of the right kind but a wrong value (a
 * length, a bound, a refinement). The message is {@link wireMessage}'s, with the issue's
 * path starting at `name`; the error's `cause` holds every issue.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * const schema = z.object({ ids: z.array(z.number()).min(1) });
 * assert.deepEqual(parseArgument(schema, { ids: [3] }, "f", "options"), { ids: [3] });
 * assert.throws(() => parseArgument(schema, { ids: ["3"] }, "f", "options"), {
 *   name: "TypeError",
 *   message: 'f(): options.ids[0]: expected a number, found the string "3"',
 * });
 * assert.throws(() => parseArgument(schema, { ids: [] }, "f", "options"), {
 *   name: "RangeError",
 *   message: "f(): options.ids: expected a non-empty array, found an array of 0 items",
 * });
 * ```
 */
export function parseArgument<S extends z.ZodType>(
  schema: S,
  value: unknown,
  fn: string,
  name: string,
): z.output<S> {
  const result = schema.safeParse(value, { error: expectedPhrase, reportInput: true });
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const issues = result.error.issues.flatMap((i) => wireIssues(i, value))
    .map((issue) => ({ ...issue, path: [name, ...issue.path] }));
  const ErrorClass = isTypeIssue(first) ? TypeError : RangeError;
  throw new ErrorClass(wireMessage(`${fn}()`, issues), { cause: { issues } });
}

/**
 * Whether an issue says the value is of the wrong kind. A union whose input went deeper
 * into one of its forms is judged by that form's issue, as `wireIssues` reports it.
 */
function isTypeIssue(issue: core.$ZodIssue): boolean {
  if (issue.code === "invalid_type") return true;
  if (issue.code !== "invalid_union") return false;
  if (issue.errors.length === 0) return !("note" in issue); // no matching discriminator: a value
  const depth = (list: core.$ZodIssue[]) => Math.max(0, ...list.map((i) => i.path.length));
  const ranked = issue.errors.map((list) => ({ list, depth: depth(list) }))
    .sort((a, b) => b.depth - a.depth);
  if (ranked[0].depth > 0 && (ranked.length === 1 || ranked[1].depth < ranked[0].depth)) {
    return ranked[0].list.length > 0 && isTypeIssue(ranked[0].list[0]);
  }
  return true;
}
