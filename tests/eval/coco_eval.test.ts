import assert from "node:assert/strict";
import {
  type CocoAnnotation,
  type CocoGroundTruth,
  type CocoIouType,
  type CocoResult,
  evaluateCoco,
} from "../../src/eval/coco_eval.ts";
import { COCO_IOU_THRESHOLDS } from "../../src/eval/coco_params.ts";
import { polygonsToRle } from "../../src/geometry/polygon_rle.ts";

type Box = [number, number, number, number];

/** A ground truth of one category per entry of `cats` (ids 1, 2, ...) over `images`. */
function dataset(
  annotations: Partial<CocoAnnotation>[],
  { images = [1], cats = 1 }: { images?: number[]; cats?: number } = {},
): CocoGroundTruth {
  return {
    images: images.map((id) => ({ id, height: 200, width: 300 })),
    categories: Array.from({ length: cats }, (_, i) => ({ id: i + 1, name: `c${i + 1}` })),
    annotations: annotations.map((a, i) => {
      const bbox = a.bbox ?? [0, 0, 10, 10];
      return {
        id: i + 1,
        image_id: 1,
        category_id: 1,
        iscrowd: 0,
        area: bbox[2] * bbox[3],
        bbox,
        ...a,
      };
    }) as CocoAnnotation[],
  };
}

function det(bbox: Box, score: number, extra: Partial<CocoResult> = {}): CocoResult {
  return { image_id: 1, category_id: 1, bbox, score, ...extra };
}

function close(actual: number, expected: number, message?: string) {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${message ?? ""} ${actual} != ${expected}`);
}

/**
 * pycocotools' precision is `tp / (fp + tp + np.spacing(1))`, so a lone true positive
 * has precision 1 / (1 + 2⁻⁵²) = 0.9999999999999998, and "perfect" AP is 1 only to
 * within that (it prints as 1.000). Compares to within 1e-12.
 */
function closeAll(actual: number[], expected: number[], message?: string) {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => close(v, expected[i], `${message ?? ""}[${i}]`));
}

Deno.test("evaluateCoco() gives AP 1.0 for perfect detections", () => {
  // one object per image and category, so that AR1 is 1 too
  const boxes: Box[] = [[10, 10, 20, 20], [50, 40, 60, 50], [0, 0, 150, 120], [100, 100, 30, 40]];
  const gt = dataset(
    boxes.map((bbox, i) => ({ bbox, image_id: 1 + (i % 2), category_id: 1 + (i >> 1) })),
    { images: [1, 2], cats: 2 },
  );
  const results = gt.annotations.map((a) =>
    det(a.bbox as Box, 0.5, { image_id: a.image_id, category_id: a.category_id })
  );
  const { stats, perClass } = evaluateCoco(gt, results, "bbox");
  // areas 400 (small), 3000 (medium), 18000 (large), 1200 (medium)
  closeAll(stats, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(perClass.map((c) => [c.categoryId, c.name, c.numGroundTruth, c.numDetections]), [
    [1, "c1", 2, 2],
    [2, "c2", 2, 2],
  ]);
  // two true positives: precision 1/(1 + ε) then 2/(2 + ε) = 1 exactly, made non-increasing
  assert.deepEqual(perClass.map((c) => c.ap), [1, 1]);
  assert.deepEqual([...perClass[0].precision50], new Array(101).fill(1));
  // a single true positive: 1/(1 + ε) = 0.9999999999999998, as pycocotools gives it
  const one = evaluateCoco(
    dataset([{ bbox: [10, 10, 20, 20] }]),
    [det([10, 10, 20, 20], 0.5)],
    "bbox",
  );
  assert.equal(one.stats[0], 1 / (1 + 2.220446049250313e-16));
  assert.equal(one.stats[0], 0.9999999999999998);
});

Deno.test("evaluateCoco() gives AP 1.0 for perfect masks", () => {
  const square = [[10, 10, 10, 40, 40, 40, 40, 10]];
  const gt = dataset([{ bbox: [10, 10, 30, 30], area: 900, segmentation: square }]);
  const segmentation = polygonsToRle(square, 200, 300);
  const { stats } = evaluateCoco(
    gt,
    [{ image_id: 1, category_id: 1, score: 1, segmentation }],
    "segm",
  );
  closeAll(stats, [1, 1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1]);
});

Deno.test("evaluateCoco() gives 91/101 with a false positive at rank 3 of 5", () => {
  // 4 objects over 2 images, 5 detections: TP, TP, FP, TP, TP (scores .9 .. .5), exact boxes.
  // recall    .25  .5   .5   .75  1
  // precision 1    1    2/3  3/4  4/5 -> made non-increasing from the right: 1 1 .8 .8 .8
  // recall points 0, .01, ..., .50 (51 of them) find precision 1; .51 .. 1 (50) find .8:
  // AP = (51 × 1 + 50 × 0.8) / 101 = 91/101 at every IoU threshold.
  const gt = dataset([
    { bbox: [0, 0, 10, 10] },
    { bbox: [20, 0, 10, 10] },
    { bbox: [0, 0, 10, 10], image_id: 2 },
    { bbox: [20, 0, 10, 10], image_id: 2 },
  ], { images: [1, 2] });
  const results = [
    det([0, 0, 10, 10], 0.9),
    det([20, 0, 10, 10], 0.8),
    det([50, 50, 10, 10], 0.7), // FP
    det([0, 0, 10, 10], 0.6, { image_id: 2 }),
    det([20, 0, 10, 10], 0.5, { image_id: 2 }),
  ];
  const { stats } = evaluateCoco(gt, results, "bbox");
  close(stats[0], 91 / 101, "AP");
  close(stats[1], 91 / 101, "AP50");
  close(stats[2], 91 / 101, "AP75");
  assert.equal(stats[8], 1); // AR100: every object found
  // the FP at rank 2 instead: precision 1 .5 2/3 3/4 4/5 -> 1 .8 .8 .8 .8; 26 points at 1
  results[2].score = 0.85;
  close(evaluateCoco(gt, results, "bbox").stats[0], (26 + 75 * 0.8) / 101, "AP (FP at rank 2)");
  // an FP after every TP costs nothing
  results[2].score = 0.1;
  assert.equal(evaluateCoco(gt, results, "bbox").stats[0], 1);
});

Deno.test("evaluateCoco() ignores detections on crowd regions instead of counting them as FP", () => {
  const gt = dataset([
    { bbox: [200, 100, 20, 20] },
    { bbox: [10, 0, 100, 100], iscrowd: 1 },
  ]);
  // two detections fully inside the crowd (crowd IoU = intersection / detection area = 1),
  // scored above the true positive: both ignored, and the crowd can be matched again
  const inside = [
    det([20, 20, 10, 10], 0.95),
    det([40, 40, 10, 10], 0.94),
    det([200, 100, 20, 20], 0.9),
  ];
  close(evaluateCoco(gt, inside, "bbox").stats[0], 1);
  // without the crowd region, they are FPs ranked first: precision .. 1/3 -> AP 1/3
  const noCrowd = dataset([{ bbox: [200, 100, 20, 20] }]);
  close(evaluateCoco(noCrowd, inside, "bbox").stats[0], 1 / (3 + 2.220446049250313e-16));
  // half inside the crowd: crowd IoU exactly 0.5, ignored at IoU 0.5 only, FP above it
  const half = [det([0, 0, 20, 10], 0.95), det([200, 100, 20, 20], 0.9)];
  const { stats } = evaluateCoco(gt, half, "bbox");
  close(stats[1], 1); // AP50
  assert.equal(stats[2], 0.5); // AP75: FP then TP -> precision 1/2 everywhere
  close(stats[0], (1 + 9 * 0.5) / 10); // AP over the 10 thresholds
  // crowd ground truth is not counted as an object to find
  assert.equal(evaluateCoco(gt, [], "bbox").perClass[0].numGroundTruth, 1);
});

Deno.test("evaluateCoco() counts an area of exactly 1024 as both small and medium", () => {
  const at1024 = dataset([{ bbox: [0, 0, 32, 32], area: 1024 }]);
  const found = evaluateCoco(at1024, [det([0, 0, 32, 32], 0.9)], "bbox").stats;
  closeAll(found.slice(3, 6), [1, 1, -1]); // APs, APm, APl
  closeAll(found.slice(9, 12), [1, 1, -1]); // ARs, ARm, ARl
  const missed = evaluateCoco(at1024, [det([100, 100, 32, 32], 0.9)], "bbox").stats;
  assert.deepEqual(missed.slice(3, 6), [0, 0, -1]);
  // 96² = 9216 is medium and large
  const at9216 = dataset([{ bbox: [0, 0, 96, 96], area: 9216 }]);
  closeAll(evaluateCoco(at9216, [det([0, 0, 96, 96], 0.9)], "bbox").stats.slice(3, 6), [-1, 1, 1]);
  // the ground truth's area field decides, not its box
  const declared = dataset([{ bbox: [0, 0, 100, 100], area: 50 }]);
  closeAll(evaluateCoco(declared, [det([0, 0, 100, 100], 0.9)], "bbox").stats.slice(3, 6), [
    1,
    -1,
    -1,
  ]);
});

Deno.test("evaluateCoco() ignores unmatched detections outside the area range", () => {
  const gt = dataset([{ bbox: [0, 0, 10, 10] }]);
  // a large FP (area 10 000) ranked above the small TP
  const results = [det([100, 50, 100, 100], 0.95), det([0, 0, 10, 10], 0.9)];
  const { stats } = evaluateCoco(gt, results, "bbox");
  close(stats[3], 1); // APs: the large FP is ignored in the small range
  assert.equal(stats[0], 0.5); // AP: FP then TP
});

Deno.test("evaluateCoco() takes result areas from boxes when the first result has one (loadRes)", () => {
  const square = [[10, 10, 10, 20, 20, 20, 20, 10]];
  const gt = dataset([{ bbox: [10, 10, 10, 10], area: 100, segmentation: square }]);
  const far = polygonsToRle([[100, 100, 100, 110, 110, 110, 110, 100]], 200, 300);
  const hit = polygonsToRle(square, 200, 300);
  // the FP mask is small (100 px) but its box says 80 × 80 = 6400 (medium)
  const withBoxes = [
    { image_id: 1, category_id: 1, score: 0.95, segmentation: far, bbox: [100, 100, 80, 80] },
    { image_id: 1, category_id: 1, score: 0.9, segmentation: hit, bbox: [10, 10, 10, 10] },
  ];
  close(evaluateCoco(gt, withBoxes, "segm").stats[3], 1); // APs: FP out of range, ignored
  // without boxes, areas come from the masks: the FP is small and counts
  const withoutBoxes = withBoxes.map(({ bbox: _, ...r }) => r);
  assert.equal(evaluateCoco(gt, withoutBoxes, "segm").stats[3], 0.5);
  // only the first result decides: with its box removed, every area comes from the masks
  const firstWithout = [withoutBoxes[0], withBoxes[1]];
  assert.equal(evaluateCoco(gt, firstWithout, "segm").stats[3], 0.5);
});

Deno.test("evaluateCoco() cuts detections at maxDets (AR1 < AR10)", () => {
  // 4 objects in one image, found by 4 exact detections
  const boxes: Box[] = [[0, 0, 10, 10], [20, 0, 10, 10], [40, 0, 10, 10], [60, 0, 10, 10]];
  const gt = dataset(boxes.map((bbox) => ({ bbox })));
  const { stats } = evaluateCoco(gt, boxes.map((b, i) => det(b, 0.9 - i * 0.1)), "bbox");
  assert.equal(stats[6], 0.25); // AR1: one detection per image
  assert.equal(stats[7], 1); // AR10
  assert.equal(stats[8], 1); // AR100
  // 105 objects and detections in one image: the 5 lowest-scored are cut before matching
  const many: Box[] = Array.from(
    { length: 105 },
    (_, i) => [(i % 15) * 20, Math.floor(i / 15) * 20, 10, 10],
  );
  const big = dataset(many.map((bbox) => ({ bbox })));
  const out = evaluateCoco(big, many.map((b, i) => det(b, 1 - i / 1000)), "bbox");
  close(out.stats[8], 100 / 105, "AR100");
  close(out.stats[0], 96 / 101, "AP"); // precision 1 up to recall 100/105 = 0.952: points 0 .. .95
  assert.equal(out.perClass[0].numDetections, 105);
});

Deno.test("evaluateCoco() leaves categories without ground truth out of the means", () => {
  const gt = dataset([{ bbox: [0, 0, 10, 10] }], { cats: 3 });
  const results = [
    det([0, 0, 10, 10], 0.9),
    det([50, 50, 10, 10], 0.99, { category_id: 2 }), // FP of a category without ground truth
    det([50, 50, 10, 10], 0.99, { category_id: 7 }), // category not in the dataset: dropped
  ];
  const out = evaluateCoco(gt, results, "bbox");
  close(out.stats[0], 1);
  closeAll(out.perClass.map((c) => c.ap), [1, -1, -1]);
  assert.deepEqual(out.perClass.map((c) => c.ar100), [1, -1, -1]);
  assert.equal(out.droppedResults, 1);
  assert.deepEqual([...out.perClass[1].precision50], new Array(101).fill(-1));
});

Deno.test("evaluateCoco() gives 0 for empty results (and -1 where there is no ground truth)", () => {
  const gt = dataset([{ bbox: [0, 0, 10, 10] }, { bbox: [0, 0, 50, 50], category_id: 2 }], {
    cats: 2,
  });
  const out = evaluateCoco(gt, [], "bbox");
  assert.deepEqual(out.stats, [0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, -1]);
  assert.deepEqual(out.perClass.map((c) => c.ap), [0, 0]);
  const noGt = evaluateCoco(dataset([]), [], "segm");
  assert.deepEqual(noGt.stats, new Array(12).fill(-1));
});

Deno.test("evaluateCoco() breaks score ties by image id, then by result order", () => {
  const gt = dataset([{ bbox: [0, 0, 10, 10] }]);
  // equal scores in one image: the stable sort keeps result order
  close(
    evaluateCoco(gt, [det([50, 50, 5, 5], 0.5), det([0, 0, 10, 10], 0.5)], "bbox").stats[0],
    0.5,
  );
  close(evaluateCoco(gt, [det([0, 0, 10, 10], 0.5), det([50, 50, 5, 5], 0.5)], "bbox").stats[0], 1);
  // across images, accumulate concatenates images in increasing id: image 1's FP first
  const two = dataset([{ bbox: [0, 0, 10, 10], image_id: 2 }], { images: [2, 1] });
  const results = [det([0, 0, 10, 10], 0.5, { image_id: 2 }), det([50, 50, 5, 5], 0.5)];
  close(evaluateCoco(two, results, "bbox").stats[0], 0.5);
});

Deno.test("evaluateCoco() counts a match to ground-truth id 0 as a false positive, as pycocotools", () => {
  // pycocotools stores the matched ground truth's id in dtm, and dtm == 0 means unmatched
  const gt = dataset([{ bbox: [0, 0, 10, 10] }, { bbox: [20, 0, 10, 10] }]);
  gt.annotations[0].id = 0;
  const out = evaluateCoco(gt, [det([0, 0, 10, 10], 0.9), det([20, 0, 10, 10], 0.8)], "bbox");
  // FP (matched to id 0) then TP: precision 0, 1/2 -> 1/2 up to recall 1/2, 0 after
  close(out.stats[0], (51 * 0.5) / 101);
  assert.equal(out.stats[8], 0.5);
});

Deno.test("evaluateCoco() evaluates the image and category subsets of its options", () => {
  const gt = dataset([{ bbox: [0, 0, 10, 10] }, { bbox: [0, 0, 10, 10], image_id: 2 }], {
    images: [1, 2],
    cats: 2,
  });
  const results = [det([0, 0, 10, 10], 0.9)];
  assert.equal(evaluateCoco(gt, results, "bbox").stats[8], 0.5);
  const only1 = evaluateCoco(gt, results, "bbox", { imageIds: [1] });
  assert.equal(only1.stats[8], 1);
  assert.deepEqual(only1.params.imageIds, [1]);
  assert.deepEqual(evaluateCoco(gt, results, "bbox", { categoryIds: [2] }).stats[0], -1);
  assert.throws(
    () => evaluateCoco(gt, results, "bbox", { imageIds: [3] }),
    /options\.imageIds\[0\]: expected the id of an image in groundTruth, found 3/,
  );
});

Deno.test("evaluateCoco() documents its arrays with numpy's shapes", () => {
  const gt = dataset([{ bbox: [0, 0, 10, 10] }], { cats: 2 });
  const out = evaluateCoco(gt, [det([0, 0, 10, 10], 0.9)], "bbox");
  assert.deepEqual(out.counts, [10, 101, 2, 4, 3]);
  assert.equal(out.precision.length, 10 * 101 * 2 * 4 * 3);
  assert.equal(out.recall.length, 10 * 2 * 4 * 3);
  assert.deepEqual([...out.params.iouThresholds], [...COCO_IOU_THRESHOLDS]);
  assert.deepEqual(out.params.maxDets, [1, 10, 100]);
  assert.deepEqual(out.params.areaLabels, ["all", "small", "medium", "large"]);
  // precision[t = 0, r = 100, k = 0, a = 0, m = 2] and the score where it is reached
  const at = (((0 * 101 + 100) * 2 + 0) * 4 + 0) * 3 + 2;
  assert.equal(out.precision[at], 0.9999999999999998); // 1 / (1 + np.spacing(1))
  assert.equal(out.scores[at], 0.9);
  assert.equal(out.precision[at + 4 * 3], -1); // k = 1: no ground truth
});

Deno.test("evaluateCoco() throws on bad input, naming the path, what was expected and what was found", () => {
  const gt = dataset([{ bbox: [0, 0, 10, 10] }]);
  const ok = [det([0, 0, 10, 10], 0.9)];
  const throwsWith = (f: () => unknown, kind: ErrorConstructor, message: string) =>
    assert.throws(f, (e: Error) => {
      assert.equal(e.message, message);
      assert.ok(e instanceof kind, `${e.name}, not ${kind.name}`);
      return true;
    });
  throwsWith(
    () => evaluateCoco(gt, ok, "caption" as CocoIouType),
    RangeError,
    'evaluateCoco(): iouType: expected one of "bbox", "segm", "keypoints", found the string "caption"',
  );
  throwsWith(
    () => evaluateCoco(null as unknown as CocoGroundTruth, ok, "bbox"),
    TypeError,
    "evaluateCoco(): groundTruth: expected a COCO ground truth {images, annotations, categories}, found null",
  );
  throwsWith(
    () => evaluateCoco({ ...gt, images: undefined } as unknown as CocoGroundTruth, ok, "bbox"),
    TypeError,
    "evaluateCoco(): groundTruth.images: expected an array, found nothing",
  );
  const noArea = dataset([{ bbox: [0, 0, 10, 10] }, { bbox: [0, 0, 10, 10] }]);
  delete (noArea.annotations[1] as Partial<CocoAnnotation>).area;
  throwsWith(
    () => evaluateCoco(noArea, ok, "bbox"),
    TypeError,
    "evaluateCoco(): groundTruth.annotations[1].area: expected a number, found nothing",
  );
  throwsWith(
    () => evaluateCoco(dataset([{ bbox: [0, 0, 10] as unknown as Box, area: 1 }]), ok, "bbox"),
    RangeError,
    "evaluateCoco(): groundTruth.annotations[0].bbox: expected a box [x, y, w, h] of 4 finite numbers, found an array of 3 items",
  );
  throwsWith(
    () => evaluateCoco(dataset([{ iscrowd: "no" as unknown as number }]), ok, "bbox"),
    TypeError,
    'evaluateCoco(): groundTruth.annotations[0].iscrowd: expected 0 or 1 (or a boolean), found the string "no"',
  );
  throwsWith(
    () => evaluateCoco(dataset([{}, { id: 1 }]), ok, "bbox"),
    RangeError,
    "evaluateCoco(): groundTruth.annotations[1].id: expected a unique id (annotations[0] has it too), found the number 1",
  );
  throwsWith(
    () => evaluateCoco(gt, [det([0, 0, 10, 10], 0.9, { image_id: 5 })], "bbox"),
    RangeError,
    'evaluateCoco(): results[0].image_id: expected the id of an image in groundTruth.images, found 5 (pycocotools: "Results do not correspond to current coco set")',
  );
  throwsWith(
    () => evaluateCoco(gt, [det([0, 0, 10, 10], NaN)], "bbox"),
    TypeError,
    "evaluateCoco(): results[0].score: expected a number, found the number NaN",
  );
  throwsWith(
    () => evaluateCoco(gt, [...ok, { image_id: 1, category_id: 1, score: 1 }], "bbox"),
    TypeError,
    "evaluateCoco(): results[1].bbox: expected a box [x, y, w, h] of 4 finite numbers (results[0] has one), found nothing",
  );
  throwsWith(
    () => evaluateCoco(gt, [{ image_id: 1, category_id: 1, score: 1 }], "bbox"),
    TypeError,
    "evaluateCoco(): results[0]: expected a bbox, a segmentation or keypoints, found none of them",
  );
  throwsWith(
    () => evaluateCoco(gt, "x" as unknown as CocoResult[], "bbox"),
    TypeError,
    'evaluateCoco(): results: expected a COCO results array [{image_id, category_id, score, bbox?, segmentation?, keypoints?}], found the string "x"',
  );
  throwsWith(
    () => evaluateCoco(gt, [det([0, 0, 10, 10], 0.9, { image_id: 1.5 })], "bbox"),
    TypeError,
    "evaluateCoco(): results[0].image_id: expected an integer, found the number 1.5",
  );
  throwsWith(
    () => evaluateCoco(gt, ok, "bbox", { imageId: [1] } as unknown as { imageIds: number[] }),
    RangeError,
    'evaluateCoco(): options.imageId: expected only the fields imageIds, categoryIds, kptOksSigmas, found an unknown field "imageId"',
  );
  // segm: masks must have their image's size, polygons and RLE must decode
  const square = [[0, 0, 0, 10, 10, 10, 10, 0]];
  const segmGt = dataset([{ segmentation: square }]);
  throwsWith(
    () => evaluateCoco(segmGt, ok, "segm"),
    TypeError,
    "evaluateCoco(): results[0].segmentation: expected a mask for segm evaluation, found nothing",
  );
  throwsWith(
    () => evaluateCoco(gt, ok, "segm"),
    TypeError,
    "evaluateCoco(): groundTruth.annotations[0].segmentation: expected polygons or an RLE {size, counts}, found nothing",
  );
  throwsWith(
    () => evaluateCoco(dataset([{ segmentation: 3 as unknown as number[][] }]), ok, "bbox"),
    TypeError,
    "evaluateCoco(): groundTruth.annotations[0].segmentation: expected polygons [[x0, y0, ...]] or an RLE {size, counts}, found the number 3",
  );
  const wrongSize = polygonsToRle(square, 100, 300);
  throwsWith(
    () =>
      evaluateCoco(
        segmGt,
        [{ image_id: 1, category_id: 1, score: 1, segmentation: wrongSize }],
        "segm",
      ),
    RangeError,
    "evaluateCoco(): results[0].segmentation.size: expected [200, 300], the size of image 1, found [100, 300]",
  );
  const badRle = { size: [200, 300] as [number, number], counts: "0~" };
  throwsWith(
    () =>
      evaluateCoco(
        segmGt,
        [{ image_id: 1, category_id: 1, score: 1, segmentation: badRle }],
        "segm",
      ),
    RangeError,
    `evaluateCoco(): results[0].segmentation.counts: expected ASCII characters 48..111 ('0'..'o'), found "~" (code 126) at index 1`,
  );
  throwsWith(
    () => evaluateCoco(dataset([{ segmentation: [[0, 0, 5, 5]] }]), [], "segm"),
    RangeError,
    "evaluateCoco(): groundTruth.annotations[0].segmentation[0]: expected an even number of coordinates, at least 6 for the first polygon (pycocotools reads 4 as a box), found 4",
  );
  const noHeight = { ...segmGt, images: [{ id: 1 }] };
  throwsWith(
    () => evaluateCoco(noHeight, [], "segm"),
    TypeError,
    "evaluateCoco(): groundTruth.images[0].height: expected an integer >= 0 (segm evaluation needs the image size), found nothing",
  );
});

Deno.test("evaluateCoco() accepts the fields other tools add to COCO files, as pycocotools does", () => {
  const gt = dataset([{ bbox: [0, 0, 10, 10], num_keypoints: 0, keypoints: [] }]);
  const withExtras = {
    ...gt,
    info: { year: 2017 },
    licenses: [],
    images: gt.images.map((i) => ({ ...i, file_name: "a.jpg", license: 1 })),
    categories: gt.categories.map((c) => ({ ...c, supercategory: "thing" })),
  };
  const results = [det([0, 0, 10, 10], 0.9, { id: 7, area: 100 })];
  assert.deepEqual(
    evaluateCoco(withExtras, results, "bbox").stats,
    evaluateCoco(gt, [det([0, 0, 10, 10], 0.9)], "bbox").stats,
  );
});

Deno.test("evaluateCoco() evaluates 500 images and 5,000 detections quickly", () => {
  let seed = 99;
  const random01 = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const images = Array.from({ length: 500 }, (_, i) => ({ id: i + 1, height: 480, width: 640 }));
  const annotations: CocoAnnotation[] = [];
  const results: CocoResult[] = [];
  for (const image of images) {
    for (let j = 0; j < 5; j++) {
      const w = 10 + random01() * 200, h = 10 + random01() * 200;
      const x = random01() * (640 - w), y = random01() * (480 - h);
      const category = 1 + Math.floor(random01() * 5);
      annotations.push({
        id: annotations.length + 1,
        image_id: image.id,
        category_id: category,
        iscrowd: random01() < 0.05 ? 1 : 0,
        area: w * h,
        bbox: [x, y, w, h],
      });
      for (let d = 0; d < 2; d++) {
        const jitter = () => (random01() - 0.5) * 0.2 * Math.min(w, h);
        results.push({
          image_id: image.id,
          category_id: d === 0 ? category : 1 + Math.floor(random01() * 5),
          score: Math.round(random01() * 100) / 100,
          bbox: [x + jitter(), y + jitter(), w + jitter(), h + jitter()],
        });
      }
    }
  }
  const ground: CocoGroundTruth = {
    images,
    annotations,
    categories: Array.from({ length: 5 }, (_, i) => ({ id: i + 1, name: `c${i}` })),
  };
  evaluateCoco(ground, results.slice(0, 500), "bbox"); // warm-up
  const start = performance.now();
  const out = evaluateCoco(ground, results, "bbox");
  const ms = performance.now() - start;
  assert.equal(results.length, 5000);
  assert.ok(out.stats[0] > 0.1 && out.stats[0] < 1);
  // generous bound against slow CI machines; it takes ~100 ms here
  assert.ok(ms < 5000, `took ${ms} ms`);
});
