import assert from "node:assert/strict";
import { panopticFusion } from "../../src/geometry/panoptic_fusion.ts";
import type { PastedMask } from "../../src/types.ts";
import { bytesFromBase64, int32FromBase64, loadFixture } from "../_helpers/fixtures.ts";

interface FusionCase {
  height: number;
  width: number;
  masks: { x: number; y: number; width: number; height: number; data: string }[];
  scores: number[];
  classIds: number[];
  labels: string;
  overlapThreshold: number;
  stuffAreaThreshold: number;
  instanceScoreThreshold: number;
  segmentIds: string;
  segments: { id: number; categoryId: number; isThing: boolean; instanceIndex?: number }[];
}

const { cases } = await loadFixture<{ cases: FusionCase[] }>("geometry/panoptic_fusion.json");

Deno.test("panopticFusion() gives the segment map and table of detectron2's combine function", () => {
  for (const [k, c] of cases.entries()) {
    const masks: PastedMask[] = c.masks.map((m) => ({ ...m, data: bytesFromBase64(m.data) }));
    const result = panopticFusion(
      { masks, scores: new Float32Array(c.scores), classIds: new Int32Array(c.classIds) },
      { height: c.height, width: c.width, labels: int32FromBase64(c.labels) },
      c,
    );
    const expected = int32FromBase64(c.segmentIds);
    assert.deepEqual(result.segmentIds, expected, `case ${k}`);
    assert.deepEqual(
      result.segments.map(({ id, categoryId, isThing, instanceIndex }) => ({
        id,
        categoryId,
        isThing,
        ...(isThing ? { instanceIndex } : {}),
      })),
      c.segments,
      `case ${k}`,
    );
    for (const s of result.segments) {
      assert.equal(
        s.area,
        expected.filter((id) => id === s.id).length,
        `case ${k} area of ${s.id}`,
      );
    }
  }
});

const road = (h: number, w: number) => ({
  height: h,
  width: w,
  labels: new Uint8Array(h * w).fill(3),
});
const square = (x: number, y: number, size: number): PastedMask => ({
  x,
  y,
  width: size,
  height: size,
  data: new Uint8Array(size * size).fill(1),
});

Deno.test("panopticFusion() skips an instance mostly covered by a higher-scoring one", () => {
  const masks = [square(0, 0, 4), square(1, 1, 4), square(0, 0, 2)];
  const result = panopticFusion(
    { masks, scores: new Float32Array([0.9, 0.8, 0.7]), classIds: new Int32Array([1, 2, 3]) },
    road(8, 8),
    { stuffAreaThreshold: 0 },
  );
  // Instance 1 overlaps 9 of its 16 pixels (> 0.5): skipped. Instance 2 lies inside 0.
  assert.deepEqual(result.segments.map((s) => [s.categoryId, s.area]), [[1, 16], [3, 48]]);
});

Deno.test("panopticFusion() lets a half-covered instance take only its free pixels", () => {
  const result = panopticFusion(
    {
      masks: [square(0, 0, 4), square(2, 0, 4)],
      scores: new Float32Array([0.9, 0.8]),
      classIds: new Int32Array([1, 1]),
    },
    road(4, 8),
    { stuffAreaThreshold: 0 },
  );
  assert.deepEqual(result.segments.map((s) => [s.id, s.area]), [[1, 16], [2, 8], [3, 8]]);
  assert.equal(result.segmentIds[3], 1);
  assert.equal(result.segmentIds[4], 2);
});

Deno.test("panopticFusion() stops at the first instance below the score threshold", () => {
  const result = panopticFusion(
    {
      masks: [square(0, 0, 2), square(4, 4, 2)],
      scores: new Float32Array([0.4, 0.6]),
      classIds: new Int32Array([1, 2]),
    },
    road(8, 8),
  );
  assert.deepEqual(result.segments.map((s) => s.categoryId), [2]);
});

Deno.test("panopticFusion() drops stuff regions smaller than the area threshold and skips label 0", () => {
  const labels = new Uint8Array(64).fill(5);
  labels.fill(0, 0, 8); // "things" row
  labels.fill(4, 8, 12); // small region of label 4
  const result = panopticFusion(
    { masks: [], scores: new Float32Array(0), classIds: new Int32Array(0) },
    { height: 8, width: 8, labels },
    { stuffAreaThreshold: 10 },
  );
  assert.deepEqual(result.segments, [{ id: 1, categoryId: 5, isThing: false, area: 52 }]);
  assert.equal(result.segmentIds[0], 0);
});

Deno.test("panopticFusion() rejects a semantic map of the wrong size", () => {
  assert.throws(
    () =>
      panopticFusion(
        { masks: [], scores: new Float32Array(0), classIds: new Int32Array(0) },
        { height: 4, width: 4, labels: new Uint8Array(15) },
      ),
    new RangeError(
      "panopticFusion(): semantic.labels: expected a Uint8Array, Uint16Array or Int32Array of height×width = 4×4, found length 15",
    ),
  );
});

Deno.test("panopticFusion() rejects a mask crop that leaves the frame or whose data does not fit", () => {
  const instances = (m: PastedMask) => ({
    masks: [m],
    scores: new Float32Array([0.9]),
    classIds: new Int32Array([1]),
  });
  assert.throws(
    () => panopticFusion(instances(square(3, 3, 2)), road(4, 4)),
    /instances\.masks\[0\]: expected a crop inside the 4×4 frame with width×height bytes of data, found x=3, y=3, width=2, height=2/,
  );
  assert.throws(
    () => panopticFusion(instances({ ...square(0, 0, 2), data: new Uint8Array(3) }), road(4, 4)),
    RangeError,
  );
});

Deno.test("panopticFusion() rejects scores and class ids that do not match the masks", () => {
  assert.throws(
    () =>
      panopticFusion({
        masks: [square(0, 0, 1)],
        scores: new Float32Array(2),
        classIds: new Int32Array(1),
      }, road(4, 4)),
    /instances\.scores: expected a Float32Array of 1 scores/,
  );
  assert.throws(
    () =>
      panopticFusion(
        { masks: [], scores: new Float32Array(0), classIds: new Int32Array(0) },
        { height: 1, width: 2, labels: new Int32Array([1, -2]) },
      ),
    /semantic\.labels\[1\]: expected a label in \[0, 1048576\), found -2/,
  );
});
