import assert from "node:assert/strict";
import { linearSumAssignment } from "../../src/eval/mot_lsa.ts";

// tests/fixtures/make_mot_fixtures.py: scipy 1.10's linear_sum_assignment on square,
// wide and tall matrices full of ties (small integers, 0/1, constants, negated scores
// with zeros) and on Identity-style matrices with 1e10 blocks.

interface LsaCase {
  name: string;
  rows: number;
  cols: number;
  cost: number[];
  rowInd: number[];
  colInd: number[];
}

const { cases }: { cases: LsaCase[] } = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/mot/lsa_cases.json", import.meta.url)),
);

Deno.test("linearSumAssignment() picks scipy's assignment, ties included, on every case", () => {
  assert.ok(cases.length >= 70);
  for (const c of cases) {
    const { rowInd, colInd } = linearSumAssignment(Float64Array.from(c.cost), c.rows, c.cols);
    assert.deepEqual({ name: c.name, rows: [...rowInd], cols: [...colInd] }, {
      name: c.name,
      rows: c.rowInd,
      cols: c.colInd,
    });
  }
});

Deno.test("linearSumAssignment() of a constant matrix is the identity, as scipy's", () => {
  const { rowInd, colInd } = linearSumAssignment(new Float64Array(9).fill(1), 3, 3);
  assert.deepEqual([[...rowInd], [...colInd]], [[0, 1, 2], [0, 1, 2]]);
});

Deno.test("linearSumAssignment() of an empty matrix assigns nothing", () => {
  assert.equal(linearSumAssignment(new Float64Array(0), 0, 4).rowInd.length, 0);
  assert.equal(linearSumAssignment(new Float64Array(0), 3, 0).colInd.length, 0);
});

Deno.test("linearSumAssignment() refuses NaN and -Infinity costs", () => {
  assert.throws(() => linearSumAssignment(new Float64Array([0, NaN]), 1, 2), RangeError);
  assert.throws(() => linearSumAssignment(new Float64Array([0, -Infinity]), 2, 1), RangeError);
});
