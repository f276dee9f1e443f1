import assert from "node:assert/strict";
import { AnalyticsConfigError } from "../../src/analytics/analytics_issues.ts";
import type {
  AnalyticsEvent,
  LineSpec,
  TrackedFrame,
  ZoneSpec,
} from "../../src/analytics/analytics_types.ts";
import { StreamAnalytics } from "../../src/analytics/stream_analytics.ts";
import { crossings, frame, walk } from "./_frames.ts";

const DOOR: LineSpec = { name: "door", points: [[0, 100], [640, 100]] };
const LOT: ZoneSpec = { name: "lot", points: [[100, 0], [200, 0], [200, 200], [100, 200]] };
const YARD: ZoneSpec = { name: "yard", points: [[0, 0], [640, 0], [640, 480], [0, 480]] };

/** A vertical path at x = 150 through these ys. */
const ys = (...values: number[]): [number, number][] => values.map((y) => [150, y]);

/** Events as short strings: `"door in 1"`, `"lot entered 1"`, `"lot occupancy 2"`. */
function brief(events: AnalyticsEvent[]): string[] {
  return events.map((e) =>
    e.type === "line"
      ? `${e.line} ${e.direction} ${e.trackId}`
      : e.event === "occupancy"
      ? `${e.zone} occupancy ${e.total}`
      : `${e.zone} ${e.event} ${e.trackId}`
  );
}

Deno.test("events come lines first, then entries and exits, then occupancy, each in configuration order", () => {
  const analytics = new StreamAnalytics({
    lines: [{ ...DOOR, name: "a" }, { ...DOOR, name: "b" }],
    zones: [YARD, LOT],
  });
  const t = (id: number, x: number, y: number) => ({ id, x, y });
  analytics.update(frame(0, [t(1, 150, 130), t(2, 50, 130), t(3, 120, 150)]));
  assert.deepEqual(
    brief(analytics.update(frame(40, [t(1, 150, 90), t(2, 50, 90), t(3, 120, 150)]))),
    [
      "yard entered 1",
      "yard entered 2",
      "yard entered 3",
      "lot entered 1",
      "lot entered 3",
      "yard occupancy 3",
      "lot occupancy 2",
    ],
  );
  // Track 3 ends; tracks 1 and 2 are listed in the other order.
  assert.deepEqual(brief(analytics.update(frame(80, [t(2, 50, 80), t(1, 150, 80)], [3]))), [
    "a in 2",
    "a in 1",
    "b in 2",
    "b in 1",
    "yard exited 3",
    "lot exited 3",
    "yard occupancy 2",
    "lot occupancy 1",
  ]);
});

Deno.test("within a zone, forgotten tracks exit first, then the frame's tracks, then the ended ones", () => {
  const analytics = new StreamAnalytics({ zones: [{ ...YARD, minFrames: 1 }], forgetAfterMs: 100 });
  analytics.update(frame(0, [{ id: 1, x: 10, y: 10 }, { id: 2, x: 20, y: 10 }]));
  analytics.update(frame(50, [{ id: 2, x: 20, y: 10 }]));
  const events = analytics.update(frame(120, [{ id: 3, x: 30, y: 10 }], [2]));
  assert.deepEqual(brief(events), [
    "yard exited 1",
    "yard entered 3",
    "yard exited 2",
    "yard occupancy 1",
  ]);
});

Deno.test("setZones() keeps the state of a zone whose spec is unchanged", () => {
  const analytics = new StreamAnalytics({ zones: [LOT] });
  walk(analytics, 1, ys(150, 150, 150)); // entered at 0
  analytics.setZones([{ ...YARD, name: "new" }, { ...LOT, minFrames: 2, anchor: "bottom_center" }]);
  assert.deepEqual(analytics.snapshot().zones.map((z) => [z.name, z.total]), [["new", 0], [
    "lot",
    1,
  ]]);
  const events = walk(analytics, 1, ys(300, 300), { start: 120 });
  assert.deepEqual(events.filter((e) => e.type === "zone" && e.event === "exited"), [
    { type: "zone", zone: "lot", event: "exited", trackId: 1, classId: 0, pts: 160, dwellMs: 120 },
  ]);
});

Deno.test("setZones() starts a changed zone from zero and drops a removed one", () => {
  const analytics = new StreamAnalytics({ zones: [LOT, YARD] });
  walk(analytics, 1, ys(150, 150));
  assert.deepEqual(analytics.snapshot().zones.map((z) => z.total), [1, 1]);
  analytics.setZones([{ ...LOT, minFrames: 3 }]);
  assert.deepEqual(analytics.snapshot().zones, [
    { name: "lot", occupancy: {}, total: 0, entered: {}, exited: {} },
  ]);
  assert.deepEqual(analytics.zones.map((z) => z.minFrames), [3]);
  // The track is new to the changed zone: it enters again, after 3 frames.
  assert.deepEqual(brief(walk(analytics, 1, ys(150, 150, 150), { start: 80 })), [
    "lot entered 1",
    "lot occupancy 1",
  ]);
});

Deno.test("setLines() keeps an unchanged line's counts and tracks, and starts a changed one from zero", () => {
  const analytics = new StreamAnalytics({ lines: [DOOR, { ...DOOR, name: "other" }] });
  walk(analytics, 1, ys(130, 90, 80)); // in, on both
  analytics.update(frame(120, [{ id: 1, x: 150, y: 110 }])); // arriving back below
  analytics.setLines([{ ...DOOR, minFrames: 2 }, { ...DOOR, name: "other", minFrames: 1 }]);
  assert.deepEqual(analytics.snapshot().lines.map((l) => [l.name, l.totalIn]), [
    ["door", 1],
    ["other", 0],
  ]);
  // "door" remembers the run below and confirms it; "other" first sees the track here.
  assert.deepEqual(crossings(walk(analytics, 1, ys(120), { start: 160 })), ["out@160"]);
});

Deno.test("setLines() and setZones() with a bad spec throw and change nothing", () => {
  const analytics = new StreamAnalytics({ lines: [DOOR], zones: [LOT], classCount: 3 });
  assert.throws(
    () => analytics.setLines([DOOR, { ...DOOR, classes: [5] }]),
    (e: unknown) =>
      e instanceof AnalyticsConfigError &&
      e.message ===
        "StreamAnalytics.setLines(): lines[1].classes[0]: expected a class id of the model (an integer from 0 to 2), found the number 5 (and 1 more issue)",
  );
  assert.throws(
    () => analytics.setZones([{ ...LOT, points: [[0, 0], [1, 1]] }]),
    AnalyticsConfigError,
  );
  assert.deepEqual([analytics.lines, analytics.zones], [[DOOR], [LOT]]);
});

Deno.test("lines and zones are frozen copies of the specs given, with only their known fields", () => {
  const spec = { ...DOOR, points: [[0, 100], [640, 100]], color: "red" } as LineSpec;
  const analytics = new StreamAnalytics({ lines: [spec] });
  (spec.points[0] as number[])[1] = 500;
  assert.deepEqual(analytics.lines, [DOOR]);
  assert.ok(Object.isFrozen(analytics.lines) && Object.isFrozen(analytics.lines[0].points[0]));
  // The line still counts where it was given.
  assert.deepEqual(crossings(walk(analytics, 1, ys(130, 90, 80))), ["in@80"]);
});

Deno.test("a pts earlier than the last one restarts the clock: tracks are forgotten, counts kept", () => {
  const analytics = new StreamAnalytics({ lines: [DOOR], zones: [LOT] });
  walk(analytics, 1, ys(130, 90, 80, 80), { start: 5000 });
  const events = analytics.update(frame(0, [{ id: 1, x: 150, y: 130 }]));
  assert.deepEqual(events, [
    { type: "zone", zone: "lot", event: "exited", trackId: 1, classId: 0, pts: 0, dwellMs: 120 },
    { type: "zone", zone: "lot", event: "occupancy", occupancy: {}, total: 0, pts: 0 },
  ]);
  // Below the line again, as a new track: no crossing counted for the jump.
  assert.deepEqual(crossings(walk(analytics, 1, ys(130), { start: 40 })), []);
  assert.equal(analytics.snapshot().lines[0].totalIn, 1);
});

Deno.test("an analytics with no lines and no zones emits nothing", () => {
  const analytics = new StreamAnalytics({});
  assert.deepEqual(analytics.update(frame(0, [{ id: 1, x: 1, y: 1 }])), []);
  assert.deepEqual(analytics.snapshot(), { lines: [], zones: [] });
});

Deno.test("update() names the field of a malformed frame", () => {
  const analytics = new StreamAnalytics({ lines: [DOOR] });
  const good = frame(0, [{ id: 1, x: 1, y: 1 }, { id: 2, x: 2, y: 2 }]);
  const cases: [Partial<TrackedFrame>, ErrorConstructor, string][] = [
    [{ pts: NaN }, RangeError, "frame.pts: expected a finite number (ms), found NaN"],
    [
      { trackIds: [1, 2] as unknown as Int32Array },
      TypeError,
      "frame.trackIds: expected an Int32Array of track ids, found an array of 2 items",
    ],
    [
      { boxes: new Float32Array(4) },
      RangeError,
      "frame.boxes: expected a Float32Array of 2×4 numbers (x1, y1, x2, y2), found length 4",
    ],
    [
      { classIds: new Int32Array(3) },
      RangeError,
      "frame.classIds: expected an Int32Array of 2 class ids (one per track), found length 3",
    ],
    [
      { boxes: new Float32Array([0, 0, 1, 1, 0, NaN, 1, 1]) },
      RangeError,
      "frame.boxes[5]: expected a finite number, found NaN",
    ],
    [
      { trackIds: new Int32Array([4, 4]) },
      RangeError,
      "frame.trackIds[1]: expected a track id not given before in this frame, found the number 4, as trackIds[0]",
    ],
    [
      { ended: [1] as unknown as Int32Array },
      TypeError,
      "frame.ended: expected an Int32Array of track ids (or nothing), found an array of 1 item",
    ],
  ];
  for (const [change, type, message] of cases) {
    assert.throws(() => analytics.update({ ...good, ...change }), {
      name: type.name,
      message: `StreamAnalytics.update(): ${message}`,
    });
  }
  assert.deepEqual(analytics.update(good), []);
});

Deno.test("the constructor refuses a negative forgetAfterMs and a bad classCount", () => {
  assert.throws(() => new StreamAnalytics({ forgetAfterMs: -1 }), RangeError);
  assert.throws(() => new StreamAnalytics({ classCount: 0 }), RangeError);
});

Deno.test("a line and a zone may share a name", () => {
  const analytics = new StreamAnalytics({ lines: [DOOR], zones: [{ ...LOT, name: "door" }] });
  assert.deepEqual(analytics.snapshot().zones[0].name, "door");
});
