/**
 * A stream's lines and zones checked together (each one's rules, and names used twice),
 * and the error that carries the issues.
 *
 * @module
 */

import { describe } from "../describe.ts";
import { ConfigError, type FieldIssue } from "../errors.ts";
import { lineIssues, zoneIssues } from "./spec_issues.ts";

/**
 * Every issue of a stream's lines and zones: each line's and zone's own
 * (`lineIssues`, `zoneIssues`), paths prefixed with `["lines", i]` or `["zones", i]`,
 * and each name used by an earlier line (or zone) again. Lines and zones have names of
 * their own: a line and a zone may share one. Either list may be `undefined` (none).
 * `classCount`, when given, is one more than the largest class id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const door = { name: "door", points: [[0, 100], [640, 100]] };
 * assert.deepEqual(analyticsIssues([door, door], undefined), [
 *   { path: ["lines", 1, "name"], expected: "a name no other line has", found: 'the string "door", which lines[0] has too' },
 * ]);
 * assert.deepEqual(analyticsIssues([{ ...door, classes: [3] }], [], 3), [
 *   { path: ["lines", 0, "classes", 0], expected: "a class id of the model (an integer from 0 to 2)", found: "the number 3" },
 * ]);
 * ```
 */
export function analyticsIssues(lines: unknown, zones: unknown, classCount?: number): FieldIssue[] {
  if (
    classCount !== undefined && !(Number.isInteger(classCount) && classCount >= 1)
  ) {
    throw new RangeError(
      `analyticsIssues(): classCount: expected an integer >= 1, found ${describe(classCount)}`,
    );
  }
  return [
    ...listIssues("lines", "line", lines, (l) => lineIssues(l, classCount)),
    ...listIssues("zones", "zone", zones, (z) => zoneIssues(z, classCount)),
  ];
}

function listIssues(
  key: string,
  noun: string,
  list: unknown,
  check: (item: unknown) => FieldIssue[],
): FieldIssue[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    return [{ path: [key], expected: `an array of ${noun}s`, found: describe(list) }];
  }
  const issues: FieldIssue[] = [];
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    for (const issue of check(item)) issues.push({ ...issue, path: [key, i, ...issue.path] });
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || name === "") return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else {
      issues.push({
        path: [key, i, "name"],
        expected: `a name no other ${noun} has`,
        found: `${describe(name)}, which ${key}[${first}] has too`,
      });
    }
  });
  return issues;
}

/**
 * Lines or zones that cannot be used, from `new StreamAnalytics()`, `setLines()` or
 * `setZones()`: every issue in `issues` (paths from `lines` / `zones`), the first in the
 * message (`StreamAnalytics: lines[0].points: expected ..., found ...`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError } from "../errors.ts";
 * const e = new AnalyticsConfigError("StreamAnalytics", [
 *   { path: ["zones", 0, "points"], expected: "at least 3 points", found: "2 points" },
 * ]);
 * assert.ok(e instanceof ConfigError);
 * assert.equal(e.message, "StreamAnalytics: zones[0].points: expected at least 3 points, found 2 points");
 * ```
 */
export class AnalyticsConfigError extends ConfigError {
  constructor(where: string, issues: FieldIssue[]) {
    const more = issues.length - 1;
    const first = issues[0];
    const at = [where, pathText(first?.path ?? [])].filter((s) => s !== "").join(": ");
    const tail = more > 0 ? ` (and ${more} more issue${more === 1 ? "" : "s"})` : "";
    super(`${at}: expected ${first?.expected}, found ${first?.found}${tail}`, { issues });
  }
}

/** `lines[0].points` (the wire layer's `fieldPath`, which this layer may not import). */
function pathText(path: readonly (string | number)[]): string {
  return path.map((k, i) =>
    typeof k === "number"
      ? `[${k}]`
      : /^[A-Za-z_$][\w$]*$/.test(k)
      ? (i === 0 ? k : `.${k}`)
      : `[${JSON.stringify(k)}]`
  ).join("");
}
