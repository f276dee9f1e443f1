/**
 * The evaluation report of `deno task eval`, in one import: its numbers
 * (`evaluate_report.ts`: COCO AP with `evaluateCoco`, Panoptic Quality with
 * `panopticQuality`, latency), its text (`report_tables.ts`, `report_markdown.ts`: the
 * tables, `report.md`, the console summary), its figures (`report_figures.ts`: Vega-Lite
 * specs, drawn by `chart_svg.ts` and `render_png.ts`) and the report folder
 * (`write_eval_report.ts`).
 *
 * @example
 * ```ts ignore
 * const metrics = evaluateReport({ groundTruth, groundTruthPath, results });
 * console.log(consoleSummary(metrics));
 * const written = await writeEvalReport(metrics, "eval-report");
 * ```
 *
 * @module
 */

export {
  type EvalMetrics,
  type EvalReportInput,
  evaluateReport,
  type PanopticMetrics,
} from "./evaluate_report.ts";
export {
  type ClassMetrics,
  type IouTypeMetrics,
  iouTypeMetrics,
  type PrCurves,
} from "./iou_type_metrics.ts";
export { type HistogramBin, type LatencyMetrics, latencyMetrics } from "./latency_metrics.ts";
export { COCO_STAT_DESCRIPTIONS, markdownTable, reportTables } from "./report_tables.ts";
export { consoleSummary, reportMarkdown } from "./report_markdown.ts";
export { type ReportFigure, reportFigures } from "./report_figures.ts";
export {
  type ChartsOutcome,
  writeEvalReport,
  type WriteReportOptions,
  type WrittenReport,
} from "./write_eval_report.ts";
