import assert from "node:assert/strict";
import { ByteTracker } from "../../src/tracking/byte_tracker.ts";
import { ClassTracker } from "../../src/tracking/class_tracker.ts";
import { loadFixture } from "../_helpers/fixtures.ts";
import { random } from "../_helpers/random.ts";

const at = (x: number, y = 100) => [x, y, x + 40, y + 80];
const frame = (...boxes: number[][]) => Float32Array.from(boxes.flat());
const scores = (...s: number[]) => Float32Array.from(s);
const classes = (...c: number[]) => Int32Array.from(c);

Deno.test("per-class tracking keeps overlapping objects of two classes apart", () => {
  const tracker = new ClassTracker();
  for (let f = 0; f < 4; f++) {
    const out = tracker.update(
      frame(at(100 + 2 * f), at(102 + 2 * f)),
      scores(0.9, 0.85),
      classes(3, 1),
    );
    assert.deepEqual([...out.classIds], [1, 3], "classes in ascending order");
    assert.deepEqual([...out.detections], [1, 0]);
    assert.deepEqual([...out.trackIds], [1, 2]);
  }
});

Deno.test("ids are unique across classes, one counter per ClassTracker", () => {
  const tracker = new ClassTracker();
  const a = tracker.update(frame(at(0), at(200), at(400)), scores(0.9, 0.9, 0.9), classes(2, 0, 2));
  assert.deepEqual([...a.trackIds].sort(), [1, 2, 3]);
  const other = new ClassTracker().update(frame(at(0)), scores(0.9), classes(5));
  assert.deepEqual([...other.trackIds], [1]);
});

Deno.test("a detection that changes class starts a new track in per-class mode only", () => {
  const perClass = new ClassTracker();
  const agnostic = new ClassTracker({ mode: "class-agnostic" });
  for (const tracker of [perClass, agnostic]) {
    tracker.update(frame(at(10)), scores(0.9), classes(0));
  }
  const p = perClass.update(frame(at(11)), scores(0.9), classes(1));
  assert.equal(p.trackIds.length, 0, "a new class's track is tentative");
  assert.deepEqual(perClass.tracks().map((t) => [t.id, t.classId, t.state]), [
    [1, 0, "lost"],
    [2, 1, "tentative"],
  ]);
  const a = agnostic.update(frame(at(11)), scores(0.9), classes(1));
  assert.deepEqual([...a.trackIds], [1]);
  assert.deepEqual([...a.classIds], [1]);
});

Deno.test("a class first seen after the stream's first frame does not confirm at once", () => {
  const tracker = new ClassTracker();
  tracker.update(frame(at(10)), scores(0.9), classes(0));
  const out = tracker.update(frame(at(11), at(300)), scores(0.9, 0.9), classes(0, 4));
  assert.deepEqual([...out.classIds], [0]);
  const next = tracker.update(frame(at(12), at(301)), scores(0.9, 0.9), classes(0, 4));
  assert.deepEqual([...next.classIds], [0, 4]);
  assert.deepEqual(next.started.map((t) => [t.id, t.classId, t.startFrame]), [[2, 4, 2]]);
});

Deno.test("lifecycle events carry classes and stream times", () => {
  const tracker = new ClassTracker({ trackBuffer: 1 });
  const started = tracker.update(frame(at(10)), scores(0.9), classes(6), { time: 5000 }).started;
  assert.deepEqual(started.map((t) => [t.id, t.classId, t.startTime]), [[1, 6, 5000]]);
  tracker.update(frame(), scores(), classes(), { time: 5040 });
  const ended = tracker.update(frame(), scores(), classes(), { time: 5080 }).ended;
  assert.deepEqual(ended.map((t) => [t.id, t.classId, t.endFrame, t.endTime]), [[1, 6, 1, 5000]]);
  // As in the reference, a removed track stays one more frame in the lost list.
  assert.deepEqual(tracker.tracks().map((t) => [t.id, t.state]), [[1, "removed"]]);
  tracker.update(frame(), scores(), classes(), { time: 5120 });
  assert.equal(tracker.activeCount(), 0);
});

interface Sequence {
  params: {
    trackThresh: number;
    matchThresh: number;
    trackBuffer: number;
    frameRate: number;
    mot20: boolean;
  };
  frames: { boxes: number[]; scores: number[] }[];
}

Deno.test("per-class tracking equals one ByteTracker per class fed only its class", async () => {
  const { sequences } = await loadFixture<{ sequences: Sequence[] }>(
    "tracking/bytetrack_sequences.json",
  );
  const rand = random(11);
  for (const seq of sequences.slice(0, 6)) {
    const tracker = new ClassTracker(seq.params);
    const single = [0, 1, 2].map(() => new ByteTracker(seq.params));
    for (const frameData of seq.frames) {
      const boxes = Float32Array.from(frameData.boxes), sc = Float32Array.from(frameData.scores);
      const cls = Int32Array.from(sc, () => Math.floor(rand() * 3));
      const out = tracker.update(boxes, sc, cls);
      const expected: number[][] = [];
      for (const c of [0, 1, 2]) {
        const pick = [...cls.keys()].filter((i) => cls[i] === c);
        const o = single[c].update(
          Float32Array.from(pick.flatMap((i) => [...boxes.subarray(i * 4, i * 4 + 4)])),
          Float32Array.from(pick, (i) => sc[i]),
        );
        for (let k = 0; k < o.trackIds.length; k++) {
          expected.push([c, pick[o.detections[k]], ...o.boxes.subarray(k * 4, k * 4 + 4)]);
        }
      }
      const actual = [...out.trackIds].map((_, k) => [
        out.classIds[k],
        out.detections[k],
        ...out.boxes.subarray(k * 4, k * 4 + 4),
      ]);
      assert.deepEqual(actual, expected);
      assert.equal(new Set(out.trackIds).size, out.trackIds.length);
    }
  }
});

Deno.test("ClassTracker refuses missing classes and unknown modes", () => {
  const tracker = new ClassTracker();
  assert.throws(
    () => tracker.update(frame(at(0)), scores(0.9), undefined as unknown as Int32Array),
    {
      name: "TypeError",
      message:
        "ClassTracker.update(): classIds: expected an Int32Array of 1 class ids (one per box), found nothing",
    },
  );
  assert.throws(
    () => new ClassTracker({ mode: "per-label" as "per-class" }),
    /options.mode: expected one of "per-class", "class-agnostic"/,
  );
  tracker.update(frame(at(0)), scores(0.9), classes(1));
  tracker.reset();
  assert.equal(tracker.frameId, 0);
  assert.deepEqual(tracker.tracks(), []);
});
