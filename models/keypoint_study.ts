/**
 * The numbers and charts of the keypoint study (docs/keypoints-study.md): every exported
 * keypoint model (the shipped one and the study's variants) scored by `deno task quality`
 * on the held-out plaza demo, one at a time on a quiet machine: keypoint AP (OKS), PCK at
 * α 0.05, 0.1, 0.15, 0.2 and on a fine grid, box AP of the person class, CPU ms per frame
 * at batch 1, and the training time and steps from each manifest.
 *
 * ```sh
 * deno task keypoint-study   # models/training/runs/pose/export/* and models/plaza-keypointrcnn
 * deno task keypoint-study --models a,b --out docs/keypoints-study --frames 300
 * ```
 *
 * Writes `results.json` (every number), `table.md` (the σ × resolution table and the
 * regression row), `pck_by_model.png` (PCK against α, one line per model) and
 * `pck_per_keypoint.png` (PCK@0.1 per keypoint, one bar per model) into `--out`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { chartSvg } from "../src/report/chart_svg.ts";
import { pngRenderer } from "../src/report/render_png.ts";
import { pckChart } from "../src/report/keypoint_figures.ts";
import { COLORS, groupedBars } from "../src/report/grouped_bars.ts";
import { markdownTable, score } from "../src/report/report_tables.ts";

const ROOT = new URL("../", import.meta.url).pathname;

const { values } = parseArgs({
  options: {
    models: { type: "string" },
    out: { type: "string", default: `${ROOT}docs/keypoints-study` },
    frames: { type: "string", default: "300" },
  },
});

/** One model's numbers. */
interface ModelNumbers {
  name: string;
  folder: string;
  variant: string;
  steps: number;
  minutes: number;
  script: string;
  sizeMb: number;
  box: number[];
  keypoints: {
    stats: number[];
    pck: { thresholds: number[]; pck: number[]; perKeypoint: number[][] };
    pckByOks: number[];
    matchedByOks: number;
    curve: { thresholds: number[]; pck: number[] };
    names: string[];
    people: number;
    matchedPeople: number;
  };
  inferMs: number;
  postMs: number;
}

async function folders(): Promise<string[]> {
  if (values.models) return values.models.split(",").map((m) => m.trim()).filter(Boolean);
  const out = [`${ROOT}models/plaza-keypointrcnn`];
  const exports = `${ROOT}models/training/runs/pose/export`;
  try {
    for await (const e of Deno.readDir(exports)) {
      if (e.isDirectory) out.push(join(exports, e.name));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort();
}

/** The variant's name: `gauss2-28`, `regression`, ... from the training command line; the
 * shipped model and the study's shared model (`…-shared`) say so. */
function variantOf(script: string, folder: string): string {
  const head = /--head (\w+)/.exec(script)?.[1] ?? "heatmap";
  const sigma = Number(/--sigma ([\d.]+)/.exec(script)?.[1] ?? 0);
  const size = /--heatmap-size (\d+)/.exec(script)?.[1] ?? "56";
  const kind = sigma === 0 ? "onehot" : `gauss${sigma}`;
  const name = head === "regression" ? "regression" : `${kind}-${size}`;
  if (folder.endsWith("plaza-keypointrcnn")) return `${name} (shipped)`;
  return folder.endsWith("-shared") ? `${name} (shared)` : name;
}

async function measure(folder: string): Promise<ModelNumbers> {
  const json = await Deno.makeTempFile({ suffix: ".json" });
  const cmd = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-env",
      "--allow-ffi",
      `${ROOT}models/quality.ts`,
      "--model",
      folder,
      "--frames",
      values.frames!,
      "--json",
      json,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!cmd.success) throw new Error(`keypoint_study: quality.ts failed on ${folder}`);
  const q = JSON.parse(await Deno.readTextFile(json));
  await Deno.remove(json);
  const manifest = JSON.parse(await Deno.readTextFile(`${folder}/manifest.json`));
  const training = manifest.training ?? {};
  const bytes = (await Deno.stat(`${folder}/${manifest.file ?? "model.onnx"}`)).size;
  return {
    name: manifest.name,
    folder,
    variant: variantOf(training.script ?? "", folder),
    steps: training.steps ?? 0,
    minutes: training.minutes ?? 0,
    script: training.script ?? "",
    sizeMb: bytes / 1e6,
    box: q.box,
    keypoints: q.keypoints,
    inferMs: q.inferMs,
    postMs: q.postMs,
  };
}

const results: ModelNumbers[] = [];
for (const folder of await folders()) {
  console.log(`\n== ${folder}`);
  results.push(await measure(folder));
}
await Deno.mkdir(values.out!, { recursive: true });
await Deno.writeTextFile(
  join(values.out!, "results.json"),
  JSON.stringify({ frames: Number(values.frames), models: results }, null, 1) + "\n",
);

const rows = results.map((r) => [
  r.variant,
  ...r.keypoints.pck.pck.map(score),
  score(r.keypoints.pckByOks[1]),
  score(r.keypoints.stats[0]),
  score(r.keypoints.stats[1]),
  score(r.box[0]),
  `${r.minutes} min / ${r.steps}`,
  r.inferMs.toFixed(1),
  r.postMs.toFixed(1),
]);
const table = markdownTable(
  [
    "model",
    "PCK@0.05",
    "PCK@0.1",
    "PCK@0.15",
    "PCK@0.2",
    "PCK@0.1 (OKS match)",
    "kp AP",
    "kp AP50",
    "box AP",
    "training",
    "infer ms",
    "post ms",
  ],
  rows,
  ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
);
await Deno.writeTextFile(join(values.out!, "table.md"), table + "\n");
console.log(`\n${table}`);

const render = await pngRenderer(2);
const write = async (name: string, spec: Parameters<typeof chartSvg>[0]) => {
  await Deno.writeFile(join(values.out!, `${name}.png`), render(await chartSvg(spec)).png);
};
await write(
  "pck_by_model",
  pckChart(
    "PCK against α per model (plaza demo, held out)",
    `visible keypoints within α × max(w, h) of the person's box; ${values.frames} frames`,
    results.map((r) => ({
      name: r.variant,
      thresholds: r.keypoints.curve.thresholds,
      pck: r.keypoints.curve.pck,
    })),
  ),
);
const palette = [
  COLORS.blue,
  COLORS.orange,
  COLORS.green,
  COLORS.red,
  COLORS.teal,
  COLORS.lightBlue,
  COLORS.lightOrange,
  "#b279a2",
  "#9d755d",
  "#bab0ac",
];
const at01 = results[0].keypoints.pck.thresholds.indexOf(0.1);
await write(
  "pck_per_keypoint",
  groupedBars({
    title: "PCK@0.1 per keypoint and model",
    subtitle: "visible keypoints within 0.1 × max(w, h) of the person's box",
    categories: results[0].keypoints.names,
    series: results.map((r, i) => ({
      name: r.variant,
      color: palette[i % palette.length],
      values: r.keypoints.pck.perKeypoint[at01].map((v) => (v < 0 ? null : v)),
    })),
    xTitle: null,
    yTitle: "PCK@0.1",
    decimals: 2,
  }),
);
console.log(
  `\nwrote results.json, table.md, pck_by_model.png, pck_per_keypoint.png to ${values.out}`,
);
