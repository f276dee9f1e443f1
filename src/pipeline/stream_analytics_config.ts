/**
 * A stream's tracking, lines and zones resolved: whether the stream is tracked and with
 * which parameters, the geometry of its lines and zones checked (a zero-length line, a
 * self-intersecting polygon, a name used twice), and their classes (names or ids) turned
 * into the model's class ids.
 *
 * @module
 */

import { analyticsIssues } from "../analytics/analytics_issues.ts";
import type { LineSpec, ZoneSpec } from "../analytics/analytics_types.ts";
import { describe } from "../describe.ts";
import { ConfigError } from "../errors.ts";
import type { WireIssue } from "../wire/issues.ts";
import { wireMessage } from "../wire/parse.ts";
import {
  type LineConfig,
  type TrackingConfig,
  TrackingConfigSchema,
  type ZoneConfig,
} from "../wire/analytics_config.ts";

/** A line with its classes as the model's class ids. */
export type ResolvedLine = LineSpec;
/** A zone with its classes as the model's class ids. */
export type ResolvedZone = ZoneSpec;

/** The parts of a stream's configuration that tracking reads. */
export interface AnalyticsFields {
  tracking?: boolean | TrackingConfig;
  lines?: LineConfig[];
  zones?: ZoneConfig[];
}

/**
 * The stream's tracker settings, or undefined when it is not tracked: `tracking: true` or
 * an object tracks; lines or zones track unless `tracking` is `false`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(trackingOf({}), undefined);
 * assert.equal(trackingOf({ tracking: true })?.trackThresh, 0.5);
 * assert.equal(trackingOf({ zones: [] }), undefined);
 * ```
 */
export function trackingOf(fields: AnalyticsFields): TrackingConfig | undefined {
  const t = fields.tracking;
  if (t === false) return undefined;
  if (typeof t === "object") return t;
  const counted = (fields.lines?.length ?? 0) + (fields.zones?.length ?? 0) > 0;
  return t === true || counted ? TrackingConfigSchema.parse({}) : undefined;
}

/**
 * The geometry issues of a stream's lines and zones (paths from the stream), and the
 * contradiction of lines or zones on a stream with `tracking: false`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const issues = analyticsConfigIssues({
 *   lines: [{ name: "a", points: [[5, 5], [5, 5]], anchor: "bottom_center", minFrames: 2 }],
 * });
 * assert.equal(issues[0].path.join("."), "lines.0.points");
 * ```
 */
export function analyticsConfigIssues(fields: AnalyticsFields): WireIssue[] {
  // Classes are names or ids here: they are checked against the model (resolveClasses).
  const geometry = <T extends { classes?: unknown }>({ classes: _, ...rest }: T) => rest;
  const issues: WireIssue[] = analyticsIssues(
    fields.lines?.map(geometry),
    fields.zones?.map(geometry),
  ).map((i) => ({ path: i.path, expected: i.expected, found: i.found }));
  if (fields.tracking === false && (fields.lines?.length || fields.zones?.length)) {
    issues.push({
      path: ["tracking"],
      expected: "true, an object or nothing: lines and zones count tracked objects",
      found: "false",
    });
  }
  return issues;
}

/**
 * Lines or zones with their classes as class ids of the model (`classes`: its id → name).
 * Throws a {@link ConfigError} naming `where` and the field for a class the model has not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const classes = new Map([[1, "car"], [2, "person"]]);
 * const [line] = resolveClasses([{ name: "door", points: [[0, 0], [10, 0]], anchor: "center",
 *   minFrames: 2, classes: ["person", 1] }], classes, "POST /streams", ["lines"]);
 * assert.deepEqual(line.classes, [2, 1]);
 * assert.throws(() => resolveClasses([{ name: "d", points: [[0, 0], [1, 1]], anchor: "center",
 *   minFrames: 2, classes: ["bus"] }], classes, "p.json", ["streams", 0, "lines"]),
 *   { message: 'p.json: streams[0].lines[0].classes[0]: expected a class of the model ("car", "person") or its id, found the string "bus"' });
 * ```
 */
export function resolveClasses<T extends LineConfig | ZoneConfig>(
  items: readonly T[],
  classes: ReadonlyMap<number, string>,
  where: string,
  path: (string | number)[],
): (Omit<T, "classes"> & { classes?: number[] })[] {
  const byName = new Map([...classes].map(([id, name]) => [name, id]));
  const issues: WireIssue[] = [];
  const resolved = items.map((item, i) => {
    if (!item.classes) return { ...item, classes: undefined };
    const ids = item.classes.map((c, k) => {
      const id = typeof c === "number" ? (classes.has(c) ? c : undefined) : byName.get(c);
      if (id === undefined) {
        issues.push({
          path: [...path, i, "classes", k],
          expected: `a class of the model (${
            [...classes.values()].map((n) => JSON.stringify(n)).join(", ")
          }) or its id`,
          found: describe(c),
        });
      }
      return id ?? -1;
    });
    return { ...item, classes: ids };
  });
  if (issues.length > 0) throw new ConfigError(wireMessage(where, issues), { issues });
  return resolved;
}
