import assert from "node:assert/strict";
import type { LineSpec } from "../../src/analytics/analytics_types.ts";
import { StreamAnalytics } from "../../src/analytics/stream_analytics.ts";
import { crossings, frame, walk } from "./_frames.ts";

/** A line drawn left to right at y = 100 across a 640-wide picture: above it is `in`. */
const DOOR: LineSpec = { name: "door", points: [[0, 100], [640, 100]] };

function door(extra: Partial<LineSpec> = {}): StreamAnalytics {
  return new StreamAnalytics({ lines: [{ ...DOOR, ...extra }] });
}

/** A vertical path at x = 320 through these ys. */
const ys = (...values: number[]): [number, number][] => values.map((y) => [320, y]);

Deno.test("a track moving up across a line drawn left to right is counted in once it stayed minFrames frames", () => {
  const events = walk(door(), 1, ys(130, 110, 95, 90, 80));
  // Arrived above at pts 80, second frame there at 120.
  assert.deepEqual(events, [
    { type: "line", line: "door", trackId: 1, classId: 0, direction: "in", pts: 120 },
  ]);
});

Deno.test("a track moving down across the same line is counted out", () => {
  assert.deepEqual(crossings(walk(door(), 1, ys(60, 90, 105, 130))), ["out@120"]);
});

Deno.test("swapping the line's points swaps in and out", () => {
  const reversed = door({ points: [[640, 100], [0, 100]] });
  assert.deepEqual(crossings(walk(reversed, 1, ys(130, 110, 95, 90))), ["out@120"]);
});

Deno.test("walking down a vertical line drawn top to bottom, a move to the right is in", () => {
  const analytics = new StreamAnalytics({ lines: [{ name: "v", points: [[100, 0], [100, 480]] }] });
  const path: [number, number][] = [[60, 240], [90, 240], [110, 240], [140, 240]];
  assert.deepEqual(crossings(walk(analytics, 1, path)), ["in@120"]);
});

Deno.test("jitter across the line for fewer than minFrames frames does not count", () => {
  const analytics = door({ minFrames: 3 });
  assert.deepEqual(crossings(walk(analytics, 1, ys(130, 95, 105, 95, 95, 105, 130))), []);
  assert.deepEqual(crossings(walk(analytics, 1, ys(95, 90, 85), { start: 280 })), ["in@360"]);
});

Deno.test("with minFrames 1 a crossing is counted at the frame of arrival", () => {
  assert.deepEqual(crossings(walk(door({ minFrames: 1 }), 1, ys(130, 90))), ["in@40"]);
});

Deno.test("crossing the line's extension beyond its end does not count", () => {
  const path: [number, number][] = [[700, 130], [700, 90], [700, 80], [700, 70]];
  assert.deepEqual(walk(door(), 1, path), []);
});

Deno.test("a track that went round the end of the line counts its next crossing through it", () => {
  const path: [number, number][] = [[700, 130], [700, 90], [700, 80], [320, 80], [320, 120], [
    320,
    130,
  ]];
  assert.deepEqual(crossings(walk(door(), 1, path)), ["out@200"]);
});

Deno.test("a jump across the line whose straight path misses the segment does not count", () => {
  // From (-60, 150) to (40, 50): the move meets y = 100 at x = -10, left of A.
  const path: [number, number][] = [[-60, 150], [40, 50], [40, 40]];
  assert.deepEqual(walk(door(), 1, path), []);
});

Deno.test("a move through an end point of the segment counts", () => {
  // From (-50, 150) to (50, 50): the move meets y = 100 at x = 0, which is A.
  const path: [number, number][] = [[-50, 150], [50, 50], [50, 40]];
  assert.deepEqual(crossings(walk(door(), 1, path)), ["in@80"]);
});

Deno.test("a track that stops exactly on the line and turns back is not counted", () => {
  assert.deepEqual(walk(door(), 1, ys(130, 100, 100, 100, 130)), []);
});

Deno.test("a point exactly on the line keeps the side the track was on", () => {
  // On the line, then above: the arrival is the first frame strictly above.
  assert.deepEqual(crossings(walk(door(), 1, ys(130, 100, 100, 90, 80))), ["in@160"]);
  // During a run above, a frame on the line counts as staying above.
  const analytics = door({ minFrames: 3 });
  assert.deepEqual(crossings(walk(analytics, 2, ys(130, 90, 100, 80))), ["in@120"]);
});

Deno.test("a track that sits on the line inside the segment, then leaves to the other side, crossed it", () => {
  // Slides along the line from beyond B into the segment, then leaves upwards.
  const path: [number, number][] = [[700, 130], [700, 100], [600, 100], [600, 90], [600, 80]];
  assert.deepEqual(crossings(walk(door(), 1, path)), ["in@160"]);
});

Deno.test("a track first seen on one side takes that side without counting", () => {
  assert.deepEqual(walk(door(), 1, ys(90, 80, 70)), []);
  assert.deepEqual(walk(door(), 2, ys(130, 140, 150)), []);
});

Deno.test("a track first seen exactly on the line takes its side from its first position off it", () => {
  assert.deepEqual(walk(door(), 1, ys(100, 100, 90, 80, 70)), []);
});

Deno.test("a track crossing back and forth counts each confirmed crossing", () => {
  const events = walk(door(), 1, ys(130, 120, 90, 80, 110, 120, 90, 80));
  assert.deepEqual(crossings(events), ["in@120", "out@200", "in@280"]);
});

Deno.test("the anchor chosen is the point that must cross", () => {
  const lines: LineSpec[] = [
    { ...DOOR, name: "feet" }, // bottom_center by default
    { ...DOOR, name: "heads", anchor: "top_center" },
    { ...DOOR, name: "middle", anchor: "center" },
  ];
  const analytics = new StreamAnalytics({ lines });
  // A 40-high box whose top moves from y = 110 to 70 while its bottom stays below 100.
  const box = (pts: number, top: number) => ({
    pts,
    trackIds: new Int32Array([1]),
    boxes: new Float32Array([300, top, 340, top + 40]),
    classIds: new Int32Array([0]),
  });
  const events = [110, 95, 90].flatMap((top, i) => analytics.update(box(40 * i, top)));
  assert.deepEqual(events.map((e) => e.type === "line" && e.line), ["heads"]);
  const centre = [75, 65].flatMap((top, i) => analytics.update(box(120 + 40 * i, top)));
  assert.deepEqual(centre.map((e) => e.type === "line" && e.line), ["middle"]);
});

Deno.test("a line with classes ignores every other class", () => {
  const analytics = door({ classes: [1] });
  assert.deepEqual(walk(analytics, 1, ys(130, 90, 80), { classId: 2 }), []);
  assert.deepEqual(crossings(walk(analytics, 2, ys(130, 90, 80), { classId: 1 })), ["in@80"]);
  assert.deepEqual(analytics.snapshot().lines[0].in, { 1: 1 });
});

Deno.test("frames where a track has a class the line ignores are as if it was not seen", () => {
  const analytics = door({ classes: [1] });
  const path: [number, number][] = [[130, 1], [90, 2], [80, 2], [70, 1], [60, 1]];
  const events = path.flatMap(([y, classId], i) =>
    analytics.update(frame(40 * i, [{ id: 1, x: 320, y, classId }]))
  );
  // Arrived above at its first class-1 frame there (pts 120), confirmed at 160.
  assert.deepEqual(crossings(events), ["in@160"]);
});

Deno.test("counts are kept per class, in and out", () => {
  const analytics = door({ minFrames: 1 });
  const events = [
    frame(0, [{ id: 1, x: 100, y: 130, classId: 1 }, { id: 2, x: 200, y: 130, classId: 2 }]),
    frame(40, [{ id: 1, x: 100, y: 90, classId: 1 }, { id: 2, x: 200, y: 90, classId: 2 }]),
    frame(80, [{ id: 1, x: 100, y: 130, classId: 1 }, { id: 3, x: 300, y: 90, classId: 1 }]),
    frame(120, [{ id: 3, x: 300, y: 130, classId: 1 }]),
  ].flatMap((f) => analytics.update(f));
  assert.equal(events.length, 4);
  assert.deepEqual(analytics.snapshot().lines, [
    { name: "door", in: { 1: 1, 2: 1 }, out: { 1: 2 }, totalIn: 2, totalOut: 2 },
  ]);
});

Deno.test("a crossing is counted under the track's class in the frame that confirms it", () => {
  const analytics = door();
  const path: [number, number][] = [[130, 1], [90, 1], [80, 4]];
  const events = path.flatMap(([y, classId], i) =>
    analytics.update(frame(40 * i, [{ id: 1, x: 320, y, classId }]))
  );
  assert.deepEqual(events.map((e) => e.type === "line" && e.classId), [4]);
});

Deno.test("a track that ends is forgotten with its crossing not yet confirmed", () => {
  const analytics = door({ minFrames: 3 });
  analytics.update(frame(0, [{ id: 1, x: 320, y: 130 }]));
  analytics.update(frame(40, [{ id: 1, x: 320, y: 90 }]));
  assert.deepEqual(analytics.update(frame(80, [{ id: 1, x: 320, y: 85 }], [1])), []);
  // The same id again is a new track: it takes its side without counting.
  assert.deepEqual(walk(analytics, 1, ys(80, 75, 70, 65), { start: 120 }), []);
  assert.equal(analytics.snapshot().lines[0].totalIn, 0);
});

Deno.test("a track missing from some frames keeps its side and position", () => {
  const analytics = door();
  analytics.update(frame(0, [{ id: 1, x: 320, y: 130 }]));
  for (let pts = 40; pts < 400; pts += 40) analytics.update(frame(pts, []));
  // Next seen above: the move from (320, 130) crossed the segment.
  assert.deepEqual(crossings(walk(analytics, 1, ys(90, 80), { start: 400 })), ["in@440"]);
});

Deno.test("a track not seen for more than forgetAfterMs is forgotten", () => {
  const analytics = new StreamAnalytics({ lines: [DOOR], forgetAfterMs: 1000 });
  analytics.update(frame(0, [{ id: 1, x: 320, y: 130 }, { id: 2, x: 100, y: 130 }]));
  analytics.update(frame(40, [{ id: 2, x: 100, y: 130 }]));
  // Track 1 comes back 1040 ms later (forgotten), track 2 1000 ms later (kept).
  const events = [
    frame(1040, [{ id: 1, x: 320, y: 90 }, { id: 2, x: 100, y: 90 }]),
    frame(1080, [{ id: 1, x: 320, y: 80 }, { id: 2, x: 100, y: 80 }]),
  ].flatMap((f) => analytics.update(f));
  assert.deepEqual(events.map((e) => e.type === "line" && e.trackId), [2]);
});
