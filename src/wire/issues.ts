/**
 * The one error style of every wire format: `<where>: <field path>: expected <what>,
 * found <what>`. Schemas are zod 4 schemas; {@link expectedPhrase} is the error map that
 * turns each zod issue into the "expected" half (a schema may give its own phrase with
 * zod's `error` / `message` option, which then wins), and {@link formatIssue} adds the
 * field path and the "found" half, described by `describe()` from the value the schema
 * was given.
 *
 * @module
 */

import type { core } from "zod";
import { describe } from "../describe.ts";
import type { FieldIssue } from "../errors.ts";

/** One thing wrong with a value, in the project's words (see `FieldIssue`). */
export type WireIssue = FieldIssue;

/**
 * Writes a field path the way users read it: `streams[0].source`, `models.street`,
 * `detections[3].box`, `headers["x y"]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(fieldPath(["streams", 0, "source"]), "streams[0].source");
 * assert.equal(fieldPath([]), "");
 * assert.equal(fieldPath([0, "a b"]), '[0]["a b"]');
 * ```
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$-]*$/.test(key)) {
      out += out === "" ? key : `.${key}`;
    } else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/**
 * The "expected" half of a zod issue, used as zod's error map for every parse: `an
 * integer`, `a number >= 0`, `one of "a", "b"`, `a non-empty string`. An issue a schema
 * worded itself (zod's `error` option, or a refinement's message) keeps its own words,
 * which must read as what was expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * const r = z.int().min(1).safeParse(0, { error: expectedPhrase });
 * assert.equal(r.error?.issues[0].message, "an integer >= 1");
 * ```
 */
export function expectedPhrase(issue: core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.expected === "number" && isInteger(issue)) return "an integer";
      return TYPE_NAMES[issue.expected] ?? `a value of type ${issue.expected}`;
    case "too_small":
    case "too_big":
      return bound(issue);
    case "invalid_value":
      return issue.values.length === 1
        ? JSON.stringify(issue.values[0]) ?? String(issue.values[0])
        : `one of ${issue.values.map((v) => JSON.stringify(v) ?? String(v)).join(", ")}`;
    case "unrecognized_keys":
      return "no other fields";
    case "invalid_union":
      return "note" in issue && issue.note === "No matching discriminator"
        ? `one of ${(issue.options as unknown[] ?? []).map((v) => JSON.stringify(v)).join(", ")}`
        : "one of the allowed forms";
    case "invalid_format":
      return `a string in the ${issue.format} format`;
    case "not_multiple_of":
      return `a multiple of ${issue.divisor}`;
    case "invalid_key":
      return "a valid key";
    case "invalid_element":
      return "a valid element";
    default:
      return "a valid value";
  }
}

const TYPE_NAMES: Record<string, string> = {
  number: "a number",
  int: "an integer",
  string: "a string",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  tuple: "an array",
  record: "an object",
  null: "null",
  bigint: "a bigint",
  date: "a date",
  function: "a function",
  map: "a map",
  set: "a set",
  nan: "NaN",
  never: "no value",
  undefined: "nothing",
};

function bound(issue: core.$ZodRawIssue & { code: "too_small" | "too_big" }): string {
  const small = issue.code === "too_small";
  const limit = Number(small ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case "string":
      if (small && limit === 1) return "a non-empty string";
      return `a string of ${small ? "at least" : "at most"} ${limit} characters`;
    case "array":
    case "set":
      if (small && limit === 1 && !isTuple(issue)) return "a non-empty array";
      if (issue.exact || isTuple(issue)) return `an array of ${limit} items`;
      return `an array of ${small ? "at least" : "at most"} ${limit} items`;
    default: {
      const op = small ? (inclusive ? ">=" : ">") : (inclusive ? "<=" : "<");
      return `${isInteger(issue) ? "an integer" : "a number"} ${op} ${limit}`;
    }
  }
}

/** Whether the issue's schema is a tuple (a fixed number of items). */
function isTuple(issue: core.$ZodRawIssue): boolean {
  const schema = (issue as { schema?: { _zod?: { def?: { type?: string } } } }).schema;
  return schema?._zod?.def?.type === "tuple";
}

/** Whether the issue's schema is an integer (`z.int()`: zod's number with an int format). */
function isInteger(issue: core.$ZodRawIssue): boolean {
  const schema = (issue as { schema?: { _zod?: { def?: { format?: string } } } }).schema;
  const format = schema?._zod?.def?.format;
  return format !== undefined && /int/.test(format);
}

/**
 * Turns a zod issue into {@link WireIssue}s: the path, the schema's expectation, and what
 * `input` (the whole value parsed) holds at the path. A union whose input went deeper
 * into one of its forms reports that form's own issue, so that a typo three levels down
 * is named, not "one of the allowed forms".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * const schema = z.strictObject({ port: z.int() });
 * const input = { port: "80", prot: 1 };
 * const r = schema.safeParse(input, { error: expectedPhrase, reportInput: true });
 * assert.deepEqual(r.error!.issues.flatMap((i) => wireIssues(i, input)), [
 *   { path: ["port"], expected: "an integer", found: 'the string "80"' },
 *   { path: ["prot"], expected: "no other fields", found: 'an unknown field "prot"' },
 * ]);
 * ```
 */
export function wireIssues(issue: core.$ZodIssue, input: unknown): WireIssue[] {
  const path = issue.path.map((k) => typeof k === "symbol" ? String(k) : k);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      path: [...path, key],
      expected: issue.message,
      found: `an unknown field ${JSON.stringify(key)}`,
    }));
  }
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    // The form the input got furthest into: its issues have the longest paths.
    const depth = (list: core.$ZodIssue[]) => Math.max(0, ...list.map((i) => i.path.length));
    const ranked = issue.errors.map((list) => ({ list, depth: depth(list) }))
      .sort((a, b) => b.depth - a.depth);
    if (ranked[0].depth > 0 && (ranked.length === 1 || ranked[1].depth < ranked[0].depth)) {
      const at = valueAt(input, path);
      return ranked[0].list.flatMap((inner) =>
        wireIssues(inner, at).map((w) => ({ ...w, path: [...path, ...w.path] }))
      );
    }
    const phrases = [...new Set(issue.errors.map((list) => list[0]?.message).filter(Boolean))];
    const expected = issue.message === "one of the allowed forms" && phrases.length > 0
      ? orList(phrases)
      : issue.message;
    return [{ path, expected, found: describe(valueAt(input, path)) }];
  }
  return [{ path, expected: issue.message, found: describe(valueAt(input, path)) }];
}

/**
 * Formats one issue: `<where>: <path>: expected <what>, found <what>` (no path part for
 * the value itself).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const issue = { path: ["server", "port"], expected: "an integer", found: 'the string "80"' };
 * assert.equal(formatIssue("a.json", issue), 'a.json: server.port: expected an integer, found the string "80"');
 * ```
 */
export function formatIssue(where: string, issue: WireIssue): string {
  const field = fieldPath(issue.path);
  const at = [where, field].filter((s) => s !== "").join(": ");
  return `${at ? `${at}: ` : ""}expected ${issue.expected}, found ${issue.found}`;
}

/** The value at `path` inside `value` (undefined where the path leads nowhere). */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = value;
  for (const key of path) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

function orList(items: string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
