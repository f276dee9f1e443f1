import assert from "node:assert/strict";
import { evaluateCoco } from "../../src/eval/coco_eval.ts";
import { COCO_KPT_OKS_SIGMAS } from "../../src/eval/coco_oks.ts";
import type { CocoEvalOptions, CocoGroundTruth, CocoResult } from "../../src/eval/coco_types.ts";
import { loadFixture } from "../_helpers/fixtures.ts";

interface KeypointEvalCase {
  name: string;
  groundTruth: CocoGroundTruth;
  results: CocoResult[];
  options: CocoEvalOptions;
  stats: number[];
}

const { cases } = await loadFixture<{ cases: KeypointEvalCase[] }>("coco/keypoints_eval.json");

Deno.test("keypoint AP and AR match pycocotools' COCOeval on seeded datasets", () => {
  assert.ok(cases.length >= 6);
  for (const c of cases) {
    const { stats, statNames } = evaluateCoco(c.groundTruth, c.results, "keypoints", c.options);
    assert.equal(stats.length, 10, c.name);
    for (let i = 0; i < 10; i++) {
      assert.ok(
        Math.abs(stats[i] - c.stats[i]) <= 1e-6,
        `${c.name}: ${statNames[i]} ${stats[i]} vs pycocotools ${c.stats[i]}`,
      );
    }
  }
});

/** One person, 3 keypoints, in a 100×100 image. */
function scene() {
  const groundTruth = {
    images: [{ id: 1 }, { id: 2 }],
    categories: [{ id: 1, name: "person", keypoints: ["a", "b", "c"], skeleton: [[1, 2]] }],
    annotations: [
      {
        id: 1,
        image_id: 1,
        category_id: 1,
        iscrowd: 0,
        area: 2000,
        bbox: [10, 10, 40, 50],
        num_keypoints: 2,
        keypoints: [20, 20, 2, 30, 40, 1, 0, 0, 0],
      },
    ],
  };
  return groundTruth;
}

const SIGMAS = { kptOksSigmas: [0.05, 0.05, 0.05] };
const result = (kp: number[], score = 0.9, image_id = 1) => ({
  image_id,
  category_id: 1,
  score,
  keypoints: kp,
});

Deno.test("OKS of a detection is the mean over the labelled keypoints of exp(-d²/2s²k²)", () => {
  // keypoint b is 3 px off: exp(-9 / (2 · 2000 · (2·0.05)²)) = exp(-0.225); c is unlabelled
  const oks = (1 + Math.exp(-9 / (2 * (2000 + 2 ** -52) * 0.01))) / 2;
  const r = evaluateCoco(scene(), [result([20, 20, 1, 33, 40, 1, 90, 90, 1])], "keypoints", SIGMAS);
  // matched at every OKS threshold below 0.9... (OKS 0.8993): 8 of 10 thresholds
  assert.ok(oks > 0.85 && oks < 0.9);
  assert.equal(r.stats[6], 1); // AR50
  assert.equal(r.stats[5], 8 / 10); // AR over 0.5:0.95
  assert.equal(r.perClass[0].ar, 8 / 10);
  assert.equal(r.perClass[0].ar100, -1);
});

Deno.test("a person without labelled keypoints is ignored: a detection on it is neither TP nor FP", () => {
  const gt = scene();
  gt.annotations.push({
    ...gt.annotations[0],
    id: 2,
    bbox: [60, 60, 30, 30],
    num_keypoints: 0,
    keypoints: [0, 0, 0, 0, 0, 0, 0, 0, 0],
  });
  const good = result([20, 20, 1, 30, 40, 1, 0, 0, 1], 0.5);
  // keypoints inside twice the unlabelled person's box: OKS 1 with it, ignored
  const onUnlabelled = result([70, 70, 1, 75, 75, 1, 80, 80, 1], 0.9);
  const r = evaluateCoco(gt, [onUnlabelled, good], "keypoints", SIGMAS);
  assert.ok(r.stats[0] > 0.999, `${r.stats[0]}`);
  // the same detection far away from everyone is a false positive ranked first
  const far = result([99, 5, 1, 99, 5, 1, 99, 5, 1], 0.9);
  const withFp = evaluateCoco(gt, [far, good], "keypoints", SIGMAS);
  assert.ok(Math.abs(withFp.stats[0] - 0.5) < 1e-6, `${withFp.stats[0]}`);
  assert.equal(r.perClass[0].numGroundTruth, 2); // counted, as crowds are not
});

Deno.test("a crowd of people absorbs any number of detections", () => {
  const gt = scene();
  gt.annotations.push({
    ...gt.annotations[0],
    id: 2,
    iscrowd: 1,
    bbox: [60, 60, 30, 30],
    num_keypoints: 0,
    keypoints: [0, 0, 0, 0, 0, 0, 0, 0, 0],
  });
  const good = result([20, 20, 1, 30, 40, 1, 0, 0, 1], 0.5);
  const inCrowd = [0.9, 0.8, 0.7].map((s) => result([70, 70, 1, 75, 75, 1, 80, 80, 1], s));
  const r = evaluateCoco(gt, [...inCrowd, good], "keypoints", SIGMAS);
  assert.ok(r.stats[0] > 0.999, `${r.stats[0]}`);
  assert.equal(r.perClass[0].numGroundTruth, 1);
});

Deno.test("detections in an image without people are false positives, ranked by score", () => {
  const good = result([20, 20, 1, 30, 40, 1, 0, 0, 1], 0.5);
  const r = evaluateCoco(
    scene(),
    [result([1, 1, 1, 2, 2, 1, 3, 3, 1], 0.9, 2), good],
    "keypoints",
    SIGMAS,
  );
  assert.ok(Math.abs(r.stats[0] - 0.5) < 1e-6, `${r.stats[0]}`);
  assert.equal(r.stats[5], 1);
});

Deno.test("only the 20 best detections of an image count, as maxDets 20", () => {
  const good = result([20, 20, 1, 30, 40, 1, 0, 0, 1], 0.01);
  const fps = Array.from(
    { length: 20 },
    (_, i) => result([90, 90, 1, 91, 91, 1, 92, 92, 1], 0.5 + i / 100),
  );
  assert.equal(evaluateCoco(scene(), [...fps, good], "keypoints", SIGMAS).stats[5], 0);
  assert.equal(evaluateCoco(scene(), [...fps.slice(1), good], "keypoints", SIGMAS).stats[5], 1);
});

Deno.test("results without boxes take their area from the keypoints' extent, as loadRes", () => {
  const r = evaluateCoco(scene(), [result([20, 20, 1, 30, 40, 1, 0, 0, 1])], "keypoints", SIGMAS);
  assert.equal(r.params.areaLabels.join(), "all,medium,large");
  assert.deepEqual(r.params.maxDets, [20]);
  assert.deepEqual(r.counts, [10, 101, 1, 3, 1]);
  // the person (area 2000) is medium; the detection's extent 30×40 = 1200 too
  assert.ok(r.stats[3] > 0.999);
  assert.equal(r.stats[4], -1);
});

Deno.test("COCO's 17 sigmas are the default, and other counts need kptOksSigmas", () => {
  assert.equal(COCO_KPT_OKS_SIGMAS[11], 1.07 / 10); // 0.10700000000000001, as numpy
  const gt = scene();
  assert.throws(() => evaluateCoco(gt, [result([20, 20, 1, 30, 40, 1, 0, 0, 1])], "keypoints"), {
    name: "RangeError",
    message:
      "evaluateCoco(): groundTruth.annotations[0].keypoints: expected 17 keypoints [x, y, v] (51 numbers, one triplet per OKS sigma), found an array of 9 items",
  });
});

Deno.test("keypoints evaluation names what is missing or malformed", () => {
  const gt = scene();
  const ok = [result([20, 20, 1, 30, 40, 1, 0, 0, 1])];
  const { num_keypoints: _, ...noCount } = gt.annotations[0];
  assert.throws(() => evaluateCoco({ ...gt, annotations: [noCount] }, ok, "keypoints", SIGMAS), {
    name: "TypeError",
    message:
      "evaluateCoco(): groundTruth.annotations[0].num_keypoints: expected an integer >= 0 (keypoints evaluation ignores people with none), found nothing",
  });
  assert.throws(
    () => evaluateCoco(gt, [{ ...ok[0], keypoints: [1, 2, 3, 4, 5, 6] }], "keypoints", SIGMAS),
    {
      name: "RangeError",
      message:
        "evaluateCoco(): results[0].keypoints: expected 3 keypoints [x, y, v] (9 numbers, one triplet per OKS sigma), found an array of 6 items",
    },
  );
  assert.throws(
    () => evaluateCoco(gt, [{ ...ok[0], keypoints: [1, 2, 3, 4] }], "keypoints", SIGMAS),
    {
      name: "RangeError",
      message:
        "evaluateCoco(): results[0].keypoints: expected keypoints [x, y, score] × K (3·K finite numbers), found an array of 4 items",
    },
  );
  assert.throws(() => evaluateCoco(gt, ok, "keypoints", { kptOksSigmas: [0.1, -1, 0.1] }), {
    name: "RangeError",
    message: "evaluateCoco(): options.kptOksSigmas[1]: expected a number > 0, found the number -1",
  });
  assert.throws(() => evaluateCoco(gt, ok, "keypoints", { kptOksSigmas: [] }), {
    name: "RangeError",
    message:
      "evaluateCoco(): options.kptOksSigmas: expected a non-empty array, found an array of 0 items",
  });
  assert.throws(() => evaluateCoco(gt, ok, "bbox", SIGMAS), {
    name: "RangeError",
    message:
      "evaluateCoco(): options.kptOksSigmas: expected nothing (only keypoints evaluation reads it), found an array of 3 items",
  });
  const noneOfThem = [{ image_id: 1, category_id: 1, score: 1 }];
  assert.throws(() => evaluateCoco(gt, noneOfThem, "keypoints", SIGMAS), {
    name: "TypeError",
    message:
      "evaluateCoco(): results[0]: expected a bbox, a segmentation or keypoints, found none of them",
  });
});

Deno.test("bbox evaluation of keypoint-only results uses the keypoints' extent as the box", () => {
  const gt = scene();
  const r = evaluateCoco(gt, [result([10, 10, 1, 50, 60, 1, 30, 30, 1])], "bbox");
  assert.ok(r.stats[0] > 0.999); // extent [10, 10, 40, 50] = the person's box
});
