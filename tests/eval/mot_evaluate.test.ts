import assert from "node:assert/strict";
import { EvalInputError } from "../../src/errors.ts";
import {
  evaluateTracking,
  HOTA_ALPHAS,
  type TrackingFrame,
} from "../../src/eval/evaluate_tracking.ts";
import { trackEvalBoxIou } from "../../src/eval/mot_data.ts";

const frame = (f: number, ids: number[], boxes: number[]): TrackingFrame => ({
  frame: f,
  ids: Int32Array.from(ids),
  boxes: Float32Array.from(boxes),
});
const A = [0, 0, 10, 10], B = [100, 0, 110, 10];

function throwsInput(fn: () => unknown, message: RegExp) {
  assert.throws(fn, (e: unknown) => e instanceof EvalInputError && message.test(e.message));
}

Deno.test("a perfect tracker scores 1 everywhere, whatever its id labels", () => {
  const gt = [frame(1, [4, 9], [...A, ...B]), frame(2, [4, 9], [...A, ...B])];
  const m = evaluateTracking(gt, [
    frame(1, [-3, 77], [...A, ...B]),
    frame(2, [-3, 77], [...A, ...B]),
  ]);
  assert.deepEqual(
    [m.hota, m.deta, m.assa, m.loca, m.mota, m.motp, m.idf1, m.idr, m.idp],
    [1, 1, 1, 1, 1, 1, 1, 1, 1],
  );
  assert.deepEqual([...m.hotaAlpha], new Array(19).fill(1));
  assert.deepEqual([m.idsw, m.frag, m.mt, m.pt, m.ml, m.clrTp, m.clrFn, m.clrFp], [
    0,
    0,
    2,
    0,
    0,
    4,
    0,
    0,
  ]);
});

Deno.test("no tracker output leaves every ratio at 0, LocA at 1 and every id mostly lost", () => {
  const m = evaluateTracking([frame(1, [1, 2], [...A, ...B]), frame(3, [1], A)], []);
  assert.deepEqual([m.hota, m.mota, m.motp, m.idf1, m.loca], [0, 0, 0, 0, 1]);
  assert.deepEqual([m.clrTp, m.clrFn, m.clrFp, m.ml], [0, 3, 0, 2]);
});

Deno.test("no ground truth gives MOTA 0 (TrackEval returns early), not −FP", () => {
  const m = evaluateTracking([], [frame(2, [1, 2], [...A, ...B])]);
  assert.deepEqual([m.mota, m.hota, m.idf1, m.clrFp, m.ml, m.loca], [0, 0, 0, 2, 0, 1]);
});

Deno.test("both sides empty give zeros (and LocA 1)", () => {
  const m = evaluateTracking([], []);
  assert.deepEqual([m.hota, m.mota, m.idf1, m.loca, m.clrTp], [0, 0, 0, 1, 0]);
  assert.equal(m.hotaAlpha.length, HOTA_ALPHAS.length);
});

Deno.test("a track lost while the tracker reports other boxes, then found again, is one fragmentation", () => {
  const gt = [1, 2, 3, 4, 5, 6].map((f) => frame(f, [1], A));
  const tr = [1, 2, 3, 4, 5, 6].map((f) =>
    f === 3 || f === 4 ? frame(f, [9], B) : frame(f, [8], A)
  );
  const m = evaluateTracking(gt, tr);
  assert.deepEqual([m.frag, m.idsw, m.clrTp, m.clrFn, m.clrFp, m.mt, m.pt], [1, 0, 4, 2, 2, 0, 1]);
});

Deno.test("frames with no tracker box at all do not break a track (TrackEval skips them)", () => {
  const gt = [1, 2, 3, 4, 5, 6].map((f) => frame(f, [1], A));
  const m = evaluateTracking(gt, [1, 2, 5, 6].map((f) => frame(f, [8], A)));
  assert.deepEqual([m.frag, m.idsw, m.clrTp, m.clrFn], [0, 0, 4, 2]);
});

Deno.test("two objects swapping tracker ids count two switches each way", () => {
  const gt = [1, 2, 3, 4].map((f) => frame(f, [1, 2], [...A, ...B]));
  const tr = [1, 2, 3, 4].map((f) => frame(f, f <= 2 ? [10, 20] : [20, 10], [...A, ...B]));
  const m = evaluateTracking(gt, tr);
  assert.deepEqual([m.idsw, m.mota, m.idf1], [2, 0.75, 0.5]);
});

Deno.test("ids up to the int32 limits give the same metrics as small ids", () => {
  const gt = [1, 2, 3].map((f) => frame(f, [1, 2], [...A, ...B]));
  const tr = [1, 2, 3].map((f) => frame(f, f === 2 ? [6, 5] : [5, 6], [...A, ...B]));
  const big = (fs: TrackingFrame[]) =>
    fs.map((f) => ({
      ...f,
      ids: f.ids.map((id) => (id % 2 ? 2147483647 - id : -2147483648 + id)),
    }));
  assert.deepEqual(evaluateTracking(big(gt), big(tr)), evaluateTracking(gt, tr));
});

Deno.test("options.frames only counts timesteps: trailing empty frames change nothing", () => {
  const gt = [frame(1, [1], A)], tr = [frame(1, [1], [1, 0, 11, 10])];
  assert.deepEqual(evaluateTracking(gt, tr, { frames: 100 }), evaluateTracking(gt, tr));
});

Deno.test("the box IoU is TrackEval's: zero-area boxes match nothing, even themselves", () => {
  const iou = trackEvalBoxIou(
    new Float32Array([5, 5, 5, 9, 0, 0, 10, 10]),
    new Float32Array([5, 5, 5, 9, 0, 0, 10, 10]),
  );
  assert.deepEqual([...iou], [0, 0, 0, 1]);
});

Deno.test("evaluateTracking() names the side, frame index, field, expectation and finding", () => {
  const ok = frame(1, [1], A);
  throwsInput(
    () => evaluateTracking([{ ...ok, frame: 0 }], []),
    /^evaluateTracking\(\): groundTruth\[0\]\.frame: expected an integer >= 1, found the number 0$/,
  );
  throwsInput(
    () => evaluateTracking([], [ok, { ...ok, frame: 2.5 }]),
    /^evaluateTracking\(\): results\[1\]\.frame: expected an integer >= 1, found the number 2.5$/,
  );
  throwsInput(
    () => evaluateTracking([ok, ok], []),
    /groundTruth\[1\]\.frame: expected a frame number not used yet, found 1, as groundTruth\[0\]/,
  );
  throwsInput(
    () => evaluateTracking([{ ...ok, ids: [1] as unknown as Int32Array }], []),
    /groundTruth\[0\]\.ids: expected an Int32Array, found an array of 1 item$/,
  );
  throwsInput(
    () => evaluateTracking([{ ...ok, boxes: new Float32Array(3) }], []),
    /groundTruth\[0\]\.boxes: expected a Float32Array of 1×4 numbers \(x1, y1, x2, y2 for each of the 1 ids\), found a Float32Array of length 3$/,
  );
  throwsInput(
    () => evaluateTracking([], [frame(1, [1], [0, NaN, 1, 1])]),
    /results\[0\]\.boxes\[1\]: expected a finite number, found the number NaN$/,
  );
  throwsInput(
    () => evaluateTracking([], [frame(1, [4, 4], [...A, ...B])]),
    /results\[0\]\.ids\[1\]: expected an id not used yet in frame 1, found 4, as ids\[0\]$/,
  );
  throwsInput(
    () => evaluateTracking([frame(5, [1], A)], [], { frames: 4 }),
    /groundTruth\[0\]\.frame: expected an integer in \[1, 4\] \(options.frames\), found the number 5$/,
  );
  throwsInput(
    () => evaluateTracking(null as unknown as TrackingFrame[], []),
    /groundTruth: expected an array of frames/,
  );
  assert.throws(() => evaluateTracking([], [], { frames: -1 }), RangeError);
});

Deno.test("an input error lists its issue with path, expected and found", () => {
  try {
    evaluateTracking([], [frame(1, [1], [0, 0, Infinity, 1])]);
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof EvalInputError);
    assert.deepEqual(e.issues, [{
      path: ["results", 0, "boxes", 2],
      expected: "a finite number",
      found: "the number Infinity",
    }]);
  }
});
