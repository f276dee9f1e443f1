import assert from "node:assert/strict";
import {
  associationCost,
  fuseScore,
  inclusiveIou,
  iouDistance,
} from "../../src/tracking/track_iou.ts";
import { loadFixture } from "../_helpers/fixtures.ts";
import { random } from "../_helpers/random.ts";

const { iou } = await loadFixture<{ iou: { a: number[]; b: number[]; iou: number[] } }>(
  "tracking/lapjv.json",
);

Deno.test("inclusiveIou() equals cython_bbox's bbox_overlaps bit for bit", () => {
  const out = inclusiveIou(iou.a, iou.b);
  assert.equal(out.length, iou.iou.length);
  assert.deepEqual([...out], iou.iou);
  assert.ok(iou.iou.some((v) => v > 0) && iou.iou.some((v) => v === 0));
});

Deno.test("boxes that touch overlap by one pixel, as inclusive coordinates say", () => {
  const [touching] = inclusiveIou([0, 0, 10, 10], [10, 0, 20, 10]);
  assert.equal(touching, 11 / (121 + 121 - 11));
  const [apart] = inclusiveIou([0, 0, 10, 10], [11, 0, 20, 10]);
  assert.equal(apart, 0);
});

/** n random boxes: mostly small, some huge, some far off the frame. */
function boxes(rand: () => number, n: number): Float64Array {
  const out = new Float64Array(n * 4);
  for (let i = 0; i < n; i++) {
    const big = rand() < 0.05;
    const w = big ? 800 * rand() : 5 + 60 * rand(), h = big ? 600 * rand() : 5 + 80 * rand();
    const x = -100 + 1500 * rand(), y = -100 + 900 * rand();
    out.set([x, y, x + w, y + h], i * 4);
  }
  return out;
}

Deno.test("associationCost() equals iou_distance and fuse_score on small and large sets", () => {
  const rand = random(5);
  for (const [n, k] of [[0, 5], [3, 0], [7, 9], [60, 70], [300, 250]]) {
    const a = boxes(rand, n), b = boxes(rand, k);
    const scores = Float64Array.from({ length: k }, () => rand());
    assert.deepEqual(associationCost(a, b), iouDistance(a, b), `${n}×${k}`);
    assert.deepEqual(
      associationCost(a, b, scores),
      fuseScore(iouDistance(a, b), scores),
      `${n}×${k} fused`,
    );
  }
});

Deno.test("associationCost() keeps pairs that only touch, at any offset", () => {
  const a = new Float64Array(100 * 4), b = new Float64Array(100 * 4);
  for (let i = 0; i < 100; i++) {
    a.set([i * 30, 0, i * 30 + 10, 10], i * 4);
    b.set([i * 30 + 10, 10, i * 30 + 20, 20], i * 4);
  }
  const cost = associationCost(a, b);
  assert.deepEqual(cost, iouDistance(a, b));
  for (let i = 0; i < 100; i++) assert.ok(cost[i * 100 + i] < 1);
});
