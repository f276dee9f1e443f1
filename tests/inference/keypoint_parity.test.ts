/**
 * The shipped plaza Keypoint R-CNN in onnxruntime-node gives the candidates and keypoint
 * heatmaps (or regressed keypoints, with the fixture's `encoding`) PyTorch gave (tests/fixtures/models/keypoint_parity.json, written by
 * models/training/keypoint_export.py --fixture), and the runtime's post-processing of the
 * graph's outputs gives torchvision's own final detections and keypoints.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseManifest } from "../../src/inference/manifest.ts";
import { splitRawOutputs } from "../../src/inference/raw_outputs.ts";
import { postprocess } from "../../src/inference/postprocess.ts";
import { float32FromBase64, int32FromBase64, loadFixture } from "../_helpers/fixtures.ts";
import {
  decodePngBase64,
  identityGeometry,
  int32Of,
  maxAbsDiff,
  runUint8Batch,
} from "../_helpers/graph_parity.ts";

interface KeypointFixture {
  frames: string[];
  size: [number, number];
  count: number;
  boxes: string;
  scores: string;
  labels: string;
  batchIndex: string;
  encoding: "heatmap" | "regression";
  /** Regression: D×17×2 keypoints in input pixels. */
  keypoints?: string;
  heatmapSize: number;
  keypointMax: string;
  keypointArgmax: string;
  keypointLogitsStride: number;
  keypointLogitsSample: string;
  final: {
    scoreThreshold: number;
    iouThreshold: number;
    detections: number;
    images: { boxes: string; scores: string; keypoints: string }[];
  };
}

const MODEL = new URL("../../models/plaza-keypointrcnn", import.meta.url).pathname;

async function setup() {
  const path = `${MODEL}/manifest.json`;
  const manifest = parseManifest(JSON.parse(await Deno.readTextFile(path)), path);
  const fixture = await loadFixture<KeypointFixture>("models/keypoint_parity.json");
  const [height, width] = fixture.size;
  const frames = await Promise.all(fixture.frames.map(decodePngBase64));
  const out = await runUint8Batch(manifest.file, manifest.input.name, frames, height, width);
  return { manifest, fixture, frames, out };
}

Deno.test("the keypoint graph gives PyTorch's candidates and keypoint outputs on a batch of two plaza frames", async () => {
  const { fixture, out } = await setup();
  assert.ok(fixture.count > 10, "the fixture has candidates to compare");
  assert.equal(out.scores.dims[0], fixture.count);
  assert.deepEqual([...int32Of(out.labels)], [...int32FromBase64(fixture.labels)]);
  assert.deepEqual([...int32Of(out.batch_index)], [...int32FromBase64(fixture.batchIndex)]);
  assert.ok(maxAbsDiff(out.boxes.data as Float32Array, float32FromBase64(fixture.boxes)) <= 1e-3);
  assert.ok(maxAbsDiff(out.scores.data as Float32Array, float32FromBase64(fixture.scores)) <= 1e-4);
  if (fixture.encoding === "regression") {
    assert.deepEqual(out.keypoints.dims, [fixture.count, 17, 2]);
    const got = out.keypoints.data as Float32Array;
    assert.ok(maxAbsDiff(got, float32FromBase64(fixture.keypoints!)) <= 1e-2);
  } else {
    compareHeatmaps(fixture, out);
  }
});

/** The heatmap graph's logits against the fixture: each map's peak value and cell, and a
 * strided sample of the first candidate's maps per image. */
function compareHeatmaps(
  fixture: KeypointFixture,
  out: Awaited<ReturnType<typeof setup>>["out"],
): void {
  const S = fixture.heatmapSize, K = 17;
  assert.deepEqual(out.keypoint_logits.dims, [fixture.count, K, S, S]);
  const maps = out.keypoint_logits.data as Float32Array;
  const best = new Float32Array(fixture.count * K);
  const where = new Int32Array(fixture.count * K);
  for (let j = 0; j < fixture.count * K; j++) {
    let m = -Infinity, at = 0;
    for (let c = 0; c < S * S; c++) {
      if (maps[j * S * S + c] > m) m = maps[j * S * S + c], at = c;
    }
    best[j] = m;
    where[j] = at;
  }
  assert.ok(maxAbsDiff(best, float32FromBase64(fixture.keypointMax)) <= 2e-3);
  // The peak cell: the same one, but for near ties (two cells within float noise).
  const expectedWhere = int32FromBase64(fixture.keypointArgmax);
  const moved = where.filter((w, j) => w !== expectedWhere[j]).length;
  assert.ok(moved <= where.length / 100, `${moved} of ${where.length} peaks moved`);
  const image = int32Of(out.batch_index);
  const sample: number[] = [];
  for (let b = 0; b < 2; b++) {
    const first = image.indexOf(b);
    const plane = maps.subarray(first * K * S * S, (first + 1) * K * S * S);
    for (let i = 0; i < plane.length; i += fixture.keypointLogitsStride) sample.push(plane[i]);
  }
  assert.ok(maxAbsDiff(sample, float32FromBase64(fixture.keypointLogitsSample)) <= 2e-3);
}

Deno.test("post-processing the graph's outputs gives torchvision's final people and keypoints", async () => {
  const { manifest, fixture, out, frames } = await setup();
  const [height, width] = fixture.size;
  const raws = splitRawOutputs(out, frames.length, manifest);
  const identity = identityGeometry(width, height);
  const { scoreThreshold, iouThreshold, detections } = fixture.final;
  let compared = 0, exact = 0;
  raws.forEach((raw, i) => {
    const d = postprocess(raw, identity, {
      nms: "hard",
      iouThreshold,
      scoreThreshold,
      maxDetections: detections,
    });
    const expected = fixture.final.images[i];
    const scores = float32FromBase64(expected.scores);
    assert.equal(d.scores.length, scores.length, `frame ${i}: people`);
    assert.ok(maxAbsDiff(d.scores, scores) <= 1e-4);
    assert.ok(maxAbsDiff(d.boxes, float32FromBase64(expected.boxes)) <= 1e-3);
    const keypoints = float32FromBase64(expected.keypoints);
    for (let j = 0; j < keypoints.length; j += 3) {
      const dx = Math.abs(d.keypoints![j] - keypoints[j]);
      const dy = Math.abs(d.keypoints![j + 1] - keypoints[j + 1]);
      // A decoded keypoint sits on a pixel centre of its box's grid: equal, or one cell away
      // where PyTorch's and ONNX Runtime's heatmaps tie within float noise. A regressed one
      // is equal within float noise.
      const near = fixture.encoding === "regression" ? 1e-2 : 1.01;
      assert.ok(dx <= near && dy <= near, `frame ${i} keypoint ${j / 3}: Δ ${dx}, ${dy}`);
      if (dx < 1e-2 && dy < 1e-2) exact++;
      compared++;
    }
  });
  assert.ok(compared > 100, `${compared} keypoints compared`);
  assert.ok(exact >= 0.98 * compared, `${exact} of ${compared} keypoints equal`);
});
