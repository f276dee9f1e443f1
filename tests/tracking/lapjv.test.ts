import assert from "node:assert/strict";
import { linearAssignment } from "../../src/tracking/assignment.ts";
import { lapjv } from "../../src/tracking/lapjv.ts";
import { associationCost } from "../../src/tracking/track_iou.ts";
import { uniqueAssignment } from "../../src/tracking/unique_assignment.ts";
import { loadFixture } from "../_helpers/fixtures.ts";
import { random } from "../_helpers/random.ts";

/** One `lap.lapjv` call recorded by tests/fixtures/make_tracking_fixtures.py. */
interface LapCase {
  name: string;
  rows: number;
  cols: number;
  cost: number[];
  extendCost: boolean;
  costLimit: number | null;
  opt: number;
  x: number[];
  y: number[];
}

const { cases } = await loadFixture<{ cases: LapCase[] }>("tracking/lapjv.json");

for (const c of cases) {
  Deno.test(`lapjv() assigns as lap.lapjv does: ${c.name}`, () => {
    const out = lapjv(Float64Array.from(c.cost), c.rows, c.cols, {
      extendCost: c.extendCost,
      costLimit: c.costLimit ?? Infinity,
    });
    assert.deepEqual([...out.x], c.x, "x");
    assert.deepEqual([...out.y], c.y, "y");
    assert.ok(Math.abs(out.cost - c.opt) <= 1e-9 * Math.max(1, Math.abs(c.opt)), "cost");
  });
}

Deno.test("the lapjv vectors include ties, rectangles and cost limits", () => {
  assert.ok(cases.filter((c) => c.name.startsWith("ties")).length >= 8);
  assert.ok(cases.some((c) => c.rows > c.cols && c.costLimit === null && c.extendCost));
  assert.ok(cases.some((c) => c.rows < c.cols && c.costLimit !== null));
});

/** The optimum by brute force over permutations of a small square matrix. */
function bruteForce(cost: Float64Array, n: number): number {
  let best = Infinity;
  const perm = Array.from({ length: n }, (_, i) => i);
  const visit = (k: number, sum: number) => {
    if (k === n) {
      best = Math.min(best, sum);
      return;
    }
    for (let i = k; i < n; i++) {
      [perm[k], perm[i]] = [perm[i], perm[k]];
      visit(k + 1, sum + cost[k * n + perm[k]]);
      [perm[k], perm[i]] = [perm[i], perm[k]];
    }
  };
  visit(0, 0);
  return best;
}

Deno.test("lapjv() finds the optimal assignment of random matrices (brute force check)", () => {
  const rand = random(7);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(rand() * 7);
    const cost = Float64Array.from(
      { length: n * n },
      () => trial % 2 ? Math.floor(rand() * 4) : rand(),
    );
    const { cost: total, x, y } = lapjv(cost, n, n);
    assert.ok(Math.abs(total - bruteForce(cost, n)) < 1e-12, `trial ${trial}`);
    for (let i = 0; i < n; i++) assert.equal(y[x[i]], i);
  }
});

Deno.test("lapjv() leaves pairs above the cost limit unassigned", () => {
  const cost = Float64Array.from([0.1, 0.95, 0.9, 0.85]);
  const { x, y } = lapjv(cost, 2, 2, { costLimit: 0.8 });
  assert.deepEqual([...x], [0, -1]);
  assert.deepEqual([...y], [0, -1]);
});

Deno.test("lapjv() refuses a non-square matrix without extendCost, and a wrong length", () => {
  assert.throws(() => lapjv(new Float64Array(6), 2, 3), /expected a square matrix/);
  assert.throws(() => lapjv(new Float64Array(5), 2, 3, { extendCost: true }), /expected 2×3/);
  assert.deepEqual(lapjv(new Float64Array(0), 0, 0), {
    cost: 0,
    x: new Int32Array(0),
    y: new Int32Array(0),
  });
});

Deno.test("linearAssignment() reads lapjv's result as ByteTrack's linear_assignment", () => {
  const cost = Float64Array.from([0.2, 0.9, 1, 1, 1, 0.3, 0.1, 1, 1]);
  const a = linearAssignment(cost, 3, 3, 0.8);
  assert.deepEqual([a.rows, a.cols], [[1, 2], [2, 0]]);
  assert.deepEqual(a.unmatchedRows, [0]);
  assert.deepEqual(a.unmatchedCols, [1]);
  const empty = linearAssignment(new Float64Array(0), 2, 0, 0.8);
  assert.deepEqual(empty.unmatchedRows, [0, 1]);
});

Deno.test("the unique-answer shortcut gives lapjv's assignment on IoU-like matrices", () => {
  const rand = random(99);
  let shortcut = 0;
  for (let trial = 0; trial < 3000; trial++) {
    const rows = Math.floor(rand() * 12), cols = Math.floor(rand() * 12);
    const grid = trial % 3 === 0; // coarse values: ties and costs exactly at the limit
    const cost = Float64Array.from({ length: rows * cols }, () => {
      if (rand() < 0.75) return 1;
      return grid ? Math.round(rand() * 10) / 10 : rand();
    });
    const thresh = [0.5, 0.7, 0.8][trial % 3];
    const fast = linearAssignment(cost, rows, cols, thresh);
    const slow = linearAssignment(cost, rows, cols, thresh, { alwaysLapjv: true });
    assert.deepEqual(fast, slow, `trial ${trial}: ${rows}×${cols}`);
    if (uniqueAssignment(cost, rows, cols, thresh)) shortcut++;
  }
  assert.ok(shortcut > 1000 && shortcut < 3000, `shortcut taken ${shortcut} times`);
});

Deno.test("the shortcut declines ties, costs at the limit and large components", () => {
  assert.equal(uniqueAssignment(Float64Array.from([0.3, 0.3]), 2, 1, 0.8), null);
  assert.equal(uniqueAssignment(Float64Array.from([0.8]), 1, 1, 0.8), null);
  assert.equal(uniqueAssignment(new Float64Array(49).fill(0.2), 7, 7, 0.8), null);
  const clear = uniqueAssignment(Float64Array.from([0.1, 0.6, 0.6, 0.1]), 2, 2, 0.8);
  assert.deepEqual(clear && [...clear.x], [0, 1]);
});

Deno.test("the shortcut on associationCost's overlapping pairs agrees with lapjv", () => {
  const rand = random(123);
  for (let trial = 0; trial < 300; trial++) {
    const n = Math.floor(rand() * 40), k = Math.floor(rand() * 40);
    const box = () => {
      const x = rand() * 400, y = rand() * 300, w = 10 + rand() * 60, h = 10 + rand() * 80;
      return [x, y, x + w, y + h];
    };
    const tracks = Float64Array.from(Array.from({ length: n }, box).flat());
    const dets = Float64Array.from(Array.from({ length: k }, box).flat());
    const scores = Float64Array.from({ length: k }, () => 0.5 + 0.5 * rand());
    const thresh = [0.5, 0.7, 0.8, 1][trial % 4];
    const pairs: number[] = [];
    const cost = associationCost(tracks, dets, trial % 2 ? scores : undefined, pairs);
    assert.deepEqual(
      linearAssignment(cost, n, k, thresh, { pairs }),
      linearAssignment(cost, n, k, thresh, { alwaysLapjv: true }),
      `trial ${trial}`,
    );
  }
});
