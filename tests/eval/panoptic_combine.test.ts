import assert from "node:assert/strict";
import { combinePanoptic } from "../../src/eval/panoptic_combine.ts";
import { panopticQuality } from "../../src/eval/panoptic_quality.ts";
import type {
  PanopticCategory,
  PanopticGroundTruth,
  PanopticPrediction,
} from "../../src/eval/panoptic_types.ts";

const PERSON = 1, CAR = 2, ROAD = 10, SKY = 11;
const CATEGORIES: PanopticCategory[] = [
  { id: PERSON, isThing: true, name: "person" },
  { id: CAR, isThing: true, name: "car" },
  { id: ROAD, isThing: false, name: "road" },
  { id: SKY, isThing: false, name: "sky" },
];
/** The category of each segment id, in ground truth and predictions alike. */
const CATEGORY_OF: Record<number, number> = { 1: PERSON, 2: CAR, 3: CAR, 4: ROAD, 5: SKY };

/** An id map from rows of digits ("." is 0, void) and the segment table of its ids. */
function image(imageId: number, rows: string[]) {
  const height = rows.length, width = rows[0].length;
  const segmentIds = new Int32Array(height * width);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) segmentIds[y * width + x] = row[x] === "." ? 0 : +row[x];
  });
  const ids = [...new Set(segmentIds)].filter((id) => id !== 0).sort((a, b) => a - b);
  return { imageId, height, width, segmentIds, ids };
}

function truth(imageId: number, rows: string[]): PanopticGroundTruth {
  const { ids, ...map } = image(imageId, rows);
  return { ...map, segments: ids.map((id) => ({ id, categoryId: CATEGORY_OF[id] })) };
}

function prediction(imageId: number, rows: string[]): PanopticPrediction {
  const { ids, ...map } = image(imageId, rows);
  return {
    ...map,
    segments: ids.map((id) => ({
      id,
      categoryId: CATEGORY_OF[id],
      isThing: CATEGORY_OF[id] < ROAD,
      score: 1,
    })),
  };
}

// Three images: a good match, a shifted car and a missed person, a false car on the road.
const TRUTHS = [
  truth(1, ["5555", "5115", "4444"]),
  truth(2, ["5522", "1122", "4444"]),
  truth(3, ["5555", "5555", "4444"]),
];
const PREDICTIONS = [
  prediction(1, ["5555", "5115", "4444"]),
  prediction(2, ["5552", "5522", "4444"]),
  prediction(3, ["5555", "5555", "3344"]),
];

Deno.test("combinePanoptic() of per-image reports gives the counts and scores of panopticQuality() on all the images", () => {
  const whole = panopticQuality(TRUTHS, PREDICTIONS, CATEGORIES);
  const parts = TRUTHS.map((t, i) => panopticQuality([t], [PREDICTIONS[i]], CATEGORIES));
  const combined = combinePanoptic(parts);
  assert.deepEqual(
    combined.perClass.map((c) => [c.categoryId, c.tp, c.fp, c.fn]),
    whole.perClass.map((c) => [c.categoryId, c.tp, c.fp, c.fn]),
  );
  assert.ok(whole.perClass.some((c) => c.fp > 0) && whole.perClass.some((c) => c.fn > 0));
  for (const [i, c] of combined.perClass.entries()) {
    for (const key of ["pq", "sq", "rq", "iou"] as const) {
      assert.ok(Math.abs(c[key] - whole.perClass[i][key]) < 1e-12, `${c.name} ${key}`);
    }
  }
  for (const group of ["all", "things", "stuff"] as const) {
    assert.equal(combined[group].n, whole[group].n, group);
    for (const key of ["pq", "sq", "rq"] as const) {
      assert.ok(Math.abs(combined[group][key] - whole[group][key]) < 1e-12, `${group} ${key}`);
    }
  }
});

Deno.test("combinePanoptic() returns a single report as it is, and no classes for no report", () => {
  const one = panopticQuality(TRUTHS, PREDICTIONS, CATEGORIES);
  assert.equal(combinePanoptic([one]), one);
  const none = combinePanoptic([]);
  assert.deepEqual(none.perClass, []);
  assert.equal(none.all.n, 0);
  assert.ok(Number.isNaN(none.all.pq));
});

Deno.test("combinePanoptic() leaves a class without TP, FP or FN out of the means, as pq_average", () => {
  // Image 3 alone has no person and no car: they are listed with zeros, not averaged.
  const alone = panopticQuality([TRUTHS[2]], [PREDICTIONS[2]], CATEGORIES);
  const twice = combinePanoptic([alone, alone]);
  const person = twice.perClass.find((c) => c.categoryId === PERSON)!;
  assert.deepEqual([person.tp, person.fp, person.fn, person.pq], [0, 0, 0, 0]);
  assert.equal(twice.things.n, alone.things.n);
  assert.equal(twice.all.pq, alone.all.pq);
});
