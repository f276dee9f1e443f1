/**
 * The latency figure of the report as a Vega-Lite spec: small multiples of histograms,
 * one per stage, with the median and the 95th percentile marked.
 *
 * @module
 */

import type { TopLevelSpec } from "vega-lite";
import type { EvalMetrics } from "./evaluate_report.ts";
import { COLORS } from "./grouped_bars.ts";
import type { ReportFigure } from "./report_figures.ts";
import { ms } from "./report_tables.ts";

const MARKERS = ["median", "95th percentile"];

/**
 * The latency figure of JSON Lines results: a histogram per stage (3 to a row) with its
 * median and 95th percentile marked, or the one value of a stage that never varies; none
 * without latency.
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
 * assert.deepEqual(latencyFigure(metrics), []); // COCO results JSON has no latency
 * ```
 */
export function latencyFigure(m: EvalMetrics): ReportFigure[] {
  const l = m.latency;
  if (!l || Object.keys(l.stages).length === 0) return [];
  const panels = Object.entries(l.stages).map(([key, s]) => {
    const title = {
      text: key === "totalMs" ? "total (capture to published)" : key,
      subtitle: `mean ${ms(s.mean)} · p50 ${ms(s.p50)} · p95 ${ms(s.p95)} ms`,
      fontSize: 14,
    };
    // A stage that always takes the same time (decode of a file: 0) has no spread to draw.
    if (s.min === s.max) {
      return {
        title,
        width: 260,
        height: 150,
        data: { values: [{ text: `every frame: ${ms(s.min)} ms` }] },
        mark: { type: "text", fontSize: 13, color: "#555555" },
        encoding: { text: { field: "text" }, x: { value: 130 }, y: { value: 75 } },
      };
    }
    const x = { scale: { zero: false, nice: true }, axis: { tickCount: 5, format: "~r" } };
    return {
      title,
      width: 260,
      height: 150,
      layer: [
        {
          data: { values: l.histograms[key] },
          mark: { type: "bar", color: COLORS.blue, stroke: "white", strokeWidth: 0.5 },
          encoding: {
            x: { field: "x0", type: "quantitative", bin: "binned", title: "milliseconds", ...x },
            x2: { field: "x1" },
            y: {
              field: "count",
              type: "quantitative",
              title: "frames",
              axis: { tickMinStep: 1, format: "d" },
            },
          },
        },
        {
          data: {
            values: [{ marker: MARKERS[0], value: s.p50 }, { marker: MARKERS[1], value: s.p95 }],
          },
          mark: { type: "rule", strokeWidth: 2, strokeDash: [5, 3] },
          encoding: {
            x: { field: "value", type: "quantitative" },
            color: {
              field: "marker",
              type: "nominal",
              sort: MARKERS,
              title: null,
              scale: { domain: MARKERS, range: [COLORS.red, COLORS.teal] },
            },
          },
        },
      ],
    };
  });
  return [{
    name: "latency",
    title: "Latency per stage",
    section: "latency",
    spec: {
      title: {
        text: "Latency per stage",
        subtitle: `${l.frames} frames of stream "${m.results.streamId ?? ""}"`,
      },
      columns: 3,
      concat: panels,
      resolve: { scale: { color: "shared" } },
    } as TopLevelSpec,
  }];
}
