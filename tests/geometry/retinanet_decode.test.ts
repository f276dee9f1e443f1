import assert from "node:assert/strict";
import {
  anchorsForLevel,
  anchorStride,
  RETINANET_ANCHOR_SIZES,
} from "../../src/geometry/anchors.ts";
import { decodeBoxes } from "../../src/geometry/box_coder.ts";
import { clipBoxes } from "../../src/geometry/boxes.ts";
import { sigmoid32 } from "../../src/geometry/level_candidates.ts";
import { batchedNms } from "../../src/geometry/nms.ts";
import { decodeRetinaNet, type RetinaNetHeadOutputs } from "../../src/geometry/retinanet_decode.ts";
import type { SingleStageDetections } from "../../src/geometry/single_stage.ts";
import { float32FromBase64, loadFixture } from "../_helpers/fixtures.ts";
import { random } from "../_helpers/random.ts";

interface Expected {
  boxes: number[];
  scores: number[];
  classIds: number[];
  levels: number[];
}
interface Fixture {
  numClasses: number;
  paddedHeight: number;
  paddedWidth: number;
  grids: [number, number][];
  sizes: number[][];
  aspectRatios: number[][];
  images: { height: number; width: number; head: Record<string, string[]> }[];
  results: {
    scoreThreshold: number;
    nmsThreshold: number;
    detectionsPerImage: number;
    topkCandidates: number;
    images: Expected[];
  }[];
}

const fixture = await loadFixture<Fixture>("single_stage/retinanet.json");
const anchors = fixture.grids.map(([h, w], l) =>
  anchorsForLevel(
    fixture.sizes[l],
    fixture.aspectRatios[l],
    anchorStride(fixture.paddedHeight, fixture.paddedWidth, h, w),
    h,
    w,
  )
);
const heads: RetinaNetHeadOutputs[] = fixture.images.map(({ head }) => ({
  numClasses: fixture.numClasses,
  clsLogits: head.cls_logits.map(float32FromBase64),
  bboxRegression: head.bbox_regression.map(float32FromBase64),
}));

/** Same count, classes and levels; boxes within 1e-3 px, scores within 1e-5. */
function assertSameDetections(ours: SingleStageDetections, theirs: Expected, what: string) {
  assert.equal(ours.scores.length, theirs.scores.length, `${what}: count`);
  assert.deepEqual([...ours.classIds], theirs.classIds, `${what}: classes`);
  assert.deepEqual([...ours.levels], theirs.levels, `${what}: levels`);
  ours.scores.forEach((s, i) =>
    assert.ok(Math.abs(s - theirs.scores[i]) <= 1e-5, `${what}: scores[${i}]`)
  );
  ours.boxes.forEach((v, i) =>
    assert.ok(Math.abs(v - theirs.boxes[i]) <= 1e-3, `${what}: boxes[${i}]`)
  );
}

Deno.test("decodeRetinaNet() gives torchvision 0.14's RetinaNet detections, with the level of each", () => {
  for (const r of fixture.results) {
    const options = {
      scoreThreshold: r.scoreThreshold,
      nmsThreshold: r.nmsThreshold,
      detectionsPerImage: r.detectionsPerImage,
      topkCandidates: r.topkCandidates,
    };
    fixture.images.forEach((image, i) => {
      const what =
        `image ${i} (${image.height}×${image.width}), score > ${r.scoreThreshold}, top ${r.topkCandidates}`;
      assert.ok(r.images[i].scores.length > 0, `${what}: the fixture has detections`);
      assertSameDetections(decodeRetinaNet(heads[i], anchors, image, options), r.images[i], what);
    });
  }
});

Deno.test("decodeRetinaNet() uses torchvision 0.14's defaults when given no options", () => {
  const defaults = fixture.results.find((r) =>
    r.scoreThreshold === 0.05 && r.detectionsPerImage === 300
  )!;
  assertSameDetections(
    decodeRetinaNet(heads[0], anchors, fixture.images[0]),
    defaults.images[0],
    "defaults",
  );
});

Deno.test("decodeRetinaNet() scores each anchor and class on its own and clamps dw, dh", () => {
  // One location, 2 classes: both classes of the one anchor are candidates.
  const level = new Float32Array([0, 0, 40, 40]);
  const head = {
    numClasses: 2,
    clsLogits: [new Float32Array([2, 1])],
    bboxRegression: [new Float32Array([0, 0, 20, 0])], // dw clamped at log(1000 / 16)
  };
  const d = decodeRetinaNet(head, [level], { height: 1000, width: 5000 });
  assert.deepEqual([...d.classIds], [0, 1]);
  const halfWidth = Math.fround(
    0.5 * Math.fround(Math.fround(Math.exp(Math.fround(Math.log(1000 / 16)))) * 40),
  );
  assert.equal(d.boxes[2], Math.fround(20 + halfWidth));
});

Deno.test("decodeRetinaNet() rejects head outputs that do not fit the anchors, with clear errors", () => {
  const anchors = [anchorsForLevel([32, 40], [0.5, 1, 2], 8, 2, 2)]; // 24 anchors
  const head = {
    numClasses: 2,
    clsLogits: [new Float32Array(48)],
    bboxRegression: [new Float32Array(96)],
  };
  const image = { height: 16, width: 16 };
  decodeRetinaNet(head, anchors, image); // fits
  assert.throws(
    () => decodeRetinaNet({ ...head, bboxRegression: [new Float32Array(95)] }, anchors, image),
    new RangeError(
      "decodeRetinaNet(): head.bboxRegression[0]: expected a Float32Array of 24×4 = 96 numbers (deltas for the 24 anchors of level 0), found length 95",
    ),
  );
  assert.throws(
    () =>
      decodeRetinaNet(
        { ...head, clsLogits: [new Float32Array(48), new Float32Array(0)] },
        anchors,
        image,
      ),
    new RangeError(
      "decodeRetinaNet(): head.clsLogits: expected 1 level (one per anchors entry), found 2",
    ),
  );
  assert.throws(
    () =>
      decodeRetinaNet(
        { ...head, clsLogits: [new Float64Array(48)] } as unknown as RetinaNetHeadOutputs,
        anchors,
        image,
      ),
    new TypeError(
      "decodeRetinaNet(): head.clsLogits[0]: expected a Float32Array of 24×2 = 48 numbers (class logits for the 24 anchors of level 0), found a Float64Array of length 48",
    ),
  );
  assert.throws(
    () => decodeRetinaNet(head, undefined as unknown as Float32Array[], image),
    new TypeError(
      "decodeRetinaNet(): anchors: expected an array with one Float32Array of HWA×4 boxes per level, found nothing",
    ),
  );
  assert.throws(
    () => decodeRetinaNet(head, anchors, image, { nmsThreshold: NaN }),
    new RangeError(
      "decodeRetinaNet(): options.nmsThreshold: expected a finite number >= 0, found NaN",
    ),
  );
});

/** The reference steps written plainly: every score, a stable sort, then NMS of all. */
function plainRetinaNet(
  head: RetinaNetHeadOutputs,
  anchors: Float32Array[],
  image: { height: number; width: number },
  o: {
    scoreThreshold: number;
    nmsThreshold: number;
    topkCandidates: number;
    detectionsPerImage: number;
  },
) {
  const boxes: number[] = [], scores: number[] = [], classIds: number[] = [], levels: number[] = [];
  const c = head.numClasses;
  head.clsLogits.forEach((logits, level) => {
    const chosen = [...logits].map((x, i) => ({ s: sigmoid32(x), i }))
      .filter(({ s }) => s > Math.fround(o.scoreThreshold))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, o.topkCandidates);
    const at = (a: Float32Array, i: number) => [...a.subarray(4 * i, 4 * i + 4)];
    const deltas = new Float32Array(
      chosen.flatMap(({ i }) => at(head.bboxRegression[level], Math.floor(i / c))),
    );
    const refs = new Float32Array(chosen.flatMap(({ i }) => at(anchors[level], Math.floor(i / c))));
    boxes.push(...clipBoxes(decodeBoxes(deltas, refs), image.height, image.width));
    chosen.forEach(({ s, i }) => (scores.push(s), classIds.push(i % c), levels.push(level)));
  });
  const keep = batchedNms(
    new Float32Array(boxes),
    new Float32Array(scores),
    new Int32Array(classIds),
    o.nmsThreshold,
  )
    .slice(0, o.detectionsPerImage);
  return {
    boxes: [...keep].flatMap((i) => boxes.slice(4 * i, 4 * i + 4)),
    scores: [...keep].map((i) => scores[i]),
    classIds: [...keep].map((i) => classIds[i]),
    levels: [...keep].map((i) => levels[i]),
  };
}

Deno.test("decodeRetinaNet() cuts thousands of candidates, tied or not, to topk as a plain stable sort does", () => {
  const rand = random(11), c = 3;
  const grids = [[40, 40], [20, 20], [10, 10]];
  const anchors = grids.map(([h, w], l) =>
    anchorsForLevel(RETINANET_ANCHOR_SIZES[l], [0.5, 1, 2], 8 << l, h, w)
  );
  // Logits in steps of 1/64 (many exact ties), then continuous ones; most above the threshold.
  for (const tied of [true, false]) {
    const head: RetinaNetHeadOutputs = {
      numClasses: c,
      clsLogits: anchors.map((a) =>
        Float32Array.from(
          { length: (a.length / 4) * c },
          () => tied ? Math.round(rand() * 384 - 192) / 64 : (rand() * 384 - 192) / 64,
        )
      ),
      bboxRegression: anchors.map((a) =>
        Float32Array.from({ length: a.length }, () => (rand() - 0.5) * 0.6)
      ),
    };
    const image = { height: 300, width: 310 };
    for (const topkCandidates of [1, 50, 1000, 5000]) {
      // Keeping (nearly) everything shows the per-level top k themselves.
      for (const [detectionsPerImage, nmsThreshold] of [[10, 0.5], [100_000, 0.95]]) {
        const o = { scoreThreshold: 0.05, nmsThreshold, topkCandidates, detectionsPerImage };
        const ours = decodeRetinaNet(head, anchors, image, o),
          plain = plainRetinaNet(head, anchors, image, o);
        const what = `${
          tied ? "tied" : "continuous"
        }, top ${topkCandidates}, keep ${detectionsPerImage} at ${nmsThreshold}`;
        assert.deepEqual([...ours.scores], plain.scores, what);
        assert.deepEqual([...ours.boxes], plain.boxes, what);
        assert.deepEqual([...ours.classIds], plain.classIds, what);
        assert.deepEqual([...ours.levels], plain.levels, what);
      }
    }
  }
});
