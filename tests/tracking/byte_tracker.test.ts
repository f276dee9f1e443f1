import assert from "node:assert/strict";
import { ByteTracker } from "../../src/tracking/byte_tracker.ts";

/** One box per object: `[x1, y1, x2, y2]` each. */
function frame(...boxes: number[][]): Float32Array {
  return Float32Array.from(boxes.flat());
}

const scores = (...s: number[]) => Float32Array.from(s);

/** A 40×80 box at x. */
const at = (x: number, y = 100) => [x, y, x + 40, y + 80];

Deno.test("the tracker keeps ids across a missed frame", () => {
  const tracker = new ByteTracker();
  for (let f = 0; f < 3; f++) tracker.update(frame(at(100 + 4 * f), at(400)), scores(0.9, 0.8));
  const gap = tracker.update(frame(at(400)), scores(0.8));
  assert.deepEqual([...gap.trackIds], [2]);
  assert.deepEqual(tracker.tracks().map((t) => [t.id, t.state]), [[2, "confirmed"], [1, "lost"]]);
  const back = tracker.update(frame(at(400), at(116)), scores(0.8, 0.9));
  assert.deepEqual([...back.trackIds], [2, 1]);
  assert.deepEqual([...back.detections], [0, 1]);
  assert.equal(back.started.length, 0);
});

Deno.test("a track that starts after the first frame is tentative until a second detection", () => {
  const tracker = new ByteTracker();
  tracker.update(frame(), scores());
  const first = tracker.update(frame(at(10)), scores(0.9));
  assert.equal(first.trackIds.length, 0);
  assert.deepEqual(tracker.tracks().map((t) => t.state), ["tentative"]);
  const second = tracker.update(frame(at(12)), scores(0.9));
  assert.deepEqual([...second.trackIds], [1]);
  assert.deepEqual(second.started.map((t) => [t.id, t.startFrame, t.lastFrame]), [[1, 2, 3]]);
});

Deno.test("a tentative track that is not confirmed is removed without an ended event", () => {
  const tracker = new ByteTracker();
  tracker.update(frame(), scores());
  tracker.update(frame(at(10)), scores(0.9));
  const out = tracker.update(frame(), scores());
  assert.equal(out.ended.length, 0);
  assert.equal(tracker.activeCount(), 0);
});

Deno.test("a lost track ends after max_time_lost frames, with its last seen frame and time", () => {
  const tracker = new ByteTracker({ trackBuffer: 3 }); // int(30 / 30 * 3) = 3 frames
  tracker.update(frame(at(10)), scores(0.9), { time: 1000 });
  tracker.update(frame(at(12)), scores(0.9), { time: 1040 });
  for (let f = 3; f <= 5; f++) {
    assert.equal(tracker.update(frame(), scores(), { time: 1000 + 40 * f }).ended.length, 0);
  }
  const out = tracker.update(frame(), scores(), { time: 1240 });
  assert.deepEqual(out.ended, [{
    id: 1,
    state: "removed",
    classId: -1,
    startFrame: 1,
    startTime: 1000,
    lastFrame: 2,
    lastTime: 1040,
    endFrame: 2,
    endTime: 1040,
  }]);
});

Deno.test("lifecycle times default to the frame count at the frame rate", () => {
  const tracker = new ByteTracker({ frameRate: 25 });
  tracker.update(frame(), scores());
  tracker.update(frame(at(10)), scores(0.9));
  const out = tracker.update(frame(at(11)), scores(0.9));
  assert.equal(out.started[0].startTime, 40);
  assert.equal(out.started[0].lastTime, 80);
});

Deno.test("a score equal to trackThresh is neither high nor low, and low scores start nothing", () => {
  const tracker = new ByteTracker({ trackThresh: 0.5 });
  const out = tracker.update(frame(at(10), at(300), at(600)), scores(0.5, 0.3, 0.6));
  assert.deepEqual([...out.detections], [2]);
  // A low-score detection keeps a tracked track alive (second association).
  const next = tracker.update(frame(at(602)), scores(0.3));
  assert.deepEqual([...next.trackIds], [1]);
  assert.ok(Math.abs(next.scores[0] - 0.3) < 1e-7);
});

Deno.test("a detection needs trackThresh + 0.1 to start a track", () => {
  const tracker = new ByteTracker({ trackThresh: 0.5 });
  const out = tracker.update(
    Float64Array.from([...at(10), ...at(300)]),
    Float64Array.from([0.5 + 0.1, 0.59]),
  );
  assert.deepEqual([...out.detections], [0]);
});

Deno.test("each track reports the class of the detection that last updated it", () => {
  const tracker = new ByteTracker();
  tracker.update(frame(at(10)), scores(0.9), { classIds: Int32Array.of(4) });
  const out = tracker.update(frame(at(12)), scores(0.9), { classIds: Int32Array.of(7) });
  assert.deepEqual([...out.classIds], [7]);
  assert.equal(tracker.tracks()[0].classId, 7);
  const none = new ByteTracker().update(frame(at(10)), scores(0.9));
  assert.deepEqual([...none.classIds], [-1]);
});

Deno.test("boxes of zero height or negative width are ignored", () => {
  const tracker = new ByteTracker();
  const out = tracker.update(
    frame([0, 10, 50, 10], [60, 0, 50, 40], at(200)),
    scores(0.9, 0.9, 0.9),
  );
  assert.deepEqual([...out.detections], [2]);
  assert.ok(out.boxes.every(Number.isFinite));
});

Deno.test("reset() makes the tracker new: frame 1 again, ids from 1", () => {
  const tracker = new ByteTracker();
  tracker.update(frame(at(10), at(300)), scores(0.9, 0.9));
  tracker.reset();
  const out = tracker.update(frame(at(500)), scores(0.9));
  assert.deepEqual([...out.trackIds], [1]);
  assert.equal(tracker.frameId, 1);
});

Deno.test("output boxes are the Kalman estimate: a first-frame track's box is its detection", () => {
  const out = new ByteTracker().update(frame([10.5, 20.25, 50.5, 100.75]), scores(0.9));
  assert.deepEqual([...out.boxes], [10.5, 20.25, 50.5, 100.75]);
});

Deno.test("bad arguments get errors that say where, what was expected and what was found", () => {
  const tracker = new ByteTracker();
  assert.throws(
    () => tracker.update([0, 0, 1, 1] as unknown as Float32Array, scores(0.9)),
    {
      name: "TypeError",
      message:
        "ByteTracker.update(): boxes: expected a Float32Array or Float64Array of N×4 numbers (x1, y1, x2, y2), found an array of 4 items",
    },
  );
  assert.throws(
    () => tracker.update(new Float32Array(6), scores()),
    /found length 6, not a multiple of 4/,
  );
  assert.throws(
    () => tracker.update(new Float32Array(8), scores(0.9)),
    /2 scores .* found length 1/,
  );
  assert.throws(
    () => tracker.update(frame([0, 0, NaN, 1]), scores(0.9)),
    { message: "ByteTracker.update(): boxes[2] (box 0, x2): expected a finite number, found NaN" },
  );
  assert.throws(
    () => tracker.update(frame(at(0)), scores(Infinity)),
    /scores\[0\]: expected a finite number/,
  );
  assert.throws(
    () => tracker.update(frame(at(0)), scores(0.9), { classIds: new Int32Array(2) }),
    /classIds: expected an Int32Array of 1 class ids/,
  );
  assert.throws(() => tracker.update(frame(at(0)), scores(0.9), { time: NaN }), /options.time/);
  assert.equal(tracker.frameId, 0, "a refused update does not count");
  assert.throws(() => new ByteTracker({ trackThresh: 1.5 }), {
    name: "RangeError",
    message: "ByteTracker(): options.trackThresh: expected a finite number in [0, 1], found 1.5",
  });
  assert.throws(
    () => new ByteTracker({ trackBuffer: 2.5 }),
    /options.trackBuffer: expected an integer >= 0/,
  );
  assert.throws(() => new ByteTracker({ frameRate: 0 }), /options.frameRate/);
  assert.throws(
    () => new ByteTracker({ mot20: 1 as unknown as boolean }),
    /options.mot20: expected a boolean/,
  );
  assert.throws(
    () => new ByteTracker({ trackTresh: 0.5 } as unknown as object),
    /found an unknown option "trackTresh"/,
  );
});
