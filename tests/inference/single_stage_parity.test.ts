/**
 * The shipped FCOS and RetinaNet graphs against PyTorch (tests/fixtures/models/
 * {fcos,retinanet}_parity.json, written by models/training/single_stage_export.py
 * --fixture): onnxruntime-node gives PyTorch's head outputs; our TypeScript decoding of
 * PyTorch's own head outputs gives torchvision's `postprocess_detections` exactly (boxes
 * within 1e-3 px, scores within 1e-5, same count); and the runtime's post-processing of
 * the graph's outputs gives torchvision's final detections.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseManifest } from "../../src/inference/manifest.ts";
import { splitRawOutputs } from "../../src/inference/raw_outputs.ts";
import { postprocess } from "../../src/inference/postprocess.ts";
import {
  decodeSingleStage,
  type SingleStageRaw,
} from "../../src/inference/single_stage_outputs.ts";
import { anchorsPerLocation } from "../../src/wire/single_stage_spec.ts";
import { float32FromBase64, int32FromBase64, loadFixture } from "../_helpers/fixtures.ts";
import {
  decodePngBase64,
  identityGeometry,
  maxAbsDiff,
  runUint8Batch,
} from "../_helpers/graph_parity.ts";

interface Candidates {
  count: number;
  anchor: string;
  label: string;
  score: string;
  logit: string;
  regression: string;
  ctrness?: string;
}

interface SingleStageFixture {
  model: string;
  kind: "fcos" | "retinanet";
  size: [number, number];
  numClasses: number;
  frames: string[];
  outputs: { name: string; shape: number[] }[];
  sampleStride: number;
  samples: Record<string, string>;
  candidateCap: number;
  candidates: Candidates[][];
  final: {
    scoreThreshold: number;
    nmsThreshold: number;
    topkCandidates: number;
    detectionsPerImage: number;
    images: { boxes: string; scores: string; labels: string }[];
  };
}

const MODELS = [
  { kind: "FCOS", folder: "street-fcos", fixture: "fcos_parity.json" },
  { kind: "RetinaNet", folder: "street-retinanet", fixture: "retinanet_parity.json" },
];

async function setup(folder: string, name: string) {
  const path = new URL(`../../models/${folder}/manifest.json`, import.meta.url).pathname;
  const manifest = parseManifest(JSON.parse(await Deno.readTextFile(path)), path);
  const fixture = await loadFixture<SingleStageFixture>(`models/${name}`);
  const [height, width] = fixture.size;
  assert.deepEqual([manifest.input.height, manifest.input.width], [height, width]);
  const frames = await Promise.all(fixture.frames.map(decodePngBase64));
  const out = await runUint8Batch(manifest.file, manifest.input.name, frames, height, width);
  return { manifest, fixture, frames, out };
}

/** An image's head outputs holding only PyTorch's candidates (logits elsewhere -100: a
 * score of e⁻¹⁰⁰, far below any threshold), as torchvision selected them. */
function candidateOutputs(
  raw: SingleStageRaw,
  levels: Candidates[],
): SingleStageRaw {
  const c = raw.spec.numClasses;
  const clsLogits: Float32Array[] = [], bboxRegression: Float32Array[] = [];
  const bboxCtrness: Float32Array[] = [];
  levels.forEach((cand, l) => {
    const level = raw.spec.levels[l];
    const rows = level.height * level.width * anchorsPerLocation(raw.spec, l);
    const cls = new Float32Array(rows * c).fill(-100);
    const reg = new Float32Array(rows * 4), ctr = new Float32Array(rows);
    const anchor = int32FromBase64(cand.anchor), label = int32FromBase64(cand.label);
    const logit = float32FromBase64(cand.logit), regression = float32FromBase64(cand.regression);
    const ctrness = cand.ctrness ? float32FromBase64(cand.ctrness) : undefined;
    anchor.forEach((a, j) => {
      cls[a * c + label[j]] = logit[j];
      reg.set(regression.subarray(4 * j, 4 * j + 4), 4 * a);
      if (ctrness) ctr[a] = ctrness[j];
    });
    clsLogits.push(cls);
    bboxRegression.push(reg);
    bboxCtrness.push(ctr);
  });
  return {
    ...raw,
    clsLogits,
    bboxRegression,
    ...(raw.kind === "fcos" ? { bboxCtrness } : {}),
  };
}

/** Detections sorted by (score, then box) so that equal-score orders compare. */
function sortedRows(boxes: Float32Array, scores: Float32Array, labels: Int32Array) {
  return [...scores].map((s, i) => ({
    score: s,
    label: labels[i],
    box: [...boxes.subarray(4 * i, 4 * i + 4)],
  })).sort((a, b) => b.score - a.score || a.box[0] - b.box[0] || a.box[1] - b.box[1]);
}

for (const { kind, folder, fixture: name } of MODELS) {
  Deno.test(`the ${kind} graph gives PyTorch's head outputs on two held-out street frames`, async () => {
    const { fixture, out } = await setup(folder, name);
    for (const { name: output, shape } of fixture.outputs) {
      assert.deepEqual(out[output]?.dims, shape, `output ${output}`);
      const data = out[output].data as Float32Array;
      const sample = [];
      for (let i = 0; i < data.length; i += fixture.sampleStride) sample.push(data[i]);
      const diff = maxAbsDiff(sample, float32FromBase64(fixture.samples[output]));
      assert.ok(diff <= 2e-3, `${output}: max |Δ| ${diff}`);
    }
  });

  Deno.test(`decoding PyTorch's ${kind} head outputs in TypeScript gives torchvision's detections exactly`, async () => {
    const { manifest, fixture, out } = await setup(folder, name);
    const spec = manifest.singleStage!;
    const { final } = fixture;
    assert.deepEqual(
      [spec.scoreThreshold, spec.nmsThreshold, spec.topkCandidates, spec.detectionsPerImage],
      [final.scoreThreshold, final.nmsThreshold, final.topkCandidates, final.detectionsPerImage],
      "the manifest's decoding settings are the model's",
    );
    const raws = splitRawOutputs(out, fixture.frames.length, manifest);
    let compared = 0;
    raws.forEach((raw, i) => {
      const levels = fixture.candidates[i];
      for (const [l, c] of levels.entries()) {
        assert.ok(c.count <= fixture.candidateCap, `image ${i} level ${l}: every candidate kept`);
      }
      const d = decodeSingleStage(candidateOutputs(raw.singleStage!, levels));
      const expected = final.images[i];
      const scores = float32FromBase64(expected.scores);
      assert.equal(d.scores.length, scores.length, `image ${i}: detections`);
      const ours = sortedRows(d.boxes, d.scores, d.classIds);
      const theirs = sortedRows(
        float32FromBase64(expected.boxes),
        scores,
        int32FromBase64(expected.labels),
      );
      ours.forEach((o, j) => {
        const t = theirs[j];
        assert.equal(o.label, t.label, `image ${i} detection ${j}: label`);
        assert.ok(Math.abs(o.score - t.score) <= 1e-5, `image ${i} detection ${j}: score`);
        assert.ok(maxAbsDiff(o.box, t.box) <= 1e-3, `image ${i} detection ${j}: box`);
      });
      compared += ours.length;
    });
    assert.ok(compared >= 10, `${compared} detections compared`);
  });

  Deno.test(`post-processing the ${kind} graph's outputs gives torchvision's final detections with their levels`, async () => {
    const { manifest, fixture, frames, out } = await setup(folder, name);
    const [height, width] = fixture.size;
    const identity = identityGeometry(width, height);
    const raws = splitRawOutputs(out, frames.length, manifest);
    raws.forEach((raw, i) => {
      const d = postprocess(raw, identity, {
        nms: "hard",
        iouThreshold: fixture.final.nmsThreshold,
        scoreThreshold: fixture.final.scoreThreshold,
        maxDetections: fixture.final.detectionsPerImage,
      });
      const expected = fixture.final.images[i];
      const scores = float32FromBase64(expected.scores);
      assert.equal(d.scores.length, scores.length, `image ${i}: detections`);
      // ONNX Runtime's head outputs differ from PyTorch's by float rounding.
      assert.ok(maxAbsDiff(d.scores, scores) <= 1e-4, `image ${i}: scores`);
      assert.ok(
        maxAbsDiff(d.boxes, float32FromBase64(expected.boxes)) <= 2e-2,
        `image ${i}: boxes`,
      );
      assert.deepEqual([...d.classIds], [...int32FromBase64(expected.labels)]);
      const levels = manifest.singleStage!.levels.length;
      assert.ok(d.levels && d.levels.every((l) => l >= 0 && l < levels), "each has its level");
    });
  });
}
