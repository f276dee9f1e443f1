import assert from "node:assert/strict";
import { boxArea, boxIou, clipBoxes, removeSmallBoxes } from "../../src/geometry/boxes.ts";
import { decodeBoxes, encodeBoxes } from "../../src/geometry/box_coder.ts";
import { loadFixture } from "../_helpers/fixtures.ts";

interface BoxFixtures {
  area: { boxes: number[]; areas: number[] };
  iou: { boxes1: number[]; boxes2: number[]; iou: (number | null)[] };
  clip: { boxes: number[]; height: number; width: number; clipped: number[] };
  removeSmall: { boxes: number[]; minSize: number; keep: number[] };
  coder: {
    weights: [number, number, number, number];
    references: number[];
    deltas: number[];
    decoded: number[];
    targets: number[];
    encoded: number[];
  }[];
}

const f = (await loadFixture<{ cases: BoxFixtures }>("geometry/boxes.json")).cases;

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel: number,
  what: string,
) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.max(1, Math.abs(expected[i]));
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

Deno.test("boxArea() equals torchvision's box_area, inverted and empty boxes included", () => {
  assert.deepEqual([...boxArea(new Float32Array(f.area.boxes))], f.area.areas);
});

Deno.test("boxIou() equals torchvision's box_iou, NaN for two empty boxes included", () => {
  const iou = boxIou(new Float32Array(f.iou.boxes1), new Float32Array(f.iou.boxes2));
  assert.deepEqual([...iou].map((v) => (Number.isNaN(v) ? null : v)), f.iou.iou);
});

Deno.test("clipBoxes() equals torchvision's clip_boxes_to_image", () => {
  const clipped = clipBoxes(new Float32Array(f.clip.boxes), f.clip.height, f.clip.width);
  assert.deepEqual([...clipped], f.clip.clipped);
});

Deno.test("removeSmallBoxes() keeps what torchvision's remove_small_boxes keeps", () => {
  const keep = removeSmallBoxes(new Float32Array(f.removeSmall.boxes), f.removeSmall.minSize);
  assert.deepEqual([...keep], f.removeSmall.keep);
});

Deno.test("decodeBoxes() and encodeBoxes() equal torchvision's BoxCoder, dw/dh clamp included", () => {
  for (const c of f.coder) {
    const refs = new Float32Array(c.references);
    const decoded = decodeBoxes(new Float32Array(c.deltas), refs, { weights: c.weights });
    assertClose(decoded, c.decoded, 1e-6, `decode ${c.weights}`);
    const encoded = encodeBoxes(new Float32Array(c.targets), refs, c.weights);
    assertClose(encoded, c.encoded, 1e-6, `encode ${c.weights}`);
  }
});

Deno.test("decodeBoxes() decodes one box per class when given N×4K deltas", () => {
  const refs = new Float32Array([0, 0, 10, 10]);
  const deltas = new Float32Array([0, 0, 0, 0, 1, 0, 0, 0]);
  assert.deepEqual([...decodeBoxes(deltas, refs)], [0, 0, 10, 10, 10, 0, 20, 10]);
});

Deno.test("decodeBoxes() rejects deltas that are not a multiple of 4 per reference", () => {
  assert.throws(
    () => decodeBoxes(new Float32Array(6), new Float32Array(8)),
    new RangeError(
      "decodeBoxes(): deltas: expected a Float32Array of N×4K numbers for N = 2 references, found length 6",
    ),
  );
  assert.throws(
    () => decodeBoxes(new Float32Array(4), new Float32Array(4), { weights: [1, 1, 0, 1] }),
    /weights\[2\]/,
  );
});

Deno.test("encodeBoxes() rejects a different number of targets and references", () => {
  assert.throws(
    () => encodeBoxes(new Float32Array(8), new Float32Array(4)),
    new RangeError("encodeBoxes(): references: expected 2 boxes (one per target), found 1"),
  );
});

Deno.test("box ops reject arrays that are not N×4 and bad sizes", () => {
  assert.throws(() => boxArea(new Float32Array(5)), /boxArea\(\): boxes: .*found length 5/);
  assert.throws(
    () => boxIou(new Float32Array(4), new Float64Array(4) as unknown as Float32Array),
    /boxes2: .*found a Float64Array of length 4/,
  );
  assert.throws(
    () => clipBoxes(new Float32Array(4), -1, 10),
    /clipBoxes\(\): height: expected a finite number >= 0, found -1/,
  );
  assert.throws(() => removeSmallBoxes(new Float32Array(4), -0.01), /minSize/);
});
