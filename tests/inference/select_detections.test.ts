import assert from "node:assert/strict";
import {
  NMS_KINDS,
  type NmsKind,
  selectDetections,
  type Selection,
  type SelectOptions,
} from "../../src/inference/select_detections.ts";
import { batchedNms } from "../../src/geometry/nms.ts";
import { softNms } from "../../src/geometry/soft_nms.ts";
import { matrixNmsBoxes } from "../../src/geometry/matrix_nms_boxes.ts";
import { random } from "../_helpers/random.ts";

interface Candidates {
  boxes: Float32Array;
  scores: Float32Array;
  labels: Int32Array;
}

/**
 * Random candidates in clusters (so that many overlap), coordinates on a 1/4 grid so
 * that shifting them by whole class offsets stays exact in float32.
 */
function randomCandidates(
  rand: () => number,
  n: number,
  classes: number,
  origin = 0,
): Candidates {
  const boxes = new Float32Array(4 * n), scores = new Float32Array(n);
  const labels = new Int32Array(n);
  const q = (v: number) => Math.round(v * 4) / 4;
  for (let i = 0; i < n; i++) {
    const cx = origin + 20 + 60 * Math.floor(rand() * 3) + 8 * rand();
    const cy = origin + 20 + 60 * Math.floor(rand() * 2) + 8 * rand();
    const w = 10 + 20 * rand(), h = 10 + 20 * rand();
    boxes.set([q(cx - w / 2), q(cy - h / 2), q(cx + w / 2), q(cy + h / 2)], 4 * i);
    scores[i] = 0.05 + 0.95 * rand();
    labels[i] = Math.floor(rand() * classes);
  }
  return { boxes, scores, labels };
}

/** The candidates of one class: their indices and arrays. */
function ofClass(c: Candidates, label: number): { index: number[] } & Candidates {
  const index: number[] = [];
  for (let i = 0; i < c.labels.length; i++) if (c.labels[i] === label) index.push(i);
  const boxes = new Float32Array(4 * index.length);
  index.forEach((i, r) => boxes.set(c.boxes.subarray(4 * i, 4 * i + 4), 4 * r));
  return {
    index,
    boxes,
    scores: Float32Array.from(index, (i) => c.scores[i]),
    labels: new Int32Array(index.length).fill(label),
  };
}

/** Per-candidate (possibly decayed) scores of running `kind` on each class on its own. */
function perClassScores(c: Candidates, kind: NmsKind, options: SelectOptions): Map<number, number> {
  const out = new Map<number, number>();
  for (const label of new Set(c.labels)) {
    const sub = ofClass(c, label);
    if (kind === "matrix") {
      const decayed = matrixNmsBoxes(sub.boxes, sub.labels, sub.scores, {
        sigma: options.sigma ?? 2,
      });
      sub.index.forEach((i, r) => out.set(i, decayed[r]));
    } else {
      const result = softNms(sub.boxes, sub.scores, {
        method: kind === "soft-linear" ? "linear" : "gaussian",
        iouThreshold: options.iouThreshold ?? 0.5,
        sigma: options.sigma ?? 0.5,
        minScore: options.scoreThreshold,
      });
      result.keep.forEach((k, r) => out.set(sub.index[k], result.scores[r]));
    }
  }
  return out;
}

/** Threshold, order by decreasing score (ties by index), top-k. */
function thresholdTopK(scores: Map<number, number>, options: SelectOptions): Selection {
  const kept = [...scores].filter(([, s]) => s >= options.scoreThreshold)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, options.maxDetections);
  return {
    index: Int32Array.from(kept, ([i]) => i),
    scores: Float32Array.from(kept, ([, s]) => s),
  };
}

function assertDecreasing(selection: Selection, what: string) {
  for (let r = 1; r < selection.scores.length; r++) {
    assert.ok(selection.scores[r - 1] >= selection.scores[r], `${what}: not decreasing at ${r}`);
  }
}

Deno.test("NMS_KINDS lists every kind once and cannot be changed", () => {
  assert.deepEqual([...NMS_KINDS], ["hard", "soft-linear", "soft-gaussian", "matrix", "none"]);
  assert.ok(Object.isFrozen(NMS_KINDS));
});

Deno.test("selectDetections() with hard NMS keeps batchedNms()'s indices, then thresholds and takes the top k", () => {
  const rand = random(31);
  for (let t = 0; t < 40; t++) {
    const c = randomCandidates(rand, 5 + Math.floor(rand() * 60), 1 + Math.floor(rand() * 4));
    const iouThreshold = [0.3, 0.5, 0.7][t % 3];
    const options = { nms: "hard" as const, iouThreshold, scoreThreshold: 0.3, maxDetections: 7 };
    const kept = batchedNms(c.boxes, c.scores, c.labels, iouThreshold);
    const expected = [...kept].filter((i) => c.scores[i] >= 0.3).slice(0, 7);
    const got = selectDetections(c.boxes, c.scores, c.labels, options);
    assert.deepEqual([...got.index], expected, `case ${t}`);
    assert.deepEqual([...got.scores], expected.map((i) => c.scores[i]), `case ${t}`);
    assertDecreasing(got, `case ${t}`);
  }
});

Deno.test("selectDetections() soft and matrix kinds equal running each class on its own", () => {
  const rand = random(32);
  for (const kind of ["soft-linear", "soft-gaussian", "matrix"] as const) {
    for (let t = 0; t < 30; t++) {
      // Some cases sit around the origin or entirely left of and above it.
      const origin = [0, -60, -250][t % 3];
      const c = randomCandidates(
        rand,
        5 + Math.floor(rand() * 50),
        1 + Math.floor(rand() * 4),
        origin,
      );
      const options: SelectOptions = {
        nms: kind,
        iouThreshold: 0.3,
        scoreThreshold: 0.1,
        maxDetections: 1000,
      };
      const got = selectDetections(c.boxes, c.scores, c.labels, options);
      const expected = thresholdTopK(perClassScores(c, kind, options), options);
      assert.deepEqual(got, expected, `${kind}, case ${t}`);
      assertDecreasing(got, `${kind}, case ${t}`);
    }
  }
});

Deno.test("selectDetections() never lets boxes of different classes suppress or decay each other", () => {
  // The same boxes twice, once per class, plus boxes around the origin (negative
  // coordinates) where shifting classes by the largest coordinate is not enough.
  const boxes = new Float32Array([
    0,
    0,
    10,
    10, //
    0,
    0,
    10,
    10,
    1,
    0,
    11,
    10,
    1,
    0,
    11,
    10,
    -10,
    -10,
    0,
    0,
    -10,
    -10,
    0,
    0,
    -9,
    -10,
    1,
    0,
  ]);
  const scores = new Float32Array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]);
  const labels = new Int32Array([1, 2, 3, 4, 5, 6, 7]);
  for (const nms of NMS_KINDS) {
    const got = selectDetections(boxes, scores, labels, {
      nms,
      scoreThreshold: 0,
      maxDetections: 100,
    });
    assert.deepEqual([...got.index], [0, 1, 2, 3, 4, 5, 6], nms);
    assert.deepEqual(got.scores, scores, nms);
  }
});

Deno.test("selectDetections() soft kinds decay an overlapping box of the same class instead of removing it", () => {
  const boxes = new Float32Array([0, 0, 10, 10, 1, 0, 11, 10, 50, 50, 60, 60]);
  const scores = new Float32Array([0.9, 0.8, 0.7]);
  const labels = new Int32Array([1, 1, 1]);
  const iou = 90 / 110;
  const base = { scoreThreshold: 0.01, maxDetections: 10 };
  const hard = selectDetections(boxes, scores, labels, { nms: "hard", ...base });
  assert.deepEqual([...hard.index], [0, 2]);
  const linear = selectDetections(boxes, scores, labels, { nms: "soft-linear", ...base });
  assert.deepEqual([...linear.index], [0, 2, 1]);
  assert.ok(Math.abs(linear.scores[2] - 0.8 * (1 - iou)) < 1e-6);
  const gaussian = selectDetections(boxes, scores, labels, { nms: "soft-gaussian", ...base });
  assert.deepEqual([...gaussian.index], [0, 2, 1]);
  assert.ok(Math.abs(gaussian.scores[2] - 0.8 * Math.exp(-iou * iou / 0.5)) < 1e-6);
  const sigma1 = selectDetections(boxes, scores, labels, {
    nms: "soft-gaussian",
    sigma: 1,
    ...base,
  });
  assert.ok(Math.abs(sigma1.scores[2] - 0.8 * Math.exp(-iou * iou)) < 1e-6);
  const matrix = selectDetections(boxes, scores, labels, { nms: "matrix", ...base });
  assert.deepEqual([...matrix.index], [0, 2, 1]);
  assert.ok(Math.abs(matrix.scores[2] - 0.8 * Math.exp(-2 * iou * iou)) < 1e-6);
  for (const s of [linear, gaussian, matrix]) {
    assert.equal(s.scores[0], Math.fround(0.9));
    assert.ok(s.scores.some((v) => v === Math.fround(0.7)));
  }
});

Deno.test("selectDetections() applies the score threshold after NMS, so decayed scores can fall below it", () => {
  const boxes = new Float32Array([0, 0, 10, 10, 1, 0, 11, 10, 50, 50, 60, 60]);
  const scores = new Float32Array([0.9, 0.8, 0.3]);
  const labels = new Int32Array([0, 0, 0]);
  for (const nms of ["soft-linear", "soft-gaussian", "matrix"] as const) {
    const got = selectDetections(boxes, scores, labels, {
      nms,
      scoreThreshold: 0.3,
      maxDetections: 10,
    });
    // The decayed second box (≤ 0.8 × 0.27) is below 0.3; the third keeps 0.3 exactly.
    assert.deepEqual([...got.index], [0, 2], nms);
  }
  const hard = selectDetections(boxes, scores, labels, {
    nms: "hard",
    scoreThreshold: 0.85,
    maxDetections: 10,
  });
  assert.deepEqual([...hard.index], [0]);
});

Deno.test("selectDetections() keeps at most maxDetections, the highest scores, in decreasing order", () => {
  const rand = random(33);
  const c = randomCandidates(rand, 80, 3);
  for (const nms of NMS_KINDS) {
    const all = selectDetections(c.boxes, c.scores, c.labels, {
      nms,
      scoreThreshold: 0.2,
      maxDetections: 1000,
    });
    assertDecreasing(all, nms);
    assert.ok(all.scores.every((s) => s >= 0.2), nms);
    for (const k of [0, 1, 5]) {
      const top = selectDetections(c.boxes, c.scores, c.labels, {
        nms,
        scoreThreshold: 0.2,
        maxDetections: k,
      });
      assert.deepEqual(top.index, all.index.slice(0, k), `${nms} top ${k}`);
      assert.deepEqual(top.scores, all.scores.slice(0, k), `${nms} top ${k}`);
    }
  }
});

Deno.test("selectDetections() with none only orders, thresholds and takes the top k", () => {
  const boxes = new Float32Array(4 * 5).fill(0).map((_, i) => (i % 4 < 2 ? 0 : 10));
  const scores = new Float32Array([0.5, 0.9, 0.1, 0.5, 0.7]);
  const labels = new Int32Array(5);
  const got = selectDetections(boxes, scores, labels, {
    nms: "none",
    scoreThreshold: 0.2,
    maxDetections: 3,
  });
  assert.deepEqual([...got.index], [1, 4, 0]);
  assert.deepEqual([...got.scores], [0.9, 0.7, 0.5].map(Math.fround));
  const all = selectDetections(boxes, scores, labels, {
    nms: "none",
    scoreThreshold: 0,
    maxDetections: 10,
  });
  assert.deepEqual([...all.index], [1, 4, 0, 3, 2]);
});

Deno.test("selectDetections() of no candidates is empty for every kind", () => {
  for (const nms of NMS_KINDS) {
    const got = selectDetections(new Float32Array(0), new Float32Array(0), new Int32Array(0), {
      nms,
      scoreThreshold: 0.1,
      maxDetections: 10,
    });
    assert.equal(got.index.length, 0, nms);
    assert.equal(got.scores.length, 0, nms);
  }
});

Deno.test("selectDetections() throws a RangeError for an unknown kind or a bad top k", () => {
  const boxes = new Float32Array([0, 0, 1, 1]), scores = new Float32Array([1]);
  const labels = new Int32Array(1);
  assert.throws(
    () =>
      selectDetections(boxes, scores, labels, {
        nms: "soft" as NmsKind,
        scoreThreshold: 0,
        maxDetections: 1,
      }),
    (error: unknown) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, /options\.nms/);
      return true;
    },
  );
  assert.throws(
    () =>
      selectDetections(boxes, scores, labels, {
        nms: "hard",
        scoreThreshold: 0,
        maxDetections: -1,
      }),
    RangeError,
  );
});

Deno.test("selectDetections() rejects labels whose length differs from the number of boxes, for every kind", () => {
  const boxes = new Float32Array([0, 0, 10, 10, 1, 0, 11, 10]);
  const scores = new Float32Array([0.9, 0.8]);
  for (const nms of NMS_KINDS) {
    assert.throws(
      () =>
        selectDetections(boxes, scores, new Int32Array(1), {
          nms,
          scoreThreshold: 0,
          maxDetections: 10,
        }),
      /selectDetections\(\): labels/,
      nms,
    );
  }
});

Deno.test("selectDetections() accepts a negative score threshold for every kind, keeping everything", () => {
  const boxes = new Float32Array([0, 0, 10, 10, 1, 0, 11, 10]);
  const scores = new Float32Array([0.9, 0.8]);
  const labels = new Int32Array([0, 1]);
  for (const nms of NMS_KINDS) {
    const got = selectDetections(boxes, scores, labels, {
      nms,
      scoreThreshold: -1,
      maxDetections: 10,
    });
    assert.deepEqual([...got.index], [0, 1], nms);
  }
});
