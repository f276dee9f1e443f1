/**
 * The report's pyramid-level numbers (issue 18's multi-scale study): which level of a
 * single-stage model produced the true positives of small, medium and large objects
 * (`truePositiveLevels` on the results that carry a `level`), and their table.
 *
 * @module
 */

import { type TruePositiveLevels, truePositiveLevels } from "../eval/coco_levels.ts";
import type { CocoGroundTruth } from "../eval/coco_types.ts";
import { EvalInputError } from "../errors.ts";
import type { EvalMetrics } from "./evaluate_report.ts";
import { markdownTable, type ReportTable, score } from "./report_tables.ts";
import type { ResultsInput } from "./results_input.ts";

/**
 * The labels of the size buckets in the table and the chart, with their areas.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(LEVEL_SIZE_LABELS[1], "medium (32²–96²)");
 * ```
 */
export const LEVEL_SIZE_LABELS: readonly string[] = Object.freeze([
  "small (< 32²)",
  "medium (32²–96²)",
  "large (≥ 96²)",
]);

/** What {@link levelMetrics} returns. */
export interface LevelMetricsOutcome {
  /** The counts, or null when no result carries a level. */
  levels: TruePositiveLevels | null;
  /** Things worth saying (results without a level). */
  notes: string[];
}

/**
 * The report's level numbers: `truePositiveLevels` (boxes, IoU 0.5, area all, 100
 * detections per image) on the evaluated images, when at least one result carries a
 * `level`; a note when only some do. Bad input is an `EvalInputError` naming both files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseResults } from "./results_input.ts";
 * const groundTruth = {
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1, name: "car" }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, area: 400, iscrowd: 0, bbox: [0, 0, 20, 20] }],
 * };
 * const raw = [{ image_id: 1, category_id: 1, score: 1, bbox: [0, 0, 20, 20], level: 0 }];
 * const { levels, notes } = levelMetrics(groundTruth, "gt.json", parseResults(JSON.stringify(raw), "r.json"));
 * assert.deepEqual(levels!.counts, [[1], [0], [0]]);
 * assert.deepEqual(notes, []);
 * assert.equal(levelMetrics(groundTruth, "gt.json", parseResults("[]", "r.json")).levels, null);
 * ```
 */
export function levelMetrics(
  groundTruth: CocoGroundTruth,
  groundTruthPath: string,
  results: ResultsInput,
  imageIds?: number[],
  levelNames?: string[],
): LevelMetricsOutcome {
  const withLevels = results.withLevels ?? 0;
  if (withLevels === 0) return { levels: null, notes: [] };
  const n = results.results.length;
  const notes = withLevels < n
    ? [
      `only ${withLevels} of ${n} results have a pyramid level: true positives of the others are counted under "no level"`,
    ]
    : [];
  try {
    const levels = truePositiveLevels(groundTruth, results.results, {
      ...(imageIds ? { imageIds } : {}),
      ...(levelNames ? { levelNames } : {}),
    });
    return { levels, notes };
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new EvalInputError(
        `${results.path} against ${groundTruthPath} (levels): ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * The level counts of the report's metrics: `m.levels` (absent or null: none). The
 * report reads it through here, so that `EvalMetrics` may declare the field or not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EvalMetrics } from "./evaluate_report.ts";
 * assert.equal(metricsLevels({} as EvalMetrics), null);
 * ```
 */
export function metricsLevels(m: EvalMetrics): TruePositiveLevels | null {
  return (m as EvalMetrics & { levels?: TruePositiveLevels | null }).levels ?? null;
}

/** `count (share %)` of `total`. */
function share(count: number, total: number): string {
  return total > 0 ? `${count} (${(100 * count / total).toFixed(1)}%)` : `${count}`;
}

/**
 * The table "True positives by pyramid level" (anchor `levels`): per size (small,
 * medium, large, all) the ground truths, the true positives and their recall, then for
 * each level its true positives and their share of the row's; a "no level" column when
 * some matched results carry none. None without level counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const [table] = levelTables({
 *   iouType: "bbox", iouThreshold: 0.5, sizes: ["small", "medium", "large"],
 *   levelNames: ["P3", "P4"], counts: [[3, 1], [1, 3], [0, 2]], withoutLevel: [0, 0, 0],
 *   truePositives: [4, 4, 2], groundTruths: [8, 5, 2], resultsWithLevel: 12,
 * });
 * assert.match(table.title, /^True positives by pyramid level/);
 * assert.match(table.table, /\| small \(< 32²\) +\| +8 \| +4 \| +0\.500 \| 3 \(75\.0%\) \| +1 \(25\.0%\) \|/);
 * assert.match(table.table, /\| all +\| +15 \| +10 \| +0\.667 \| 4 \(40\.0%\) \| +6 \(60\.0%\) \|/);
 * ```
 */
export function levelTables(levels: TruePositiveLevels | null): ReportTable[] {
  if (!levels) return [];
  const L = levels.levelNames.length;
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  const noLevel = sum(levels.withoutLevel) > 0;
  const rows = [0, 1, 2].map((s) => ({
    label: LEVEL_SIZE_LABELS[s],
    groundTruths: levels.groundTruths[s],
    truePositives: levels.truePositives[s],
    counts: levels.counts[s],
    withoutLevel: levels.withoutLevel[s],
  }));
  rows.push({
    label: "all",
    groundTruths: sum(levels.groundTruths),
    truePositives: sum(levels.truePositives),
    counts: Array.from({ length: L }, (_, l) => sum(levels.counts.map((row) => row[l]))),
    withoutLevel: sum(levels.withoutLevel),
  });
  const threshold = levels.iouThreshold.toFixed(2);
  return [{
    anchor: "levels",
    title:
      `True positives by pyramid level (${levels.iouType} IoU ${threshold}, area all, 100 detections per image; share of each size's true positives)`,
    table: markdownTable(
      [
        "size",
        "ground truths",
        "true positives",
        "recall",
        ...levels.levelNames,
        ...(noLevel ? ["no level"] : []),
      ],
      rows.map((r) => [
        r.label,
        String(r.groundTruths),
        String(r.truePositives),
        score(r.groundTruths > 0 ? r.truePositives / r.groundTruths : -1),
        ...r.counts.map((c) => share(c, r.truePositives)),
        ...(noLevel ? [share(r.withoutLevel, r.truePositives)] : []),
      ]),
      ["l", ...new Array<"r">(4 + L + (noLevel ? 1 : 0)).fill("r")],
    ),
  }];
}

/**
 * The report's tables with the level table inserted after AP per class (and its
 * precision / recall figures), or at the end when there is no such table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const tables = [{ anchor: "coco", title: "", table: "" }, { anchor: "per-class", title: "", table: "" },
 *   { anchor: "latency", title: "", table: "" }];
 * const level = { anchor: "levels", title: "", table: "" };
 * assert.deepEqual(withLevelTables(tables, [level]).map((t) => t.anchor), ["coco", "per-class", "levels", "latency"]);
 * ```
 */
export function withLevelTables(
  tables: readonly ReportTable[],
  levels: readonly ReportTable[],
): ReportTable[] {
  const at = tables.findIndex((t) => t.anchor === "per-class");
  const cut = at < 0 ? tables.length : at + 1;
  return [...tables.slice(0, cut), ...levels, ...tables.slice(cut)];
}
