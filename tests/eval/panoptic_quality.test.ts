import assert from "node:assert/strict";
import {
  type PanopticCategory,
  type PanopticGroundTruth,
  type PanopticGroundTruthSegment,
  type PanopticPrediction,
  panopticQuality,
  type PanopticQualityReport,
} from "../../src/eval/panoptic_quality.ts";
import type { PanopticResult } from "../../src/types.ts";

const PERSON = 1, CAR = 3, ROAD = 100, SKY = 101, GRASS = 102;
const CATEGORIES: PanopticCategory[] = [
  { id: PERSON, isThing: true, name: "person" },
  { id: CAR, isThing: true, name: "car" },
  { id: ROAD, isThing: false, name: "road" },
  { id: SKY, isThing: false },
  { id: GRASS, isThing: false, name: "grass" },
];

/** An image from rows of ids written as strings of digits ("." is 0, void). */
function image<S>(imageId: number | string, rows: string[], segments: S[]) {
  const height = rows.length, width = rows[0].length;
  const segmentIds = new Int32Array(height * width);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) segmentIds[y * width + x] = row[x] === "." ? 0 : +row[x];
  });
  return { imageId, height, width, segmentIds, segments };
}

const seg = (id: number, categoryId: number, extra: Partial<PanopticGroundTruthSegment> = {}) => ({
  id,
  categoryId,
  ...extra,
});

function perClass(report: PanopticQualityReport, categoryId: number) {
  const entry = report.perClass.find((c) => c.categoryId === categoryId);
  assert.ok(entry, `no class ${categoryId}`);
  return entry;
}

const counts = (report: PanopticQualityReport, categoryId: number) => {
  const { tp, fp, fn } = perClass(report, categoryId);
  return { tp, fp, fn };
};

Deno.test("panopticQuality() scores a perfect prediction PQ 1, SQ 1 and RQ 1", () => {
  const rows = ["1122", "1133", "4433"];
  const segments = [seg(1, PERSON), seg(2, CAR), seg(3, CAR), seg(4, ROAD)];
  const gt = image(7, rows, segments);
  const report = panopticQuality([gt], [image(7, rows, segments)], CATEGORIES);
  for (const group of [report.all, report.things, report.stuff]) {
    assert.deepEqual({ pq: group.pq, sq: group.sq, rq: group.rq }, { pq: 1, sq: 1, rq: 1 });
  }
  assert.equal(report.all.n, 3);
  assert.equal(report.things.n, 2);
  assert.equal(report.stuff.n, 1);
  assert.deepEqual(perClass(report, CAR), {
    categoryId: CAR,
    name: "car",
    isThing: true,
    pq: 1,
    sq: 1,
    rq: 1,
    tp: 2,
    fp: 0,
    fn: 0,
    iou: 2,
  });
});

Deno.test("panopticQuality() does not match a pair whose IoU is exactly 0.5", () => {
  // gt car: 2 pixels; predicted car: 1 of them. IoU = 1 / 2.
  const gt = image(1, ["11", "22"], [seg(1, CAR), seg(2, ROAD)]);
  const pred = image(1, ["12", "22"], [seg(1, CAR), seg(2, ROAD)]);
  const report = panopticQuality([gt], [pred], CATEGORIES);
  assert.deepEqual(counts(report, CAR), { tp: 0, fp: 1, fn: 1 });
  assert.equal(report.things.pq, 0);
});

Deno.test("panopticQuality() matches a pair whose IoU is just above 0.5", () => {
  // gt car: 2000 pixels; predicted car: 1001 of them. IoU = 0.5005.
  const ids = (cut: number) => Int32Array.from({ length: 4000 }, (_, i) => i < cut ? 1 : 2);
  const segments = [seg(1, CAR), seg(2, ROAD)];
  const gt = { imageId: 1, height: 40, width: 100, segmentIds: ids(2000), segments };
  const pred = { ...gt, segmentIds: ids(1001) };
  const report = panopticQuality([gt], [pred], CATEGORIES);
  assert.deepEqual(counts(report, CAR), { tp: 1, fp: 0, fn: 0 });
  assert.equal(report.things.pq, 1001 / 2000);
});

Deno.test("panopticQuality() leaves the predicted pixels on void out of the union", () => {
  // gt car on 4 pixels, void on 4; the predicted car covers all 8. IoU = 4 / (8 + 4 - 4 - 4).
  const gt = image(1, ["1111....", "22222222"], [seg(1, CAR), seg(2, ROAD)]);
  const pred = image(1, ["11111111", "22222222"], [seg(1, CAR), seg(2, ROAD)]);
  const report = panopticQuality([gt], [pred], CATEGORIES);
  assert.deepEqual(counts(report, CAR), { tp: 1, fp: 0, fn: 0 });
  assert.equal(perClass(report, CAR).iou, 1);
  assert.equal(report.all.pq, 1);
});

Deno.test("panopticQuality() counts a prediction that lies mostly on void as neither TP nor FP", () => {
  // Car 1: 3 of its 4 pixels on void, ignored. The road's IoU: 9 / (12 + 10 - 9 - 3).
  const gt = image(1, ["22222...", "22222..."], [seg(2, ROAD)]);
  const pred = image(1, ["22221111", "22222222"], [seg(1, CAR), seg(2, ROAD)]);
  const report = panopticQuality([gt], [pred], CATEGORIES);
  assert.deepEqual(counts(report, CAR), { tp: 0, fp: 0, fn: 0 });
  assert.deepEqual(counts(report, ROAD), { tp: 1, fp: 0, fn: 0 });
  assert.equal(perClass(report, ROAD).iou, 0.9);
});

Deno.test("panopticQuality() counts a prediction exactly half on void as a false positive", () => {
  const gt = image(1, ["22222..2", "22222..2"], [seg(2, ROAD)]);
  const pred = image(1, ["22223322", "22223322"], [seg(2, ROAD), seg(3, CAR)]);
  const report = panopticQuality([gt], [pred], CATEGORIES);
  assert.deepEqual(counts(report, CAR), { tp: 0, fp: 1, fn: 0 });
  assert.deepEqual(counts(report, ROAD), { tp: 1, fp: 0, fn: 0 });
});

Deno.test("panopticQuality() ignores a prediction mostly on a crowd region of its category", () => {
  // Person crowd 5 on the right. Person 1 lies on it: ignored. Car 3 lies on it: an FP.
  const gt = image(1, ["22225555", "22225555"], [seg(2, ROAD), seg(5, PERSON, { isCrowd: true })]);
  const pred = image(1, ["22221133", "22221133"], [seg(1, PERSON), seg(2, ROAD), seg(3, CAR)]);
  const report = panopticQuality([gt], [pred], CATEGORIES);
  assert.deepEqual(counts(report, PERSON), { tp: 0, fp: 0, fn: 0 });
  assert.deepEqual(counts(report, CAR), { tp: 0, fp: 1, fn: 0 });
  assert.equal(report.all.n, 2); // road and car; person is left out
});

Deno.test("panopticQuality() never matches a crowd region nor counts it as a false negative", () => {
  const segments = [seg(2, ROAD), seg(5, PERSON, { isCrowd: true })];
  const gt = image(1, ["22225555", "22225555"], segments);
  // The same map predicted: the person is not a TP (crowd), and not an FP (on crowd).
  const same = panopticQuality([gt], [image(1, ["22225555", "22225555"], [
    seg(2, ROAD),
    seg(5, PERSON),
  ])], CATEGORIES);
  assert.deepEqual(counts(same, PERSON), { tp: 0, fp: 0, fn: 0 });
  // Nothing predicted on the crowd: no FN either.
  const none = image(1, ["2222....", "2222...."], [seg(2, ROAD)]);
  const report = panopticQuality([gt], [none], CATEGORIES);
  assert.deepEqual(counts(report, PERSON), { tp: 0, fp: 0, fn: 0 });
  assert.deepEqual(counts(report, ROAD), { tp: 1, fp: 0, fn: 0 });
});

Deno.test("panopticQuality() uses the last crowd segment of a category, as panopticapi", () => {
  const gt = image(1, ["22556677"], [
    seg(2, ROAD),
    seg(5, PERSON, { isCrowd: true }),
    seg(6, PERSON, { isCrowd: true }),
    seg(7, CAR),
  ]);
  // Person 1 on crowd 5 (forgotten: an FP); person 3 on crowd 6 (ignored).
  const pred = image(1, ["22113377"], [seg(1, PERSON), seg(2, ROAD), seg(3, PERSON), seg(7, CAR)]);
  assert.deepEqual(counts(panopticQuality([gt], [pred], CATEGORIES), PERSON), {
    tp: 0,
    fp: 1,
    fn: 0,
  });
});

Deno.test("panopticQuality() leaves a category absent from both sides out of the mean", () => {
  const gt = image(1, ["1122", "1122"], [seg(1, PERSON), seg(2, ROAD)]);
  const pred = image(1, ["1222", "1222"], [seg(1, PERSON), seg(2, ROAD)]);
  const report = panopticQuality([gt], [pred], CATEGORIES);
  // person: IoU 2/4 (FN + FP); road: IoU 4/6 (TP). Car, sky and grass: absent.
  assert.equal(report.all.n, 2);
  assert.equal(report.all.pq, (0 + 4 / 6) / 2);
  assert.equal(report.all.sq, (0 + 4 / 6) / 2);
  assert.equal(report.all.rq, (0 + 1) / 2);
  assert.deepEqual(perClass(report, SKY), {
    categoryId: SKY,
    isThing: false,
    pq: 0,
    sq: 0,
    rq: 0,
    tp: 0,
    fp: 0,
    fn: 0,
    iou: 0,
  });
  assert.deepEqual(report.perClass.map((c) => c.categoryId), [PERSON, CAR, ROAD, SKY, GRASS]);
});

Deno.test("panopticQuality() averages things and stuff separately", () => {
  const gt = image(1, ["113344", "113355", "222255"], [
    seg(1, PERSON),
    seg(2, ROAD),
    seg(3, CAR),
    seg(4, SKY),
    seg(5, GRASS),
  ]);
  // Person exact; car missed (FN) and a car on the sky (FP); road exact; sky lost; grass exact.
  const pred = image(1, ["113366", "113355", "222255"], [
    seg(1, PERSON),
    seg(2, ROAD),
    seg(3, ROAD),
    seg(5, GRASS),
    seg(6, CAR),
  ]);
  const report = panopticQuality([gt], [pred], CATEGORIES);
  assert.deepEqual(counts(report, CAR), { tp: 0, fp: 1, fn: 1 });
  assert.deepEqual(counts(report, ROAD), { tp: 1, fp: 1, fn: 0 });
  assert.deepEqual(counts(report, SKY), { tp: 0, fp: 0, fn: 1 });
  assert.deepEqual(report.things, { pq: 0.5, sq: 0.5, rq: 0.5, n: 2 });
  const road = 1 / 1.5;
  assert.deepEqual(report.stuff, {
    pq: (road + 0 + 1) / 3,
    sq: (1 + 0 + 1) / 3,
    rq: (road + 0 + 1) / 3,
    n: 3,
  });
  assert.equal(report.all.n, 5);
  assert.equal(report.all.pq, (1 + 0 + road + 0 + 1) / 5);
});

Deno.test("panopticQuality() reports NaN with n = 0 for a group without classes to average", () => {
  const gt = image(1, ["11", "11"], [seg(1, PERSON)]);
  const report = panopticQuality([gt], [image(1, ["11", "11"], [seg(1, PERSON)])], CATEGORIES);
  assert.deepEqual(report.things, { pq: 1, sq: 1, rq: 1, n: 1 });
  assert.deepEqual(report.stuff, { pq: NaN, sq: NaN, rq: NaN, n: 0 });
  const empty = panopticQuality([], [], CATEGORIES);
  assert.deepEqual(empty.all, { pq: NaN, sq: NaN, rq: NaN, n: 0 });
  assert.equal(empty.perClass.length, CATEGORIES.length);
});

Deno.test("panopticQuality() takes a ground-truth area from the segment list when given", () => {
  // Counted, the car is 2 pixels and the prediction's IoU is 2/3; with area 4 it is 2/4.
  const rows = ["1122", "2222"];
  const pred = image(1, ["1112", "2222"], [seg(1, CAR), seg(2, ROAD)]);
  const counted = panopticQuality(
    [image(1, rows, [seg(1, CAR), seg(2, ROAD)])],
    [pred],
    CATEGORIES,
  );
  assert.equal(perClass(counted, CAR).iou, 2 / 3);
  const given = image(1, rows, [seg(1, CAR, { area: 4 }), seg(2, ROAD)]);
  assert.deepEqual(counts(panopticQuality([given], [pred], CATEGORIES), CAR), {
    tp: 0,
    fp: 1,
    fn: 1,
  });
});

Deno.test("panopticQuality() skips ground-truth ids missing from the segment list, without making them void", () => {
  // Id 9 of the gt map is listed nowhere: car 1 on it is no match, and not ignored.
  const gt = image(1, ["2299", "2299"], [seg(2, ROAD)]);
  const pred = image(1, ["2211", "2211"], [seg(1, CAR), seg(2, ROAD)]);
  const report = panopticQuality([gt], [pred], CATEGORIES);
  assert.deepEqual(counts(report, CAR), { tp: 0, fp: 1, fn: 0 });
  assert.deepEqual(counts(report, ROAD), { tp: 1, fp: 0, fn: 0 });
});

Deno.test("panopticQuality() counts a listed ground-truth segment absent from the map as a false negative", () => {
  const gt = image(1, ["22", "22"], [seg(2, ROAD), seg(1, CAR, { area: 3 })]);
  const report = panopticQuality([gt], [image(1, ["22", "22"], [seg(2, ROAD)])], CATEGORIES);
  assert.deepEqual(counts(report, CAR), { tp: 0, fp: 0, fn: 1 });
});

Deno.test("panopticQuality() pairs images by imageId and sums the counts over them", () => {
  const gtA = image("a", ["11", "22"], [seg(1, CAR), seg(2, ROAD)]);
  const gtB = image(1, ["22", "22"], [seg(2, ROAD)]);
  const predictions = [
    image("1", ["11", "11"], [seg(1, CAR)]), // "1" is not 1: ignored
    image(1, ["12", "22"], [seg(1, CAR), seg(2, ROAD)]), // an FP car on image 1
    image("a", ["11", "22"], [seg(1, CAR), seg(2, ROAD)]),
  ];
  const report = panopticQuality([gtA, gtB], predictions, CATEGORIES);
  assert.deepEqual(counts(report, CAR), { tp: 1, fp: 1, fn: 0 });
  assert.deepEqual(counts(report, ROAD), { tp: 2, fp: 0, fn: 0 });
  assert.equal(perClass(report, ROAD).iou, 1 + 3 / 4);
});

Deno.test("panopticQuality() uses the last prediction of an image id, as panopticapi", () => {
  const gt = image(1, ["11", "22"], [seg(1, CAR), seg(2, ROAD)]);
  const wrong = image(1, ["22", "22"], [seg(2, ROAD)]);
  const right = image(1, ["11", "22"], [seg(1, CAR), seg(2, ROAD)]);
  assert.equal(panopticQuality([gt], [wrong, right], CATEGORIES).all.pq, 1);
  assert.equal(panopticQuality([gt], [right, wrong], CATEGORIES).things.pq, 0);
});

Deno.test("panopticQuality() counts a ground-truth image listed twice twice", () => {
  const gt = image(1, ["11", "22"], [seg(1, CAR), seg(2, ROAD)]);
  const pred = image(1, ["11", "22"], [seg(1, CAR), seg(2, ROAD)]);
  assert.deepEqual(counts(panopticQuality([gt, gt], [pred], CATEGORIES), CAR), {
    tp: 2,
    fp: 0,
    fn: 0,
  });
});

Deno.test("panopticQuality() keeps the last entry of a repeated segment id, as a Python dict", () => {
  const gt = image(1, ["11", "22"], [seg(1, ROAD), seg(2, ROAD), seg(1, CAR)]);
  const pred = image(1, ["11", "22"], [seg(1, ROAD), seg(2, ROAD), seg(1, CAR)]);
  const report = panopticQuality([gt], [pred], CATEGORIES);
  assert.deepEqual(counts(report, CAR), { tp: 1, fp: 0, fn: 0 });
  assert.deepEqual(counts(report, ROAD), { tp: 1, fp: 0, fn: 0 });
});

Deno.test("panopticQuality() leaves a ground-truth category missing from categories out of every mean", () => {
  const gt = image(1, ["11", "22"], [seg(1, 77), seg(2, ROAD)]);
  const pred = image(1, ["22", "22"], [seg(2, ROAD)]);
  const report = panopticQuality([gt], [pred], CATEGORIES);
  assert.equal(report.all.n, 1); // road only: its IoU is 2/4, so FN + FP
  assert.deepEqual(report.perClass.map((c) => c.categoryId), [PERSON, CAR, ROAD, SKY, GRASS]);
});

Deno.test("panopticQuality() accepts a PanopticResult with an imageId as a prediction", () => {
  const result: PanopticResult = {
    height: 1,
    width: 3,
    segmentIds: new Int32Array([1, 1, 2]),
    segments: [
      { id: 1, categoryId: CAR, isThing: true, score: 0.9, instanceIndex: 0, area: 2 },
      { id: 2, categoryId: ROAD, isThing: false, area: 1 },
    ],
  };
  const prediction: PanopticPrediction = { ...result, imageId: 5 };
  const gt: PanopticGroundTruth = image(5, ["112"], [seg(1, CAR), seg(2, ROAD)]);
  assert.equal(panopticQuality([gt], [prediction], CATEGORIES).all.pq, 1);
});

Deno.test("panopticQuality() accepts negative segment ids and counts them apart from void", () => {
  const segmentIds = new Int32Array([-5, -5, 7, 7]);
  const gt = {
    imageId: 1,
    height: 2,
    width: 2,
    segmentIds,
    segments: [seg(-5, CAR), seg(7, ROAD)],
  };
  const pred = { ...gt, segmentIds: new Int32Array([-5, -5, -5, 7]) };
  const report = panopticQuality([gt], [pred], CATEGORIES);
  assert.deepEqual(counts(report, CAR), { tp: 1, fp: 0, fn: 0 });
  assert.equal(perClass(report, CAR).iou, 2 / 3);
  assert.deepEqual(counts(report, ROAD), { tp: 0, fp: 1, fn: 1 }); // IoU 1/2
});

Deno.test("panopticQuality() counts intersections of thousands of segments in a sparse table", () => {
  // 4096 one-pixel segments on each side: 4098² cells, over the dense table's limit.
  const n = 4096;
  const gtIds = Int32Array.from({ length: n }, (_, i) => i + 1);
  const predIds = Int32Array.from({ length: n }, (_, i) => (i * 7919) % n + 1);
  const table = (ids: Int32Array) =>
    Array.from(ids, (id) => ({ id, categoryId: id % 2 ? PERSON : CAR }));
  const gt = { imageId: 1, height: 64, width: 64, segmentIds: gtIds, segments: table(gtIds) };
  const perfect = panopticQuality([gt], [{ ...gt, segments: table(gtIds) }], CATEGORIES);
  assert.deepEqual(perfect.things, { pq: 1, sq: 1, rq: 1, n: 2 });
  // A permutation: each pixel keeps its place, but half of the categories change.
  const pred = { ...gt, segmentIds: predIds, segments: table(predIds) };
  const report = panopticQuality([gt], [pred], CATEGORIES);
  const same = gtIds.filter((id, i) => id % 2 === predIds[i] % 2).length;
  const tp = counts(report, PERSON).tp + counts(report, CAR).tp;
  assert.equal(tp, same);
  assert.equal(counts(report, PERSON).fp + counts(report, CAR).fp, n - same);
});

Deno.test("panopticQuality() still reads the deprecated isthing and iscrowd of COCO panoptic JSON", () => {
  const legacy = CATEGORIES.map(({ isThing, ...c }) => ({ ...c, isthing: isThing ? 1 : 0 }));
  const crowd = (flag: Partial<PanopticGroundTruthSegment>) =>
    image(1, ["22225555", "22225555"], [seg(2, ROAD), seg(5, PERSON, flag)]);
  const pred = image(1, ["22221133", "22221133"], [seg(1, PERSON), seg(2, ROAD), seg(3, CAR)]);
  const expected = panopticQuality([crowd({ isCrowd: true })], [pred], CATEGORIES);
  assert.deepEqual(panopticQuality([crowd({ iscrowd: 1 })], [pred], legacy), expected);
  assert.deepEqual(panopticQuality([crowd({ iscrowd: true })], [pred], legacy), expected);
  // isCrowd wins over iscrowd when both are given
  assert.deepEqual(
    panopticQuality([crowd({ isCrowd: false, iscrowd: 1 })], [pred], CATEGORIES),
    panopticQuality([crowd({})], [pred], CATEGORIES),
  );
});

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

const base = () => image(42, ["11", "22"], [seg(1, CAR), seg(2, ROAD)]);

Deno.test("panopticQuality() rejects a ground-truth image without a prediction", () => {
  assert.throws(
    () => panopticQuality([base(), image(43, ["22", "22"], [seg(2, ROAD)])], [base()], CATEGORIES),
    {
      name: "RangeError",
      message:
        "panopticQuality(): predictions: expected one for every ground-truth image, found none for image 43 (groundTruth[1])",
    },
  );
});

Deno.test("panopticQuality() rejects a predicted id of the map missing from the segment list", () => {
  const pred = image(42, ["13", "23"], [seg(1, CAR), seg(2, ROAD)]);
  assert.throws(() => panopticQuality([base()], [pred], CATEGORIES), {
    name: "RangeError",
    message:
      "panopticQuality(): predictions[0].segmentIds: expected only ids listed in segments (or 0, void), found segment id 3 not listed (image 42)",
  });
});

Deno.test("panopticQuality() rejects a listed predicted segment absent from the map", () => {
  const pred = image("x", ["11", "22"], [seg(1, CAR), seg(2, ROAD), seg(8, CAR)]);
  const gt = image("x", ["11", "22"], [seg(1, CAR), seg(2, ROAD)]);
  assert.throws(() => panopticQuality([gt], [pred], CATEGORIES), {
    name: "RangeError",
    message:
      'panopticQuality(): predictions[0].segments[2]: expected a segment with pixels in segmentIds, found segment id 8 on no pixel (image "x")',
  });
});

Deno.test("panopticQuality() rejects a predicted segment of an unknown category", () => {
  const pred = image(42, ["11", "22"], [seg(1, CAR), seg(2, 55)]);
  assert.throws(() => panopticQuality([base()], [pred], CATEGORIES), {
    name: "RangeError",
    message:
      "panopticQuality(): predictions[0].segments[1].categoryId: expected one of the categories' ids, found the number 55 (segment id 2) (image 42)",
  });
});

Deno.test("panopticQuality() reports the smallest offending predicted id first, as panopticapi", () => {
  // Id 1 has an unknown category, id 3 is unlisted: id 1 comes first.
  const pred = image(42, ["13", "22"], [seg(1, 55), seg(2, ROAD)]);
  assert.throws(() => panopticQuality([base()], [pred], CATEGORIES), /segment id 1\)/);
  const pred2 = image(42, ["13", "22"], [seg(3, 55), seg(2, ROAD)]);
  assert.throws(() => panopticQuality([base()], [pred2], CATEGORIES), /segment id 1 not listed/);
});

Deno.test("panopticQuality() rejects a prediction of another size than its ground truth", () => {
  const pred = image(42, ["112", "222"], [seg(1, CAR), seg(2, ROAD)]);
  assert.throws(() => panopticQuality([base()], [pred], CATEGORIES), {
    name: "RangeError",
    message:
      "panopticQuality(): predictions[0]: expected the 2×2 of its ground truth, found 2×3 (image 42)",
  });
});

Deno.test("panopticQuality() rejects segment id 0, which is void", () => {
  const gt = image(42, ["11", "22"], [seg(1, CAR), seg(0, ROAD)]);
  assert.throws(() => panopticQuality([gt], [base()], CATEGORIES), {
    name: "RangeError",
    message:
      "panopticQuality(): groundTruth[0].segments[1].id: expected a non-zero integer (0 is void), found the number 0 (image 42)",
  });
});

Deno.test("panopticQuality() rejects arguments of the wrong kind with a TypeError", () => {
  const gt = base();
  assert.throws(
    () =>
      panopticQuality(
        [{ ...gt, segmentIds: new Uint32Array(4) as unknown as Int32Array }],
        [gt],
        CATEGORIES,
      ),
    {
      name: "TypeError",
      message:
        "panopticQuality(): groundTruth[0].segmentIds: expected an Int32Array of height × width = 4 ids, found a Uint32Array of length 4 (image 42)",
    },
  );
  assert.throws(
    () => panopticQuality([gt], [{ ...gt, segmentIds: new Int32Array(3) }], CATEGORIES),
    {
      name: "RangeError",
      message:
        "panopticQuality(): predictions[0].segmentIds: expected an Int32Array of height × width = 4 ids, found an Int32Array of length 3 (image 42)",
    },
  );
  assert.throws(() => panopticQuality(gt as unknown as PanopticGroundTruth[], [gt], CATEGORIES), {
    name: "TypeError",
    message:
      "panopticQuality(): groundTruth: expected an array of ground-truth images, found an object with keys imageId, height, width, segmentIds, segments",
  });
  const noThing = [{ id: 1 }] as unknown as PanopticCategory[];
  assert.throws(() => panopticQuality([gt], [gt], noThing), {
    name: "TypeError",
    message: "panopticQuality(): categories[0].isThing: expected true or false, found nothing",
  });
  const numericThing = [{ id: 1, isThing: 1 }] as unknown as PanopticCategory[];
  assert.throws(() => panopticQuality([gt], [gt], numericThing), {
    name: "TypeError",
    message: "panopticQuality(): categories[0].isThing: expected true or false, found the number 1",
  });
  const badCrowd = image(42, ["11", "22"], [seg(1, CAR, { isCrowd: "yes" as unknown as boolean })]);
  assert.throws(() => panopticQuality([badCrowd], [gt], CATEGORIES), {
    name: "TypeError",
    message:
      'panopticQuality(): groundTruth[0].segments[0].isCrowd: expected true or false, found the string "yes" (image 42)',
  });
  const badArea = image(42, ["11", "22"], [seg(1, CAR, { area: -1 }), seg(2, ROAD)]);
  assert.throws(() => panopticQuality([badArea], [gt], CATEGORIES), {
    name: "RangeError",
    message:
      "panopticQuality(): groundTruth[0].segments[0].area: expected a finite number >= 0, found the number -1 (image 42)",
  });
  const noId = [{ ...gt, imageId: undefined }] as unknown as PanopticGroundTruth[];
  assert.throws(() => panopticQuality(noId, [gt], CATEGORIES), {
    name: "TypeError",
    message:
      "panopticQuality(): groundTruth[0].imageId: expected a number or a string, found nothing",
  });
});

// ---------------------------------------------------------------------------
// Reference vectors from tests/fixtures/make_pq_fixtures.py (a port of panopticapi)
// ---------------------------------------------------------------------------

interface FixtureImage {
  imageId: number | string;
  height: number;
  width: number;
  segmentIds: { ids: number[]; runs: number[] };
  segments: PanopticGroundTruthSegment[];
}

interface FixtureCase {
  name: string;
  categories: PanopticCategory[];
  groundTruth: FixtureImage[];
  predictions: FixtureImage[];
  expected: PanopticQualityReport;
}

function decode({ imageId, height, width, segmentIds, segments }: FixtureImage) {
  const ids = new Int32Array(height * width);
  let at = 0;
  for (let k = 0; k < segmentIds.runs.length; k += 2) {
    const end = at + segmentIds.runs[k + 1];
    ids.fill(segmentIds.ids[segmentIds.runs[k]], at, end);
    at = end;
  }
  assert.equal(at, ids.length);
  return { imageId, height, width, segmentIds: ids, segments };
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9, `${what}: ${actual} vs ${expected}`);
}

Deno.test("panopticQuality() agrees with panopticapi on random multi-image cases within 1e-9", async () => {
  const url = new URL("../fixtures/panoptic_quality/random_cases.json", import.meta.url);
  const { cases } = JSON.parse(await Deno.readTextFile(url)) as { cases: FixtureCase[] };
  assert.ok(cases.length >= 4);
  for (const c of cases) {
    const report = panopticQuality(
      c.groundTruth.map(decode),
      c.predictions.map(decode),
      c.categories,
    );
    for (const group of ["all", "things", "stuff"] as const) {
      assert.equal(report[group].n, c.expected[group].n, `${c.name}: ${group}.n`);
      for (const key of ["pq", "sq", "rq"] as const) {
        assertClose(report[group][key], c.expected[group][key], `${c.name}: ${group}.${key}`);
      }
    }
    assert.equal(report.perClass.length, c.expected.perClass.length);
    report.perClass.forEach((actual, i) => {
      const expected = c.expected.perClass[i];
      const what = `${c.name}: class ${expected.categoryId}`;
      assert.equal(actual.categoryId, expected.categoryId, what);
      assert.deepEqual(
        [actual.tp, actual.fp, actual.fn],
        [expected.tp, expected.fp, expected.fn],
        what,
      );
      for (const key of ["pq", "sq", "rq", "iou"] as const) {
        assertClose(actual[key], expected[key], `${what}.${key}`);
      }
    });
  }
});
