import assert from "node:assert/strict";
import { softNms, softNmsDense } from "../../src/geometry/soft_nms.ts";
import type { SoftNmsMethod } from "../../src/types.ts";
import { loadFixture } from "../_helpers/fixtures.ts";
import { random } from "../_helpers/random.ts";

interface SoftCase {
  name: string;
  boxes: number[];
  scores: number[];
  results: {
    method: SoftNmsMethod;
    iouThreshold: number;
    sigma: number;
    minScore: number;
    keep: number[];
    keptScores: number[];
  }[];
}

const { cases } = await loadFixture<{ cases: SoftCase[] }>("geometry/soft_nms.json");

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what = "",
) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

const MMCV_BOXES = new Float32Array([6, 3, 8, 7, 3, 6, 9, 11, 3, 7, 10, 12, 1, 4, 13, 7]);
const MMCV_SCORES = new Float32Array([0.6, 0.9, 0.7, 0.2]);

Deno.test("softNms() reproduces mmcv's published linear and gaussian test vectors", () => {
  const linear = softNms(MMCV_BOXES, MMCV_SCORES, {
    method: "linear",
    iouThreshold: 0.3,
    sigma: 0.5,
    minScore: 0.01,
  });
  assert.deepEqual([...linear.keep], [1, 0, 2, 3]);
  assertClose(linear.scores, [0.9, 0.6, 0.29024392, 0.2], 1e-6, "linear");
  const gaussian = softNms(MMCV_BOXES, MMCV_SCORES, {
    method: "gaussian",
    iouThreshold: 0.3,
    sigma: 0.5,
    minScore: 0.01,
  });
  assert.deepEqual([...gaussian.keep], [1, 0, 2, 3]);
  assertClose(gaussian.scores, [0.9, 0.59630775, 0.3527551, 0.18650459], 1e-6, "gaussian");
});

Deno.test("softNms() with the hard method keeps what mmcv's hard NMS keeps on its test boxes", () => {
  const hard = softNms(MMCV_BOXES, MMCV_SCORES, { method: "hard", iouThreshold: 0.3 });
  assert.deepEqual([...hard.keep], [1, 0, 3]);
});

Deno.test("softNms() matches the port of mmcv's CPU kernel on every fixture case", () => {
  let checked = 0;
  for (const c of cases) {
    const boxes = new Float32Array(c.boxes), scores = new Float32Array(c.scores);
    for (const r of c.results) {
      const what = `${c.name}, ${r.method} ${r.iouThreshold}/${r.sigma}/${r.minScore}`;
      const out = softNms(boxes, scores, r);
      assert.deepEqual([...out.keep], r.keep, what);
      assertClose(out.scores, r.keptScores, 1e-5, what);
      checked++;
    }
  }
  assert.ok(checked >= 50);
});

Deno.test("softNms() keeps what the literal O(N²) loop keeps on random clustered boxes", () => {
  const rand = random(11);
  for (let trial = 0; trial < 40; trial++) {
    const n = 1 + Math.floor(rand() * 300);
    const boxes = new Float32Array(n * 4), scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const cx = Math.floor(rand() * 8) * 40 + rand() * 10, cy = Math.floor(rand() * 4) * 40;
      const w = 5 + rand() * 60, h = 5 + rand() * 60;
      boxes.set([cx, cy, cx + w, cy + h], i * 4);
      scores[i] = Math.round(rand() * 20) / 20; // many ties
    }
    for (const method of ["linear", "gaussian", "hard"] as const) {
      const options = {
        method,
        iouThreshold: rand() * 0.6,
        sigma: 0.2 + rand(),
        minScore: rand() * 0.1,
      };
      const fast = softNms(boxes, scores, options), literal = softNmsDense(boxes, scores, options);
      const what = `trial ${trial}, ${JSON.stringify(options)}`;
      assert.deepEqual([...fast.keep], [...literal.keep], what);
      // The sparse path computes IoU in float64: scores may differ by a float32 ulp.
      assertClose(fast.scores, literal.scores, 1e-6, what);
    }
  }
});

Deno.test("softNms() returns nothing for no boxes and keeps a single box with its score", () => {
  const none = softNms(new Float32Array(0), new Float32Array(0));
  assert.equal(none.keep.length, 0);
  const one = softNms(new Float32Array([0, 0, 5, 5]), new Float32Array([0.0001]));
  assert.deepEqual([...one.keep], [0]);
  assert.deepEqual([...one.scores], [Math.fround(0.0001)]);
});

Deno.test("softNms() drops boxes whose score falls below minScore", () => {
  const boxes = new Float32Array([0, 0, 10, 10, 0, 0, 10, 10, 50, 50, 60, 60]);
  const out = softNms(boxes, new Float32Array([0.9, 0.8, 0.0005]), { method: "linear" });
  // The duplicate decays by (1 - 1) = 0, the far box starts below the default 0.001.
  assert.deepEqual([...out.keep], [0]);
});

Deno.test("softNms() rejects bad options with errors that name them", () => {
  const boxes = new Float32Array(4), scores = new Float32Array(1);
  assert.throws(
    () => softNms(boxes, scores, { method: "soft" as SoftNmsMethod }),
    new RangeError(
      'softNms(): options.method: expected one of "linear", "gaussian", "hard", found the string "soft"',
    ),
  );
  assert.throws(
    () => softNms(boxes, scores, { iouThreshold: -1 }),
    new RangeError("softNms(): options.iouThreshold: expected a finite number >= 0, found -1"),
  );
  assert.throws(() => softNms(boxes, scores, { sigma: 0 }), /options\.sigma/);
  assert.throws(() => softNms(boxes, scores, { minScore: -0.5 }), /options\.minScore/);
});

Deno.test("softNms() rejects NaN and infinite scores", () => {
  const boxes = new Float32Array(8);
  assert.throws(
    () => softNms(boxes, new Float32Array([0.5, Infinity])),
    new RangeError("softNms(): scores[1]: expected a finite number, found Infinity"),
  );
  assert.throws(() => softNms(boxes, new Float32Array([NaN, 0.5])), /scores\[0\]/);
});

Deno.test("softNms() rejects mismatched boxes and scores", () => {
  assert.throws(() => softNms(new Float32Array(7), new Float32Array(2)), RangeError);
  assert.throws(() => softNms(new Float32Array(8), new Float32Array(1)), RangeError);
});
