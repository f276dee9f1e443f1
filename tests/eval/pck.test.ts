import assert from "node:assert/strict";
import { pck } from "../../src/eval/pck.ts";

/** A person with 3 keypoints in a 100 × 100 box at (x, y): keypoints given as [x, y, v]. */
function person(
  id: number,
  x: number,
  y: number,
  kps: number[],
  extra: Record<string, unknown> = {},
) {
  const labelled = [kps[2], kps[5], kps[8]].filter((v) => v > 0).length;
  return {
    id,
    image_id: 1,
    category_id: 1,
    iscrowd: 0,
    area: 5000,
    bbox: [x, y, 100, 100],
    num_keypoints: labelled,
    keypoints: kps,
    ...extra,
  };
}

const dataset = (...annotations: ReturnType<typeof person>[]) => ({
  images: [{ id: 1 }, { id: 2 }],
  categories: [{ id: 1, name: "person", keypoints: ["a", "b", "c"] }],
  annotations,
});

const det = (kps: number[], score = 0.9, extra: Record<string, unknown> = {}) => ({
  image_id: 1,
  category_id: 1,
  score,
  keypoints: kps,
  ...extra,
});

const SIGMAS = [0.1, 0.1, 0.1];
const ALPHAS = [0.05, 0.1, 0.2];

Deno.test("a keypoint is correct within α × max(w, h) of its person's box, the bound included", () => {
  // box 100 × 100: bounds 5, 10, 20 px. Offsets: a 0 px, b 5 px (3-4-5), c 12 px.
  const gt = dataset(person(1, 0, 0, [10, 10, 2, 50, 50, 2, 80, 20, 2]));
  const out = pck(gt, [det([10, 10, 1, 53, 54, 1, 80, 32, 1])], {
    thresholds: ALPHAS,
    kptOksSigmas: SIGMAS,
  });
  assert.deepEqual(out.perKeypoint, [[1, 1, 0], [1, 1, 0], [1, 1, 1]]);
  assert.deepEqual(out.pck, [2 / 3, 2 / 3, 1]);
  assert.deepEqual(out.visible, [1, 1, 1]);
  assert.deepEqual(out.correct, [[1, 1, 0], [1, 1, 0], [1, 1, 1]]);
  assert.equal(out.people, 1);
  assert.equal(out.matchedPeople, 1);
});

Deno.test("only visible keypoints (v = 2) count; hidden (v = 1) and unlabelled (v = 0) do not", () => {
  const gt = dataset(person(1, 0, 0, [10, 10, 2, 50, 50, 1, 0, 0, 0]));
  // b and c are far off, but neither is counted
  const out = pck(gt, [det([10, 10, 1, 90, 90, 1, 99, 99, 1])], {
    thresholds: ALPHAS,
    kptOksSigmas: SIGMAS,
  });
  assert.deepEqual(out.visible, [1, 0, 0]);
  assert.deepEqual(out.pck, [1, 1, 1]);
  assert.deepEqual(out.perKeypoint[0], [1, -1, -1]); // -1: never visible
});

Deno.test("the keypoints of a person no detection matches count as wrong", () => {
  const gt = dataset(
    person(1, 0, 0, [10, 10, 2, 50, 50, 2, 80, 20, 2]),
    person(2, 300, 0, [310, 10, 2, 350, 50, 2, 380, 20, 1]),
  );
  const out = pck(gt, [det([10, 10, 1, 50, 50, 1, 80, 20, 1])], {
    thresholds: ALPHAS,
    kptOksSigmas: SIGMAS,
  });
  // 3 of 5 visible keypoints, at every α
  assert.deepEqual(out.pck, [3 / 5, 3 / 5, 3 / 5]);
  assert.deepEqual(out.perKeypoint[2], [1 / 2, 1 / 2, 1]);
  assert.equal(out.people, 2);
  assert.equal(out.matchedPeople, 1);
});

Deno.test("detections take people greedily by score: a better but later detection finds its person taken", () => {
  const gt = dataset(person(1, 0, 0, [10, 10, 2, 50, 50, 2, 80, 20, 2]));
  const worse = det([10, 10, 1, 50, 50, 1, 80, 28, 1], 0.9); // c 8 px off
  const better = det([10, 10, 1, 50, 50, 1, 80, 20, 1], 0.8);
  const out = pck(gt, [better, worse], { thresholds: ALPHAS, kptOksSigmas: SIGMAS });
  assert.deepEqual(out.pck, [2 / 3, 1, 1]);
  // the same detections, scores swapped
  const swapped = pck(gt, [{ ...better, score: 0.95 }, worse], {
    thresholds: ALPHAS,
    kptOksSigmas: SIGMAS,
  });
  assert.deepEqual(swapped.pck, [1, 1, 1]);
});

Deno.test("a detection takes the person it overlaps most, and none below matchThreshold", () => {
  const gt = dataset(
    person(1, 0, 0, [10, 10, 2, 50, 50, 2, 80, 20, 2]),
    person(2, 8, 0, [18, 10, 2, 58, 50, 2, 88, 20, 2]),
  );
  // on person 2 exactly: OKS 1 with it, exp(-64 / (2 · 5000 · 0.04)) = 0.85 with person 1,
  // which comes first; at α 0.05 (5 px) only person 2's keypoints are within reach
  const out = pck(gt, [det([18, 10, 1, 58, 50, 1, 88, 20, 1])], {
    thresholds: [0.05],
    kptOksSigmas: SIGMAS,
  });
  assert.deepEqual(out.perKeypoint, [[0.5, 0.5, 0.5]]);
  // 30 px right of person 2 on every keypoint: OKS exp(-900 / 400) = 0.105 < 0.5 with it
  // (0.027 with person 1): unmatched
  const shifted = [48, 10, 1, 88, 50, 1, 118, 20, 1];
  const far = pck(gt, [det(shifted)], { thresholds: [0.5], kptOksSigmas: SIGMAS });
  assert.equal(far.matchedPeople, 0);
  assert.deepEqual(far.pck, [0]);
  const loose = pck(gt, [det(shifted)], {
    thresholds: [0.5],
    kptOksSigmas: SIGMAS,
    matchThreshold: 0.1,
  });
  assert.equal(loose.matchedPeople, 1);
  assert.deepEqual(loose.pck, [3 / 6]); // person 2's keypoints, within 50 px
});

Deno.test("crowds and people without labelled keypoints are neither scored nor matched", () => {
  const gt = dataset(
    person(1, 0, 0, [10, 10, 2, 50, 50, 2, 80, 20, 2]),
    person(2, 0, 0, [10, 10, 2, 50, 50, 2, 80, 20, 2], { iscrowd: 1 }),
    person(3, 0, 0, [0, 0, 0, 0, 0, 0, 0, 0, 0]),
  );
  const out = pck(gt, [det([10, 10, 1, 50, 50, 1, 80, 20, 1])], {
    thresholds: ALPHAS,
    kptOksSigmas: SIGMAS,
  });
  assert.equal(out.people, 1);
  assert.deepEqual(out.visible, [1, 1, 1]);
  assert.deepEqual(out.pck, [1, 1, 1]);
});

Deno.test("matching by box IoU uses the result's bbox, else the extent of its keypoints", () => {
  const gt = dataset(person(1, 0, 0, [10, 10, 2, 50, 50, 2, 80, 20, 2]));
  const kps = [10, 10, 1, 50, 50, 1, 80, 20, 1];
  const options = { thresholds: [0.1], match: "box" as const }; // 3 keypoints, no sigmas needed
  assert.equal(pck(gt, [det(kps, 0.9, { bbox: [0, 0, 100, 90] })], options).matchedPeople, 1); // IoU 0.9
  assert.equal(pck(gt, [det(kps, 0.9, { bbox: [50, 0, 100, 100] })], options).matchedPeople, 0); // IoU 1/3
  // no bbox: the extent [10, 10, 70, 40] has IoU 0.28 with the 100 × 100 box
  assert.equal(pck(gt, [det(kps)], options).matchedPeople, 0);
  assert.equal(pck(gt, [det(kps)], { ...options, matchThreshold: 0.25 }).matchedPeople, 1);
});

Deno.test("no visible keypoint at all gives -1, and other images or categories are left out", () => {
  const gt = dataset(person(1, 0, 0, [10, 10, 1, 50, 50, 1, 80, 20, 1]));
  const out = pck(gt, [det([10, 10, 1, 50, 50, 1, 80, 20, 1])], { kptOksSigmas: SIGMAS });
  assert.deepEqual(out.thresholds, [0.05, 0.1, 0.15, 0.2]);
  assert.deepEqual(out.pck, [-1, -1, -1, -1]);
  const visible = dataset(person(1, 0, 0, [10, 10, 2, 50, 50, 2, 80, 20, 2]));
  const none = pck(visible, [det([10, 10, 1, 50, 50, 1, 80, 20, 1])], {
    kptOksSigmas: SIGMAS,
    imageIds: [2],
  });
  assert.equal(none.people, 0);
});

Deno.test("pck() names the bad option or field, what it expected and what it found", () => {
  const gt = dataset(person(1, 0, 0, [10, 10, 2, 50, 50, 2, 80, 20, 2]));
  const ok = [det([10, 10, 1, 50, 50, 1, 80, 20, 1])];
  assert.throws(() => pck(gt, ok, { thresholds: [0.1, -0.1], kptOksSigmas: SIGMAS }), {
    name: "RangeError",
    message: "pck(): options.thresholds[1]: expected a number >= 0, found the number -0.1",
  });
  assert.throws(() => pck(gt, ok, { match: "iou" as never }), {
    name: "RangeError",
    message: 'pck(): options.match: expected one of "oks", "box", found the string "iou"',
  });
  assert.throws(() => pck(gt, ok, { matchThreshold: 2, kptOksSigmas: SIGMAS }), {
    name: "RangeError",
    message: "pck(): options.matchThreshold: expected a number <= 1, found the number 2",
  });
  // OKS needs a sigma per keypoint: COCO's 17 do not fit 3 keypoints
  assert.throws(() => pck(gt, ok), {
    name: "RangeError",
    message:
      "pck(): groundTruth.annotations[0].keypoints: expected 17 keypoints [x, y, v] (51 numbers, one triplet per OKS sigma), found an array of 9 items",
  });
  const { num_keypoints: _, ...noCount } = gt.annotations[0];
  assert.throws(
    () => pck({ ...gt, annotations: [noCount as never] }, ok, { kptOksSigmas: SIGMAS }),
    {
      name: "TypeError",
      message:
        "pck(): groundTruth.annotations[0].num_keypoints: expected an integer >= 0 (keypoints evaluation ignores people with none), found nothing",
    },
  );
});
