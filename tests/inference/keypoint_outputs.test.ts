/**
 * Keypoint models between the graph and the detections: the manifest's keypoints block
 * and its rules, the keypoint outputs split per image and checked against the manifest,
 * and post-processing that decodes the chosen detections' heatmaps as torchvision does and
 * maps them to the source frame.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseManifest } from "../../src/inference/manifest.ts";
import { loadModel } from "../../src/inference/load_model.ts";
import { splitRawOutputs, type TensorLike } from "../../src/inference/raw_outputs.ts";
import { postprocess } from "../../src/inference/postprocess.ts";
import { heatmapsToKeypoints } from "../../src/geometry/keypoints.ts";
import { ManifestError } from "../../src/errors.ts";
import { COCO_KEYPOINT_NAMES, COCO_SKELETON } from "../../src/wire/keypoint_spec.ts";
import { random } from "../_helpers/random.ts";

const PATH = "/models/plaza-keypointrcnn/manifest.json";

/** A keypoint manifest as keypoint_export.py writes it. */
function keypointManifest(change: (m: Record<string, unknown>) => void = () => {}) {
  const m: Record<string, unknown> = {
    format: "streamdet-model/1",
    name: "plaza-keypointrcnn",
    kind: "keypointrcnn",
    input: {
      name: "images",
      layout: "NHWC",
      dtype: "uint8",
      height: 288,
      width: 512,
      batch: "dynamic",
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    },
    outputs: [
      { name: "boxes", role: "boxes", dtype: "float32", shape: ["detections", 4] },
      { name: "scores", role: "scores", dtype: "float32", shape: ["detections"] },
      { name: "labels", role: "labels", dtype: "int64", shape: ["detections"] },
      { name: "batch_index", role: "batch_index", dtype: "int64", shape: ["detections"] },
      {
        name: "keypoint_logits",
        role: "keypoint_logits",
        dtype: "float32",
        shape: ["detections", 17, 56, 56],
      },
    ],
    postprocess: { nmsInGraph: false, boxesIn: "input" },
    classes: [{ id: 1, name: "person", isThing: true }],
    keypoints: {
      names: [...COCO_KEYPOINT_NAMES],
      skeleton: COCO_SKELETON.map((p) => [...p]),
      encoding: "heatmap",
      heatmapSize: 56,
    },
  };
  change(m);
  return m;
}

const outputsOf = (m: Record<string, unknown>) =>
  m.outputs as { name: string; role: string; shape: (string | number)[] }[];

Deno.test("a keypoint manifest parses with its names, skeleton and heatmap size", () => {
  const m = parseManifest(keypointManifest(), PATH);
  assert.equal(m.kind, "keypointrcnn");
  assert.equal(m.keypoints?.names.length, 17);
  assert.deepEqual(m.keypoints?.skeleton[0], [16, 14]);
  assert.equal(m.keypoints?.heatmapSize, 56);
  assert.equal(m.keypoints?.decode, "torchvision");
});

Deno.test("a keypoint manifest is refused with the field that is wrong and what was expected", () => {
  const cases: [string, (m: Record<string, unknown>) => void, string][] = [
    [
      "no keypoints block",
      (m) => delete m.keypoints,
      "keypoints: expected the keypoints block of a keypointrcnn model (names, skeleton, encoding), found nothing",
    ],
    [
      "a heatmap output for 5 keypoints where 17 are named",
      (m) => outputsOf(m)[4].shape = ["detections", 5, 56, 56],
      "outputs[4].shape[1]: expected 17 keypoints (keypoints.names has 17), found the number 5",
    ],
    [
      "heatmaps of another size than the block's",
      (m) => outputsOf(m)[4].shape = ["detections", 17, 28, 28],
      "outputs[4].shape[2]: expected 56 (keypoints.heatmapSize), found the number 28",
    ],
    [
      "no heatmap output",
      (m) => outputsOf(m).pop(),
      'outputs: expected an output with role "keypoint_logits" (keypoints.encoding is heatmap)',
    ],
    [
      "a skeleton pair past the names",
      (m) => ((m.keypoints as { skeleton: number[][] }).skeleton[0] = [16, 18]),
      "keypoints.skeleton[0][1]: expected a keypoint number from 1 to 17 (names), found the number 18",
    ],
    [
      "sigmas for 3 keypoints of 17",
      (m) => ((m.keypoints as { sigmas?: number[] }).sigmas = [0.1, 0.1, 0.1]),
      "keypoints.sigmas: expected 17 entries, one per keypoint name",
    ],
    [
      "a keypoints block on a Faster R-CNN",
      (m) => {
        m.kind = "fasterrcnn";
        outputsOf(m).pop();
      },
      'keypoints: expected no keypoints block for kind "fasterrcnn" (only keypointrcnn models have keypoints)',
    ],
  ];
  for (const [what, change, message] of cases) {
    assert.throws(
      () => parseManifest(keypointManifest(change), PATH),
      (error: Error) => {
        assert.ok(error instanceof ManifestError, what);
        assert.ok(
          error.message.startsWith(`${PATH}: ${message}`),
          `${what}: ${error.message}`,
        );
        return true;
      },
    );
  }
});

/** Raw outputs of a batch of two images: 3 candidates, image 0, 1, 0. */
function rawBatch(rand: () => number, K = 17, M = 8) {
  const boxes = new Float32Array([10, 20, 40, 90, 100, 50, 130, 140, 12, 22, 38, 88]);
  const outputs: Record<string, TensorLike> = {
    boxes: { data: boxes, dims: [3, 4] },
    scores: { data: new Float32Array([0.9, 0.8, 0.3]), dims: [3] },
    labels: { data: new BigInt64Array([1n, 1n, 1n]), dims: [3] },
    batch_index: { data: new BigInt64Array([0n, 1n, 0n]), dims: [3] },
    keypoint_logits: {
      data: Float32Array.from({ length: 3 * K * M * M }, () => rand() * 8 - 4),
      dims: [3, K, M, M],
    },
  };
  return outputs;
}

Deno.test("keypoint heatmaps are split per image with their candidates", () => {
  const m = parseManifest(
    keypointManifest((m) => {
      outputsOf(m)[4].shape = ["detections", 17, 8, 8];
      (m.keypoints as { heatmapSize: number }).heatmapSize = 8;
    }),
    PATH,
  );
  const outputs = rawBatch(random(3));
  const [a, b] = splitRawOutputs(outputs, 2, m);
  const all = outputs.keypoint_logits.data as Float32Array;
  const per = 17 * 64;
  assert.equal(a.keypointCount, 17);
  assert.equal(a.heatmapSize, 8);
  assert.deepEqual(a.keypointLogits!.subarray(per), all.subarray(2 * per));
  assert.deepEqual(b.keypointLogits, all.slice(per, 2 * per));
});

Deno.test("a graph whose keypoint output disagrees with its manifest is a ManifestError naming both", () => {
  const m = parseManifest(
    keypointManifest((m) => {
      outputsOf(m)[4].shape = ["detections", "keypoints", 8, 8];
      (m.keypoints as { heatmapSize: number }).heatmapSize = 8;
    }),
    PATH,
  );
  // 5 keypoints where the manifest names 17.
  assert.throws(() => splitRawOutputs(rawBatch(random(4), 5), 2, m), {
    name: "ManifestError",
    message:
      "splitRawOutputs(): keypoint output: expected [detections, 17, 8, 8] as the manifest's keypoints block says (17 names, heatmapSize 8), found [3, 5, 8, 8] holding 960 values",
  });
  // Heatmaps of the wrong length for their dimensions.
  const short = rawBatch(random(5));
  short.keypoint_logits.data = (short.keypoint_logits.data as Float32Array).subarray(1);
  assert.throws(() => splitRawOutputs(short, 2, m), {
    name: "ManifestError",
    message: /found \[3, 17, 8, 8\] holding 3263 values$/,
  });
});

Deno.test("postprocess() decodes the chosen people's heatmaps as torchvision and maps them to the source frame", () => {
  const m = parseManifest(
    keypointManifest((m) => {
      outputsOf(m)[4].shape = ["detections", 17, 8, 8];
      (m.keypoints as { heatmapSize: number }).heatmapSize = 8;
    }),
    PATH,
  );
  const outputs = rawBatch(random(6));
  const [raw] = splitRawOutputs(outputs, 2, m);
  // Source 1024×576 letterboxed into 512×288 exactly: scale 0.5, no bars.
  const g = {
    sourceWidth: 1024,
    sourceHeight: 576,
    width: 512,
    height: 288,
    scaledWidth: 512,
    scaledHeight: 288,
    scaleX: 0.5,
    scaleY: 0.5,
    padX: 0,
    padY: 0,
  };
  // Candidates 0 and 2 of image 0 overlap: hard NMS keeps the first.
  const d = postprocess(raw, g, { nms: "hard", scoreThreshold: 0.05, maxDetections: 10 });
  assert.equal(d.scores.length, 1);
  const expected = heatmapsToKeypoints(
    raw.keypointLogits!.slice(0, 17 * 64),
    raw.boxes.slice(0, 4),
    17,
    8,
  );
  assert.equal(d.keypoints!.length, 17 * 3);
  for (let k = 0; k < 17; k++) {
    assert.equal(d.keypoints![3 * k], expected.keypoints[3 * k] / 0.5);
    assert.equal(d.keypoints![3 * k + 1], expected.keypoints[3 * k + 1] / 0.5);
    assert.equal(d.keypoints![3 * k + 2], expected.scores[k]);
  }
});

Deno.test("regressed keypoints are taken as they are, with their detection's score", () => {
  const m = parseManifest(
    keypointManifest((m) => {
      outputsOf(m)[4] = {
        name: "keypoints",
        role: "keypoints",
        shape: ["detections", 17, 2],
        dtype: "float32",
      } as never;
      m.keypoints = { names: [...COCO_KEYPOINT_NAMES], encoding: "regression" };
    }),
    PATH,
  );
  const coords = Float32Array.from({ length: 3 * 17 * 2 }, (_, i) => i);
  const outputs = rawBatch(random(7));
  delete outputs.keypoint_logits;
  outputs.keypoints = { data: coords, dims: [3, 17, 2] };
  const [, image1] = splitRawOutputs(outputs, 2, m);
  const g = {
    sourceWidth: 512,
    sourceHeight: 288,
    width: 512,
    height: 288,
    scaledWidth: 512,
    scaledHeight: 288,
    scaleX: 1,
    scaleY: 1,
    padX: 0,
    padY: 0,
  };
  const d = postprocess(image1, g, { nms: "hard", scoreThreshold: 0.05, maxDetections: 10 });
  assert.deepEqual([...d.keypoints!.subarray(0, 6)], [
    34,
    35,
    Math.fround(0.8),
    36,
    37,
    Math.fround(0.8),
  ]);
});

Deno.test("loading the shipped keypoint graph with a manifest that names 5 keypoints fails naming both sides", async () => {
  const folder = new URL("../../models/plaza-keypointrcnn/", import.meta.url).pathname;
  const manifest = JSON.parse(await Deno.readTextFile(`${folder}manifest.json`));
  manifest.file = `${folder}model.onnx`;
  // Whichever head the shipped graph has: its keypoint output is the one to disagree.
  const role = manifest.keypoints.encoding === "regression" ? "keypoints" : "keypoint_logits";
  manifest.keypoints = {
    ...manifest.keypoints,
    names: manifest.keypoints.names.slice(0, 5),
    skeleton: [[1, 2]],
    flip: undefined,
    sigmas: undefined,
  };
  const output = manifest.outputs.find((o: { role: string }) => o.role === role);
  output.shape = ["detections", 5, ...output.shape.slice(2)];
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest));
    await assert.rejects(() => loadModel(`${dir}/manifest.json`), {
      name: "ManifestError",
      message:
        `${folder}model.onnx: output "${output.name}": the manifest expected dimension 1 of 5, the graph has 17`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
