import assert from "node:assert/strict";
import { anchorsForLevel, anchorStride, FCOS_ANCHOR_SIZES } from "../../src/geometry/anchors.ts";
import { clipBoxes } from "../../src/geometry/boxes.ts";
import { sigmoid32 } from "../../src/geometry/level_candidates.ts";
import { batchedNms } from "../../src/geometry/nms.ts";
import { decodeFcos, type FcosHeadOutputs } from "../../src/geometry/fcos_decode.ts";
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

const fixture = await loadFixture<Fixture>("single_stage/fcos.json");
const anchors = fixture.grids.map(([h, w], l) =>
  anchorsForLevel(
    fixture.sizes[l],
    fixture.aspectRatios[l],
    anchorStride(fixture.paddedHeight, fixture.paddedWidth, h, w),
    h,
    w,
  )
);
const heads: FcosHeadOutputs[] = fixture.images.map(({ head }) => ({
  numClasses: fixture.numClasses,
  clsLogits: head.cls_logits.map(float32FromBase64),
  bboxRegression: head.bbox_regression.map(float32FromBase64),
  bboxCtrness: head.bbox_ctrness.map(float32FromBase64),
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

Deno.test("decodeFcos() gives torchvision 0.14's FCOS detections, with the level of each", () => {
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
      assertSameDetections(decodeFcos(heads[i], anchors, image, options), r.images[i], what);
    });
  }
});

Deno.test("decodeFcos() uses torchvision's defaults when given no options", () => {
  const defaults = fixture.results.find((r) =>
    r.scoreThreshold === 0.2 && r.topkCandidates === 1000
  )!;
  assertSameDetections(
    decodeFcos(heads[1], anchors, fixture.images[1]),
    defaults.images[1],
    "defaults",
  );
});

Deno.test("decodeFcos() keeps the best topkCandidates of each level before NMS", () => {
  // Level 0: four locations of class 0, far apart; level 1: one location.
  const level0 = anchorsForLevel([8], [1], 8, 1, 4), level1 = anchorsForLevel([16], [1], 16, 1, 1);
  const head = {
    numClasses: 1,
    clsLogits: [new Float32Array([1, 3, 2, 4]), new Float32Array([0.5])],
    bboxRegression: [new Float32Array(16).fill(0.25), new Float32Array(4).fill(0.25)],
    bboxCtrness: [new Float32Array(4).fill(5), new Float32Array([5])],
  };
  const d = decodeFcos(head, [level0, level1], { height: 64, width: 64 }, {
    topkCandidates: 2,
    nmsThreshold: 0.6,
  });
  assert.deepEqual([...d.levels], [0, 0, 1]);
  assert.deepEqual([...d.boxes.subarray(0, 8)], [22, 0, 26, 2, 6, 0, 10, 2]); // locations 3 and 1
  const none = decodeFcos(head, [level0, level1], { height: 64, width: 64 }, {
    scoreThreshold: 0.99,
  });
  assert.equal(none.scores.length, 0);
  assert.equal(
    decodeFcos({ ...head, clsLogits: [], bboxRegression: [], bboxCtrness: [] }, [], {
      height: 1,
      width: 1,
    }).scores.length,
    0,
  );
});

Deno.test("decodeFcos() lets every score through a negative threshold", () => {
  const head = {
    numClasses: 2,
    clsLogits: [new Float32Array([-5, -20, 0, -9])],
    bboxRegression: [new Float32Array(8).fill(1)],
    bboxCtrness: [new Float32Array([5, -3])],
  };
  const anchors = [anchorsForLevel([8], [1], 32, 1, 2)];
  const d = decodeFcos(head, anchors, { height: 64, width: 64 }, { scoreThreshold: -0.5 });
  assert.equal(d.scores.length, 4);
  assert.ok(d.scores[3] < 0.01);
});

Deno.test("decodeFcos() rejects head outputs that do not fit the anchors, with clear errors", () => {
  const anchors = [anchorsForLevel([8], [1], 8, 2, 2), anchorsForLevel([16], [1], 16, 1, 1)];
  const head = {
    numClasses: 3,
    clsLogits: [new Float32Array(12), new Float32Array(3)],
    bboxRegression: [new Float32Array(16), new Float32Array(4)],
    bboxCtrness: [new Float32Array(4), new Float32Array(1)],
  };
  const image = { height: 16, width: 16 };
  decodeFcos(head, anchors, image); // fits
  assert.throws(
    () =>
      decodeFcos({ ...head, bboxCtrness: undefined } as unknown as FcosHeadOutputs, anchors, image),
    new TypeError(
      "decodeFcos(): head.bboxCtrness: expected an array of 2 Float32Arrays (one per level), found nothing",
    ),
  );
  assert.throws(
    () =>
      decodeFcos(
        { ...head, clsLogits: [new Float32Array(12), new Float32Array(2)] },
        anchors,
        image,
      ),
    new RangeError(
      "decodeFcos(): head.clsLogits[1]: expected a Float32Array of 1×3 = 3 numbers (class logits for the 1 anchor of level 1), found length 2",
    ),
  );
  assert.throws(
    () => decodeFcos({ ...head, bboxRegression: [new Float32Array(16)] }, anchors, image),
    new RangeError(
      "decodeFcos(): head.bboxRegression: expected 2 levels (one per anchors entry), found 1",
    ),
  );
  assert.throws(
    () => decodeFcos(head, [anchors[0], new Float32Array(6)], image),
    new RangeError(
      "decodeFcos(): anchors[1]: expected a Float32Array of HWA×4 numbers (x1, y1, x2, y2), found length 6, not a multiple of 4",
    ),
  );
  assert.throws(
    () => decodeFcos({ ...head, numClasses: 0 }, anchors, image),
    new RangeError("decodeFcos(): head.numClasses: expected an integer >= 1, found 0"),
  );
  assert.throws(
    () => decodeFcos(head, anchors, { height: 16 } as unknown as { height: number; width: number }),
    new TypeError("decodeFcos(): image.width: expected a number, found nothing"),
  );
  assert.throws(
    () => decodeFcos(head, anchors, image, { topkCandidates: -1 }),
    new RangeError("decodeFcos(): options.topkCandidates: expected an integer >= 0, found -1"),
  );
});

/** The reference steps written plainly: every score, a stable sort, then NMS of all. */
function plainFcos(
  head: FcosHeadOutputs,
  anchors: Float32Array[],
  image: { height: number; width: number },
  o: {
    scoreThreshold: number;
    nmsThreshold: number;
    topkCandidates: number;
    detectionsPerImage: number;
  },
) {
  const f = Math.fround, c = head.numClasses;
  const boxes: number[] = [], scores: number[] = [], classIds: number[] = [], levels: number[] = [];
  head.clsLogits.forEach((logits, level) => {
    const ctr = head.bboxCtrness[level], reg = head.bboxRegression[level], a = anchors[level];
    const chosen = [...logits].map((x, i) => ({
      s: f(Math.sqrt(f(sigmoid32(x) * sigmoid32(ctr[Math.floor(i / c)])))),
      i,
    }))
      .filter(({ s }) => s > f(o.scoreThreshold))
      .sort((p, q) => q.s - p.s || p.i - q.i)
      .slice(0, o.topkCandidates);
    for (const { s, i } of chosen) {
      const k = 4 * Math.floor(i / c);
      const cx = f(0.5 * f(a[k] + a[k + 2])), cy = f(0.5 * f(a[k + 1] + a[k + 3]));
      const w = f(a[k + 2] - a[k]), h = f(a[k + 3] - a[k + 1]);
      const box = new Float32Array([
        f(cx - f(reg[k] * w)),
        f(cy - f(reg[k + 1] * h)),
        f(cx + f(reg[k + 2] * w)),
        f(cy + f(reg[k + 3] * h)),
      ]);
      boxes.push(...clipBoxes(box, image.height, image.width));
      scores.push(s), classIds.push(i % c), levels.push(level);
    }
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

Deno.test("decodeFcos() cuts thousands of candidates, tied or not, to topk as a plain stable sort does", () => {
  const rand = random(12), c = 4;
  const grids = [[64, 64], [32, 32], [16, 16]];
  const anchors = grids.map(([h, w], l) =>
    anchorsForLevel(FCOS_ANCHOR_SIZES[l], [1], 8 << l, h, w)
  );
  // Logits in steps of 1/64 (many exact ties), then continuous ones; most above the threshold.
  for (const tied of [true, false]) {
    const head: FcosHeadOutputs = {
      numClasses: c,
      clsLogits: anchors.map((a) =>
        Float32Array.from(
          { length: (a.length / 4) * c },
          () => tied ? Math.round(rand() * 384 - 128) / 64 : (rand() * 384 - 128) / 64,
        )
      ),
      bboxRegression: anchors.map((a) => Float32Array.from({ length: a.length }, () => rand() * 4)),
      bboxCtrness: anchors.map((a) =>
        Float32Array.from(
          { length: a.length / 4 },
          () => tied ? Math.round(rand() * 16 - 4) / 4 : (rand() * 16 - 4) / 4,
        )
      ),
    };
    const image = { height: 500, width: 470 };
    for (const topkCandidates of [1, 50, 1000, 5000]) {
      // Keeping (nearly) everything shows the per-level top k themselves.
      for (const [detectionsPerImage, nmsThreshold] of [[10, 0.5], [100_000, 0.95]]) {
        const o = { scoreThreshold: 0.2, nmsThreshold, topkCandidates, detectionsPerImage };
        const ours = decodeFcos(head, anchors, image, o),
          plain = plainFcos(head, anchors, image, o);
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
