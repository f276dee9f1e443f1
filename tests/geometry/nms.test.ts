import assert from "node:assert/strict";
import { batchedNms, nms } from "../../src/geometry/nms.ts";
import { loadFixture } from "../_helpers/fixtures.ts";

interface NmsCase {
  name: string;
  boxes: number[];
  scores: number[];
  classIds: number[];
  results: { iouThreshold: number; keep: number[]; batchedKeep: number[] }[];
}

const { cases } = await loadFixture<{ cases: NmsCase[] }>("geometry/nms.json");

Deno.test("nms() keeps exactly the boxes torchvision.ops.nms keeps, in the same order", () => {
  let checked = 0;
  for (const c of cases) {
    const boxes = new Float32Array(c.boxes), scores = new Float32Array(c.scores);
    for (const r of c.results) {
      assert.deepEqual(
        [...nms(boxes, scores, r.iouThreshold)],
        r.keep,
        `${c.name} @ ${r.iouThreshold}`,
      );
      checked++;
    }
  }
  assert.ok(checked >= 40);
});

Deno.test("batchedNms() keeps exactly the boxes torchvision's per-class batched_nms keeps", () => {
  for (const c of cases) {
    const boxes = new Float32Array(c.boxes), scores = new Float32Array(c.scores);
    const classIds = new Int32Array(c.classIds);
    for (const r of c.results) {
      const keep = batchedNms(boxes, scores, classIds, r.iouThreshold);
      assert.deepEqual([...keep], r.batchedKeep, `${c.name} @ ${r.iouThreshold}`);
    }
  }
});

Deno.test("batchedNms() with one class gives the same result as nms()", () => {
  for (const c of cases) {
    const boxes = new Float32Array(c.boxes), scores = new Float32Array(c.scores);
    const one = new Int32Array(scores.length).fill(3);
    assert.deepEqual(batchedNms(boxes, scores, one, 0.5), nms(boxes, scores, 0.5), c.name);
  }
});

Deno.test("nms() keeps a box whose IoU equals the threshold exactly (suppression is strict)", () => {
  // IoU of these two is 50 / 100 = 0.5 exactly.
  const boxes = new Float32Array([0, 0, 10, 10, 0, 0, 10, 5]);
  const scores = new Float32Array([0.9, 0.8]);
  assert.deepEqual([...nms(boxes, scores, 0.5)], [0, 1]);
  assert.deepEqual([...nms(boxes, scores, 0.49)], [0]);
});

Deno.test("nms() orders equal scores by input index", () => {
  const boxes = new Float32Array([0, 0, 1, 1, 10, 10, 11, 11, 20, 20, 21, 21]);
  assert.deepEqual([...nms(boxes, new Float32Array([0.5, 0.7, 0.5]), 0.5)], [1, 0, 2]);
});

Deno.test("nms() never suppresses with or suppresses a zero-area box", () => {
  const boxes = new Float32Array([0, 0, 10, 10, 5, 5, 5, 9, 2, 2, 2, 2, 2, 2, 2, 2]);
  assert.deepEqual([...nms(boxes, new Float32Array([0.4, 0.9, 0.8, 0.7]), 0)], [1, 2, 3, 0]);
});

Deno.test("nms() of no boxes is empty and of one box keeps it", () => {
  assert.deepEqual([...nms(new Float32Array(0), new Float32Array(0), 0.5)], []);
  assert.deepEqual([...nms(new Float32Array([1, 2, 3, 4]), new Float32Array([0.1]), 0.5)], [0]);
});

Deno.test("nms() rejects a box array whose length is not a multiple of 4", () => {
  assert.throws(
    () => nms(new Float32Array(10), new Float32Array(2), 0.5),
    new RangeError(
      "nms(): boxes: expected a Float32Array of N×4 numbers (x1, y1, x2, y2), found length 10, not a multiple of 4",
    ),
  );
});

Deno.test("nms() rejects boxes that are not a Float32Array", () => {
  assert.throws(
    () => nms([0, 0, 1, 1] as unknown as Float32Array, new Float32Array(1), 0.5),
    /nms\(\): boxes: expected a Float32Array of N×4 numbers \(x1, y1, x2, y2\), found an array of 4 items/,
  );
});

Deno.test("nms() rejects scores whose length differs from the number of boxes", () => {
  assert.throws(
    () => nms(new Float32Array(8), new Float32Array(3), 0.5),
    new RangeError(
      "nms(): scores: expected a Float32Array of 2 scores (one per box), found length 3",
    ),
  );
});

Deno.test("nms() rejects a NaN score and names its index", () => {
  assert.throws(
    () => nms(new Float32Array(8), new Float32Array([0.5, NaN]), 0.5),
    new RangeError("nms(): scores[1]: expected a number, found NaN"),
  );
});

Deno.test("nms() rejects a negative or non-finite IoU threshold", () => {
  const boxes = new Float32Array(4), scores = new Float32Array(1);
  assert.throws(
    () => nms(boxes, scores, -0.1),
    new RangeError("nms(): iouThreshold: expected a finite number >= 0, found -0.1"),
  );
  assert.throws(() => nms(boxes, scores, NaN), RangeError);
  assert.throws(() => nms(boxes, scores, "0.5" as unknown as number), TypeError);
});

Deno.test("batchedNms() rejects class ids of the wrong type or length", () => {
  const boxes = new Float32Array(8), scores = new Float32Array(2);
  assert.throws(
    () => batchedNms(boxes, scores, new Int32Array(3), 0.5),
    new RangeError(
      "batchedNms(): classIds: expected an Int32Array of 2 class ids (one per box), found length 3",
    ),
  );
  assert.throws(() => batchedNms(boxes, scores, [1, 2] as unknown as Int32Array, 0.5), TypeError);
});
