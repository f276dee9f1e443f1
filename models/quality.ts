/**
 * Measures a shipped model's quality on the held-out demo video: decodes every frame with
 * ffmpeg, runs the ONNX graph in onnxruntime-node, post-processes in TypeScript (NMS of
 * the chosen kind, masks pasted at source resolution, panoptic fusion), and scores the
 * result with the project's `evaluateCoco` (box and mask AP) and `panopticQuality` (PQ).
 *
 * ```sh
 * deno task quality                                  # models/street-maskrcnn, hard NMS 0.5
 * deno task quality --model models/street-fasterrcnn --nms soft-gaussian --json out.json
 * deno task quality --model models/plaza-keypointrcnn   # keypoint AP (OKS) and PCK on plaza.mp4
 * ```
 *
 * A keypoint model (kind `keypointrcnn`) is scored on the plaza demo by default
 * (models/demo/plaza.mp4 and plaza_keypoints.json): box AP of the person class, keypoint AP
 * with COCO's sigmas, and PCK at α 0.05, 0.1, 0.15 and 0.2 of max(w, h) of the person's box.
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as ort from "onnxruntime-node";
import {
  evaluateCoco,
  FrameSource,
  panopticCategories,
  panopticFromRle,
  type PanopticPrediction,
  panopticQuality,
  type PanopticRleJson,
  resolveFfmpeg,
} from "../mod.ts";
import type { CocoGroundTruth, CocoResult } from "../src/eval/coco_types.ts";
import { loadModel } from "../src/inference/load_model.ts";
import { preprocess } from "../src/inference/preprocess.ts";
import { splitRawOutputs } from "../src/inference/raw_outputs.ts";
import { postprocess, postprocessOptions } from "../src/inference/postprocess.ts";
import { NMS_KINDS, type NmsKind } from "../src/inference/select_detections.ts";
import { pastedMaskToRle } from "../src/geometry/pasted_rle.ts";
import { inputShape } from "../src/inference/input_layout.ts";
import { keypointMetrics } from "../src/report/keypoint_metrics.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "models/street-maskrcnn" },
    video: { type: "string" },
    gt: { type: "string" },
    panoptic: { type: "string", default: "models/demo/panoptic.json" },
    nms: { type: "string", default: "hard" },
    iou: { type: "string", default: "0.5" },
    frames: { type: "string" },
    json: { type: "string" },
  },
});
if (!NMS_KINDS.includes(values.nms as NmsKind)) {
  console.error(`quality: --nms: expected one of ${NMS_KINDS.join(", ")}, found ${values.nms}`);
  Deno.exit(2);
}

const { manifest, session } = await loadModel(`${values.model}/manifest.json`);
const keypointModel = manifest.kind === "keypointrcnn";
values.video ??= keypointModel ? "models/demo/plaza.mp4" : "models/demo/street.mp4";
values.gt ??= keypointModel ? "models/demo/plaza_keypoints.json" : "models/demo/instances.json";
const gt = JSON.parse(await Deno.readTextFile(values.gt)) as CocoGroundTruth;
const limit = values.frames ? Number(values.frames) : gt.images.length;
const { width, height } = manifest.input;
const source = new FrameSource({
  streamId: "quality",
  input: values.video,
  ffmpeg: await resolveFfmpeg(),
  output: { fit: "letterbox", width, height, format: "rgb24" },
});
const { geometry } = await source.start();

// COCO evaluation wants low-scoring detections too: score ≥ 0.05, 100 per image.
const settings = postprocessOptions(manifest, {
  nms: values.nms as NmsKind,
  iouThreshold: Number(values.iou),
  scoreThreshold: 0.05,
  maxDetections: 100,
});
const results: CocoResult[] = [];
const predictions: PanopticPrediction[] = [];
let input: Float32Array | undefined;
const dims = inputShape(manifest.input, 1);
let inferMs = 0, postMs = 0, count = 0;
for await (const frame of source.frames()) {
  if (count >= limit) break;
  const imageId = frame.index + 1;
  // A uint8 graph takes the frame's bytes as they are (its normalisation is inside it).
  const tensor = manifest.input.dtype === "uint8"
    ? new ort.Tensor("uint8", frame.data, dims)
    : new ort.Tensor(
      "float32",
      input = preprocess([frame.data], width, height, frame.format, manifest.input, input),
      dims,
    );
  const t0 = performance.now();
  const out = await session.run({ [manifest.input.name]: tensor });
  const t1 = performance.now();
  const [raw] = splitRawOutputs(out, 1, manifest);
  const d = postprocess(raw, geometry, settings);
  postMs += performance.now() - t1;
  inferMs += t1 - t0;
  for (let i = 0; i < d.scores.length; i++) {
    const [x1, y1, x2, y2] = d.boxes.subarray(4 * i, 4 * i + 4);
    const result: CocoResult = {
      image_id: imageId,
      category_id: d.classIds[i],
      score: d.scores[i],
      bbox: [x1, y1, x2 - x1, y2 - y1],
    };
    if (d.keypoints) {
      const per = d.keypoints.length / d.scores.length;
      result.keypoints = [...d.keypoints.subarray(i * per, (i + 1) * per)];
    }
    if (d.masks) {
      result.segmentation = pastedMaskToRle(
        d.masks[i],
        geometry.sourceHeight,
        geometry.sourceWidth,
      );
    }
    results.push(result);
  }
  if (d.panoptic) {
    predictions.push({
      imageId,
      height: geometry.sourceHeight,
      width: geometry.sourceWidth,
      segmentIds: d.panoptic.segmentIds,
      segments: d.panoptic.segments,
    });
  }
  count++;
}
await source.stop();

const imageIds = gt.images.slice(0, count).map((i) => i.id as number);
const thingIds = manifest.classes.filter((c) => c.isThing).map((c) => c.id);
const options = { imageIds, categoryIds: thingIds };
const box = evaluateCoco(gt, results, "bbox", options);
const mask = manifest.kind === "maskrcnn" ? evaluateCoco(gt, results, "segm", options) : undefined;
const keypoints = keypointModel
  ? keypointMetrics(gt, results, {
    imageIds,
    ...(manifest.keypoints?.sigmas ? { kptOksSigmas: manifest.keypoints.sigmas } : {}),
  })
  : undefined;
let pq;
if (predictions.length > 0) {
  const pan = JSON.parse(await Deno.readTextFile(values.panoptic)) as PanopticRleJson;
  const truths = pan.annotations.slice(0, count).map(panopticFromRle);
  pq = panopticQuality(truths, predictions, panopticCategories(pan.categories));
}

const f = (v: number) => (v < 0 ? "n/a" : v.toFixed(3));
const names = ["AP", "AP50", "AP75", "APs", "APm", "APl"];
console.log(`${manifest.name} on ${count} frames of ${values.video}, NMS ${values.nms}`);
console.log(`| | ${names.join(" | ")} |\n|---|${names.map(() => "---").join("|")}|`);
console.log(`| box | ${[...box.stats.slice(0, 6)].map(f).join(" | ")} |`);
if (mask) console.log(`| mask | ${[...mask.stats.slice(0, 6)].map(f).join(" | ")} |`);
if (keypoints) {
  const k = keypoints.ap.named;
  console.log(
    `keypoint AP (OKS) ${f(k.AP)} (AP50 ${f(k.AP50)}, AP75 ${f(k.AP75)}, APm ${f(k.APm)}, APl ${
      f(k.APl)
    }); PCK ${
      keypoints.pck.thresholds.map((a, i) => `@${a} ${f(keypoints.pck.pck[i])}`).join(", ")
    } (people matched by box IoU ≥ 0.5; by OKS ≥ 0.5: ${
      keypoints.pckByOks.map((v) => f(v)).join(", ")
    })`,
  );
}
if (pq) {
  console.log(
    `PQ ${f(pq.all.pq)} (things ${f(pq.things.pq)}, stuff ${f(pq.stuff.pq)}); SQ ${
      f(pq.all.sq)
    }, RQ ${f(pq.all.rq)}`,
  );
}
console.log(
  `per class AP (box / mask): ${
    box.perClass.map((c, i) => `${c.name} ${f(c.ap)}${mask ? ` / ${f(mask.perClass[i].ap)}` : ""}`)
      .join(", ")
  }`,
);
console.log(
  `inference ${(inferMs / count).toFixed(1)} ms/frame, post-processing ${
    (postMs / count).toFixed(1)
  } ms/frame`,
);
if (values.json) {
  await Deno.writeTextFile(
    values.json,
    JSON.stringify(
      {
        model: manifest.name,
        frames: count,
        nms: values.nms,
        box: box.stats,
        mask: mask?.stats,
        keypoints: keypoints && {
          stats: keypoints.ap.stats,
          pck: keypoints.pck,
          pckByOks: keypoints.pckByOks,
          matchedByOks: keypoints.matchedByOks,
          curve: keypoints.curve,
          names: keypoints.names,
          people: keypoints.people,
          matchedPeople: keypoints.matchedPeople,
        },
        perClass: box.perClass.map((c, i) => ({ ...c, maskAp: mask?.perClass[i]?.ap })),
        pq: pq && { all: pq.all, things: pq.things, stuff: pq.stuff },
        inferMs: inferMs / count,
        postMs: postMs / count,
      },
      null,
      2,
    ) + "\n",
  );
}
