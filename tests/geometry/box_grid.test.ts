import assert from "node:assert/strict";
import { BoxGrid } from "../../src/geometry/box_grid.ts";
import { argsortDescending } from "../../src/geometry/score_order.ts";
import { random } from "../_helpers/random.ts";

function bruteForce(boxes: Float32Array, i: number): number[] {
  const out = [];
  const [x1, y1, x2, y2] = boxes.subarray(i * 4, i * 4 + 4);
  for (let j = 0; j < boxes.length / 4; j++) {
    const [a, b, c, d] = boxes.subarray(j * 4, j * 4 + 4);
    const positive = Math.min(x2, c) > Math.max(x1, a) && Math.min(y2, d) > Math.max(y1, b);
    if (j !== i && positive) out.push(j);
  }
  return out;
}

Deno.test("BoxGrid finds exactly the boxes that overlap with positive area", () => {
  const rand = random(5);
  for (let trial = 0; trial < 30; trial++) {
    const n = Math.floor(rand() * 400);
    const boxes = new Float32Array(n * 4);
    for (let i = 0; i < n; i++) {
      const kind = rand();
      const x = rand() * 1000, y = rand() * 600;
      // Mostly small boxes, some huge ones, some empty, inverted or touching ones.
      const w = kind < 0.05 ? 2000 * rand() : kind < 0.1 ? 0 : kind < 0.15 ? -10 : 5 + rand() * 80;
      const h = kind < 0.05 ? 2000 * rand() : kind < 0.2 ? 30 : 5 + rand() * 80;
      boxes.set([Math.round(x), Math.round(y), Math.round(x + w), Math.round(y + h)], i * 4);
    }
    const grid = new BoxGrid(boxes);
    const out = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      const found = [...out.subarray(0, grid.overlapping(i, out))].sort((a, b) => a - b);
      assert.deepEqual(found, bruteForce(boxes, i), `trial ${trial}, box ${i}`);
    }
  }
});

Deno.test("BoxGrid handles infinite and NaN coordinates without missing overlaps", () => {
  const boxes = new Float32Array([
    -Infinity,
    0,
    Infinity,
    10,
    5,
    5,
    6,
    6,
    NaN,
    0,
    5,
    5,
    100,
    100,
    101,
    101,
  ]);
  const grid = new BoxGrid(boxes);
  const out = new Int32Array(5);
  assert.deepEqual([...out.subarray(0, grid.overlapping(0, out))], [1]);
  assert.equal(grid.overlapping(2, out), 0);
});

Deno.test("argsortDescending() orders by decreasing score, ties in input order, -0 equal to 0", () => {
  const scores = new Float32Array([0, -1, 0.5, -0, Infinity, 0.5, -Infinity, 1e-30, -1e-30]);
  assert.deepEqual([...argsortDescending(scores)], [4, 2, 5, 7, 0, 3, 8, 1, 6]);
});

Deno.test("argsortDescending() agrees with a comparator sort on random scores with ties", () => {
  const rand = random(9);
  const scores = Float32Array.from({ length: 5000 }, () => Math.round((rand() - 0.3) * 50) / 7);
  const expected = [...scores.keys()].sort((a, b) => scores[b] - scores[a] || a - b);
  assert.deepEqual([...argsortDescending(scores)], expected);
});
