import assert from "node:assert/strict";
import { bboxToCounts, polygonsToRle, polygonToCounts } from "../../src/geometry/polygon_rle.ts";
import { decodeRle } from "../../src/geometry/rle.ts";
import { rleCountsFromString } from "../../src/geometry/rle_string.ts";

interface PolygonCases {
  polygons: { name: string; height: number; width: number; polygons: number[][]; counts: string }[];
  boxes: { height: number; width: number; bbox: number[]; counts: string }[];
}

const cases: PolygonCases = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/coco/rle_cases.json", import.meta.url)),
);

Deno.test("polygonsToRle() rasterises polygons as pycocotools' frPyObjects + merge", () => {
  assert.ok(cases.polygons.length > 50);
  for (const c of cases.polygons) {
    const out = polygonsToRle(c.polygons, c.height, c.width);
    assert.deepEqual(out, { size: [c.height, c.width], counts: c.counts }, c.name);
  }
});

Deno.test("bboxToCounts() rasterises boxes as pycocotools' frBbox", () => {
  for (const c of cases.boxes) {
    const expected = rleCountsFromString(c.counts, c.height, c.width);
    assert.deepEqual(bboxToCounts(c.bbox, c.height, c.width), expected, JSON.stringify(c.bbox));
  }
});

Deno.test("polygonsToRle() sets the pixels whose centres lie inside the polygon", () => {
  // the square (1, 1)-(3, 3) covers the centres of pixels 1..2 in both directions
  const mask = decodeRle(polygonsToRle([[1, 1, 1, 3, 3, 3, 3, 1]], 4, 4));
  assert.deepEqual([...mask], [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
  // a triangle given clockwise or counter-clockwise gives the same mask
  const cw = polygonsToRle([[0, 0, 10, 0, 5, 8]], 10, 12);
  const ccw = polygonsToRle([[5, 8, 10, 0, 0, 0]], 10, 12);
  assert.deepEqual(cw, ccw);
  // two overlapping parts are merged (union), not XOR-ed
  const union = decodeRle(
    polygonsToRle([[0, 0, 4, 0, 4, 4, 0, 4], [2, 2, 6, 2, 6, 6, 2, 6]], 6, 6),
  );
  assert.equal(union.reduce((a, b) => a + b, 0), 16 + 16 - 4);
});

Deno.test("polygonToCounts() gives one run of zeros for an image without pixels", () => {
  assert.deepEqual([...polygonToCounts([0, 0, 3, 0, 3, 3], 3, 0, 5)], [0]);
  assert.deepEqual(polygonsToRle([[0, 0, 3, 0, 3, 3]], 5, 0), { size: [5, 0], counts: "0" });
});

Deno.test("polygonsToRle() throws on polygons pycocotools cannot read", () => {
  assert.throws(
    () => polygonsToRle([], 4, 4),
    /polygonsToRle\(\): polygons: expected at least one polygon/,
  );
  assert.throws(
    () => polygonsToRle([[0, 0, 3, 3]], 4, 4),
    /polygons\[0\]: expected an even number of coordinates, at least 6 for the first polygon \(pycocotools reads 4 as a box\), found 4/,
  );
  assert.throws(
    () => polygonsToRle([[0, 0, 3, 0, 3]], 4, 4),
    /polygons\[0\]: expected an even number/,
  );
  assert.throws(
    () => polygonsToRle([[0, 0, 3, 0, 3, 3], []], 4, 4),
    /polygons\[1\]: expected an even number of coordinates, at least 2/,
  );
  assert.throws(
    () => polygonsToRle([[0, 0, 3, NaN, 3, 3]], 4, 4),
    /polygons\[0\]\[3\]: expected a finite number, found the number NaN/,
  );
  assert.throws(
    () => polygonsToRle([[0, 0, 3, 0, 3, 1e10]], 4, 4),
    /polygons\[0\]\[5\]: expected a coordinate/,
  );
  assert.throws(() => polygonsToRle({} as unknown as number[][], 4, 4), TypeError);
  assert.throws(() => polygonsToRle([[0, 0, 3, 0, 3, 3]], -1, 4), /polygonsToRle\(\): height/);
});
