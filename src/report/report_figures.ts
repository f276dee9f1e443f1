/**
 * The figures of the evaluation report as Vega-Lite specs (`chart_svg.ts` draws them):
 * AP by object size, AP per class, precision/recall curves per class and IoU type, true
 * positives by pyramid level, PQ /
 * SQ / RQ per class, latency histograms per stage. Each has a title saying what it
 * averages, axis titles, a legend, and its values written on the bars.
 *
 * @module
 */

import type { TopLevelSpec } from "vega-lite";
import type { EvalMetrics } from "./evaluate_report.ts";
import type { IouTypeMetrics } from "./iou_type_metrics.ts";
import { COLORS, groupedBars } from "./grouped_bars.ts";
import { latencyFigure } from "./latency_figure.ts";
import { hotaFigure } from "./hota_figure.ts";
import { prFigures } from "./pr_figures.ts";
import { keypointFigures } from "./keypoint_figures.ts";
import { levelFigures } from "./level_figures.ts";
import { metricsLevels } from "./level_tables.ts";
import { score } from "./report_tables.ts";

/** A figure of the report: `name` is its file name without extension. */
export interface ReportFigure {
  /** File name without extension, e.g. `pr_bbox`. */
  name: string;
  /** Alt text and caption. */
  title: string;
  /** The section it belongs to (`coco`, `per-class`, `pr`, `levels`, `pq`, `tracking`, `latency`). */
  section: string;
  /** The chart. */
  spec: TopLevelSpec;
}

/**
 * The report's figures: AP by object size (bbox and segm), AP per class, precision/recall
 * per class for each IoU type (12 classes per figure), the share of true positives per
 * pyramid level when the results carry levels, PQ/SQ/RQ per class with a
 * panoptic ground truth, HOTA(α) with a MOT ground truth, latency histograms per stage with
 * JSON Lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateReport } from "./evaluate_report.ts";
 * import { parseResults } from "./results_input.ts";
 * const metrics = evaluateReport({
 *   groundTruth: {
 *     images: [{ id: 1 }],
 *     categories: [{ id: 1, name: "car" }],
 *     annotations: [{ id: 1, image_id: 1, category_id: 1, area: 400, iscrowd: 0, bbox: [0, 0, 20, 20] }],
 *   },
 *   groundTruthPath: "gt.json",
 *   results: parseResults('[{"image_id":1,"category_id":1,"score":1,"bbox":[0,0,20,20]}]', "r.json"),
 * });
 * assert.deepEqual(reportFigures(metrics).map((f) => f.name), ["ap_by_size", "ap_per_class", "pr_bbox"]);
 * ```
 */
export function reportFigures(m: EvalMetrics): ReportFigure[] {
  const types = [m.bbox, ...(m.segm ? [m.segm] : [])];
  const figures: ReportFigure[] = [apBySize(types), ...apPerClass(types)];
  for (const t of types) figures.push(...prFigures(t, m.recallThresholds));
  figures.push(...levelFigures(metricsLevels(m)));
  figures.push(...keypointFigures(m.keypoints));
  figures.push(...pqPerClass(m), ...hotaFigure(m), ...latencyFigure(m));
  return figures;
}

/** -1 (nothing to average) and NaN as no value. */
const valueOrNull = (v: number) => (v < 0 || !Number.isFinite(v) ? null : v);

function apBySize(types: readonly IouTypeMetrics[]): ReportFigure {
  return {
    name: "ap_by_size",
    title: "AP by object size",
    section: "coco",
    spec: groupedBars({
      title: "AP by object size",
      subtitle: "IoU .50:.95, 100 detections per image",
      categories: ["small (< 32²)", "medium (32²–96²)", "large (> 96²)"],
      series: types.map((t, i) => ({
        name: t.iouType,
        color: i === 0 ? COLORS.blue : COLORS.orange,
        values: t.stats.slice(3, 6).map(valueOrNull),
      })),
      xTitle: "object area (pixels)",
      yTitle: "AP",
      decimals: 3,
    }),
  };
}

function apPerClass(types: readonly IouTypeMetrics[]): ReportFigure[] {
  const classes = types[0].perClass.map((c, i) => ({ c, i })).filter(({ c }) =>
    c.numGroundTruth > 0
  );
  if (classes.length === 0) return [];
  const many = classes.length > 16;
  const colors = [[COLORS.blue, COLORS.lightBlue], [COLORS.orange, COLORS.lightOrange]];
  return [{
    name: "ap_per_class",
    title: "AP per class",
    section: "per-class",
    spec: groupedBars({
      title: "AP per class",
      subtitle: many
        ? "IoU .50:.95, area all, 100 detections per image"
        : "AP: IoU .50:.95; AP50: IoU .50 (area all, 100 detections per image)",
      categories: classes.map(({ c }) => c.name || String(c.categoryId)),
      series: types.flatMap((t, k) => [
        {
          name: `${t.iouType} AP`,
          color: colors[k][0],
          values: classes.map(({ i }) => valueOrNull(t.perClass[i].ap)),
        },
        ...(many ? [] : [{
          name: `${t.iouType} AP50`,
          color: colors[k][1],
          values: classes.map(({ i }) => valueOrNull(t.perClass[i].ap50)),
        }]),
      ]),
      xTitle: null,
      yTitle: "AP",
      decimals: 2,
    }),
  }];
}

function pqPerClass(m: EvalMetrics): ReportFigure[] {
  const p = m.panoptic;
  const counted = p?.perClass.filter((c) => c.tp + c.fp + c.fn > 0) ?? [];
  if (!p || counted.length === 0) return [];
  return [{
    name: "pq_per_class",
    title: "Panoptic quality per class",
    section: "pq",
    spec: groupedBars({
      title: "Panoptic quality per class",
      subtitle: `PQ ${score(p.all.pq)} (things ${score(p.things.pq)}, stuff ${
        score(p.stuff.pq)
      }) over ${p.images} images`,
      categories: counted.map((c) => `${c.name ?? c.categoryId}${c.isThing ? "" : " (stuff)"}`),
      series: [
        { name: "PQ", color: COLORS.blue, values: counted.map((c) => c.pq) },
        { name: "SQ", color: COLORS.orange, values: counted.map((c) => c.sq) },
        { name: "RQ", color: COLORS.green, values: counted.map((c) => c.rq) },
      ],
      xTitle: null,
      yTitle: "quality",
      decimals: 2,
    }),
  }];
}
