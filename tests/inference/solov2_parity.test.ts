/**
 * The shipped SOLOv2 graph and SOLO's post-processing against PyTorch
 * (tests/fixtures/models/solov2_parity.json, written by models/training/solov2_export.py
 * --fixture): onnxruntime-node gives the outputs the fixture holds, and our TypeScript
 * post-processing of them (`solov2Postprocess`, Matrix NMS with our `matrixNms`) gives what
 * SOLO's `get_seg_single` (models/training/solov2_post.py, its steps and its `matrix_nms`)
 * gave on the same outputs in PyTorch: the same cells, classes and binary masks, scores
 * within 1e-5, and the same final masks at the input size.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseManifest } from "../../src/inference/manifest.ts";
import { splitRawOutputs } from "../../src/inference/raw_outputs.ts";
import { solov2Detections } from "../../src/inference/solov2_outputs.ts";
import { solov2CellStrides } from "../../src/geometry/solov2_grid.ts";
import { solov2Postprocess } from "../../src/geometry/solov2_post.ts";
import { pastedMaskToRle } from "../../src/geometry/pasted_rle.ts";
import { rleCountsFromString } from "../../src/geometry/rle_string.ts";
import { countsIou } from "../../src/geometry/rle_iou.ts";
import {
  bitsFromBase64,
  float32FromBase64,
  int32FromBase64,
  loadFixture,
} from "../_helpers/fixtures.ts";
import {
  decodePngBase64,
  identityGeometry,
  int32Of,
  maxAbsDiff,
  runUint8Batch,
} from "../_helpers/graph_parity.ts";

interface Solov2Fixture {
  size: [number, number];
  maskSize: [number, number];
  numClasses: number;
  frames: string[];
  categoryScores: string;
  count: number;
  maskCells: string;
  batchIndex: string;
  maskSums: string;
  masksSampleIndex: string;
  masksSample: string;
  outputsFrom: string;
  final: {
    cells: number[];
    classIds: number[];
    labels: number[];
    scores: string;
    maskBits: string;
    areas: number[];
    rle: string[];
    ties: number;
  }[];
}

const MODEL = new URL("../../models/street-solov2", import.meta.url).pathname;

async function setup() {
  const path = `${MODEL}/manifest.json`;
  const manifest = parseManifest(JSON.parse(await Deno.readTextFile(path)), path);
  const fixture = await loadFixture<Solov2Fixture>("models/solov2_parity.json");
  const [height, width] = fixture.size;
  const frames = await Promise.all(fixture.frames.map(decodePngBase64));
  const out = await runUint8Batch(manifest.file, manifest.input.name, frames, height, width);
  const role = (r: string) => manifest.outputs.find((o) => o.role === r)!.name;
  return { manifest, fixture, frames, out, role };
}

/** (cell, class) keys of detections ordered by score, then key (SOLO's argsort is not
 * stable: tied scores may come in either order). */
function ordered(cells: ArrayLike<number>, classIds: ArrayLike<number>, scores: Float32Array) {
  return [...scores].map((s, i) => ({ s, key: `${cells[i]}:${classIds[i]}`, i }))
    .sort((a, b) => b.s - a.s || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

Deno.test("the SOLOv2 graph gives the category scores and masks the fixture holds on two held-out street frames", async () => {
  const { fixture, out, role } = await setup();
  assert.equal(fixture.outputsFrom, "onnxruntime-node");
  const scores = out[role("category_scores")].data as Float32Array;
  assert.ok(maxAbsDiff(scores, float32FromBase64(fixture.categoryScores)) <= 1e-5);
  assert.ok(fixture.count > 4, "the fixture has masks to compare");
  assert.deepEqual([...int32Of(out[role("mask_cells")])], [...int32FromBase64(fixture.maskCells)]);
  assert.deepEqual([...int32Of(out[role("batch_index")])], [
    ...int32FromBase64(fixture.batchIndex),
  ]);
  const masks = out[role("cell_masks")].data as Float32Array;
  const [hm, wm] = fixture.maskSize, plane = hm * wm;
  const sums = Float32Array.from({ length: fixture.count }, (_, k) => {
    let s = 0;
    for (let q = k * plane; q < (k + 1) * plane; q++) s += masks[q];
    return s;
  });
  const expectedSums = float32FromBase64(fixture.maskSums);
  sums.forEach((s, k) =>
    assert.ok(Math.abs(s - expectedSums[k]) <= 1e-3 * Math.max(1, expectedSums[k]), `mask ${k}`)
  );
  const sample = int32FromBase64(fixture.masksSampleIndex);
  const picked = new Float32Array(sample.length * plane);
  sample.forEach((k, j) => picked.set(masks.subarray(k * plane, (k + 1) * plane), j * plane));
  assert.ok(maxAbsDiff(picked, float32FromBase64(fixture.masksSample)) <= 1e-5);
});

Deno.test("SOLO's post-processing in TypeScript gives the PyTorch reference's cells, classes, scores and masks", async () => {
  const { manifest, fixture, frames, out } = await setup();
  const raws = splitRawOutputs(out, frames.length, manifest);
  let compared = 0;
  raws.forEach((raw, i) => {
    const s = raw.solov2!;
    const spec = s.spec;
    const d = solov2Postprocess({
      categoryScores: s.categoryScores,
      numClasses: spec.numClasses,
      cellStrides: solov2CellStrides(spec.grids, spec.strides),
      masks: s.masks,
      height: s.hm,
      width: s.wm,
      maskCells: s.maskCells,
    }, {
      scoreThreshold: spec.scoreThreshold,
      maskThreshold: spec.maskThreshold,
      nmsPre: spec.nmsPre,
      kernel: spec.kernel,
      sigma: spec.sigma,
      updateThreshold: spec.updateThreshold,
      maxPerImage: spec.maxPerImage,
    });
    const expected = fixture.final[i];
    const scores = float32FromBase64(expected.scores);
    assert.equal(d.scores.length, scores.length, `image ${i}: detections`);
    const ours = ordered(d.cells, d.classIds, d.scores);
    const theirs = ordered(expected.cells, expected.classIds, scores);
    const plane = s.hm * s.wm;
    const bits = bitsFromBase64(expected.maskBits, scores.length * plane);
    ours.forEach((o, j) => {
      const t = theirs[j];
      assert.equal(o.key, t.key, `image ${i} detection ${j}: (cell, class)`);
      assert.ok(Math.abs(o.s - t.s) <= 1e-5, `image ${i} detection ${j}: score ${o.s} vs ${t.s}`);
      assert.deepEqual(
        d.masks.subarray(o.i * plane, (o.i + 1) * plane),
        bits.subarray(t.i * plane, (t.i + 1) * plane),
        `image ${i} detection ${j}: binary mask`,
      );
    });
    compared += ours.length;
  });
  assert.ok(compared >= 4, `${compared} detections compared`);
});

Deno.test("SOLOv2's final masks at the input size are SOLO's upsampled masks", async () => {
  const { manifest, fixture, frames, out } = await setup();
  const [height, width] = fixture.size;
  const identity = identityGeometry(width, height);
  const raws = splitRawOutputs(out, frames.length, manifest);
  raws.forEach((raw, i) => {
    const d = solov2Detections(raw.solov2!, identity);
    const expected = fixture.final[i];
    const scores = float32FromBase64(expected.scores);
    assert.equal(d.scores.length, scores.length);
    const cells = ordered(expected.cells, expected.classIds, scores);
    // solov2Detections keeps solov2Postprocess's order; match by score rank.
    const ours = [...d.scores].map((s, j) => ({ s, j })).sort((a, b) => b.s - a.s);
    ours.forEach(({ j }, r) => {
      const t = cells[r].i;
      const rle = pastedMaskToRle(d.masks[j], height, width);
      const a = rleCountsFromString(rle.counts as string, height, width);
      const b = rleCountsFromString(expected.rle[t], height, width);
      const iou = countsIou(a, b, false);
      assert.ok(iou >= 0.999, `image ${i} detection ${r}: mask IoU ${iou}`);
      assert.equal(d.classIds[j], expected.labels[t], `image ${i} detection ${r}: label`);
    });
  });
});
