import assert from "node:assert/strict";
import { splitRawOutputs, type TensorLike } from "../../src/inference/raw_outputs.ts";
import type { ModelManifest } from "../../src/inference/manifest.ts";
import { ManifestError } from "../../src/errors.ts";
import { random } from "../_helpers/random.ts";

type Outputs = Pick<ModelManifest, "outputs" | "semantic">;

const MANIFEST: Outputs = {
  outputs: [
    { name: "out_boxes", role: "boxes", dtype: "float32", shape: ["detections", 4] },
    { name: "out_scores", role: "scores", dtype: "float32", shape: ["detections"] },
    { name: "out_labels", role: "labels", dtype: "int64", shape: ["detections"] },
    { name: "out_image", role: "batch_index", dtype: "int64", shape: ["detections"] },
    { name: "out_masks", role: "mask_logits", dtype: "float32", shape: ["detections", 3, 3] },
    { name: "out_sem", role: "semantic_logits", dtype: "float32", shape: ["batch", 2, 4, 5] },
  ],
  semantic: { classes: [0, 7], stride: 4 },
};

/** A 3-image batch: image of each candidate interleaved (0, 2, 0, 1, 2, 0, ...), image 1 sparse. */
function batch(rand: () => number, image: number[]) {
  const n = image.length, M = 3, S = 2 * 4 * 5;
  const boxes = Float32Array.from({ length: 4 * n }, () => Math.round(rand() * 500));
  const scores = Float32Array.from({ length: n }, () => rand());
  const labels = BigInt64Array.from({ length: n }, () => BigInt(1 + Math.floor(rand() * 90)));
  const masks = Float32Array.from({ length: n * M * M }, () => rand() * 10 - 5);
  const sem = Float32Array.from({ length: 3 * S }, () => rand());
  const outputs: Record<string, TensorLike> = {
    out_boxes: { data: boxes, dims: [n, 4] },
    out_scores: { data: scores, dims: [n] },
    out_labels: { data: labels, dims: [n] },
    out_image: { data: BigInt64Array.from(image, BigInt), dims: [n] },
    out_masks: { data: masks, dims: [n, M, M] },
    out_sem: { data: sem, dims: [3, 2, 4, 5] },
  };
  return { boxes, scores, labels, masks, sem, outputs };
}

Deno.test("splitRawOutputs() splits interleaved candidates of a 3-image batch, mask rows and semantic planes included", () => {
  const image = [0, 2, 0, 1, 2, 0, 2, 2, 0];
  const b = batch(random(51), image);
  const split = splitRawOutputs(b.outputs, 3, MANIFEST);
  assert.equal(split.length, 3);
  for (let img = 0; img < 3; img++) {
    const picks = image.flatMap((v, i) => (v === img ? [i] : []));
    const c = split[img];
    assert.deepEqual([...c.boxes], picks.flatMap((i) => [...b.boxes.subarray(4 * i, 4 * i + 4)]));
    assert.deepEqual([...c.scores], picks.map((i) => b.scores[i]));
    assert.ok(c.labels instanceof Int32Array);
    assert.deepEqual([...c.labels], picks.map((i) => Number(b.labels[i])));
    assert.equal(c.maskSize, 3);
    assert.deepEqual(
      [...c.maskLogits!],
      picks.flatMap((i) => [...b.masks.subarray(9 * i, 9 * i + 9)]),
      `image ${img} mask logits`,
    );
    assert.ok(c.semantic);
    assert.deepEqual(
      { ...c.semantic, data: [...c.semantic.data] },
      {
        data: [...b.sem.subarray(40 * img, 40 * img + 40)],
        classes: 2,
        height: 4,
        width: 5,
        stride: 4,
      },
    );
  }
  assert.deepEqual(split.map((c) => c.scores.length), [4, 1, 4]);
});

Deno.test("splitRawOutputs() gives empty arrays to an image without candidates", () => {
  const b = batch(random(52), [2, 0, 2]);
  const [, empty] = splitRawOutputs(b.outputs, 3, MANIFEST);
  assert.equal(empty.boxes.length, 0);
  assert.equal(empty.scores.length, 0);
  assert.ok(empty.labels instanceof Int32Array);
  assert.equal(empty.labels.length, 0);
  assert.equal(empty.maskLogits!.length, 0);
  assert.equal(empty.semantic!.data.length, 40, "the semantic plane is there all the same");
  // A batch with no candidates at all.
  const none = batch(random(53), []);
  for (const c of splitRawOutputs(none.outputs, 3, MANIFEST)) {
    assert.deepEqual([c.boxes.length, c.scores.length, c.labels.length], [0, 0, 0]);
  }
});

Deno.test("splitRawOutputs() turns int64 and int32 labels and batch indices into Int32Array labels", () => {
  const manifest: Outputs = { outputs: MANIFEST.outputs.slice(0, 4) };
  const outputs = (labels: unknown, index: unknown): Record<string, TensorLike> => ({
    out_boxes: { data: new Float32Array(12), dims: [3, 4] },
    out_scores: { data: new Float32Array([0.9, 0.8, 0.7]), dims: [3] },
    out_labels: { data: labels, dims: [3] },
    out_image: { data: index, dims: [3] },
  });
  for (
    const [labels, index] of [
      [new BigInt64Array([3n, 80n, 1n]), new BigInt64Array([1n, 0n, 1n])],
      [new Int32Array([3, 80, 1]), new Int32Array([1, 0, 1])],
    ]
  ) {
    const [a, b] = splitRawOutputs(outputs(labels, index), 2, manifest);
    assert.ok(a.labels instanceof Int32Array && b.labels instanceof Int32Array);
    assert.deepEqual([...a.labels], [80]);
    assert.deepEqual([...b.labels], [3, 1]);
    assert.equal(a.maskLogits, undefined);
    assert.equal(a.semantic, undefined);
  }
});

Deno.test("splitRawOutputs() puts every candidate in the one image of a graph without batch_index", () => {
  const manifest: Outputs = { outputs: MANIFEST.outputs.slice(0, 3) };
  const outputs = {
    out_boxes: { data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), dims: [2, 4] },
    out_scores: { data: new Float32Array([0.5, 0.25]), dims: [2] },
    out_labels: { data: new BigInt64Array([4n, 5n]), dims: [2] },
  };
  const [only] = splitRawOutputs(outputs, 1, manifest);
  assert.deepEqual([...only.boxes], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual([...only.scores], [0.5, 0.25]);
  assert.deepEqual([...only.labels], [4, 5]);
});

Deno.test("splitRawOutputs() throws a ManifestError naming an output the graph did not return", () => {
  const b = batch(random(54), [0, 1]);
  delete b.outputs.out_masks;
  assert.throws(() => splitRawOutputs(b.outputs, 3, MANIFEST), (error: unknown) => {
    assert.ok(error instanceof ManifestError);
    assert.match(error.message, /"out_masks" \(role mask_logits\)/);
    assert.match(error.message, /found \["out_boxes",/);
    return true;
  });
});
