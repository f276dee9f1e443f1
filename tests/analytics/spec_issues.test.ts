import assert from "node:assert/strict";
import { AnalyticsConfigError, analyticsIssues } from "../../src/analytics/analytics_issues.ts";
import { lineIssues, zoneIssues } from "../../src/analytics/spec_issues.ts";
import { StreamAnalytics } from "../../src/analytics/stream_analytics.ts";
import { ConfigError } from "../../src/errors.ts";

const LINE = { name: "door", points: [[0, 100], [640, 100]] };
const ZONE = { name: "lot", points: [[0, 0], [10, 0], [10, 10], [0, 10]] };
const SIMPLE = "a simple polygon (edges meet only their neighbours, at their shared corner)";

Deno.test("a valid line and a valid zone have no issue", () => {
  assert.deepEqual(lineIssues(LINE), []);
  assert.deepEqual(zoneIssues(ZONE), []);
  const full = { anchor: "center", classes: [0, 2], minFrames: 5 };
  assert.deepEqual(lineIssues({ ...LINE, ...full }, 3), []);
  assert.deepEqual(zoneIssues({ ...ZONE, ...full }, 3), []);
});

Deno.test("a line or zone that is not an object is one issue at its own path", () => {
  assert.deepEqual(lineIssues("door"), [
    { path: [], expected: "a line: an object with name and points", found: 'the string "door"' },
  ]);
  assert.deepEqual(zoneIssues(null), [
    { path: [], expected: "a zone: an object with name and points", found: "null" },
  ]);
});

Deno.test("a missing or empty name is an issue", () => {
  assert.deepEqual(lineIssues({ ...LINE, name: "" }), [
    { path: ["name"], expected: "a non-empty string", found: 'the string ""' },
  ]);
  assert.deepEqual(zoneIssues({ points: ZONE.points }), [
    { path: ["name"], expected: "a non-empty string", found: "nothing" },
  ]);
});

Deno.test("a line needs exactly two points", () => {
  const expected = "two points [[x, y], [x, y]]";
  assert.deepEqual(lineIssues({ ...LINE, points: [[0, 0], [1, 1], [2, 2]] }), [
    { path: ["points"], expected, found: "3 points" },
  ]);
  assert.deepEqual(lineIssues({ ...LINE, points: [[0, 0]] }), [
    { path: ["points"], expected, found: "1 point" },
  ]);
  assert.deepEqual(lineIssues({ ...LINE, points: "0,0,1,1" }), [
    { path: ["points"], expected, found: 'the string "0,0,1,1"' },
  ]);
});

Deno.test("a line of zero length is an issue", () => {
  assert.deepEqual(lineIssues({ ...LINE, points: [[5, 5], [5, 5]] }), [{
    path: ["points"],
    expected: "two different points (a line of non-zero length)",
    found: "the same point [5, 5] twice",
  }]);
});

Deno.test("a zone needs at least 3 points", () => {
  assert.deepEqual(zoneIssues({ ...ZONE, points: [[0, 0], [10, 0]] }), [
    { path: ["points"], expected: "at least 3 points", found: "2 points" },
  ]);
  assert.deepEqual(zoneIssues({ ...ZONE, points: {} }), [
    { path: ["points"], expected: "at least 3 points [x, y]", found: "an empty object" },
  ]);
});

Deno.test("NaN, Infinity and non-numbers as coordinates are issues at the coordinate", () => {
  assert.deepEqual(lineIssues({ ...LINE, points: [[NaN, 0], [1, Infinity]] }), [
    { path: ["points", 0, 0], expected: "a finite number (pixels)", found: "the number NaN" },
    { path: ["points", 1, 1], expected: "a finite number (pixels)", found: "the number Infinity" },
  ]);
  assert.deepEqual(zoneIssues({ ...ZONE, points: [[0, 0], [10, "0"], [10, 10], [3]] }), [
    { path: ["points", 1, 1], expected: "a finite number (pixels)", found: 'the string "0"' },
    { path: ["points", 3], expected: "a point [x, y]", found: "an array of 1 item" },
  ]);
});

Deno.test("a self-intersecting zone names the two edges that cross", () => {
  const bowTie = [[0, 0], [10, 0], [0, 10], [10, 10]];
  assert.deepEqual(zoneIssues({ ...ZONE, points: bowTie }), [{
    path: ["points"],
    expected: SIMPLE,
    found: "edge points[1]→points[2] crossing edge points[3]→points[0]",
  }]);
});

Deno.test("a zone whose corner touches another edge, or that doubles back, is not simple", () => {
  // Corner 4 (5, 0) lies on edge 0 → 1.
  const touching = [[0, 0], [10, 0], [10, 10], [5, 10], [5, 0], [0, 10]];
  assert.deepEqual(zoneIssues({ ...ZONE, points: touching }), [
    {
      path: ["points"],
      expected: SIMPLE,
      found: "edge points[0]→points[1] touching edge points[3]→points[4]",
    },
  ]);
  // All three corners on one line: edge 1 doubles back over edge 0.
  assert.deepEqual(zoneIssues({ ...ZONE, points: [[0, 0], [10, 0], [5, 0]] }), [
    {
      path: ["points"],
      expected: SIMPLE,
      found: "edge points[0]→points[1] touching edge points[1]→points[2]",
    },
  ]);
});

Deno.test("a zone with a point repeated in a row is an issue, the closing point included", () => {
  assert.deepEqual(zoneIssues({ ...ZONE, points: [[0, 0], [10, 0], [10, 0], [0, 10]] }), [
    {
      path: ["points", 2],
      expected: "a point other than points[1]",
      found: "the same point [10, 0]",
    },
  ]);
  assert.deepEqual(zoneIssues({ ...ZONE, points: [[0, 0], [10, 0], [0, 10], [0, 0]] }), [{
    path: ["points", 3],
    expected:
      "a point other than points[0] (the polygon closes by itself: do not repeat the first point)",
    found: "the same point [0, 0]",
  }]);
});

Deno.test("a concave zone is simple", () => {
  const u = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3]];
  assert.deepEqual(zoneIssues({ ...ZONE, points: u }), []);
});

Deno.test("an unknown anchor is an issue naming the anchors", () => {
  assert.deepEqual(lineIssues({ ...LINE, anchor: "bottom" }), [{
    path: ["anchor"],
    expected:
      'one of "bottom_center", "center", "top_center", "top_left", "top_right", "bottom_left", "bottom_right"',
    found: 'the string "bottom"',
  }]);
});

Deno.test("minFrames must be an integer >= 1", () => {
  for (const minFrames of [0, 1.5, -2, "2", NaN]) {
    assert.deepEqual(
      zoneIssues({ ...ZONE, minFrames }).map((i) => [i.path, i.expected]),
      [[["minFrames"], "an integer >= 1"]],
      String(minFrames),
    );
  }
  assert.deepEqual(lineIssues({ ...LINE, minFrames: 0 })[0].found, "the number 0");
});

Deno.test("class ids must be known to the model when the number of classes is given", () => {
  assert.deepEqual(lineIssues({ ...LINE, classes: [1, 91, -1, 2.5] }, 91), [
    {
      path: ["classes", 1],
      expected: "a class id of the model (an integer from 0 to 90)",
      found: "the number 91",
    },
    {
      path: ["classes", 2],
      expected: "a class id of the model (an integer from 0 to 90)",
      found: "the number -1",
    },
    {
      path: ["classes", 3],
      expected: "a class id of the model (an integer from 0 to 90)",
      found: "the number 2.5",
    },
  ]);
  assert.deepEqual(lineIssues({ ...LINE, classes: [91] }), []);
  assert.deepEqual(lineIssues({ ...LINE, classes: ["person"] }), [
    {
      path: ["classes", 0],
      expected: "a class id (an integer >= 0)",
      found: 'the string "person"',
    },
  ]);
  assert.deepEqual(zoneIssues({ ...ZONE, classes: [] }), [{
    path: ["classes"],
    expected: "at least one class (leave classes out for every class)",
    found: "an array of 0 items",
  }]);
});

Deno.test("names used twice are issues at the later one, lines and zones apart", () => {
  const issues = analyticsIssues([LINE, { ...LINE }], [ZONE, { ...ZONE, name: "door" }, ZONE]);
  assert.deepEqual(issues, [
    {
      path: ["lines", 1, "name"],
      expected: "a name no other line has",
      found: 'the string "door", which lines[0] has too',
    },
    {
      path: ["zones", 2, "name"],
      expected: "a name no other zone has",
      found: 'the string "lot", which zones[0] has too',
    },
  ]);
});

Deno.test("a list's issues have paths from the list", () => {
  assert.deepEqual(analyticsIssues([LINE, { ...LINE, name: "b", minFrames: 0 }], "x"), [
    { path: ["lines", 1, "minFrames"], expected: "an integer >= 1", found: "the number 0" },
    { path: ["zones"], expected: "an array of zones", found: 'the string "x"' },
  ]);
  assert.throws(() => analyticsIssues([], [], 0), RangeError);
});

Deno.test("StreamAnalytics refuses bad geometry with an AnalyticsConfigError holding every issue", () => {
  assert.throws(
    () =>
      new StreamAnalytics({
        lines: [{ name: "door", points: [[5, 5], [5, 5]] }],
        zones: [{ name: "lot", points: [[0, 0], [10, 0]] as [number, number][], minFrames: 0 }],
      }),
    (e: unknown) => {
      assert.ok(e instanceof AnalyticsConfigError && e instanceof ConfigError);
      assert.equal(
        e.message,
        "StreamAnalytics: lines[0].points: expected two different points (a line of non-zero length), found the same point [5, 5] twice (and 2 more issues)",
      );
      assert.deepEqual(e.issues.map((i) => i.path), [
        ["lines", 0, "points"],
        ["zones", 0, "points"],
        ["zones", 0, "minFrames"],
      ]);
      return true;
    },
  );
});
