import assert from "node:assert/strict";
import {
  compressRle,
  decodeCounts,
  decodeRle,
  encodeCounts,
  encodeRle,
  parseRle,
} from "../../src/geometry/rle.ts";
import { rleArea, rleMerge, rleToBbox } from "../../src/geometry/rle_ops.ts";
import { bboxIou, rleIou } from "../../src/geometry/rle_iou.ts";
import { rleCountsFromString, rleCountsToString } from "../../src/geometry/rle_string.ts";
import type { Rle } from "../../src/types.ts";

interface EncodeCase {
  name: string;
  height: number;
  width: number;
  bits?: string;
  rects?: [number, number, number, number][];
  counts: string;
  area: number;
  bbox: number[];
}

interface RleCases {
  encode: EncodeCase[];
  zeroRuns: {
    rle: { size: [number, number]; counts: number[] };
    counts: string;
    area: number;
    bbox: number[];
  }[];
  merge: { rles: string[]; height: number; width: number; intersect: boolean; counts: string }[];
  iou: {
    height: number;
    width: number;
    dt: string[];
    gt: string[];
    iscrowd: number[];
    iou: number[];
  }[];
  boxIou: { dt: number[][]; gt: number[][]; iscrowd: number[]; iou: number[] }[];
}

const cases: RleCases = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/coco/rle_cases.json", import.meta.url)),
);

/** The row-major mask of a fixture case (np.packbits bits, or rectangles). */
function maskOf(c: EncodeCase): Uint8Array {
  const mask = new Uint8Array(c.height * c.width);
  if (c.bits !== undefined) {
    const bytes = Uint8Array.from(atob(c.bits), (ch) => ch.charCodeAt(0));
    for (let i = 0; i < mask.length; i++) mask[i] = (bytes[i >> 3] >> (7 - (i & 7))) & 1;
  } else {
    for (const [x0, y0, x1, y1] of c.rects!) {
      for (let y = y0; y < y1; y++) mask.fill(1, y * c.width + x0, y * c.width + x1);
    }
  }
  return mask;
}

function rle(height: number, width: number, counts: string): Rle {
  return { size: [height, width], counts };
}

Deno.test("encodeRle() writes the counts string of pycocotools byte for byte", () => {
  assert.ok(cases.encode.length > 50);
  for (const c of cases.encode) {
    const out = encodeRle(maskOf(c), c.height, c.width);
    assert.deepEqual(out, rle(c.height, c.width, c.counts), c.name);
  }
});

Deno.test("encodeRle() gives the hand-worked strings of small masks", () => {
  // [2, 3, 1, 1]: the 4th run is written as 1 - 3 = -2 -> 'N' (0x1e + 48), no continuation
  assert.equal(encodeRle(new Uint8Array([0, 0, 1, 1, 1, 0, 1]), 7, 1).counts, "231N");
  // full 4×5: [0, 20]; 20 has bit 0x10 set, so a '0' group must follow to keep it positive
  assert.equal(encodeRle(new Uint8Array(20).fill(1), 4, 5).counts, "0d0");
  // single top-left pixel: [0, 1, 19]; the third run is written whole (the `i > 2` quirk)
  const single = new Uint8Array(20);
  single[0] = 1;
  assert.equal(encodeRle(single, 4, 5).counts, "01c0");
  // empty 4×5: one run of 20 zeros
  assert.equal(encodeRle(new Uint8Array(20), 4, 5).counts, "d0");
  // 0×0: one run of zero zeros
  assert.equal(encodeRle(new Uint8Array(0), 0, 0).counts, "0");
  // a run of 100 000 needs 4 characters: 100000 = 0 + 21·32 + 1·32² + 3·32³, groups
  // 0, 21, 1, 3 + continuation bit 0x20 on all but the last: 'P', 'e', 'Q', '3'
  assert.equal(rleCountsToString([100000]), "PeQ3");
});

Deno.test("encodeRle() reads the mask row-major and the runs column-major", () => {
  const mask = new Uint8Array([
    1,
    1,
    0,
    0,
    0,
    0,
  ]);
  // column-major pixels: 1 0 | 1 0 | 0 0 -> runs [0, 1, 1, 1, 3]
  assert.deepEqual([...encodeCounts(mask, 2, 3)], [0, 1, 1, 1, 3]);
  // nonzero bytes other than 1 count as 1
  assert.deepEqual(encodeRle(new Uint8Array([7, 255, 0, 0, 0, 0]), 2, 3), encodeRle(mask, 2, 3));
});

Deno.test("decodeRle() inverts encodeRle() on every fixture mask", () => {
  for (const c of cases.encode) {
    const mask = maskOf(c);
    assert.deepEqual(decodeRle(encodeRle(mask, c.height, c.width)), mask, c.name);
    assert.deepEqual(decodeRle(rle(c.height, c.width, c.counts)), mask, c.name);
  }
});

Deno.test("decodeRle() inverts encodeRle() on random masks", () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 200; i++) {
    const h = 1 + Math.floor(random() * 30);
    const w = 1 + Math.floor(random() * 30);
    const density = random();
    const mask = Uint8Array.from({ length: h * w }, () => (random() < density ? 1 : 0));
    const encoded = encodeRle(mask, h, w);
    assert.deepEqual(decodeRle(encoded), mask);
    const runs = parseRle("test", "rle", encoded);
    assert.deepEqual(decodeCounts(runs), mask);
    assert.deepEqual(decodeRle({ size: [h, w], counts: [...runs.counts] }), mask);
  }
});

Deno.test("rleCountsFromString() inverts rleCountsToString(), large and negative deltas included", () => {
  // the largest run there is, then deltas of both signs and several characters
  assert.deepEqual([...rleCountsFromString(rleCountsToString([0, 2 ** 32 - 1]), 1, 2 ** 32 - 1)], [
    0,
    2 ** 32 - 1,
  ]);
  const runs = [5, 1, 9, 30, 2, 70000, 1, 3, 1 << 29, 0, 1];
  const sum = runs.reduce((a, b) => a + b, 0);
  assert.deepEqual([...rleCountsFromString(rleCountsToString(runs), 1, sum)], runs);
});

Deno.test("rleArea() and rleToBbox() agree with pycocotools' area and toBbox", () => {
  for (const c of cases.encode) {
    const r = rle(c.height, c.width, c.counts);
    assert.equal(rleArea(r), c.area, c.name);
    assert.deepEqual(rleToBbox(r), c.bbox, c.name);
  }
});

Deno.test("rleToBbox() keeps pycocotools' quirks on zero-length runs", () => {
  for (const c of cases.zeroRuns) {
    assert.equal(compressRle(c.rle).counts, c.counts);
    assert.equal(rleArea(c.rle), c.area);
    assert.deepEqual(rleToBbox(c.rle), c.bbox, JSON.stringify(c.rle));
  }
  // a run of ones that crosses a column boundary spans the full height
  assert.deepEqual(rleToBbox({ size: [3, 4], counts: [2, 2, 8] }), [0, 0, 2, 3]);
});

Deno.test("rleMerge() gives pycocotools' merge for unions and intersections", () => {
  for (const c of cases.merge) {
    const rles = c.rles.map((s) => rle(c.height, c.width, s));
    assert.deepEqual(rleMerge(rles, c.intersect), rle(c.height, c.width, c.counts));
  }
  assert.deepEqual(rleMerge([]), { size: [0, 0], counts: "" });
});

Deno.test("rleIou() gives pycocotools' mask IoU, crowd rule included", () => {
  for (const c of cases.iou) {
    const dt = c.dt.map((s) => rle(c.height, c.width, s));
    const gt = c.gt.map((s) => rle(c.height, c.width, s));
    const out = rleIou(dt, gt, c.iscrowd);
    assert.deepEqual([...out], c.iou);
  }
});

Deno.test("bboxIou() gives pycocotools' box IoU, crowd rule included", () => {
  for (const c of cases.boxIou) {
    const out = bboxIou(c.dt.flat(), c.gt.flat(), c.iscrowd);
    assert.deepEqual([...out], c.iou);
  }
  // a crowd box counts intersection over the detection's area
  assert.deepEqual([...bboxIou([0, 0, 10, 10], [5, 0, 10, 10], [true])], [0.5]);
});

Deno.test("decodeRle() throws on counts strings that do not decode", () => {
  // a character outside 48..111
  assert.throws(
    () => decodeRle(rle(4, 5, "d~")),
    (e) =>
      e instanceof RangeError &&
      /decodeRle\(\): rle\.counts: expected ASCII characters 48\.\.111/.test(e.message),
  );
  assert.throws(() => decodeRle(rle(4, 5, "d 0")), RangeError);
  // a value cut short (continuation bit on the last character)
  assert.throws(() => decodeRle(rle(4, 5, "0d")), /ends inside run 1/);
  // runs summing to less or more than height × width
  assert.throws(
    () => decodeRle(rle(4, 5, "c0")),
    /expected runs summing to height × width = 4 × 5 = 20, found 19/,
  );
  assert.throws(() => decodeRle(rle(4, 4, "d0")), /overflowing it/);
  // a delta that makes a run negative: [5, 3, 2, 3 - 5]
  assert.throws(
    () => decodeRle(rle(1, 100, "532K")),
    /expected run lengths in \[0, 4294967295\], found -2/,
  );
  // more than 7 characters for one value
  assert.throws(() => decodeRle(rle(1, 100, "oooooooo0")), /at most 7 characters per run/);
  assert.throws(() => rleCountsFromString("0d0", 4, 4), /rleCountsFromString\(\): counts: /);
});

Deno.test("decodeRle() throws on malformed RLE objects, naming the argument", () => {
  assert.throws(() => decodeRle(null as unknown as Rle), TypeError);
  assert.throws(
    () => decodeRle({ size: [4], counts: "d0" } as unknown as Rle),
    /rle\.size: expected \[height, width\]/,
  );
  assert.throws(
    () => decodeRle({ size: [4, -5], counts: "d0" } as unknown as Rle),
    /rle\.size\[1\]: expected an integer >= 0/,
  );
  assert.throws(() => decodeRle({ size: [4, 5], counts: 20 } as unknown as Rle), TypeError);
  assert.throws(
    () => decodeRle({ size: [4, 5], counts: [0, 19.5, 0.5] }),
    /rle\.counts\[1\]: expected a run length/,
  );
  assert.throws(() => decodeRle({ size: [4, 5], counts: [0, 19] }), /found 19/);
});

Deno.test("encodeRle() throws on a mask of the wrong kind or size", () => {
  assert.throws(() => encodeRle([0, 1] as unknown as Uint8Array, 1, 2), TypeError);
  assert.throws(
    () => encodeRle(new Uint8Array(5), 2, 3),
    /encodeRle\(\): mask: expected a Uint8Array of height × width = 6 bytes/,
  );
  assert.throws(() => encodeRle(new Uint8Array(6), 2.5, 3), RangeError);
});

Deno.test("rleIou() and rleMerge() throw on masks of different sizes", () => {
  const a = rle(4, 5, "d0");
  const b = rle(5, 4, "d0");
  assert.throws(
    () => rleIou([a], [b], [0]),
    /rleIou\(\): groundTruth\[0\]\.size: expected \[4, 5\]/,
  );
  assert.throws(() => rleMerge([a, b]), /rleMerge\(\): rles\[1\]\.size: expected \[4, 5\]/);
  assert.throws(() => rleIou([a], [a], [0, 1]), /isCrowd: expected an array of 1 crowd flags/);
  assert.throws(
    () => bboxIou([0, 0, 1], [0, 0, 1, 1], [0]),
    /bboxIou\(\): detections: .* not a multiple of 4/,
  );
  assert.deepEqual([...rleIou([], [a], [0])], []);
});
