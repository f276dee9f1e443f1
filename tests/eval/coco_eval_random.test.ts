import assert from "node:assert/strict";
import {
  type CocoEvalOptions,
  type CocoGroundTruth,
  type CocoIouType,
  type CocoResult,
  evaluateCoco,
} from "../../src/eval/coco_eval.ts";
import { COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS } from "../../src/eval/coco_params.ts";
import { polygonsToRle } from "../../src/geometry/polygon_rle.ts";

// tests/fixtures/make_coco_fixtures.py builds a random dataset (300 images, 5 categories
// of which one has detections but no ground truth and one has nothing, crowds as
// uncompressed RLE, ground truth as polygons and compressed RLE, a ground truth with id
// 0, areas of exactly 1024 and 9216, an image with 120 detections of one class, score
// ties, results of a category not in the dataset) and runs its port of pycocotools on it.

interface RandomCase {
  iouThrs: number[];
  recThrs: number[];
  groundTruth: CocoGroundTruth;
  results: (CocoResult & { segmentation: number[][] })[];
  evaluations: {
    iouType: CocoIouType;
    results: "withBbox" | "withoutBbox" | "firstWithoutBbox";
    imageIds: number[] | null;
    categoryIds: number[] | null;
    stats: number[];
    perClass: { categoryId: number; ap: number; ap50: number }[];
    recall: number[];
    precisionSums?: number[];
    scoreSums?: number[];
    precision50?: number[];
  }[];
}

const random: RandomCase = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/coco/eval_random.json", import.meta.url)),
);

function randomResults(kind: RandomCase["evaluations"][number]["results"]): CocoResult[] {
  const sizes = new Map<number, [number, number]>(
    random.groundTruth.images.map((im) => [im.id, [im.height!, im.width!]]),
  );
  // the fixture stores result masks as polygons; pycocotools' port turned them into
  // compressed RLE with frPyObjects + merge, which polygonsToRle reproduces byte for byte
  const withBbox = random.results.map((r) => {
    const [h, w] = sizes.get(r.image_id)!;
    return { ...r, segmentation: polygonsToRle(r.segmentation, h, w) };
  });
  if (kind === "withBbox") return withBbox;
  if (kind === "withoutBbox") return withBbox.map(({ bbox: _, ...r }) => r);
  return withBbox.map((r, i) => (i === 0 ? (({ bbox: _, ...rest }) => rest)(r) : r));
}

function assertClose(actual: ArrayLike<number>, expected: number[], what: string) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= 1e-9,
      `${what}[${i}]: ${actual[i]} != ${expected[i]}`,
    );
  }
}

Deno.test("evaluateCoco() agrees with the pycocotools port on a random dataset (bbox and segm)", () => {
  assert.deepEqual([...COCO_IOU_THRESHOLDS], random.iouThrs);
  assert.deepEqual([...COCO_RECALL_THRESHOLDS], random.recThrs);
  assert.ok(random.groundTruth.images.length >= 300 && random.results.length > 900);
  for (const e of random.evaluations) {
    const options: CocoEvalOptions = {};
    if (e.imageIds !== null) options.imageIds = e.imageIds;
    if (e.categoryIds !== null) options.categoryIds = e.categoryIds;
    const what = `${e.iouType}, ${e.results}${e.imageIds ? ", subset" : ""}`;
    const out = evaluateCoco(random.groundTruth, randomResults(e.results), e.iouType, options);
    assertClose(out.stats, e.stats, `${what}: stats`);
    assert.deepEqual(out.perClass.map((c) => c.categoryId), e.perClass.map((c) => c.categoryId));
    assertClose(
      out.perClass.map((c) => c.ap),
      e.perClass.map((c) => c.ap),
      `${what}: per-class AP`,
    );
    assertClose(
      out.perClass.map((c) => c.ap50),
      e.perClass.map((c) => c.ap50),
      `${what}: per-class AP50`,
    );
    assertClose(out.recall, e.recall, `${what}: recall`);
    const [T, R, K, A, M] = out.counts;
    if (e.precisionSums) {
      const sums = (values: Float64Array) => {
        const s = new Float64Array(T * K * A * M);
        for (let t = 0; t < T; t++) {
          for (let r = 0; r < R; r++) {
            for (let j = 0; j < K * A * M; j++) {
              s[t * K * A * M + j] += values[(t * R + r) * K * A * M + j];
            }
          }
        }
        return s;
      };
      assertClose(sums(out.precision), e.precisionSums, `${what}: precision sums`);
      assertClose(sums(out.scores), e.scoreSums!, `${what}: score sums`);
      assertClose(
        out.perClass.flatMap((c) => [...c.precision50]),
        e.precision50!,
        `${what}: precision at IoU .5`,
      );
    }
  }
});
