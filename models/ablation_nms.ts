/**
 * The NMS ablation (`deno task ablation-nms`): the shipped Mask R-CNN over the held-out
 * demo frames, inference once per frame, then post-processed with hard NMS, Soft-NMS
 * (linear, gaussian) and Matrix NMS; box AP, AP50, AP75, mask AP, PQ and the
 * post-processing time per frame of each, written between the markers of
 * `docs/nms-ablation.md` (the discussion around them is kept). With
 * `--model models/street-solov2`, SOLOv2's masks: hard NMS on the masks (mask IoU 0.5) vs
 * Matrix NMS (gaussian σ 2, SOLOv2's; linear), between the `ablation-solov2` markers.
 *
 * Usage: `deno task ablation-nms [--model models/street-solov2] [--frames N] [--doc docs/nms-ablation.md]`
 *
 * @module
 */

import { parseArgs } from "node:util";
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
import { splitRawOutputs } from "../src/inference/raw_outputs.ts";
import {
  postprocess,
  postprocessOptions,
  type RawCandidates,
} from "../src/inference/postprocess.ts";
import type { NmsKind } from "../src/inference/select_detections.ts";
import { pastedMaskToRle } from "../src/geometry/pasted_rle.ts";
import { frameTensors } from "./quality_run.ts";
import { solov2CellStrides } from "../src/geometry/solov2_grid.ts";
import { solov2Postprocess } from "../src/geometry/solov2_post.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "models/street-maskrcnn" },
    video: { type: "string", default: "models/demo/street.mp4" },
    gt: { type: "string", default: "models/demo/instances.json" },
    panoptic: { type: "string", default: "models/demo/panoptic.json" },
    frames: { type: "string" },
    doc: { type: "string", default: "docs/nms-ablation.md" },
  },
});

interface Variant {
  name: string;
  nms: NmsKind;
  iouThreshold?: number;
  sigma?: number;
}

/** The variants compared on the R-CNN: each kind with its reference defaults. */
const RCNN_VARIANTS: Variant[] = [
  { name: "hard NMS, IoU 0.5 (torchvision)", nms: "hard", iouThreshold: 0.5 },
  { name: "Soft-NMS linear, IoU 0.3 (mmcv)", nms: "soft-linear", iouThreshold: 0.3 },
  { name: "Soft-NMS gaussian, sigma 0.5 (mmcv)", nms: "soft-gaussian", sigma: 0.5 },
  { name: "Matrix NMS gaussian, sigma 2 (SOLOv2)", nms: "matrix", sigma: 2 },
];

/** On SOLOv2's masks: greedy hard NMS on mask IoU, and SOLO's Matrix NMS. */
const SOLOV2_VARIANTS: Variant[] = [
  { name: "hard NMS on masks, mask IoU 0.5", nms: "hard", iouThreshold: 0.5 },
  { name: "Matrix NMS gaussian, sigma 2 (SOLOv2)", nms: "matrix", sigma: 2 },
];

const { manifest, session } = await loadModel(`${values.model}/manifest.json`);
const solov2 = manifest.kind === "solov2";
const VARIANTS = solov2 ? SOLOV2_VARIANTS : RCNN_VARIANTS;
const gt = JSON.parse(await Deno.readTextFile(values.gt)) as CocoGroundTruth;
const limit = values.frames ? Number(values.frames) : gt.images.length;
const { width, height } = manifest.input;
const source = new FrameSource({
  streamId: "ablation",
  input: values.video,
  ffmpeg: await resolveFfmpeg({ env: Deno.env.toObject() }),
  output: { fit: "letterbox", width, height, format: "rgb24" },
});
const { geometry } = await source.start();

// Inference once per frame; the raw candidates are kept for every variant.
const raws: RawCandidates[] = [];
let inferMs = 0;
const tensorOf = frameTensors(manifest);
for await (const frame of source.frames()) {
  if (raws.length >= limit) break;
  const t0 = performance.now();
  const out = await session.run({ [manifest.input.name]: tensorOf(frame) });
  inferMs += performance.now() - t0;
  raws.push(splitRawOutputs(out, 1, manifest)[0]);
}
await source.stop();
await session.release();
const count = raws.length;
const imageIds = gt.images.slice(0, count).map((i) => i.id as number);
const thingIds = manifest.classes.filter((c) => c.isThing).map((c) => c.id);
const pan = solov2
  ? undefined
  : JSON.parse(await Deno.readTextFile(values.panoptic)) as PanopticRleJson;
const truths = pan?.annotations.slice(0, count).map(panopticFromRle);

interface Row {
  name: string;
  box: number[];
  mask: number[];
  pq?: number;
  postMs: number;
  /** SOLOv2: the ms per frame of `solov2Postprocess` alone (candidates, suppression). */
  suppressMs?: number;
  detections: number;
}
const rows: Row[] = [];
const settingsOf = (v: Variant) =>
  postprocessOptions(manifest, {
    nms: v.nms,
    ...(v.iouThreshold === undefined ? {} : { iouThreshold: v.iouThreshold }),
    ...(v.sigma === undefined ? {} : { sigma: v.sigma }),
    scoreThreshold: 0.05,
    maxDetections: 100,
  });
// Warm-up (JIT) of every variant before any is timed.
for (const v of VARIANTS) {
  for (const raw of raws.slice(0, 30)) postprocess(raw, geometry, settingsOf(v));
}
for (const v of VARIANTS) {
  // COCO evaluation wants low-scoring detections too: score ≥ 0.05, 100 per image.
  const settings = settingsOf(v);
  const results: CocoResult[] = [];
  const predictions: PanopticPrediction[] = [];
  // Timed alone, keeping nothing: the evaluation pass below holds every frame's panoptic
  // map, and the garbage collector's work for that would be charged to whichever variant
  // ran first.
  let postMs = 0, kept = 0;
  for (const raw of raws) {
    const t0 = performance.now();
    const d = postprocess(raw, geometry, settings);
    postMs += performance.now() - t0;
    kept += d.scores.length;
  }
  // SOLOv2: SOLO's steps up to the suppression, timed without the masks' resize.
  let suppressMs: number | undefined;
  if (solov2) {
    suppressMs = 0;
    for (const raw of raws) {
      const s = raw.solov2!, spec = s.spec;
      const inputs = {
        categoryScores: s.categoryScores,
        numClasses: spec.numClasses,
        cellStrides: solov2CellStrides(spec.grids, spec.strides),
        masks: s.masks,
        height: s.hm,
        width: s.wm,
        maskCells: s.maskCells,
      };
      const t0 = performance.now();
      solov2Postprocess(inputs, {
        ...spec,
        nms: v.nms === "hard" ? "hard" : "matrix",
        ...(v.iouThreshold === undefined ? {} : { iouThreshold: v.iouThreshold }),
        ...(v.sigma === undefined ? {} : { sigma: v.sigma }),
      });
      suppressMs += performance.now() - t0;
    }
    suppressMs /= count;
  }
  raws.forEach((raw, f) => {
    const d = postprocess(raw, geometry, settings);
    const imageId = imageIds[f];
    for (let i = 0; i < d.scores.length; i++) {
      const [x1, y1, x2, y2] = d.boxes.subarray(4 * i, 4 * i + 4);
      results.push({
        image_id: imageId,
        category_id: d.classIds[i],
        score: d.scores[i],
        bbox: [x1, y1, x2 - x1, y2 - y1],
        segmentation: pastedMaskToRle(d.masks![i], geometry.sourceHeight, geometry.sourceWidth),
      });
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
  });
  const options = { imageIds, categoryIds: thingIds };
  const box = evaluateCoco(gt, results, "bbox", options);
  const mask = evaluateCoco(gt, results, "segm", options);
  const pq = pan && truths
    ? panopticQuality(truths, predictions, panopticCategories(pan.categories))
    : undefined;
  rows.push({
    detections: kept / count,
    name: v.name,
    box: [...box.stats],
    mask: [...mask.stats],
    pq: pq?.all.pq,
    postMs: postMs / count,
    suppressMs,
  });
  console.error(
    `${v.name}: box AP ${box.stats[0].toFixed(3)}, ${(postMs / count).toFixed(2)} ms/frame`,
  );
}

const f3 = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(3));
const table = [
  `${manifest.name} on the ${count} held-out frames of \`${values.video}\` (640×360), inference`,
  `${(inferMs / count).toFixed(1)} ms/frame on the CPU, run once; every variant post-processes the`,
  `same raw ${
    solov2 ? "outputs" : "candidates"
  } with score ≥ 0.05 and at most 100 detections per frame. Post-processing`,
  solov2
    ? `includes SOLO's steps (masks binarised, maskness, suppression) and the kept masks brought to 640×360 (single thread, TypeScript).`
    : `includes NMS, mask pasting at 640×360 and panoptic fusion (single thread, TypeScript).`,
  "",
  ...(solov2
    ? [
      "| NMS | box AP | mask AP | mask AP50 | mask AP75 | detections/frame | post-processing ms/frame | of which SOLO's steps |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ...rows.map((r) =>
        `| ${r.name} | ${f3(r.box[0])} | ${f3(r.mask[0])} | ${f3(r.mask[1])} | ${f3(r.mask[2])} | ${
          r.detections.toFixed(1)
        } | ${r.postMs.toFixed(2)} | ${r.suppressMs!.toFixed(2)} |`
      ),
    ]
    : [
      "| NMS | box AP | AP50 | AP75 | mask AP | PQ | detections/frame | post-processing ms/frame |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ...rows.map((r) =>
        `| ${r.name} | ${f3(r.box[0])} | ${f3(r.box[1])} | ${f3(r.box[2])} | ${f3(r.mask[0])} | ${
          f3(r.pq)
        } | ${r.detections.toFixed(1)} | ${r.postMs.toFixed(2)} |`
      ),
    ]),
].join("\n");
console.log(table);

const marker = solov2 ? "ablation-solov2" : "ablation";
const BEGIN = `<!-- ${marker}:begin (written by deno task ablation-nms${
  solov2 ? " --model models/street-solov2" : ""
}) -->`;
const END = `<!-- ${marker}:end -->`;
let doc: string;
try {
  doc = await Deno.readTextFile(values.doc);
} catch {
  doc = `# NMS ablation\n\n${BEGIN}\n${END}\n`;
}
if (!doc.includes(BEGIN)) {
  doc = `${doc.trimEnd()}\n\n${BEGIN}\n${END}\n`;
}
const a = doc.indexOf(BEGIN), b = doc.indexOf(END);
if (a < 0 || b < a) {
  console.error(`${values.doc}: expected the markers ${BEGIN} and ${END}, found none`);
  Deno.exit(1);
}
const written = doc.slice(0, a + BEGIN.length) + "\n" + table + "\n" + doc.slice(b);
const tmp = `${values.doc}.tmp`;
await Deno.writeTextFile(tmp, written);
await Deno.rename(tmp, values.doc);
console.error(`wrote ${values.doc}`);
