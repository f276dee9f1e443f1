/**
 * The report's pyramid-level chart: for small, medium and large objects (and all), the
 * share of their true positives that each level produced, as grouped bars.
 *
 * @module
 */

import type { TruePositiveLevels } from "../eval/coco_levels.ts";
import { type BarSeries, COLORS, groupedBars } from "./grouped_bars.ts";
import { LEVEL_SIZE_LABELS } from "./level_tables.ts";
import type { ReportFigure } from "./report_figures.ts";

/** One colour per level, in order (then again from the start); grey for "no level". */
const LEVEL_COLORS: readonly string[] = [
  COLORS.blue,
  COLORS.orange,
  COLORS.green,
  COLORS.red,
  COLORS.teal,
  COLORS.lightBlue,
  COLORS.lightOrange,
];
const NO_LEVEL_COLOR = "#bab0ac";

/**
 * The figure `tp_by_level` (section `levels`): one group of bars per size (small,
 * medium, large, all), one bar per level, its height the level's share of the group's
 * true positives ("n/a" where the size has none); a "no level" bar when some matched
 * results carry no level. None without level counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const [figure] = levelFigures({
 *   iouType: "bbox", iouThreshold: 0.5, sizes: ["small", "medium", "large"],
 *   levelNames: ["P3", "P4"], counts: [[3, 1], [1, 3], [0, 0]], withoutLevel: [0, 0, 0],
 *   truePositives: [4, 4, 0], groundTruths: [8, 5, 2], resultsWithLevel: 12,
 * });
 * assert.equal(figure.name, "tp_by_level");
 * const values = (figure.spec as { data: { values: { category: string; series: string; value: number | null }[] } })
 *   .data.values;
 * assert.deepEqual(values.filter((v) => v.series === "P3").map((v) => v.value), [0.75, 0.25, null, 0.5]);
 * assert.deepEqual(levelFigures(null), []);
 * ```
 */
export function levelFigures(levels: TruePositiveLevels | null): ReportFigure[] {
  if (!levels) return [];
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  const L = levels.levelNames.length;
  const rows = [...levels.counts];
  rows.push(Array.from({ length: L }, (_, l) => sum(levels.counts.map((row) => row[l]))));
  const withoutLevel = [...levels.withoutLevel, sum(levels.withoutLevel)];
  const truePositives = [...levels.truePositives, sum(levels.truePositives)];
  const shares = (counts: readonly number[]) =>
    counts.map((c, s) => (truePositives[s] > 0 ? c / truePositives[s] : null));
  const series: BarSeries[] = levels.levelNames.map((name, l) => ({
    name,
    color: LEVEL_COLORS[l % LEVEL_COLORS.length],
    values: shares(rows.map((row) => row[l])),
  }));
  if (sum(withoutLevel) > 0) {
    series.push({ name: "no level", color: NO_LEVEL_COLOR, values: shares(withoutLevel) });
  }
  if (series.length === 0) return [];
  const title = "True positives by pyramid level";
  return [{
    name: "tp_by_level",
    title,
    section: "levels",
    spec: groupedBars({
      title,
      subtitle: `share of each size's true positives (${levels.iouType} IoU ${
        levels.iouThreshold.toFixed(2)
      }, area all, 100 detections per image; ${sum(levels.truePositives)} true positives)`,
      categories: [...LEVEL_SIZE_LABELS, "all"],
      series,
      xTitle: "object area (pixels)",
      yTitle: "share of true positives",
      decimals: 2,
    }),
  }];
}
