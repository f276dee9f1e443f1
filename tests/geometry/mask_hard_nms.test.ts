import assert from "node:assert/strict";
import { maskHardNms } from "../../src/geometry/mask_hard_nms.ts";
import { random } from "../_helpers/random.ts";

/** SOLO's `mask_nms` over all pixels, as written there (float32 IoU, union 0 suppresses). */
function bruteForce(
  masks: Uint8Array,
  height: number,
  width: number,
  labels: Int32Array,
  iouThreshold: number,
): number[] {
  const n = labels.length, plane = height * width, thr = Math.fround(iouThreshold);
  const areas = Array.from({ length: n }, (_, i) => {
    let a = 0;
    for (let p = 0; p < plane; p++) a += masks[i * plane + p] ? 1 : 0;
    return a;
  });
  const keep = new Array<number>(n).fill(1);
  for (let i = 0; i < n - 1; i++) {
    if (!keep[i]) continue;
    for (let j = i + 1; j < n; j++) {
      if (!keep[j] || labels[i] !== labels[j]) continue;
      let inter = 0;
      for (let p = 0; p < plane; p++) {
        inter += masks[i * plane + p] && masks[j * plane + p] ? 1 : 0;
      }
      const union = areas[i] + areas[j] - inter;
      if (union > 0 ? Math.fround(inter / union) > thr : true) keep[j] = 0;
    }
  }
  return keep;
}

/** N random masks: blobs (near-duplicates of a few centres), rectangles, noise, empties. */
function randomMasks(rand: () => number, n: number, height: number, width: number) {
  const plane = height * width;
  const masks = new Uint8Array(n * plane);
  const centres = Array.from({ length: 3 }, () => [rand() * height, rand() * width]);
  for (let i = 0; i < n; i++) {
    const kind = rand(), at = i * plane;
    if (kind < 0.55) {
      const [cy, cx] = centres[Math.floor(rand() * centres.length)];
      const y0 = cy + (rand() - 0.5) * 4, x0 = cx + (rand() - 0.5) * 4, r = 2 + rand() * 8;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (Math.hypot(y - y0, x - x0) < r) masks[at + y * width + x] = 1;
        }
      }
    } else if (kind < 0.8) {
      const y0 = Math.floor(rand() * height), x0 = Math.floor(rand() * width);
      const y1 = y0 + Math.floor(rand() * (height - y0)),
        x1 = x0 + Math.floor(rand() * (width - x0));
      for (let y = y0; y <= y1; y++) masks.fill(1, at + y * width + x0, at + y * width + x1 + 1);
    } else if (kind < 0.95) {
      for (let p = 0; p < plane; p++) masks[at + p] = rand() < 0.3 ? 1 : 0;
    } // else empty
  }
  return masks;
}

Deno.test("maskHardNms() keeps what SOLO's mask_nms keeps on seeded random masks", () => {
  let suppressed = 0, kept = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const rand = random(seed);
    const height = 5 + Math.floor(rand() * 30), width = 5 + Math.floor(rand() * 70);
    const n = Math.floor(rand() * 40);
    const masks = randomMasks(rand, n, height, width);
    const labels = Int32Array.from({ length: n }, () => Math.floor(rand() * 3) - 1);
    const scores = Float32Array.from({ length: n }, () => Math.round(rand() * 20) / 20)
      .sort().reverse(); // non-increasing, with ties
    for (const thr of [0, 0.3, 0.5, 0.7, 1]) {
      const ours = maskHardNms(masks, height, width, labels, scores, thr);
      const theirs = bruteForce(masks, height, width, labels, thr);
      assert.deepEqual([...ours], theirs, `seed ${seed}, threshold ${thr}`);
      ours.forEach((k) => k ? kept++ : suppressed++);
    }
  }
  assert.ok(suppressed > 500 && kept > 500, `${suppressed} suppressed, ${kept} kept`);
});

Deno.test("maskHardNms() suppresses only above the threshold: an IoU equal to it stays", () => {
  // 1×4 masks [1 1 0 0], [1 1 1 0], [0 1 1 0]: IoUs 2/3 (0, 1), 1/3 (0, 2), 2/3 (1, 2).
  const masks = new Uint8Array([1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0]);
  const labels = new Int32Array([0, 0, 0]), scores = new Float32Array([0.9, 0.8, 0.7]);
  assert.deepEqual([...maskHardNms(masks, 1, 4, labels, scores, 2 / 3)], [1, 1, 1]);
  // Mask 2 overlaps the suppressed mask 1 by 2/3, but a suppressed mask suppresses nothing.
  assert.deepEqual([...maskHardNms(masks, 1, 4, labels, scores, 0.5)], [1, 0, 1]);
  assert.deepEqual([...maskHardNms(masks, 1, 4, labels, scores, 1 / 3)], [1, 0, 1]);
  assert.deepEqual([...maskHardNms(masks, 1, 4, labels, scores, 0.33)], [1, 0, 0]);
  assert.deepEqual([...maskHardNms(masks, 1, 4, labels, scores, 0)], [1, 0, 0]);
});

Deno.test("maskHardNms() compares masks of one label only, and drops a second empty mask", () => {
  // 1×2 masks: full (label 1), full (label 2), right half (label 1, IoU 0.5 with the
  // first), then empty ones: two of label 1, two of label 2.
  const masks = new Uint8Array([1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const scores = new Float32Array([0.9, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4]);
  const labels = new Int32Array([1, 2, 1, 1, 1, 2, 2]);
  assert.deepEqual([...maskHardNms(masks, 1, 2, labels, scores, 0.5)], [1, 1, 1, 1, 0, 1, 0]);
  assert.deepEqual(
    maskHardNms(new Uint8Array(0), 4, 4, new Int32Array(0), new Float32Array(0), 0.5),
    new Uint8Array(0),
  );
});

Deno.test("maskHardNms() rejects unsorted scores and inputs that do not fit, with clear errors", () => {
  const masks = new Uint8Array(2 * 4);
  const labels = new Int32Array(2);
  assert.throws(
    () => maskHardNms(masks, 2, 2, labels, new Float32Array([0.5, 0.75]), 0.5),
    new RangeError(
      "maskHardNms(): scores: expected candidates by decreasing score (sort them first), found scores[1] = 0.75 > scores[0] = 0.5",
    ),
  );
  assert.throws(
    () => maskHardNms(new Uint8Array(7), 2, 2, labels, new Float32Array(2), 0.5),
    new RangeError(
      "maskHardNms(): masks: expected a Uint8Array of N×height×width = 2×2×2 = 8 bytes, found length 7",
    ),
  );
  assert.throws(
    () => maskHardNms(masks, 2, 2, new Int32Array(3), new Float32Array(2), 0.5),
    new RangeError(
      "maskHardNms(): labels: expected an Int32Array of 2 class ids (one per box), found length 3",
    ),
  );
  assert.throws(
    () => maskHardNms(masks, 2, 2, labels, new Float32Array(2), -0.1),
    new RangeError("maskHardNms(): iouThreshold: expected a finite number >= 0, found -0.1"),
  );
});

Deno.test("maskHardNms() skips pairs far apart without changing the result on large planes", () => {
  const rand = random(7), height = 120, width = 200, n = 300;
  const masks = randomMasks(rand, n, height, width);
  const labels = Int32Array.from({ length: n }, () => Math.floor(rand() * 2));
  const scores = Float32Array.from({ length: n }, (_, i) => 1 - i / n);
  const ours = maskHardNms(masks, height, width, labels, scores, 0.5);
  assert.deepEqual([...ours], bruteForce(masks, height, width, labels, 0.5));
});
