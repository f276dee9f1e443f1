/**
 * The shipped street Mask R-CNN in onnxruntime-node gives the candidates PyTorch gave
 * (tests/fixtures/models/make_model_fixtures.py), alone and inside a batch.
 */

import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { parseManifest } from "../../src/inference/manifest.ts";
import { float32FromBase64, int32FromBase64, loadFixture } from "../_helpers/fixtures.ts";
import { decodePng } from "../_helpers/fixture_frames.ts";
import { int32Of, maxAbsDiff } from "../_helpers/graph_parity.ts";

interface ParityFixture {
  frames: string[];
  size: [number, number];
  count: number;
  boxes: string;
  scores: string;
  labels: string;
  batchIndex: string;
  maskLogitsHead: string;
  semanticShape: number[];
  semanticEvery97: string;
}

const MODEL = new URL("../../models/street-maskrcnn", import.meta.url).pathname;

async function setup() {
  const path = `${MODEL}/manifest.json`;
  const manifest = parseManifest(JSON.parse(await Deno.readTextFile(path)), path);
  const fixture = await loadFixture<ParityFixture>(`models/street_parity.json`);
  const [height, width] = fixture.size;
  assert.deepEqual([manifest.input.height, manifest.input.width], [height, width]);
  const frames = await Promise.all(fixture.frames.map(decodePng));
  const session = await ort.InferenceSession.create(manifest.file, { intraOpNumThreads: 2 });
  // The graph takes the frames' bytes (uint8 NHWC) and normalises them itself.
  const run = async (batch: Uint8Array[]) => {
    const input = new Uint8Array(batch.length * height * width * 3);
    batch.forEach((f, i) => input.set(f, i * f.length));
    const tensor = new ort.Tensor("uint8", input, [batch.length, height, width, 3]);
    return await session.run({ [manifest.input.name]: tensor });
  };
  return { manifest, fixture, frames, session, run };
}

Deno.test("the ONNX graph gives PyTorch's candidates on a batch of three frames", async () => {
  const { fixture, frames, session, run } = await setup();
  try {
    const out = await run(frames);
    assert.ok(fixture.count > 10, "the fixture has candidates to compare");
    assert.equal(out.scores.dims[0], fixture.count);
    assert.deepEqual([...int32Of(out.labels)], [...int32FromBase64(fixture.labels)]);
    assert.deepEqual([...int32Of(out.batch_index)], [...int32FromBase64(fixture.batchIndex)]);
    assert.ok(maxAbsDiff(out.boxes.data as Float32Array, float32FromBase64(fixture.boxes)) <= 1e-3);
    assert.ok(
      maxAbsDiff(out.scores.data as Float32Array, float32FromBase64(fixture.scores)) <= 1e-4,
    );
    // The first two mask logit maps of each image, and a sample of the semantic logits.
    const image = int32Of(out.batch_index);
    const masks = out.mask_logits.data as Float32Array;
    const cells = 28 * 28;
    const head: number[] = [];
    for (let b = 0; b < frames.length; b++) {
      const rows = [...image.keys()].filter((i) => image[i] === b).slice(0, 2);
      for (const r of rows) head.push(...masks.subarray(r * cells, (r + 1) * cells));
    }
    assert.ok(maxAbsDiff(head, float32FromBase64(fixture.maskLogitsHead)) <= 2e-3);
    assert.deepEqual(out.semantic_logits.dims, fixture.semanticShape);
    const semantic = out.semantic_logits.data as Float32Array;
    const sample = Float32Array.from(
      { length: Math.ceil(semantic.length / 97) },
      (_, k) => semantic[k * 97],
    );
    assert.ok(maxAbsDiff(sample, float32FromBase64(fixture.semanticEvery97)) <= 1e-3);
  } finally {
    await session.release();
  }
});

Deno.test("a frame alone gives the same candidates as inside a batch", async () => {
  const { frames, session, run } = await setup();
  try {
    const batch = await run([frames[2], frames[0], frames[1]]);
    const image = int32Of(batch.batch_index);
    for (const [position, frame] of [[1, 0], [2, 1], [0, 2]]) {
      const alone = await run([frames[frame]]);
      const rows = [...image.keys()].filter((i) => image[i] === position);
      assert.equal(alone.scores.dims[0], rows.length);
      const pick = (t: ort.Tensor, width: number) =>
        rows.flatMap((r) => [...(t.data as Float32Array).subarray(r * width, (r + 1) * width)]);
      assert.ok(maxAbsDiff(alone.scores.data as Float32Array, pick(batch.scores, 1)) <= 1e-4);
      assert.ok(maxAbsDiff(alone.boxes.data as Float32Array, pick(batch.boxes, 4)) <= 1e-3);
      assert.deepEqual([...int32Of(alone.labels)], rows.map((r) => int32Of(batch.labels)[r]));
    }
  } finally {
    await session.release();
  }
});
