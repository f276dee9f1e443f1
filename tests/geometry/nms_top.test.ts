import assert from "node:assert/strict";
import { batchedNms } from "../../src/geometry/nms.ts";
import { batchedNmsTop } from "../../src/geometry/nms_top.ts";
import { loadFixture } from "../_helpers/fixtures.ts";
import { random } from "../_helpers/random.ts";

interface NmsCase {
  name: string;
  boxes: number[];
  scores: number[];
  classIds: number[];
  results: { iouThreshold: number; batchedKeep: number[] }[];
}

const { cases } = await loadFixture<{ cases: NmsCase[] }>("geometry/nms.json");

Deno.test("batchedNmsTop() keeps the first k boxes torchvision's per-class batched_nms keeps", () => {
  for (const c of cases) {
    const boxes = new Float32Array(c.boxes), scores = new Float32Array(c.scores);
    const classIds = new Int32Array(c.classIds);
    for (const r of c.results) {
      for (const k of [0, 1, 5, 50, 100_000]) {
        const keep = batchedNmsTop(boxes, scores, classIds, r.iouThreshold, k);
        assert.deepEqual(
          [...keep],
          r.batchedKeep.slice(0, k),
          `${c.name} @ ${r.iouThreshold}, k ${k}`,
        );
      }
    }
  }
});

Deno.test("batchedNmsTop() agrees with batchedNms() on tied scores, inverted and empty boxes", () => {
  const rand = random(7);
  for (let round = 0; round < 20; round++) {
    const n = 50 + Math.floor(rand() * 400);
    const boxes = new Float32Array(4 * n),
      scores = new Float32Array(n),
      classIds = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const x = Math.floor(rand() * 40) * 2, y = Math.floor(rand() * 40) * 2;
      const w = Math.floor(rand() * 30) - 2, h = Math.floor(rand() * 30) - 2; // some inverted or empty
      boxes.set([x, y, x + w, y + h], 4 * i);
      scores[i] = Math.round(rand() * 10) / 10; // many ties
      classIds[i] = Math.floor(rand() * 3) - 1;
    }
    for (const iou of [0, 0.3, 0.5, 1]) {
      const full = batchedNms(boxes, scores, classIds, iou);
      for (const k of [1, 10, 100, n]) {
        assert.deepEqual([...batchedNmsTop(boxes, scores, classIds, iou, k)], [
          ...full.slice(0, k),
        ]);
      }
    }
  }
});

Deno.test("batchedNmsTop() rejects a negative or fractional count", () => {
  const one = new Float32Array([0, 0, 1, 1]);
  assert.throws(
    () => batchedNmsTop(one, new Float32Array([1]), new Int32Array(1), 0.5, 1.5),
    new RangeError("batchedNmsTop(): maxKeep: expected an integer >= 0, found 1.5"),
  );
});
