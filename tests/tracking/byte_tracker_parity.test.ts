import assert from "node:assert/strict";
import { ByteTrackCore } from "../../src/tracking/byte_track_core.ts";
import { ByteTracker } from "../../src/tracking/byte_tracker.ts";
import { resolveTrackerOptions } from "../../src/tracking/tracker_input.ts";
import type { ByteTrackerOptions } from "../../src/tracking/tracker_types.ts";
import { loadFixture } from "../_helpers/fixtures.ts";

/** One frame as tests/fixtures/make_tracking_fixtures.py recorded it from ByteTrack. */
interface RecordedFrame {
  boxes: number[];
  scores: number[];
  /** BYTETracker.update's output: ids, tlbr (4 decimals), input index of the detection. */
  ids: number[];
  tlbr: number[];
  dets: number[];
  /** The tracker's lists after the update. */
  tentative: number[];
  lost: number[];
  lostRemoved: number[];
  removed: number[];
}

interface Sequence {
  name: string;
  params: Required<ByteTrackerOptions>;
  float64: boolean;
  maxTimeLost: number;
  frames: RecordedFrame[];
}

const { sequences } = await loadFixture<{ sequences: Sequence[] }>(
  "tracking/bytetrack_sequences.json",
);

function replay(seq: Sequence, check: (frame: RecordedFrame, f: number, t: ByteTracker) => void) {
  const tracker = new ByteTracker(seq.params);
  const Arr = seq.float64 ? Float64Array : Float32Array;
  for (const [f, frame] of seq.frames.entries()) {
    const out = tracker.update(Arr.from(frame.boxes), Arr.from(frame.scores));
    const where = `${seq.name}, frame ${f + 1}`;
    assert.deepEqual([...out.trackIds], frame.ids, `${where}: track ids`);
    assert.deepEqual([...out.detections], frame.dets, `${where}: detections`);
    for (let i = 0; i < frame.tlbr.length; i++) {
      assert.ok(
        Math.abs(out.boxes[i] - frame.tlbr[i]) <= 1e-3,
        `${where}: box ${i >> 2} [${i & 3}]: ${out.boxes[i]} vs ${frame.tlbr[i]}`,
      );
    }
    for (let k = 0; k < out.scores.length; k++) {
      assert.equal(out.scores[k], Math.fround(frame.scores[frame.dets[k]]), `${where}: score ${k}`);
    }
    check(frame, f, tracker);
  }
}

Deno.test("the recorded sequences cover the parameter sets and corner cases", () => {
  assert.ok(sequences.length >= 12);
  assert.ok(sequences.some((s) => s.params.mot20));
  assert.deepEqual(
    [...new Set(sequences.map((s) => s.params.frameRate))].sort((a, b) => a - b),
    [15, 20, 25, 30, 60],
  );
  assert.ok(new Set(sequences.map((s) => s.maxTimeLost)).size >= 5);
  assert.ok(Math.max(...sequences.flatMap((s) => s.frames.map((f) => f.scores.length))) >= 50);
  // A track removed from the lost list and found again the next frame (the reference's quirk).
  assert.ok(sequences.some((s) => {
    const removed = new Set<number>();
    return s.frames.some((f) => {
      const hit = f.ids.some((id) => removed.has(id));
      f.removed.forEach((id) => removed.add(id));
      return hit;
    });
  }));
});

for (const seq of sequences) {
  Deno.test(`ByteTracker gives ByteTrack's ids, boxes and detections every frame: ${seq.name}`, () => {
    replay(seq, () => {});
  });
}

Deno.test("ByteTracker's tentative, confirmed and lost tracks are the reference's lists every frame", () => {
  for (const seq of sequences) {
    replay(seq, (frame, f, tracker) => {
      const where = `${seq.name}, frame ${f + 1}`;
      const tracks = tracker.tracks();
      const ids = (...states: string[]) =>
        tracks.filter((t) => states.includes(t.state)).map((t) => t.id);
      assert.deepEqual(ids("confirmed"), frame.ids, `${where}: confirmed`);
      assert.deepEqual(ids("tentative"), frame.tentative, `${where}: tentative`);
      assert.deepEqual(ids("lost", "removed"), frame.lost, `${where}: lost list`);
      assert.deepEqual(ids("removed"), frame.lostRemoved, `${where}: removed, still listed`);
      assert.equal(tracker.activeCount(), tracks.length);
    });
  }
});

Deno.test("started and ended pair up: a track starts when it first shows, ends when it leaves", () => {
  for (const seq of sequences) {
    const tracker = new ByteTracker(seq.params);
    const Arr = seq.float64 ? Float64Array : Float32Array;
    const open = new Set<number>();
    let endedCount = 0;
    for (const [f, frame] of seq.frames.entries()) {
      const where = `${seq.name}, frame ${f + 1}`;
      const out = tracker.update(Arr.from(frame.boxes), Arr.from(frame.scores));
      const held = new Map(tracker.tracks().map((t) => [t.id, t.state]));
      for (const t of out.ended) {
        assert.ok(open.delete(t.id), `${where}: ${t.id} ended without being open`);
        assert.equal(t.state, "removed");
        assert.ok(t.endFrame! <= f + 1 && t.endFrame === t.lastFrame, `${where}: endFrame`);
        // Removed by the reference this frame, or dropped as a duplicate (no longer held).
        assert.ok(frame.removed.includes(t.id) || !held.has(t.id), `${where}: ${t.id} ended`);
        endedCount++;
      }
      const fresh = frame.ids.filter((id) => !open.has(id));
      assert.deepEqual(out.started.map((t) => t.id), fresh, `${where}: started`);
      for (const t of out.started) {
        assert.equal(t.state, "confirmed");
        assert.equal(t.lastFrame, f + 1);
        open.add(t.id);
      }
      for (const id of open) {
        const state = held.get(id);
        assert.ok(state === "confirmed" || state === "lost", `${where}: open ${id} is ${state}`);
      }
    }
    if (seq.frames.length >= 80) assert.ok(endedCount > 0, `${seq.name}: some track ended`);
  }
});

Deno.test("with lapjv alone (no unique-answer shortcut) the tracker still gives ByteTrack's output", () => {
  for (const seq of sequences) {
    const { params } = resolveTrackerOptions("test", seq.params);
    let ids = 0;
    const core = new ByteTrackCore({ ...params, alwaysLapjv: true }, () => ++ids);
    const Arr = seq.float64 ? Float64Array : Float32Array;
    for (const [f, frame] of seq.frames.entries()) {
      const where = `${seq.name}, frame ${f + 1}`;
      const boxes = Arr.from(frame.boxes), scores = Arr.from(frame.scores);
      const { output } = core.step({ boxes, scores }, 0);
      assert.deepEqual(output.map((t) => t.id), frame.ids, `${where}: ids`);
      assert.deepEqual(output.map((t) => t.detection), frame.dets, `${where}: detections`);
      const tlbr = new Float64Array(4);
      for (const [k, t] of output.entries()) {
        t.tlbrInto(tlbr, 0);
        for (let c = 0; c < 4; c++) {
          assert.ok(Math.abs(tlbr[c] - frame.tlbr[k * 4 + c]) <= 1e-3, `${where}: box ${k}`);
        }
      }
    }
  }
});
