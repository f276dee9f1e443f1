import assert from "node:assert/strict";
import { matrixNms } from "../../src/geometry/matrix_nms.ts";
import { matrixNmsBoxes } from "../../src/geometry/matrix_nms_boxes.ts";
import type { MatrixNmsKernel } from "../../src/types.ts";
import { bitsFromBase64, loadFixture } from "../_helpers/fixtures.ts";

interface Result {
  kernel: MatrixNmsKernel;
  sigma: number;
  decayed: number[];
}
interface MaskCase {
  name: string;
  height: number;
  width: number;
  maskBits: string;
  labels: number[];
  scores: number[];
  results: Result[];
}
interface BoxCase {
  name: string;
  boxes: number[];
  labels: number[];
  scores: number[];
  results: Result[];
}

const masks = (await loadFixture<{ cases: MaskCase[] }>("geometry/matrix_nms.json")).cases;
const boxes = (await loadFixture<{ cases: BoxCase[] }>("geometry/matrix_nms_boxes.json")).cases;

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= 1e-5,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

Deno.test("matrixNms() decays scores as SOLOv2's matrix_nms does, for both kernels", () => {
  for (const c of masks) {
    const n = c.scores.length;
    const data = bitsFromBase64(c.maskBits, n * c.height * c.width);
    for (const r of c.results) {
      const out = matrixNms(
        data,
        c.height,
        c.width,
        new Int32Array(c.labels),
        new Float32Array(c.scores),
        r,
      );
      assertClose(out, r.decayed, `${c.name}, ${r.kernel} sigma ${r.sigma}`);
    }
  }
});

Deno.test("matrixNmsBoxes() decays scores as PaddlePaddle's matrix_nms op does", () => {
  for (const c of boxes) {
    for (const r of c.results) {
      const out = matrixNmsBoxes(
        new Float32Array(c.boxes),
        new Int32Array(c.labels),
        new Float32Array(c.scores),
        r,
      );
      assertClose(out, r.decayed, `${c.name}, ${r.kernel} sigma ${r.sigma}`);
    }
  }
});

Deno.test("matrixNms() treats nonzero bytes as foreground", () => {
  const ones = new Uint8Array(2 * 9).fill(1), bytes = ones.map((v) => v * 255);
  const labels = new Int32Array(2), scores = new Float32Array([0.9, 0.6]);
  assert.deepEqual(matrixNms(ones, 3, 3, labels, scores), matrixNms(bytes, 3, 3, labels, scores));
});

Deno.test("matrixNms() with the linear kernel zeroes a duplicate and spares what follows it", () => {
  // Masks 0 and 1 are identical; mask 2 overlaps both by half.
  const m = new Uint8Array(3 * 16);
  m.fill(1, 0, 8);
  m.fill(1, 16, 24);
  m.fill(1, 36, 44);
  const out = matrixNms(m, 4, 4, new Int32Array(3), new Float32Array([0.9, 0.8, 0.7]), {
    kernel: "linear",
  });
  assert.equal(out[1], 0);
  // IoU(0, 2) = 4 / 12: decay 1 - 1/3; mask 1 (compensate 1) is skipped, not NaN.
  assert.ok(Math.abs(out[2] - 0.7 * (2 / 3)) < 1e-6);
});

Deno.test("matrixNms() leaves masks of different labels alone and handles empty masks", () => {
  const m = new Uint8Array(3 * 16);
  m.fill(1, 0, 16);
  m.fill(1, 16, 32); // same pixels, other label
  const scores = new Float32Array([0.9, 0.8, 0.7]);
  const out = matrixNms(m, 4, 4, new Int32Array([1, 2, 1]), scores);
  assert.deepEqual([...out], [...scores]);
  assert.deepEqual(
    [...matrixNms(new Uint8Array(0), 4, 4, new Int32Array(0), new Float32Array(0))],
    [],
  );
});

Deno.test("matrixNms() rejects masks whose size does not match N × height × width", () => {
  assert.throws(
    () => matrixNms(new Uint8Array(31), 4, 4, new Int32Array(2), new Float32Array(2)),
    new RangeError(
      "matrixNms(): masks: expected a Uint8Array of N×height×width = 2×4×4 = 32 bytes, found length 31",
    ),
  );
  assert.throws(
    () =>
      matrixNms(
        new Float32Array(32) as unknown as Uint8Array,
        4,
        4,
        new Int32Array(2),
        new Float32Array(2),
      ),
    TypeError,
  );
});

Deno.test("matrixNms() rejects mismatched labels, bad sizes and bad options", () => {
  const m = new Uint8Array(32), s = new Float32Array(2);
  assert.throws(
    () => matrixNms(m, 4, 4, new Int32Array(3), s),
    /labels: expected an Int32Array of 2/,
  );
  assert.throws(() => matrixNms(m, 4.5, 4, new Int32Array(2), s), /height: expected an integer/);
  assert.throws(
    () => matrixNms(m, 4, 4, new Int32Array(2), s, { kernel: "box" as MatrixNmsKernel }),
    /options\.kernel: expected one of "gaussian", "linear"/,
  );
  assert.throws(() => matrixNms(m, 4, 4, new Int32Array(2), s, { sigma: -1 }), /options\.sigma/);
});

Deno.test("matrixNmsBoxes() rejects boxes, labels and scores that do not line up", () => {
  assert.throws(
    () => matrixNmsBoxes(new Float32Array(6), new Int32Array(1), new Float32Array(1)),
    /matrixNmsBoxes\(\): boxes: .*found length 6, not a multiple of 4/,
  );
  assert.throws(
    () => matrixNmsBoxes(new Float32Array(8), new Int32Array(2), new Float32Array([0.1, NaN])),
    /scores\[1\]/,
  );
});
