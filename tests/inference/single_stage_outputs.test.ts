/**
 * FCOS and RetinaNet graphs between the graph and the detections: the manifest's
 * `singleStage` block and its rules, the per-level outputs split per image and checked
 * against the block, and post-processing that decodes them as torchvision does, with the
 * level of each detection.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseManifest } from "../../src/inference/manifest.ts";
import { splitRawOutputs, type TensorLike } from "../../src/inference/raw_outputs.ts";
import { postprocess } from "../../src/inference/postprocess.ts";
import { decodeFcos } from "../../src/geometry/fcos_decode.ts";
import { decodeRetinaNet } from "../../src/geometry/retinanet_decode.ts";
import { anchorsForLevel } from "../../src/geometry/anchors.ts";
import { resultMessage } from "../../src/pipeline/result_message.ts";
import { ResultMessageSchema } from "../../src/wire/result_message.ts";
import { checkWire } from "../../src/wire/parse.ts";
import { ManifestError } from "../../src/errors.ts";
import { random } from "../_helpers/random.ts";

const PATH = "/models/street-fcos/manifest.json";
/** Two levels on a 32×48 input: 4×6 locations at stride 8, 2×3 at stride 16. */
const LEVELS = [{ stride: 8, height: 4, width: 6 }, { stride: 16, height: 2, width: 3 }];

function manifest(
  kind: "fcos" | "retinanet",
  change: (m: Record<string, unknown>) => void = () => {},
) {
  const anchors = kind === "fcos" ? [[8], [16]] : [[16, 20], [32, 40]];
  const ratios = kind === "fcos" ? [[1], [1]] : [[0.5, 1, 2], [0.5, 1, 2]];
  const a = anchors[0].length * ratios[0].length;
  const outputs: Record<string, unknown>[] = [];
  LEVELS.forEach((level, l) => {
    const rows = level.height * level.width * a;
    outputs.push({
      name: `cls_logits_${l}`,
      role: "cls_logits",
      dtype: "float32",
      shape: ["batch", rows, 5],
      level: l,
    });
    outputs.push({
      name: `bbox_regression_${l}`,
      role: "bbox_regression",
      dtype: "float32",
      shape: ["batch", rows, 4],
      level: l,
    });
    if (kind === "fcos") {
      outputs.push({
        name: `bbox_ctrness_${l}`,
        role: "bbox_ctrness",
        dtype: "float32",
        shape: ["batch", rows],
        level: l,
      });
    }
  });
  const m: Record<string, unknown> = {
    format: "streamdet-model/1",
    name: `street-${kind}`,
    kind,
    input: {
      name: "images",
      layout: "NHWC",
      dtype: "uint8",
      height: 32,
      width: 48,
      batch: "dynamic",
      std: [1, 1, 1],
    },
    outputs,
    postprocess: { nmsInGraph: false, boxesIn: "input" },
    classes: [1, 2, 3, 4].map((id) => ({ id, name: `class${id}`, isThing: true })),
    singleStage: {
      levels: LEVELS,
      anchorSizes: anchors,
      aspectRatios: ratios,
      numClasses: 5,
      scoreThreshold: kind === "fcos" ? 0.2 : 0.05,
      nmsThreshold: kind === "fcos" ? 0.6 : 0.5,
      topkCandidates: 1000,
      detectionsPerImage: 100,
    },
    defaults: {
      scoreThreshold: 0.05,
      nms: { kind: "hard", iouThreshold: kind === "fcos" ? 0.6 : 0.5 },
    },
  };
  change(m);
  return m;
}

const outputsOf = (m: Record<string, unknown>) => m.outputs as Record<string, unknown>[];

Deno.test("FCOS and RetinaNet manifests parse with their levels and anchors", () => {
  for (const kind of ["fcos", "retinanet"] as const) {
    const m = parseManifest(manifest(kind), PATH);
    assert.equal(m.kind, kind);
    assert.equal(m.singleStage?.levels.length, 2);
    assert.equal(m.outputs[0].level, 0);
  }
});

Deno.test("a single-stage manifest is refused with the field that is wrong and what was expected", () => {
  const cases: [string, "fcos" | "retinanet", (m: Record<string, unknown>) => void, string][] = [
    [
      "an FCOS level without its centerness",
      "fcos",
      (m) => outputsOf(m).splice(5, 1),
      'outputs: expected an output with role "bbox_ctrness" and level 1 (fcos needs cls_logits, bbox_regression, bbox_ctrness at every level)',
    ],
    [
      "class logits of the wrong size for their level",
      "fcos",
      (m) => (outputsOf(m)[3].shape = ["batch", 7, 5]),
      "outputs[3].shape: expected [batch, 6, 5] (level 1: 2×3 locations × 1 anchors × 5 classes)",
    ],
    [
      "an output of a level the block lacks",
      "retinanet",
      (m) => (outputsOf(m)[2].level = 2),
      "outputs[2].level: expected a level from 0 to 1 (singleStage.levels has 2)",
    ],
    [
      "a level whose stride is not its input size over its locations",
      "fcos",
      (m) => {
        const s = m.singleStage as { levels: { stride: number; height: number; width: number }[] };
        s.levels = [s.levels[0], { ...s.levels[1], stride: 32 }];
      },
      "singleStage.levels[1].stride: expected 16 (the 32×48 input over the level's 2×3 locations, as torchvision's AnchorGenerator computes it), found the number 32",
    ],
    [
      "strides for three levels where there are two",
      "retinanet",
      (m) => ((m.singleStage as { anchorSizes: number[][] }).anchorSizes.push([64])),
      "singleStage.anchorSizes: expected 2 lists, one per level",
    ],
    [
      "no singleStage block",
      "retinanet",
      (m) => delete m.singleStage,
      "singleStage: expected the singleStage block of a retinanet model (levels, anchors, decoding), found nothing",
    ],
    [
      "a singleStage block on a Mask R-CNN",
      "fcos",
      (m) => {
        m.kind = "maskrcnn";
        m.outputs = ["boxes", "scores", "labels"].map((role) => ({
          name: role,
          role,
          dtype: "float32",
          shape: ["n"],
        }));
      },
      'singleStage: expected no singleStage block for kind "maskrcnn" (only fcos and retinanet models have one)',
    ],
  ];
  for (const [what, kind, change, message] of cases) {
    assert.throws(
      () => parseManifest(manifest(kind, change), PATH),
      (error: Error) => {
        assert.ok(error instanceof ManifestError, what);
        assert.ok(error.message.startsWith(`${PATH}: ${message}`), `${what}: ${error.message}`);
        return true;
      },
    );
  }
});

/** Random head outputs for a batch of `n` images. */
function headOutputs(m: ReturnType<typeof parseManifest>, n: number, seed: number) {
  const rand = random(seed);
  const outputs: Record<string, TensorLike> = {};
  for (const o of m.outputs) {
    const dims = [n, ...o.shape.slice(1).map(Number)];
    const size = dims.reduce((a, b) => a * b, 1);
    // Logits mostly low, a few high; regression small positive distances / deltas.
    const data = Float32Array.from(
      { length: size },
      () =>
        o.role === "cls_logits"
          ? (rand() < 0.03 ? 2 + rand() * 3 : -6 + rand())
          : rand() * 1.5 - (o.role === "bbox_regression" && m.kind === "retinanet" ? 0.75 : 0),
    );
    outputs[o.name] = { data, dims };
  }
  return outputs;
}

const IDENTITY = {
  sourceWidth: 48,
  sourceHeight: 32,
  width: 48,
  height: 32,
  scaledWidth: 48,
  scaledHeight: 32,
  scaleX: 1,
  scaleY: 1,
  padX: 0,
  padY: 0,
};

Deno.test("postprocess() decodes each image's FCOS outputs as decodeFcos does, at the lower of its and the model's score threshold, and keeps each detection's level", () => {
  const m = parseManifest(manifest("fcos"), PATH);
  const outputs = headOutputs(m, 2, 11);
  const raws = splitRawOutputs(outputs, 2, m);
  const anchors = LEVELS.map((l, i) =>
    anchorsForLevel([[8], [16]][i], [1], l.stride, l.height, l.width)
  );
  // The model's threshold is 0.2: above it the runtime cuts torchvision's detections, below
  // it the decoding runs at the runtime's (COCO evaluation's 0.05).
  for (const threshold of [0.3, 0.05]) {
    for (const [b, raw] of raws.entries()) {
      const d = postprocess(raw, IDENTITY, {
        nms: "hard",
        iouThreshold: 0.6,
        scoreThreshold: threshold,
        maxDetections: 100,
      });
      const slice = (name: string, width: number, rows: number) =>
        (outputs[name].data as Float32Array).subarray(b * rows * width, (b + 1) * rows * width);
      const expected = decodeFcos(
        {
          numClasses: 5,
          clsLogits: [slice("cls_logits_0", 5, 24), slice("cls_logits_1", 5, 6)],
          bboxRegression: [slice("bbox_regression_0", 4, 24), slice("bbox_regression_1", 4, 6)],
          bboxCtrness: [slice("bbox_ctrness_0", 1, 24), slice("bbox_ctrness_1", 1, 6)],
        },
        anchors,
        { height: 32, width: 48 },
        { scoreThreshold: Math.min(0.2, threshold), nmsThreshold: 0.6 },
      );
      const keep = [...expected.scores].filter((s) => s >= threshold).length;
      assert.ok(keep > 0, `image ${b} has detections`);
      if (threshold < 0.2) {
        assert.ok(d.scores.some((s) => s < 0.2), `image ${b}: detections below the model's 0.2`);
      }
      assert.deepEqual([...d.scores], [...expected.scores.subarray(0, keep)]);
      assert.deepEqual([...d.boxes], [...expected.boxes.subarray(0, 4 * keep)]);
      assert.deepEqual([...d.levels!], [...expected.levels.subarray(0, keep)]);
      assert.deepEqual([...d.classIds], [...expected.classIds.subarray(0, keep)]);
    }
  }
});

Deno.test("RetinaNet detections reach the result message with their level", () => {
  const m = parseManifest(manifest("retinanet"), PATH);
  const [raw] = splitRawOutputs(headOutputs(m, 1, 12), 1, m);
  const anchors = LEVELS.map((l, i) =>
    anchorsForLevel([[16, 20], [32, 40]][i], [0.5, 1, 2], l.stride, l.height, l.width)
  );
  const d = postprocess(raw, IDENTITY, {
    nms: "hard",
    iouThreshold: 0.5,
    scoreThreshold: 0.05,
    maxDetections: 100,
  });
  const expected = decodeRetinaNet(
    {
      numClasses: 5,
      clsLogits: raw.singleStage!.clsLogits,
      bboxRegression: raw.singleStage!.bboxRegression,
    },
    anchors,
    { height: 32, width: 48 },
    { scoreThreshold: 0.05, nmsThreshold: 0.5 },
  );
  assert.deepEqual([...d.scores], [...expected.scores]);
  const message = resultMessage({
    streamId: "s",
    model: "retina",
    index: 0,
    ptsMs: 0,
    width: 48,
    height: 32,
    batchSize: 1,
    detections: d,
    timeline: {
      capturedAt: 0,
      decodedAt: 0,
      queuedAt: 0,
      batchFormedAt: 0,
      preprocessEnd: 0,
      inferenceStart: 0,
      inferenceEnd: 0,
      postprocessEnd: 0,
      fusionEnd: 0,
      publishedAt: 0,
    },
    latency: {
      decode: 0,
      wait: 0,
      batch: 0,
      preprocess: 0,
      session: 0,
      inference: 0,
      postprocess: 0,
      fusion: 0,
      publish: 0,
      totalMs: 0,
    },
  }, new Map());
  assert.deepEqual(message.detections.map((x) => x.level), [...expected.levels]);
  assert.deepEqual(checkWire(ResultMessageSchema, message), []);
});

Deno.test("single-stage outputs that disagree with the manifest, and another NMS kind, are refused clearly", () => {
  const m = parseManifest(manifest("fcos"), PATH);
  const outputs = headOutputs(m, 1, 13);
  delete outputs.bbox_ctrness_1;
  assert.throws(() => splitRawOutputs(outputs, 1, m), {
    name: "ManifestError",
    message:
      'splitRawOutputs(): output "bbox_ctrness_1" (bbox_ctrness, level 1): expected [1, 6] (2×3 locations × 1 anchors), found no such output',
  });
  const [raw] = splitRawOutputs(headOutputs(m, 1, 14), 1, m);
  assert.throws(
    () =>
      postprocess(raw, IDENTITY, { nms: "soft-gaussian", scoreThreshold: 0.05, maxDetections: 10 }),
    {
      name: "RangeError",
      message:
        'postprocess(): options.nms: expected "hard" for a fcos model (its decoding\'s class-aware NMS, as torchvision\'s), found "soft-gaussian"',
    },
  );
});
