/**
 * `streamdet/report`: the evaluation report of `deno task eval`, in one import: its inputs
 * (`results_input.ts`: a COCO ground truth, detections as COCO results or JSON Lines of
 * result messages, each checked with its wire schema), its numbers
 * (`evaluate_report.ts`: COCO AP with `evaluateCoco`, Panoptic Quality with
 * `panopticQuality`, latency), its text (`report_tables.ts`, `report_markdown.ts`: the
 * tables, `report.md`, the console summary), its figures (`report_figures.ts`: Vega-Lite
 * specs, drawn by `chart_svg.ts` and `render_png.ts`) and the report folder
 * (`write_eval_report.ts`). Needs `--allow-read`, `--allow-write`, and `--allow-ffi` for
 * PNG figures (without it they are SVG).
 *
 * @example
 * ```ts ignore
 * import { checkGroundTruth, consoleSummary, evaluateReport, readJsonFile, readResults, writeEvalReport } from "./mod.ts";
 * const groundTruthPath = "models/demo/instances.json";
 * const groundTruth = checkGroundTruth(await readJsonFile(groundTruthPath, "a COCO ground truth"), groundTruthPath);
 * const results = await readResults("detections/street.jsonl");
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
  type TrackingReport,
} from "./evaluate_report.ts";
export {
  type ClassMetrics,
  type IouTypeMetrics,
  iouTypeMetrics,
  type PrCurves,
} from "./iou_type_metrics.ts";
export { type HistogramBin, type LatencyMetrics, latencyMetrics } from "./latency_metrics.ts";
export {
  type KeypointMetrics,
  keypointMetrics,
  PCK_CURVE_THRESHOLDS,
  PCK_THRESHOLDS,
} from "./keypoint_metrics.ts";
export { keypointFigures, pckChart, type PckSeries } from "./keypoint_figures.ts";
export {
  LEVEL_SIZE_LABELS,
  levelMetrics,
  type LevelMetricsOutcome,
  levelTables,
  metricsLevels,
  withLevelTables,
} from "./level_tables.ts";
export { levelFigures } from "./level_figures.ts";
export { COCO_STAT_DESCRIPTIONS, markdownTable, reportTables } from "./report_tables.ts";
export { consoleSummary, reportMarkdown } from "./report_markdown.ts";
export { type ReportFigure, reportFigures } from "./report_figures.ts";
export {
  type ChartsOutcome,
  writeEvalReport,
  type WriteReportOptions,
  type WrittenReport,
} from "./write_eval_report.ts";
export {
  checkGroundTruth,
  checkResultsMatch,
  EvalInputError,
  parseResults,
  type ParseResultsOptions,
  readJsonFile,
  readResults,
  type ResultsInput,
} from "./results_input.ts";
