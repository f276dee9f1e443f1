import assert from "node:assert/strict";
import {
  type Solov2Detections,
  type Solov2Inputs,
  type Solov2Options,
  solov2Postprocess,
} from "../../src/geometry/solov2_post.ts";
import { pointsNms, solov2CellStrides } from "../../src/geometry/solov2_grid.ts";
import { maskHardNms } from "../../src/geometry/mask_hard_nms.ts";
import {
  bitsFromBase64,
  bytesFromBase64,
  float32FromBase64,
  loadFixture,
} from "../_helpers/fixtures.ts";

interface Config {
  nms_pre: number;
  score_thr: number;
  mask_thr: number;
  update_thr: number;
  kernel: "gaussian" | "linear";
  sigma: number;
  max_per_img: number;
}
interface Case {
  name: string;
  numGrids: number[];
  strides: number[];
  numClasses: number;
  height: number;
  width: number;
  categoryBeforePointsNms: string;
  categoryScores: string;
  maskCells: number[];
  masks: string;
  results: {
    config: Config;
    cells: number[];
    classIds: number[];
    scores: number[];
    maskBits: string;
  }[];
}

const { cases } = await loadFixture<{ cases: Case[] }>("single_stage/solov2.json");

/** The 16-bit fractions q / 65536 of the fixture, as float32 soft masks. */
function softMasks(text: string): Float32Array {
  const bytes = bytesFromBase64(text);
  const q = new Uint16Array(bytes.buffer, 0, bytes.length / 2);
  return Float32Array.from(q, (v) => v / 65536);
}

function inputsOf(c: Case): Solov2Inputs {
  return {
    categoryScores: float32FromBase64(c.categoryScores),
    numClasses: c.numClasses,
    cellStrides: solov2CellStrides(c.numGrids, c.strides),
    masks: softMasks(c.masks),
    height: c.height,
    width: c.width,
    maskCells: new Int32Array(c.maskCells),
  };
}

function optionsOf(config: Config): Solov2Options {
  return {
    scoreThreshold: config.score_thr,
    maskThreshold: config.mask_thr,
    nmsPre: config.nms_pre,
    kernel: config.kernel,
    sigma: config.sigma,
    updateThreshold: config.update_thr,
    maxPerImage: config.max_per_img,
  };
}

function assertSame(
  ours: Solov2Detections,
  theirs: Case["results"][number],
  plane: number,
  what: string,
) {
  assert.deepEqual([...ours.cells], theirs.cells, `${what}: cells`);
  assert.deepEqual([...ours.classIds], theirs.classIds, `${what}: classes`);
  ours.scores.forEach((s, i) =>
    assert.ok(Math.abs(s - theirs.scores[i]) <= 1e-5, `${what}: scores[${i}]`)
  );
  const bits = bitsFromBase64(theirs.maskBits, theirs.cells.length * plane);
  assert.deepEqual(ours.masks, bits, `${what}: masks`);
}

Deno.test("pointsNms() keeps the local maxima as SOLO's points_nms does", () => {
  for (const c of cases) {
    const out = pointsNms(float32FromBase64(c.categoryBeforePointsNms), c.numGrids, c.numClasses);
    assert.deepEqual(out, float32FromBase64(c.categoryScores), c.name);
  }
});

Deno.test("solov2Postprocess() gives SOLO's get_seg_single detections for each test_cfg", () => {
  let nonEmpty = 0;
  for (const c of cases) {
    const inputs = inputsOf(c);
    for (const r of c.results) {
      const what = `${c.name}, ${JSON.stringify(r.config)}`;
      const ours = solov2Postprocess(inputs, optionsOf(r.config));
      assertSame(ours, r, c.height * c.width, what);
      ours.maskIndex.forEach((p, i) =>
        assert.equal(c.maskCells[p], ours.cells[i], `${what}: maskIndex`)
      );
      if (r.cells.length > 0) nonEmpty++;
    }
  }
  assert.ok(nonEmpty >= 6, "the fixture has detections");
});

Deno.test("solov2Postprocess() gives the same with one mask plane per grid cell as with maskCells", () => {
  const c = cases[0];
  const inputs = inputsOf(c), plane = c.height * c.width;
  const all = new Float32Array(inputs.cellStrides.length * plane);
  c.maskCells.forEach((cell, p) =>
    all.set(inputs.masks.subarray(p * plane, (p + 1) * plane), cell * plane)
  );
  const ours = solov2Postprocess(
    { ...inputs, masks: all, maskCells: undefined },
    optionsOf(c.results[0].config),
  );
  assertSame(ours, c.results[0], plane, "one plane per cell");
  assert.deepEqual(ours.maskIndex, ours.cells);
});

Deno.test("solov2Postprocess() uses SOLOv2's test_cfg when given no options", () => {
  const c = cases[0];
  assertSame(solov2Postprocess(inputsOf(c)), c.results[0], c.height * c.width, "defaults");
});

Deno.test("solov2Postprocess() with hard NMS drops what greedy mask NMS drops among the undecayed candidates", () => {
  let dropped = 0;
  for (const c of cases) {
    const inputs = inputsOf(c), plane = c.height * c.width;
    for (const r of c.results) {
      for (const iouThreshold of [0.3, 0.5, 0.8]) {
        const what = `${c.name}, ${JSON.stringify(r.config)}, IoU ${iouThreshold}`;
        const options = optionsOf(r.config);
        // Matrix NMS with sigma 0 decays nothing: every candidate of the update threshold.
        const all = solov2Postprocess(inputs, {
          ...options,
          kernel: "gaussian",
          sigma: 0,
          maxPerImage: options.nmsPre,
        });
        const keep = maskHardNms(
          all.masks,
          c.height,
          c.width,
          all.classIds,
          all.scores,
          iouThreshold,
        );
        const picks = [...keep.keys()].filter((i) => keep[i] === 1).slice(0, options.maxPerImage);
        const ours = solov2Postprocess(inputs, { ...options, nms: "hard", iouThreshold });
        assert.deepEqual([...ours.cells], picks.map((i) => all.cells[i]), `${what}: cells`);
        assert.deepEqual([...ours.classIds], picks.map((i) => all.classIds[i]), what);
        assert.deepEqual([...ours.scores], picks.map((i) => all.scores[i]), `${what}: scores`);
        assert.deepEqual([...ours.maskIndex], picks.map((i) => all.maskIndex[i]), what);
        assert.deepEqual(
          ours.masks,
          Uint8Array.from(
            picks.flatMap((i) => [...all.masks.subarray(i * plane, (i + 1) * plane)]),
          ),
          `${what}: masks`,
        );
        dropped += keep.length - keep.reduce((a, k) => a + k, 0);
      }
    }
  }
  assert.ok(dropped >= 10, `${dropped} candidates suppressed`);
});

Deno.test("solov2Postprocess() with hard NMS uses an IoU threshold of 0.5 when given none", () => {
  const c = cases[0];
  const inputs = inputsOf(c);
  assert.deepEqual(
    solov2Postprocess(inputs, { nms: "hard" }),
    solov2Postprocess(inputs, { nms: "hard", iouThreshold: 0.5 }),
  );
});

Deno.test("solov2CellStrides() repeats each level's stride over its S² cells", () => {
  assert.deepEqual([...solov2CellStrides([2, 1], [8, 32])], [8, 8, 8, 8, 32]);
  assert.throws(
    () => solov2CellStrides([2, 1], [8]),
    new TypeError(
      "solov2CellStrides(): strides: expected an array of 2 numbers (one per level), found an array of 1 item",
    ),
  );
});

Deno.test("solov2Postprocess() rejects inputs that do not fit together, with clear errors", () => {
  const base: Solov2Inputs = {
    categoryScores: new Float32Array([0.9, 0.05, 0.05, 0.2]), // 2 cells, 2 classes
    numClasses: 2,
    cellStrides: new Float32Array([0, 0]),
    masks: new Float32Array(2 * 9).fill(0.8),
    height: 3,
    width: 3,
  };
  assert.equal(solov2Postprocess(base).scores.length, 2);
  assert.throws(
    () => solov2Postprocess({ ...base, masks: new Float32Array(17) }),
    new RangeError(
      "solov2Postprocess(): masks: expected a Float32Array of G×height×width = 2×3×3 = 18 mask values (one plane per grid cell, or give maskCells), found length 17",
    ),
  );
  assert.throws(
    () => solov2Postprocess({ ...base, categoryScores: new Float32Array(3) }),
    new RangeError(
      "solov2Postprocess(): inputs.categoryScores: expected a Float32Array of G×C = 2×2 = 4 scores (G from cellStrides), found length 3",
    ),
  );
  assert.throws(
    () =>
      solov2Postprocess({ ...base, masks: new Float32Array(9), maskCells: new Int32Array([1]) }),
    new RangeError(
      "solov2Postprocess(): inputs.maskCells: expected a mask plane for grid cell 0 (its class 0 scores 0.8999999761581421 > scoreThreshold 0.1), found none",
    ),
  );
  assert.throws(
    () => solov2Postprocess({ ...base, maskCells: new Int32Array([1, 1]) }),
    new RangeError("solov2Postprocess(): inputs.maskCells[1]: grid cell 1 already has plane 0"),
  );
  assert.throws(
    () => solov2Postprocess({ ...base, maskCells: new Int32Array([0, 2]) }),
    new RangeError(
      "solov2Postprocess(): inputs.maskCells[1]: expected a grid cell in [0, 1], found 2",
    ),
  );
  assert.throws(
    () => solov2Postprocess(base, { kernel: "box" as "linear" }),
    new RangeError(
      'solov2Postprocess(): options.kernel: expected one of "gaussian", "linear", found the string "box"',
    ),
  );
  assert.throws(
    () => solov2Postprocess(base, { nms: "soft" as "hard" }),
    new RangeError(
      'solov2Postprocess(): options.nms: expected one of "matrix", "hard", found the string "soft"',
    ),
  );
  assert.throws(
    () => solov2Postprocess(base, { nms: "hard", iouThreshold: -0.5 }),
    new RangeError(
      "solov2Postprocess(): options.iouThreshold: expected a finite number >= 0, found -0.5",
    ),
  );
  assert.throws(
    () => pointsNms(new Float32Array(5), [2], 2),
    new RangeError(
      "pointsNms(): scores: expected a Float32Array of G×C = 4×2 = 8 scores, found length 5",
    ),
  );
});
