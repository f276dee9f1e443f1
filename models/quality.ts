/**
 * Measures a shipped model's quality on the held-out demo video: decodes every frame with
 * ffmpeg, runs the ONNX graph in onnxruntime-node, post-processes in TypeScript (NMS of
 * the chosen kind, masks pasted at source resolution, panoptic fusion), and scores the
 * result with the project's `evaluateCoco` (box and mask AP) and `panopticQuality` (PQ).
 *
 * ```sh
 * deno task quality                                  # models/street-maskrcnn, its own NMS
 * deno task quality --model models/street-fasterrcnn --nms soft-gaussian --json out.json
 * deno task quality --model models/street-solov2 --nms hard   # SOLOv2, hard NMS on masks
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
import {
  evaluateCoco,
  panopticCategories,
  panopticFromRle,
  panopticQuality,
  type PanopticRleJson,
} from "../mod.ts";
import type { CocoGroundTruth } from "../src/eval/coco_types.ts";
import { NMS_KINDS, type NmsKind } from "../src/inference/select_detections.ts";
import { keypointMetrics } from "../src/report/keypoint_metrics.ts";
import { runQuality } from "./quality_run.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "models/street-maskrcnn" },
    video: { type: "string" },
    gt: { type: "string" },
    panoptic: { type: "string", default: "models/demo/panoptic.json" },
    nms: { type: "string" },
    iou: { type: "string" },
    frames: { type: "string" },
    json: { type: "string" },
  },
});
if (values.nms !== undefined && !NMS_KINDS.includes(values.nms as NmsKind)) {
  console.error(`quality: --nms: expected one of ${NMS_KINDS.join(", ")}, found ${values.nms}`);
  Deno.exit(2);
}
if (values.iou !== undefined && !(Number(values.iou) >= 0 && Number(values.iou) <= 1)) {
  console.error(`quality: --iou: expected a number in [0, 1], found ${values.iou}`);
  Deno.exit(2);
}

const { kind } = JSON.parse(await Deno.readTextFile(`${values.model}/manifest.json`));
const keypointModel = kind === "keypointrcnn";
values.video ??= keypointModel ? "models/demo/plaza.mp4" : "models/demo/street.mp4";
values.gt ??= keypointModel ? "models/demo/plaza_keypoints.json" : "models/demo/instances.json";
const gt = JSON.parse(await Deno.readTextFile(values.gt)) as CocoGroundTruth;
const run = await runQuality(
  values.model,
  values.video,
  values.frames ? Number(values.frames) : gt.images.length,
  {
    ...(values.nms === undefined ? {} : { nms: values.nms as NmsKind }),
    ...(values.iou === undefined ? {} : { iouThreshold: Number(values.iou) }),
  },
);
const { results, settings, frames: count, inferMs, postMs } = run;

const imageIds = gt.images.slice(0, count).map((i) => i.id as number);
const thingIds = run.manifest.classes.filter((c) => c.isThing).map((c) => c.id);
const options = { imageIds, categoryIds: thingIds };
const box = evaluateCoco(gt, results, "bbox", options);
const mask = results.some((r) => r.segmentation)
  ? evaluateCoco(gt, results, "segm", options)
  : undefined;
const keypoints = keypointModel
  ? keypointMetrics(gt, results, {
    imageIds,
    ...(run.manifest.keypoints?.sigmas ? { kptOksSigmas: run.manifest.keypoints.sigmas } : {}),
  })
  : undefined;
let pq;
if (run.panoptic.length > 0) {
  const pan = JSON.parse(await Deno.readTextFile(values.panoptic)) as PanopticRleJson;
  const truths = pan.annotations.slice(0, count).map(panopticFromRle);
  pq = panopticQuality(truths, run.panoptic, panopticCategories(pan.categories));
}

const f = (v: number) => (v < 0 ? "n/a" : v.toFixed(3));
const names = ["AP", "AP50", "AP75", "APs", "APm", "APl"];
console.log(`${run.manifest.name} on ${count} frames of ${values.video}, NMS ${settings.nms}`);
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
  `inference ${inferMs.toFixed(1)} ms/frame, post-processing ${postMs.toFixed(1)} ms/frame`,
);
if (values.json) {
  await Deno.writeTextFile(
    values.json,
    JSON.stringify(
      {
        model: run.manifest.name,
        frames: count,
        nms: settings.nms,
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
        inferMs,
        postMs,
      },
      null,
      2,
    ) + "\n",
  );
}
