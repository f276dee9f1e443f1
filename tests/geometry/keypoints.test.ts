import assert from "node:assert/strict";
import { heatmapsToKeypoints } from "../../src/geometry/keypoints.ts";
import { cubicTaps, fma32, resizeBicubicPlane } from "../../src/geometry/bicubic.ts";
import { float32FromBase64, loadFixture } from "../_helpers/fixtures.ts";
import { random } from "../_helpers/random.ts";

interface HeatmapCase {
  name: string;
  numKeypoints: number;
  heatmapSize: number;
  boxes: number[];
  heatmaps: string;
  keypoints: number[];
  scores: number[];
}

interface BicubicCase {
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  input: string;
  output: string;
}

const { cases, bicubic } = await loadFixture<{ cases: HeatmapCase[]; bicubic: BicubicCase[] }>(
  "keypoints/heatmaps_to_keypoints.json",
);

/** Index of the first difference of two float arrays (NaN equal to NaN), or -1. */
function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i]) && !(actual[i] === 0 && expected[i] === 0)) return i;
  }
  return -1;
}

Deno.test("heatmapsToKeypoints() gives torchvision's keypoints and scores to the bit", () => {
  let keypoints = 0;
  for (const c of cases) {
    const result = heatmapsToKeypoints(
      float32FromBase64(c.heatmaps),
      new Float32Array(c.boxes),
      c.numKeypoints,
      c.heatmapSize,
    );
    const k = firstDifference(result.keypoints, c.keypoints);
    assert.equal(k, -1, `${c.name}: keypoints[${k}] ${result.keypoints[k]} vs ${c.keypoints[k]}`);
    const s = firstDifference(result.scores, c.scores);
    assert.equal(s, -1, `${c.name}: scores[${s}] ${result.scores[s]} vs ${c.scores[s]}`);
    keypoints += c.scores.length;
  }
  assert.ok(cases.length >= 12 && keypoints > 100, `${cases.length} cases, ${keypoints} keypoints`);
});

Deno.test("bicubic resizing gives F.interpolate's values to the bit", () => {
  let values = 0;
  for (const c of bicubic) {
    const what = `${c.inHeight}x${c.inWidth} -> ${c.outHeight}x${c.outWidth}`;
    const out = new Float32Array(c.outHeight * c.outWidth);
    const rows = new Float32Array(c.inHeight * c.outWidth);
    resizeBicubicPlane(
      float32FromBase64(c.input),
      0,
      c.inHeight,
      c.inWidth,
      c.outHeight,
      c.outWidth,
      out,
      rows,
    );
    const expected = float32FromBase64(c.output);
    const i = firstDifference(out, expected);
    assert.equal(i, -1, `${what}: [${i}] ${out[i]} vs ${expected[i]}`);
    values += out.length;
  }
  assert.ok(values > 10_000, `${values} values`);
});

Deno.test("the resizing reads a plane at an offset and keeps its weights from one call to the next", () => {
  const src = new Float32Array(3 + 12).map((_, i) => Math.sin(i));
  const alone = new Float32Array(35);
  resizeBicubicPlane(src.slice(3), 0, 3, 4, 5, 7, alone, new Float32Array(21));
  const shifted = new Float32Array(35);
  const taps = [cubicTaps(4, 7), cubicTaps(3, 5)] as const;
  resizeBicubicPlane(src, 3, 3, 4, 5, 7, shifted, new Float32Array(21), ...taps);
  assert.deepEqual(shifted, alone);
});

Deno.test("a tie between maxima goes to the first in row-major order, and a NaN wins", () => {
  // One peak spread equally over 2×2 pixels of the 8×8 resized map (torchvision: 104.5, 52.5).
  const maps = new Float32Array(16);
  maps[6] = 10;
  const box = new Float32Array([100, 50, 108, 58]);
  assert.deepEqual([...heatmapsToKeypoints(maps, box, 1, 4).keypoints], [104.5, 52.5, 1]);
  // torch.argmax counts NaN as the largest: the first resized pixel that reads it.
  maps[6] = NaN;
  const { keypoints, scores } = heatmapsToKeypoints(maps, box, 1, 4);
  assert.deepEqual([...keypoints], [101.5, 50.5, 1]);
  assert.ok(Number.isNaN(scores[0]));
});

Deno.test("a box narrower than a pixel is widened to one pixel, as torchvision clamps it", () => {
  const maps = new Float32Array(2 * 9).map((_, i) => (i % 9 === 4 ? 1 : 0));
  const boxes = new Float32Array([10.25, 20, 10.5, 20.1, 30, 40, 25, 35]); // thin, then inverted
  const { keypoints } = heatmapsToKeypoints(maps, boxes, 1, 3);
  // one resized pixel: its centre is half a (clamped) pixel from the top-left corner
  assert.deepEqual([...keypoints], [10.75, 20.5, 1, 30.5, 40.5, 1]);
});

Deno.test("no boxes give no keypoints", () => {
  const { keypoints, scores } = heatmapsToKeypoints(
    new Float32Array(0),
    new Float32Array(0),
    17,
    56,
  );
  assert.equal(keypoints.length, 0);
  assert.equal(scores.length, 0);
});

Deno.test("heatmapsToKeypoints() names the argument, what it expected and what it found", () => {
  const maps = new Float32Array(2 * 4 * 4);
  const box = new Float32Array([0, 0, 10, 10]);
  assert.throws(() => heatmapsToKeypoints(maps.subarray(1), box, 2, 4), {
    name: "RangeError",
    message:
      "heatmapsToKeypoints(): heatmaps: expected a Float32Array of N×K×M×M = 1×2×4×4 = 32 logits (N from boxes), found length 31",
  });
  assert.throws(() => heatmapsToKeypoints(new Float64Array(32) as never, box, 2, 4), {
    name: "TypeError",
    message:
      "heatmapsToKeypoints(): heatmaps: expected a Float32Array of N×K×M×M = 1×2×4×4 = 32 logits, found a Float64Array of length 32",
  });
  assert.throws(() => heatmapsToKeypoints(maps, new Float32Array(6), 2, 4), {
    name: "RangeError",
    message:
      "heatmapsToKeypoints(): boxes: expected a Float32Array of N×4 numbers (x1, y1, x2, y2), found length 6, not a multiple of 4",
  });
  assert.throws(() => heatmapsToKeypoints(maps, [0, 0, 10, 10] as never, 2, 4), TypeError);
  assert.throws(() => heatmapsToKeypoints(maps, new Float32Array([0, 0, Infinity, 10]), 2, 4), {
    name: "RangeError",
    message: "heatmapsToKeypoints(): boxes[2]: expected a finite number (box 0), found Infinity",
  });
  assert.throws(() => heatmapsToKeypoints(maps, box, 0, 4), {
    name: "RangeError",
    message: "heatmapsToKeypoints(): numKeypoints: expected an integer >= 1, found 0",
  });
  assert.throws(() => heatmapsToKeypoints(maps, box, 2, 4.5), {
    name: "RangeError",
    message: "heatmapsToKeypoints(): heatmapSize: expected an integer >= 1, found 4.5",
  });
  assert.throws(() => heatmapsToKeypoints(maps, box, "2" as never, 4), {
    name: "TypeError",
    message: 'heatmapsToKeypoints(): numKeypoints: expected an integer, found the string "2"',
  });
});

/** Exact `a * b + c` of float32 values, rounded once to float32 (ties to even), with BigInt. */
function exactFma(a: number, b: number, c: number): number {
  // Every float32 is a multiple of 2^-149: scaled by 2^149 it is an integer.
  const big = (v: number) => BigInt(v * 2 ** 149);
  const n = big(a) * big(b) + (big(c) << 149n); // the exact value, scaled by 2^298
  if (n === 0n) return 0;
  const mag = n < 0n ? -n : n;
  // keep 24 significant bits, or stop at the subnormal grid 2^-149 (2^149 here)
  let drop = BigInt(mag.toString(2).length) - 24n;
  if (drop < 149n) drop = 149n;
  let q = mag >> drop;
  const rem = mag - (q << drop);
  const half = 1n << (drop - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q++;
  const value = Number(q) * 2 ** Number(drop - 298n);
  return Math.fround(n < 0n ? -value : value);
}

Deno.test("fma32() rounds a * b + c once, as a fused multiply-add does", () => {
  const next = random(17);
  const f32 = (v: number) => Math.fround(v);
  const cases: [number, number, number][] = [
    [8 * (1 + 2 ** -12), 8 * (1 - 2 ** -12 + 2 ** -24), 2 ** 30], // a double tie that rounds up
    [-8 * (1 + 2 ** -12), 8 * (1 - 2 ** -12 + 2 ** -24), -(2 ** 30)],
    [1 + 2 ** -13, 1 - 2 ** -13, -1],
    [2 ** -100, 2 ** -49, 0], // subnormal
    [2 ** -75 * (1 + 2 ** -12), 2 ** -75 * (1 - 2 ** -12 + 2 ** -24), 0], // just above half of 2^-149
    [2 ** -75 * (1 + 2 ** -12), -(2 ** -75) * (1 - 2 ** -12 + 2 ** -24), 0],
    [2 ** -75 * (1 + 2 ** -12), 2 ** -75 * (1 - 2 ** -12 + 2 ** -24), -(2 ** -149)],
  ];
  for (let i = 0; i < 20_000; i++) {
    // full mantissas and a larger c: the double sum a * b + c is inexact
    const m = () => f32((1 + next()) * (next() < 0.5 ? -1 : 1));
    const e = Math.floor(next() * 20) - 10;
    cases.push([m() * 2 ** e, m() * 2 ** -e, f32(m() * 2 ** Math.floor(next() * 40 - 10))]);
  }
  for (let i = 0; i < 5_000; i++) {
    // a * b = half an ulp of c, plus or minus less than c's double can hold: a double that
    // ties between two floats. (1 + u)(1 - u + u²) = 1 + u³ with u = j·2^-12.
    const j = 1 + Math.floor(next() * 5);
    const u = j * 2 ** -12;
    const c = f32((1 + next()) * 2 ** Math.floor(next() * 60 - 30)) * (next() < 0.5 ? -1 : 1);
    const half = 2 ** (Math.floor(Math.log2(Math.abs(c))) - 24);
    const sign = next() < 0.5 ? -1 : 1;
    cases.push([sign * (1 + u) * half, 1 - u + u * u, c]);
    cases.push([sign * (1 + 2 ** -15) * half, 1 - 2 ** -15, c]); // (1 - 2^-30)
  }
  for (const [a, b, c] of cases) {
    assert.equal(fma32(a, b, c), exactFma(a, b, c), `fma32(${a}, ${b}, ${c})`);
  }
});
