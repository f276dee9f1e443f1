/**
 * The multi-scale study's tables (markdown) and level charts (Vega-Lite) from its measured
 * numbers (models/multiscale_study.ts).
 *
 * @module
 */

import type { TopLevelSpec } from "vega-lite";
import { markdownTable, score } from "../src/report/report_tables.ts";
import { COLORS, groupedBars } from "../src/report/grouped_bars.ts";
import type { BatchTiming } from "./batch_timing.ts";

/** COCO's size ranges, in the order of `truePositiveLevels`' rows. */
export const SIZES = ["small", "medium", "large"] as const;

/** One model's numbers. */
export interface StudyModel {
  name: string;
  /** "FCOS", "RetinaNet, anchor scale 0.5", ... */
  label: string;
  kind: string;
  folder: string;
  /** evaluateCoco's 12 box stats (AP, AP50, AP75, APs, APm, APl, AR...). */
  box: number[];
  mask?: number[];
  /** The stride of each level the detections' `level` numbers. */
  levelStrides: number[];
  /** True positives at IoU 0.5: counts[size][level], ground truths per size, and matched
   * ground truths whose detection had no level. */
  levels: { counts: number[][]; truths: number[]; unlevelled: number };
  inferMs: number;
  postMs: number;
  timings: BatchTiming[];
  sizeMb: number;
  anchorSizes?: number[][];
  training?: { minutes?: number; steps?: number; script?: string };
}

const PALETTE = [
  COLORS.blue,
  COLORS.orange,
  COLORS.green,
  COLORS.red,
  COLORS.teal,
  COLORS.lightBlue,
  COLORS.lightOrange,
];

/** The best of a model's batch timings. */
export function bestBatch(m: StudyModel): BatchTiming {
  return m.timings.reduce((a, b) => (b.msPerFrame < a.msPerFrame ? b : a));
}

/** Every stride any model has, increasing. */
function allStrides(models: StudyModel[]): number[] {
  return [...new Set(models.flatMap((m) => m.levelStrides))].sort((a, b) => a - b);
}

function comparison(models: StudyModel[]): string {
  return markdownTable(
    [
      "model",
      "box AP",
      "AP50",
      "AP small",
      "AP medium",
      "AP large",
      "mask AP",
      "ms, batch 1",
      "ms/frame, best batch",
      "post ms",
      "size MB",
      "training steps",
    ],
    models.map((m) => {
      const best = bestBatch(m);
      return [
        m.label,
        score(m.box[0]),
        score(m.box[1]),
        score(m.box[3]),
        score(m.box[4]),
        score(m.box[5]),
        m.mask ? score(m.mask[0]) : "—",
        m.timings.find((t) => t.batch === 1)!.msPerFrame.toFixed(1),
        `${best.msPerFrame.toFixed(1)} (batch ${best.batch})`,
        m.postMs.toFixed(2),
        m.sizeMb.toFixed(1),
        String(m.training?.steps ?? "—"),
      ];
    }),
    ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
  );
}

function levelTable(models: StudyModel[]): string {
  const strides = allStrides(models);
  const rows: string[][] = [];
  for (const m of models) {
    SIZES.forEach((size, s) => {
      const counts = m.levels.counts[s];
      const tps = counts.reduce((a, b) => a + b, 0);
      rows.push([
        s === 0 ? m.label : "",
        size,
        `${tps} / ${m.levels.truths[s]}`,
        ...strides.map((stride) => {
          const l = m.levelStrides.indexOf(stride);
          if (l < 0) return "—";
          const n = counts[l] ?? 0;
          return tps === 0 ? "0" : `${Math.round((100 * n) / tps)}% (${n})`;
        }),
      ]);
    });
  }
  return markdownTable(
    ["model", "size", "TPs / objects", ...strides.map((s) => `stride ${s}`)],
    rows,
    ["l", "l", "r", ...strides.map(() => "r" as const)],
  );
}

function anchorTable(models: StudyModel[]): string {
  const retina = models.filter((m) => m.kind === "retinanet");
  return markdownTable(
    ["model", "base anchor sizes", "AP", "AP50", "AP small", "AP medium", "AP large", "AR100"],
    retina.map((m) => [
      m.label,
      (m.anchorSizes ?? []).map((s) => s[0]).join(", "),
      score(m.box[0]),
      score(m.box[1]),
      score(m.box[3]),
      score(m.box[4]),
      score(m.box[5]),
      score(m.box[8]),
    ]),
    ["l", "l", "r", "r", "r", "r", "r", "r"],
  );
}

/**
 * The study's three tables as markdown: all models compared, the true positives' levels,
 * RetinaNet by anchor scale.
 *
 * @example
 * ```ts ignore
 * await Deno.writeTextFile("tables.md", studyTables(models));
 * ```
 */
export function studyTables(models: StudyModel[]): string {
  return [
    "### All models on the same frames\n",
    comparison(models),
    "\n### Which level produced the true positives (IoU ≥ 0.5)\n",
    levelTable(models),
    "\n### RetinaNet by anchor scale\n",
    anchorTable(models),
    "",
  ].join("\n");
}

/**
 * Per size, a chart of the share of that size's true positives each level produced, one
 * bar per model (no bar where a model has no such level).
 *
 * @example
 * ```ts ignore
 * for (const [size, spec] of levelCharts(models, 300)) console.log(size, spec.title);
 * ```
 */
export function levelCharts(models: StudyModel[], frames: number): [string, TopLevelSpec][] {
  const strides = allStrides(models);
  return SIZES.map((size, s) => [
    size,
    groupedBars({
      title: `Which level found the ${size} objects`,
      subtitle:
        `share of each model's true positives (IoU ≥ 0.5) among ${size} objects, ${frames} held-out frames`,
      categories: strides.map((x) => `stride ${x}`),
      series: models.map((m, i) => {
        const counts = m.levels.counts[s];
        const tps = counts.reduce((a, b) => a + b, 0);
        return {
          name: m.label,
          color: PALETTE[i % PALETTE.length],
          values: strides.map((x) => {
            const l = m.levelStrides.indexOf(x);
            return l < 0 || tps === 0 ? null : (counts[l] ?? 0) / tps;
          }),
        };
      }),
      xTitle: "pyramid level",
      yTitle: "share of true positives",
      decimals: 2,
    }),
  ]);
}
