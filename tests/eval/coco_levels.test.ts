import assert from "node:assert/strict";
import { COCO_SIZE_NAMES, cocoSizeBucket, truePositiveLevels } from "../../src/eval/coco_levels.ts";
import { evaluateCoco } from "../../src/eval/coco_eval.ts";
import type { CocoAnnotation, CocoGroundTruth, CocoResult } from "../../src/eval/coco_types.ts";
import { encodeRle } from "../../src/geometry/rle.ts";
import { polygonsToRle } from "../../src/geometry/polygon_rle.ts";

type Box = [number, number, number, number];

/** One image of 400×300, category 1 (car) and 2 (person), these annotations. */
function dataset(annotations: [number, Box, number?][]): CocoGroundTruth {
  return {
    images: [{ id: 1, width: 400, height: 300 }],
    categories: [{ id: 1, name: "car" }, { id: 2, name: "person" }],
    annotations: annotations.map(([category, bbox, crowd], i): CocoAnnotation => ({
      id: i + 1,
      image_id: 1,
      category_id: category,
      bbox,
      area: bbox[2] * bbox[3],
      iscrowd: crowd ?? 0,
    })),
  };
}

function det(bbox: Box, score: number, level?: number, category = 1): CocoResult {
  return {
    image_id: 1,
    category_id: category,
    score,
    bbox,
    ...(level === undefined ? {} : { level }),
  };
}

const SMALL: Box = [10, 10, 20, 20]; // 400
const MEDIUM: Box = [50, 10, 50, 40]; // 2000
const LARGE: Box = [150, 50, 200, 150]; // 30000

Deno.test("each size's matched ground truths are counted under the level of the detection that matched them", () => {
  const gt = dataset([[1, SMALL], [1, MEDIUM], [1, LARGE], [1, [10, 200, 30, 30]]]);
  const results = [
    det(SMALL, 0.9, 0),
    det([52, 10, 50, 40], 0.8, 1),
    det([150, 55, 200, 150], 0.7, 1),
    det([300, 0, 10, 10], 0.95, 0), // a false positive
  ];
  const out = truePositiveLevels(gt, results);
  assert.deepEqual(out.sizes, ["small", "medium", "large"]);
  assert.deepEqual(out.levelNames, ["level 0", "level 1"]);
  assert.deepEqual(out.counts, [[1, 0], [0, 1], [0, 1]]);
  assert.deepEqual(out.truePositives, [1, 1, 1]);
  assert.deepEqual(out.groundTruths, [2, 1, 1]); // the missed 30×30 (900 < 32²) is small
  assert.deepEqual(out.withoutLevel, [0, 0, 0]);
  assert.equal(out.resultsWithLevel, 4);
  assert.equal(out.iouType, "bbox");
  assert.equal(out.iouThreshold, 0.5);
});

Deno.test("the missed ground truths count in their size's total, not as true positives", () => {
  const gt = dataset([[1, SMALL], [1, [10, 200, 30, 30]]]);
  const out = truePositiveLevels(gt, [det(SMALL, 0.9, 0)]);
  assert.deepEqual(out.groundTruths, [2, 0, 0]);
  assert.deepEqual(out.truePositives, [1, 0, 0]);
});

Deno.test("a crowd region is neither a true positive nor a ground truth to find", () => {
  const crowd: Box = [100, 100, 200, 150];
  const gt = dataset([[1, SMALL], [1, crowd, 1]]);
  const onCrowd = det([110, 110, 150, 100], 0.9, 2);
  const out = truePositiveLevels(gt, [onCrowd, det(SMALL, 0.5, 0)]);
  assert.deepEqual(out.counts, [[1, 0, 0], [0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(out.groundTruths, [1, 0, 0]);
  // a detection on both takes the regular ground truth, as evaluateImg sorts crowds last
  const both = dataset([[1, SMALL], [1, [0, 0, 100, 100], 1]]);
  assert.deepEqual(truePositiveLevels(both, [det(SMALL, 0.9, 1)]).counts, [[0, 1], [0, 0], [
    0,
    0,
  ]]);
});

Deno.test("a detection with IoU 0.6 is a true positive at 0.5 but not at 0.75", () => {
  const gt = dataset([[1, MEDIUM]]);
  // [50, 10, 50, 40] shifted by 10 in x: IoU 40·40 / (2·2000 - 1600) = 0.667
  const results = [det([60, 10, 50, 40], 0.9, 1)];
  assert.deepEqual(truePositiveLevels(gt, results).counts[1], [0, 1]);
  const strict = truePositiveLevels(gt, results, { iouThreshold: 0.75 });
  assert.deepEqual(strict.counts[1], [0, 0]);
  assert.deepEqual(strict.truePositives, [0, 0, 0]);
  assert.deepEqual(strict.groundTruths, [0, 1, 0]);
});

Deno.test("of two detections on one object, the higher-scored one's level counts", () => {
  const gt = dataset([[1, LARGE]]);
  const out = truePositiveLevels(gt, [det(LARGE, 0.6, 0), det(LARGE, 0.8, 3)]);
  assert.deepEqual(out.counts[2], [0, 0, 0, 1]);
  assert.deepEqual(out.truePositives, [0, 0, 1]);
});

Deno.test("detections match objects of their own category only", () => {
  const gt = dataset([[1, SMALL], [2, MEDIUM]]);
  const out = truePositiveLevels(gt, [det(MEDIUM, 0.9, 1, 1), det(SMALL, 0.9, 0, 2)]);
  assert.deepEqual(out.truePositives, [0, 0, 0]);
  const people = truePositiveLevels(gt, [det(MEDIUM, 0.9, 1, 2)], { categoryIds: [2] });
  assert.deepEqual(people.counts, [[0, 0], [0, 1], [0, 0]]);
  assert.deepEqual(people.groundTruths, [0, 1, 0]);
});

Deno.test("the size is the ground truth's area field, 32² medium and 96² large", () => {
  assert.deepEqual(COCO_SIZE_NAMES, ["small", "medium", "large"]);
  assert.deepEqual([0, 1023.9, 1024, 9215.9, 9216, 1e10].map(cocoSizeBucket), [0, 0, 1, 1, 2, 2]);
  const gt = dataset([[1, [0, 0, 32, 32]], [1, [100, 0, 96, 96]], [1, [0, 100, 10, 10]]]);
  gt.annotations[2].area = 5000; // a small box whose annotated area is medium
  const results = [
    det([0, 0, 32, 32], 0.9, 0),
    det([100, 0, 96, 96], 0.8, 1),
    det([0, 100, 10, 10], 0.7, 2),
  ];
  const out = truePositiveLevels(gt, results);
  assert.deepEqual(out.counts, [[0, 0, 0], [1, 0, 1], [0, 1, 0]]);
});

Deno.test("results without a level are counted apart, and make no level column", () => {
  const gt = dataset([[1, SMALL], [1, LARGE]]);
  const out = truePositiveLevels(gt, [det(SMALL, 0.9), det(LARGE, 0.8, 1)]);
  assert.deepEqual(out.counts, [[0, 0], [0, 0], [0, 1]]);
  assert.deepEqual(out.withoutLevel, [1, 0, 0]);
  assert.deepEqual(out.truePositives, [1, 0, 1]);
  assert.equal(out.resultsWithLevel, 1);
  const none = truePositiveLevels(gt, [det(SMALL, 0.9)]);
  assert.deepEqual(none.levelNames, []);
  assert.deepEqual(none.counts, [[], [], []]);
  assert.deepEqual(none.withoutLevel, [1, 0, 0]);
});

Deno.test("levels and level names set the columns, levels found or not", () => {
  const gt = dataset([[1, SMALL]]);
  const named = truePositiveLevels(gt, [det(SMALL, 0.9, 0)], {
    levelNames: ["P3", "P4", "P5", "P6", "P7"],
  });
  assert.deepEqual(named.levelNames, ["P3", "P4", "P5", "P6", "P7"]);
  assert.deepEqual(named.counts[0], [1, 0, 0, 0, 0]);
  assert.deepEqual(truePositiveLevels(gt, [det(SMALL, 0.9, 0)], { levels: 3 }).counts[0], [
    1,
    0,
    0,
  ]);
});

Deno.test("a ground truth with id 0 is never matched, as pycocotools' dtm makes it", () => {
  const gt = dataset([[1, SMALL]]);
  gt.annotations[0].id = 0;
  const out = truePositiveLevels(gt, [det(SMALL, 0.9, 0)]);
  assert.deepEqual(out.truePositives, [0, 0, 0]);
  assert.deepEqual(out.groundTruths, [1, 0, 0]);
});

Deno.test("only the 100 best-scored detections of an image and category are matched", () => {
  const gt = dataset([[1, SMALL]]);
  const far = Array.from({ length: 100 }, (_, i) => det([200, 200, 10, 10], 0.5 + i / 1000, 0));
  assert.deepEqual(truePositiveLevels(gt, [...far, det(SMALL, 0.1, 1)]).truePositives, [0, 0, 0]);
  assert.deepEqual(truePositiveLevels(gt, [...far, det(SMALL, 0.9, 1)]).counts[0], [0, 1]);
});

Deno.test("segm matching compares the masks, not the boxes", () => {
  const width = 40, height = 40;
  const square = new Uint8Array(width * height);
  for (let y = 0; y < 20; y++) square.fill(1, y * width, y * width + 20);
  const rle = encodeRle(square, height, width);
  const gt: CocoGroundTruth = {
    images: [{ id: 1, width, height }],
    categories: [{ id: 1 }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, area: 400, iscrowd: 0, segmentation: rle }],
  };
  // a box far off, the right mask: a match for segm only
  const result = {
    image_id: 1,
    category_id: 1,
    score: 1,
    bbox: [20, 20, 20, 20],
    segmentation: rle,
    level: 0,
  };
  assert.deepEqual(truePositiveLevels(gt, [result], { iouType: "segm" }).counts[0], [1]);
  assert.equal(truePositiveLevels(gt, [result], { iouType: "segm" }).iouType, "segm");
  gt.annotations[0].bbox = [0, 0, 20, 20];
  assert.deepEqual(truePositiveLevels(gt, [result]).counts[0], [0]);
});

Deno.test("bad levels and options are refused with the path, what was expected and what was found", () => {
  const gt = dataset([[1, SMALL]]);
  assert.throws(() => truePositiveLevels(gt, [det(SMALL, 0.9, -1)]), {
    name: "RangeError",
    message: /^truePositiveLevels\(\): results\[0\]\.level: expected an integer >= 0, found/,
  });
  assert.throws(() => truePositiveLevels(gt, [det(SMALL, 0.9, 0), det(SMALL, 0.9, 1.5)]), {
    message: /^truePositiveLevels\(\): results\[1\]\.level: expected an integer/,
  });
  assert.throws(
    () => truePositiveLevels(gt, [{ ...det(SMALL, 0.9), level: "P3" as unknown as number }]),
    { name: "TypeError", message: /results\[0\]\.level: expected an integer/ },
  );
  assert.throws(
    () => truePositiveLevels(gt, [det(SMALL, 0.9, 0), det(SMALL, 0.8, 5)], { levels: 5 }),
    {
      name: "RangeError",
      message:
        "truePositiveLevels(): results[1].level: expected an integer in [0, 4] (5 levels: options.levels), found 5",
    },
  );
  assert.throws(() => truePositiveLevels(gt, [det(SMALL, 0.9, 2)], { levelNames: ["P3", "P4"] }), {
    message:
      /results\[0\]\.level: expected an integer in \[0, 1\] \(2 levels: one per name of options\.levelNames\), found 2/,
  });
  assert.throws(() => truePositiveLevels(gt, [], { levels: 3, levelNames: ["P3"] }), {
    name: "RangeError",
    message: "truePositiveLevels(): options.levelNames: expected 3 names (options.levels), found 1",
  });
  assert.throws(() => truePositiveLevels(gt, [], { levels: 0 }), /options\.levels: expected/);
  assert.throws(() => truePositiveLevels(gt, [], { iouThreshold: 1.5 }), /options\.iouThreshold/);
  assert.throws(
    () => truePositiveLevels(gt, [], { iouType: "keypoints" as "bbox" }),
    /options\.iouType/,
  );
  assert.throws(
    () => truePositiveLevels(gt, [], { maxDets: 10 } as unknown as { levels: number }),
    /options\.maxDets: expected only the fields .*found an unknown field "maxDets"/,
  );
  assert.throws(() => truePositiveLevels(gt, [{ ...det(SMALL, 0.9, 0), image_id: 9 }]), {
    message: /^truePositiveLevels\(\): results\[0\]\.image_id: expected the id of an image/,
  });
});

// The random dataset of tests/fixtures/make_coco_fixtures.py (300 images, crowds, a ground
// truth with id 0, areas of exactly 1024 and 9216, an image with 120 detections, score
// ties) and pycocotools' recall on it.
interface RandomCase {
  groundTruth: CocoGroundTruth;
  results: (CocoResult & { segmentation: number[][] })[];
  evaluations: { iouType: string; results: string; imageIds: number[] | null; recall: number[] }[];
}

const random: RandomCase = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/coco/eval_random.json", import.meta.url)),
);

Deno.test("the true positives add up to evaluateCoco's (and pycocotools') at IoU 0.5 and 0.75, boxes and masks", () => {
  const sizes = new Map(random.groundTruth.images.map((im) => [im.id, [im.height!, im.width!]]));
  const results: CocoResult[] = random.results.map((r, j) => {
    const [h, w] = sizes.get(r.image_id)!;
    return { ...r, segmentation: polygonsToRle(r.segmentation, h, w), level: j % 5 };
  });
  for (const iouType of ["bbox", "segm"] as const) {
    const reference = random.evaluations.find((e) =>
      e.iouType === iouType && e.results === "withBbox" && e.imageIds === null
    )!;
    const coco = evaluateCoco(random.groundTruth, results, iouType);
    assert.deepEqual([...coco.recall], reference.recall);
    const [T, , K, A, M] = coco.counts;
    assert.equal(T * K * A * M, reference.recall.length);
    for (const [t, iouThreshold] of [[0, 0.5], [5, 0.75]]) {
      let total = 0;
      for (let k = 0; k < K; k++) {
        const categoryId = coco.params.categoryIds[k];
        const out = truePositiveLevels(random.groundTruth, results, {
          iouType,
          iouThreshold,
          categoryIds: [categoryId],
        });
        const positives = out.groundTruths.reduce((a, b) => a + b, 0);
        const matched = out.truePositives.reduce((a, b) => a + b, 0);
        const recall = coco.recall[((t * K + k) * A + 0) * M + M - 1];
        const what = `${iouType} IoU ${iouThreshold} category ${categoryId}`;
        assert.equal(matched, positives === 0 ? 0 : Math.round(recall * positives), what);
        if (positives > 0) assert.ok(Math.abs(matched / positives - recall) < 1e-12, what);
        for (let s = 0; s < 3; s++) {
          assert.equal(out.counts[s].reduce((a, b) => a + b, 0), out.truePositives[s], what);
          assert.ok(out.truePositives[s] <= out.groundTruths[s], what);
        }
        total += matched;
      }
      const all = truePositiveLevels(random.groundTruth, results, { iouType, iouThreshold });
      assert.equal(all.truePositives.reduce((a, b) => a + b, 0), total);
      assert.ok(total > 100, `${iouType} IoU ${iouThreshold}: ${total} true positives`);
    }
  }
});
