import assert from "node:assert/strict";
import type { AnalyticsEvent, ZoneSpec } from "../../src/analytics/analytics_types.ts";
import { StreamAnalytics } from "../../src/analytics/stream_analytics.ts";
import { frame, walk } from "./_frames.ts";

/** A 100 × 100 square at (100, 100). */
const LOT: ZoneSpec = { name: "lot", points: [[100, 100], [200, 100], [200, 200], [100, 200]] };

function lot(extra: Partial<ZoneSpec> = {}): StreamAnalytics {
  return new StreamAnalytics({ zones: [{ ...LOT, ...extra }] });
}

/** A horizontal path at y = 150 through these xs. */
const xs = (...values: number[]): [number, number][] => values.map((x) => [x, 150]);

/** Entries and exits as `"entered 3@40"`, `"exited 3@80 after 40"`. */
function moves(events: AnalyticsEvent[]): string[] {
  return events.flatMap((e) =>
    e.type !== "zone" || e.event === "occupancy"
      ? []
      : [`${e.event} ${e.trackId}@${e.pts}${e.event === "exited" ? ` after ${e.dwellMs}` : ""}`]
  );
}

Deno.test("a track enters a zone once it stayed minFrames frames inside, as of its first frame inside", () => {
  const events = walk(lot(), 3, xs(50, 150, 160, 170, 250, 260));
  assert.deepEqual(events, [
    { type: "zone", zone: "lot", event: "entered", trackId: 3, classId: 0, pts: 80 },
    { type: "zone", zone: "lot", event: "occupancy", occupancy: { 0: 1 }, total: 1, pts: 80 },
    { type: "zone", zone: "lot", event: "exited", trackId: 3, classId: 0, pts: 200, dwellMs: 120 },
    { type: "zone", zone: "lot", event: "occupancy", occupancy: {}, total: 0, pts: 200 },
  ]);
});

Deno.test("a track inside for fewer than minFrames frames does not enter", () => {
  assert.deepEqual(walk(lot({ minFrames: 3 }), 1, xs(50, 150, 160, 250, 150, 250)), []);
});

Deno.test("a track outside for fewer than minFrames frames does not exit", () => {
  const events = walk(lot({ minFrames: 3 }), 1, xs(150, 150, 150, 250, 250, 150, 150));
  assert.deepEqual(moves(events), ["entered 1@80"]);
});

Deno.test("with minFrames 1 a track enters at its first frame inside", () => {
  assert.deepEqual(moves(walk(lot({ minFrames: 1 }), 1, xs(50, 150, 250))), [
    "entered 1@40",
    "exited 1@80 after 40",
  ]);
});

Deno.test("a point on an edge or on a corner is inside", () => {
  const analytics = lot({ minFrames: 1 });
  const onEdge = analytics.update(frame(0, [{ id: 1, x: 200, y: 150 }]));
  const onCorner = analytics.update(frame(40, [{ id: 2, x: 100, y: 200 }]));
  const justOut = analytics.update(frame(80, [{ id: 3, x: 200.0001, y: 150 }]));
  assert.deepEqual([moves(onEdge), moves(onCorner), moves(justOut)], [
    ["entered 1@0"],
    ["entered 2@40"],
    [],
  ]);
});

Deno.test("a track in the notch of a concave zone is outside", () => {
  // A "U" open at the top: the notch is x in (140, 160), y in [100, 180).
  const u: ZoneSpec = {
    name: "u",
    points: [[100, 100], [140, 100], [140, 180], [160, 180], [160, 100], [200, 100], [
      200,
      200,
    ], [100, 200]],
    minFrames: 1,
  };
  const analytics = new StreamAnalytics({ zones: [u] });
  const path: [number, number][] = [[120, 150], [150, 150], [150, 179], [150, 180], [180, 150]];
  assert.deepEqual(moves(walk(analytics, 1, path)), [
    "entered 1@0",
    "exited 1@40 after 40",
    "entered 1@120", // on the notch's floor, an edge
  ]);
});

Deno.test("dwell time runs from the first frame inside to the first frame outside, on pts", () => {
  const analytics = lot();
  const pts = [0, 33, 70, 101, 133, 170, 205, 240];
  const at = [50, 150, 150, 150, 150, 250, 250, 250];
  const events = pts.flatMap((t, i) => analytics.update(frame(t, [{ id: 9, x: at[i], y: 150 }])));
  // Inside from pts 33; first outside at 170, confirmed at 205.
  assert.deepEqual(moves(events), ["entered 9@70", "exited 9@205 after 137"]);
});

Deno.test("a track that ends inside exits at its last seen time", () => {
  const analytics = lot();
  walk(analytics, 1, xs(150, 150, 150)); // inside since pts 0, last seen at 80
  const events = analytics.update(frame(200, [], [1]));
  assert.deepEqual(moves(events), ["exited 1@200 after 80"]);
  assert.equal(analytics.snapshot().zones[0].total, 0);
});

Deno.test("a track that ends while leaving exits at its first frame outside", () => {
  const analytics = lot({ minFrames: 3 });
  walk(analytics, 1, xs(150, 150, 150, 250, 250)); // entered at 0, outside from 120
  assert.deepEqual(moves(analytics.update(frame(200, [], [1]))), ["exited 1@200 after 120"]);
});

Deno.test("a track that ends before its entry is confirmed never entered", () => {
  const analytics = lot({ minFrames: 3 });
  walk(analytics, 1, xs(150, 150));
  assert.deepEqual(analytics.update(frame(80, [], [1])), []);
  assert.deepEqual(analytics.snapshot().zones[0].entered, {});
});

Deno.test("a track seen and ended in the same frame has that frame counted first", () => {
  const analytics = lot();
  analytics.update(frame(0, [{ id: 1, x: 150, y: 150 }]));
  const events = analytics.update(frame(40, [{ id: 1, x: 150, y: 150 }], [1]));
  assert.deepEqual(moves(events), ["entered 1@40", "exited 1@40 after 40"]);
  // Occupancy went up and down within the frame: no occupancy event.
  assert.equal(events.length, 2);
});

Deno.test("a track first seen inside enters like any other", () => {
  assert.deepEqual(moves(walk(lot(), 1, xs(150, 150))), ["entered 1@40"]);
});

Deno.test("occupancy is counted per class and an event comes only when it changes", () => {
  const analytics = lot({ minFrames: 1 });
  const occupancy = (events: AnalyticsEvent[]) =>
    events.flatMap((e) =>
      e.type === "zone" && e.event === "occupancy" ? [[e.occupancy, e.total]] : []
    );
  const f = (pts: number, ...tracks: [number, number, number][]) =>
    analytics.update(frame(pts, tracks.map(([id, x, classId]) => ({ id, x, y: 150, classId }))));
  assert.deepEqual(occupancy(f(0, [1, 150, 1], [2, 150, 2])), [[{ 1: 1, 2: 1 }, 2]]);
  assert.deepEqual(occupancy(f(40, [1, 160, 1], [2, 160, 2])), []); // nothing changed
  // Track 1 (class 1) leaves as track 3 (class 1) comes: the same occupancy.
  assert.deepEqual(occupancy(f(80, [1, 250, 1], [2, 160, 2], [3, 150, 1])), []);
  // Track 2 (class 2) leaves as track 4 (class 1) comes: a change.
  assert.deepEqual(occupancy(f(120, [2, 250, 2], [3, 150, 1], [4, 150, 1])), [[{ 1: 2 }, 2]]);
  assert.deepEqual(analytics.snapshot().zones[0], {
    name: "lot",
    occupancy: { 1: 2 },
    total: 2,
    entered: { 1: 3, 2: 1 },
    exited: { 1: 1, 2: 1 },
  });
});

Deno.test("a track keeps the class it entered with until it exits", () => {
  const analytics = lot({ minFrames: 1 });
  const path: [number, number][] = [[150, 1], [150, 2], [250, 2]];
  const events = path.flatMap(([x, classId], i) =>
    analytics.update(frame(40 * i, [{ id: 1, x, y: 150, classId }]))
  );
  assert.deepEqual(
    events.flatMap((e) => e.type === "zone" && e.event !== "occupancy" ? [e.classId] : []),
    [1, 1],
  );
  assert.deepEqual(analytics.snapshot().zones[0].exited, { 1: 1 });
});

Deno.test("a zone with classes ignores every other class", () => {
  const analytics = lot({ classes: [2] });
  assert.deepEqual(walk(analytics, 1, xs(150, 150, 150), { classId: 1 }), []);
  assert.deepEqual(moves(walk(analytics, 2, xs(150, 150), { classId: 2 })), ["entered 2@40"]);
  assert.equal(analytics.snapshot().zones[0].total, 1);
});

Deno.test("a track inside not seen for more than forgetAfterMs exits at its last seen time", () => {
  const analytics = new StreamAnalytics({ zones: [LOT], forgetAfterMs: 1000 });
  walk(analytics, 1, xs(150, 150)); // entered at 0, last seen at 40
  assert.deepEqual(analytics.update(frame(1040, [])), []);
  const events = analytics.update(frame(1041, []));
  assert.deepEqual(moves(events), ["exited 1@1041 after 40"]);
  assert.equal(analytics.snapshot().zones[0].total, 0);
});

Deno.test("tracks in several zones are counted in each", () => {
  const analytics = new StreamAnalytics({
    zones: [LOT, { name: "left half", points: [[100, 100], [150, 100], [150, 200], [100, 200]] }],
  });
  const events = walk(analytics, 1, xs(120, 120));
  assert.deepEqual(events.map((e) => e.type === "zone" && `${e.zone} ${e.event}`), [
    "lot entered",
    "left half entered",
    "lot occupancy",
    "left half occupancy",
  ]);
});
