/**
 * The numbers and charts of the multi-scale study (docs/multiscale-study.md): every street
 * model (Faster R-CNN, Mask R-CNN, FCOS, RetinaNet at each anchor scale exported, SOLOv2)
 * run over the same held-out demo frames, one at a time:
 * - box AP (and mask AP where there are masks), AP small / medium / large;
 * - which pyramid level produced the true positives (IoU ≥ 0.5) of small, medium and large
 *   objects (`truePositiveLevels`; levels named by their stride);
 * - CPU ms per frame at batch 1 and at the best of batches 1, 2 and 4, and the graph's size.
 *
 * ```sh
 * deno task multiscale-study                 # the shipped models + runs/single/export/*
 * deno task multiscale-study --frames 100 --out /tmp/study
 * deno task multiscale-study --from docs/multiscale-study/results.json   # tables, charts again
 * ```
 *
 * Writes `results.json` (every number), `tables.md` and `levels_<size>.png` (the share of
 * each level among the true positives of that size, one bar per model) into `--out`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { evaluateCoco } from "../mod.ts";
import type { CocoGroundTruth } from "../src/eval/coco_types.ts";
import { truePositiveLevels } from "../src/eval/coco_levels.ts";
import { chartSvg } from "../src/report/chart_svg.ts";
import { pngRenderer } from "../src/report/render_png.ts";
import { runQuality } from "./quality_run.ts";
import { batchTimings } from "./batch_timing.ts";
import { levelCharts, SIZES, type StudyModel, studyTables } from "./multiscale_tables.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const EXPORTS = `${ROOT}models/training/runs/single/export`;

const { values } = parseArgs({
  options: {
    models: { type: "string" },
    out: { type: "string", default: `${ROOT}docs/multiscale-study` },
    frames: { type: "string", default: "300" },
    video: { type: "string", default: `${ROOT}models/demo/street.mp4` },
    gt: { type: "string", default: `${ROOT}models/demo/instances.json` },
    from: { type: "string" },
  },
});
const frames = Number(values.frames);
if (!Number.isInteger(frames) || frames < 1) {
  console.error(`multiscale-study: --frames: expected a whole number ≥ 1, found ${values.frames}`);
  Deno.exit(2);
}

/** The models studied: the shipped street ones, then the anchor-scale exports. */
async function folders(): Promise<string[]> {
  if (values.models) return values.models.split(",").map((m) => m.trim()).filter(Boolean);
  const out = ["fasterrcnn", "maskrcnn", "fcos", "retinanet", "solov2"]
    .map((m) => `${ROOT}models/street-${m}`);
  try {
    const extra = [];
    for await (const e of Deno.readDir(EXPORTS)) {
      if (e.isDirectory) extra.push(join(EXPORTS, e.name));
    }
    out.push(...extra.sort());
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out;
}

/** "RetinaNet, anchor scale 0.5" etc. from the manifest. */
function labelOf(manifest: { kind: string; training?: { script?: string } }): string {
  const names: Record<string, string> = {
    fasterrcnn: "Faster R-CNN",
    maskrcnn: "Mask R-CNN",
    fcos: "FCOS",
    retinanet: "RetinaNet",
    solov2: "SOLOv2",
  };
  const name = names[manifest.kind] ?? manifest.kind;
  if (manifest.kind !== "retinanet") return name;
  const scale = /--anchor-scale ([\d.]+)/.exec(manifest.training?.script ?? "")?.[1] ?? "1";
  return `${name}, anchors ×${scale}`;
}

/** Measures every model (see the module's documentation). */
async function measure(): Promise<StudyModel[]> {
  const gt = JSON.parse(await Deno.readTextFile(values.gt!)) as CocoGroundTruth;
  const models: StudyModel[] = [];
  for (const folder of await folders()) {
    console.log(`== ${folder}`);
    const run = await runQuality(folder, values.video!, frames);
    const imageIds = gt.images.slice(0, run.frames).map((i) => i.id as number);
    const categoryIds = run.manifest.classes.filter((c) => c.isThing).map((c) => c.id);
    const options = { imageIds, categoryIds };
    const box = evaluateCoco(gt, run.results, "bbox", options);
    const masks = run.results.some((r) => r.segmentation);
    const mask = masks ? evaluateCoco(gt, run.results, "segm", options) : undefined;
    const levels = truePositiveLevels(gt, run.results, {
      ...options,
      iouThreshold: 0.5,
      levels: run.levelStrides.length,
    });
    const timings = await batchTimings(folder, values.video!);
    const raw = JSON.parse(await Deno.readTextFile(`${folder}/manifest.json`));
    const bytes = (await Deno.stat(run.manifest.file)).size;
    const model: StudyModel = {
      name: run.manifest.name,
      label: labelOf(raw),
      kind: run.manifest.kind,
      folder: folder.startsWith(ROOT) ? folder.slice(ROOT.length) : folder,
      box: [...box.stats],
      mask: mask ? [...mask.stats] : undefined,
      levelStrides: run.levelStrides,
      levels: {
        counts: levels.counts,
        truths: levels.groundTruths,
        unlevelled: levels.withoutLevel.reduce((a, b) => a + b, 0),
      },
      inferMs: run.inferMs,
      postMs: run.postMs,
      timings,
      sizeMb: bytes / 1e6,
      anchorSizes: run.manifest.singleStage?.anchorSizes,
      training: raw.training,
    };
    models.push(model);
    console.log(
      `${model.label}: box AP ${box.stats[0].toFixed(3)}${
        mask ? `, mask AP ${mask.stats[0].toFixed(3)}` : ""
      }, ${run.inferMs.toFixed(1)} ms at batch 1, post ${run.postMs.toFixed(2)} ms`,
    );
  }
  return models;
}

// --from: the numbers of an earlier run, labelled again (tables and charts only).
const earlier = values.from ? JSON.parse(await Deno.readTextFile(values.from)) : undefined;
const models: StudyModel[] = earlier
  ? (earlier.models as StudyModel[]).map((m) => ({ ...m, label: labelOf(m) }))
  : await measure();
const framesRun: number = earlier?.frames ?? frames;

await Deno.mkdir(values.out!, { recursive: true });
await Deno.writeTextFile(
  join(values.out!, "results.json"),
  JSON.stringify({ frames: framesRun, video: "models/demo/street.mp4", models }, null, 1) + "\n",
);
const tables = studyTables(models);
await Deno.writeTextFile(join(values.out!, "tables.md"), tables);
console.log(`\n${tables}`);
const render = await pngRenderer(2);
for (const [size, spec] of levelCharts(models, framesRun)) {
  await Deno.writeFile(join(values.out!, `levels_${size}.png`), render(await chartSvg(spec)).png);
}
console.log(
  `wrote results.json, tables.md, ${
    SIZES.map((s) => `levels_${s}.png`).join(", ")
  } to ${values.out}`,
);
