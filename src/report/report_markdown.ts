/**
 * The evaluation report as text: `report.md` (inputs, tables, the figures embedded in
 * their sections, notes) and the console summary of `deno task eval` (the same tables).
 *
 * @module
 */

import type { EvalMetrics } from "./evaluate_report.ts";
import type { ReportFigure } from "./report_figures.ts";
import { levelTables, metricsLevels, withLevelTables } from "./level_tables.ts";
import { type ReportTable, reportTables } from "./report_tables.ts";

/** What the report says about its inputs, one line each. */
function describeInputs(m: EvalMetrics): string[] {
  const r = m.results;
  const source = r.format === "jsonl"
    ? `JSON Lines, stream "${r.streamId}", ${r.frames} frames`
    : "COCO results JSON";
  return [
    `Ground truth: \`${m.groundTruth.path}\` (${m.groundTruth.images} images, ${m.groundTruth.annotations} annotations, ${m.groundTruth.categories} categories)`,
    `Results: \`${r.path}\` (${source}, ${r.detections} detections, ${
      r.withMasks === r.detections && r.detections > 0 ? "with masks" : `${r.withMasks} with masks`
    })`,
    ...(m.panoptic ? [`Panoptic ground truth: \`${m.panoptic.path}\``] : []),
    ...(m.tracking ? [`MOT ground truth: \`${m.tracking.path}\``] : []),
  ];
}

/** The report's tables, with the pyramid-level table when the results carry levels. */
function allTables(m: EvalMetrics): ReportTable[] {
  return withLevelTables(reportTables(m), levelTables(metricsLevels(m)));
}

/**
 * The console summary: what was read, then the tables (COCO stats for bbox and segm, AP
 * per class, true positives by pyramid level, PQ, latency per stage) and the notes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateReport } from "./evaluate_report.ts";
 * import { parseResults } from "./results_input.ts";
 * const metrics = evaluateReport({
 *   groundTruth: { images: [{ id: 1 }], categories: [{ id: 1, name: "car" }], annotations: [] },
 *   groundTruthPath: "gt.json",
 *   results: parseResults("[]", "r.json"),
 *   title: "Nothing to find",
 * });
 * const summary = consoleSummary(metrics);
 * assert.match(summary, /^Nothing to find\nGround truth: `gt\.json` \(1 images, 0 annotations/);
 * assert.match(summary, /Latency: none in COCO results JSON/);
 * ```
 */
export function consoleSummary(m: EvalMetrics): string {
  const parts = [m.title, ...describeInputs(m), ""];
  for (const t of allTables(m)) parts.push(t.title, t.table, "");
  if (!m.latency) {
    parts.push("Latency: none in COCO results JSON (JSON Lines results carry it).", "");
  }
  for (const note of m.notes) parts.push(`note: ${note}`);
  return parts.join("\n").trimEnd();
}

/**
 * The report as Markdown: inputs, tables, the figures of each section (`files` maps a
 * figure's name to its file, relative to the report; a figure without a file is left
 * out), `figureNote` as a quote under the inputs, and the notes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateReport } from "./evaluate_report.ts";
 * import { parseResults } from "./results_input.ts";
 * const metrics = evaluateReport({
 *   groundTruth: { images: [{ id: 1 }], categories: [{ id: 1, name: "car" }], annotations: [] },
 *   groundTruthPath: "gt.json",
 *   results: parseResults("[]", "r.json"),
 * });
 * const figures = [{ name: "ap_by_size", title: "AP by object size", section: "coco" }];
 * const md = reportMarkdown(metrics, figures, new Map([["ap_by_size", "ap_by_size.png"]]));
 * assert.match(md, /^# Evaluation of r\.json$/m);
 * assert.match(md, /\| AP {5}\| IoU=0\.50:0\.95 area=all maxDets=100 +\| +n\/a \|\n\| AP50/);
 * // the figure under the table of its section
 * assert.match(md, /\| ARl .* \|\n\n!\[AP by object size\]\(ap_by_size\.png\)\n/);
 * ```
 */
export function reportMarkdown(
  m: EvalMetrics,
  figures: readonly Pick<ReportFigure, "name" | "title" | "section">[],
  files: ReadonlyMap<string, string>,
  figureNote?: string,
): string {
  const out = [`# ${m.title}`, "", ...describeInputs(m).map((l) => `- ${l}`), ""];
  if (figureNote) out.push(`> ${figureNote}`, "");
  const embed = (section: string) => {
    for (const f of figures.filter((f) => f.section === section)) {
      const file = files.get(f.name);
      if (file) out.push(`![${f.title}](${file})`, "");
    }
  };
  for (const t of allTables(m)) {
    out.push(`## ${t.title}`, "", t.table, "");
    embed(t.anchor);
    if (t.anchor === "per-class") {
      out.push("## Precision / recall", "");
      out.push(
        "Interpolated precision at the 101 recall points of COCOeval (area all, 100 detections per image), at IoU .50, .75 and averaged over the ten IoU thresholds .50:.95 (the mean of that curve is the class' AP).",
        "",
      );
      embed("pr");
    }
  }
  if (!m.latency) {
    out.push(
      "## Latency",
      "",
      "No latency: COCO results JSON carries no timings. JSON Lines results of a pipeline run (one result message per frame) give the latency of every stage.",
      "",
    );
  }
  if (m.notes.length > 0) {
    out.push("## Notes", "", ...m.notes.map((n) => `- ${n}`), "");
  }
  out.push(
    "---",
    "",
    "`metrics.json` holds every number of this report (-1: nothing to average, as pycocotools; null: not a number).",
    "",
  );
  return out.join("\n");
}
