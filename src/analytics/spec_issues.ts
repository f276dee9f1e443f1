/**
 * The rules of a line's and a zone's geometry, as pure functions that return every issue
 * (`{ path, expected, found }`, the project's error style) so that a caller can name
 * the file and field (a `ConfigError`) or the request's field (a 400). The shapes are
 * checked here too, for callers that did not parse with a wire schema first.
 *
 * @module
 */

import { describe } from "../describe.ts";
import type { FieldIssue } from "../errors.ts";
import { ANCHORS } from "./anchor.ts";
import { selfIntersection } from "./polygon.ts";

/**
 * Every issue of a counting line (`LineSpec`): its name, two finite points that
 * differ, the anchor, the classes (ids below `classCount` when given) and `minFrames`
 * (an integer >= 1). Paths are relative to the line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(lineIssues({ name: "door", points: [[0, 100], [640, 100]] }), []);
 * assert.deepEqual(lineIssues({ name: "door", points: [[5, 5], [5, 5]], minFrames: 0 }), [
 *   { path: ["points"], expected: "two different points (a line of non-zero length)", found: "the same point [5, 5] twice" },
 *   { path: ["minFrames"], expected: "an integer >= 1", found: "the number 0" },
 * ]);
 * ```
 */
export function lineIssues(line: unknown, classCount?: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!isObject(line)) {
    return [{
      path: [],
      expected: "a line: an object with name and points",
      found: describe(line),
    }];
  }
  nameIssues(line.name, issues);
  const points = line.points;
  const expected = "two points [[x, y], [x, y]]";
  if (!Array.isArray(points)) {
    issues.push({ path: ["points"], expected, found: describe(points) });
  } else if (points.length !== 2) {
    issues.push({ path: ["points"], expected, found: countOf(points.length, "point") });
  } else if (pointsIssues(points, issues)) {
    const [[ax, ay], [bx, by]] = points as [number, number][];
    if (ax === bx && ay === by) {
      issues.push({
        path: ["points"],
        expected: "two different points (a line of non-zero length)",
        found: `the same point ${pointText(ax, ay)} twice`,
      });
    }
  }
  commonIssues(line, classCount, issues);
  return issues;
}

/**
 * Every issue of a zone (`ZoneSpec`): its name, at least 3 finite points, no two
 * consecutive ones equal (the last one and the first included: the polygon closes by
 * itself), no two edges meeting other than neighbours at their shared corner (the two
 * edges are named), the anchor, the classes and `minFrames`. Paths are relative to the
 * zone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(zoneIssues({ name: "lot", points: [[0, 0], [10, 0], [10, 10]] }), []);
 * assert.deepEqual(zoneIssues({ name: "lot", points: [[0, 0], [10, 0], [0, 10], [10, 10]] }), [{
 *   path: ["points"],
 *   expected: "a simple polygon (edges meet only their neighbours, at their shared corner)",
 *   found: "edge points[1]→points[2] crossing edge points[3]→points[0]",
 * }]);
 * ```
 */
export function zoneIssues(zone: unknown, classCount?: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!isObject(zone)) {
    return [{
      path: [],
      expected: "a zone: an object with name and points",
      found: describe(zone),
    }];
  }
  nameIssues(zone.name, issues);
  const points = zone.points;
  if (!Array.isArray(points)) {
    issues.push({
      path: ["points"],
      expected: "at least 3 points [x, y]",
      found: describe(points),
    });
  } else if (points.length < 3) {
    issues.push({
      path: ["points"],
      expected: "at least 3 points",
      found: countOf(points.length, "point"),
    });
  } else if (pointsIssues(points, issues)) {
    const corners = points as [number, number][];
    let distinct = true;
    corners.forEach(([x, y], i) => {
      const before = (i + corners.length - 1) % corners.length;
      if (x !== corners[before][0] || y !== corners[before][1]) return;
      distinct = false;
      issues.push({
        path: ["points", i === 0 ? corners.length - 1 : i],
        expected: i === 0
          ? "a point other than points[0] (the polygon closes by itself: do not repeat the first point)"
          : `a point other than points[${before}]`,
        found: `the same point ${pointText(x, y)}`,
      });
    });
    const meeting = distinct ? selfIntersection(corners) : null;
    if (meeting) {
      const edge = (i: number) => `points[${i}]→points[${(i + 1) % corners.length}]`;
      issues.push({
        path: ["points"],
        expected: "a simple polygon (edges meet only their neighbours, at their shared corner)",
        found: `edge ${edge(meeting.first)} ${meeting.crossing ? "crossing" : "touching"} edge ${
          edge(meeting.second)
        }`,
      });
    }
  }
  commonIssues(zone, classCount, issues);
  return issues;
}

/** The name: a non-empty string. */
function nameIssues(name: unknown, issues: FieldIssue[]): void {
  if (typeof name !== "string" || name === "") {
    issues.push({ path: ["name"], expected: "a non-empty string", found: describe(name) });
  }
}

/** Each point a pair of finite numbers; whether they all are. */
function pointsIssues(points: unknown[], issues: FieldIssue[]): boolean {
  const before = issues.length;
  points.forEach((point, i) => {
    if (!Array.isArray(point) || point.length !== 2) {
      issues.push({ path: ["points", i], expected: "a point [x, y]", found: describe(point) });
      return;
    }
    point.forEach((v, k) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        issues.push({
          path: ["points", i, k],
          expected: "a finite number (pixels)",
          found: describe(v),
        });
      }
    });
  });
  return issues.length === before;
}

/** `anchor`, `classes` and `minFrames`, each optional. */
function commonIssues(
  spec: Record<string, unknown>,
  classCount: number | undefined,
  issues: FieldIssue[],
): void {
  const { anchor, classes, minFrames } = spec;
  if (anchor !== undefined && !(ANCHORS as readonly unknown[]).includes(anchor)) {
    issues.push({
      path: ["anchor"],
      expected: `one of ${ANCHORS.map((a) => JSON.stringify(a)).join(", ")}`,
      found: describe(anchor),
    });
  }
  if (classes !== undefined) {
    if (!Array.isArray(classes)) {
      issues.push({
        path: ["classes"],
        expected: "an array of class ids",
        found: describe(classes),
      });
    } else if (classes.length === 0) {
      issues.push({
        path: ["classes"],
        expected: "at least one class (leave classes out for every class)",
        found: describe(classes),
      });
    } else {
      const expected = classCount === undefined
        ? "a class id (an integer >= 0)"
        : `a class id of the model (an integer from 0 to ${classCount - 1})`;
      classes.forEach((id, i) => {
        const known = typeof id === "number" && Number.isInteger(id) && id >= 0 &&
          (classCount === undefined || id < classCount);
        if (!known) issues.push({ path: ["classes", i], expected, found: describe(id) });
      });
    }
  }
  if (minFrames !== undefined && !(Number.isInteger(minFrames) && (minFrames as number) >= 1)) {
    issues.push({ path: ["minFrames"], expected: "an integer >= 1", found: describe(minFrames) });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function pointText(x: number, y: number): string {
  return `[${x}, ${y}]`;
}
