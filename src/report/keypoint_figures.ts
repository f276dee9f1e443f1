/**
 * PCK curves as Vega-Lite specs: PCK against α, one line per series (the keypoints of one
 * model in the report, or several models in the keypoint study).
 *
 * @module
 */

import type { TopLevelSpec } from "vega-lite";
import type { KeypointMetrics } from "./keypoint_metrics.ts";
import type { ReportFigure } from "./report_figures.ts";

/** One line of a PCK chart. */
export interface PckSeries {
  /** Legend text. */
  name: string;
  /** The α values. */
  thresholds: readonly number[];
  /** PCK at each (-1: nothing counted, left out). */
  pck: readonly number[];
}

/**
 * A line chart of PCK against α for `series`, with the four thresholds of the keypoint
 * study marked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const spec = pckChart("PCK", "all keypoints", [{ name: "heatmap", thresholds: [0.05, 0.1], pck: [0.5, 0.8] }]);
 * assert.equal((spec as { title: { text: string } }).title.text, "PCK");
 * ```
 */
export function pckChart(
  title: string,
  subtitle: string,
  series: readonly PckSeries[],
): TopLevelSpec {
  const values = series.flatMap((s) =>
    s.thresholds.map((alpha, i) => ({ alpha, pck: s.pck[i], series: s.name }))
      .filter((v) => v.pck >= 0)
  );
  return {
    title: { text: title, subtitle },
    width: 520,
    height: 320,
    layer: [
      {
        data: { values: [0.05, 0.1, 0.15, 0.2].map((alpha) => ({ alpha })) },
        mark: { type: "rule", color: "#bbbbbb", strokeDash: [3, 3] },
        encoding: { x: { field: "alpha", type: "quantitative" } },
      },
      {
        data: { values },
        mark: { type: "line", strokeWidth: 2, point: series.length <= 4 },
        encoding: {
          x: {
            field: "alpha",
            type: "quantitative",
            title: "α (fraction of max(w, h) of the person's box)",
            scale: { domain: [0, Math.max(0.2, ...values.map((v) => v.alpha))] },
          },
          y: {
            field: "pck",
            type: "quantitative",
            title: "PCK",
            scale: { domain: [0, 1] },
            axis: { values: [0, 0.2, 0.4, 0.6, 0.8, 1], format: ".1f" },
          },
          color: {
            field: "series",
            type: "nominal",
            title: null,
            sort: series.map((s) => s.name),
          },
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * The report's PCK figures: PCK against α overall, and per keypoint (section `pck`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(keypointFigures(null), []);
 * ```
 */
export function keypointFigures(k: KeypointMetrics | null): ReportFigure[] {
  if (!k) return [];
  const { thresholds } = k.curve;
  return [{
    name: "pck_curves",
    title: "PCK against α, overall and per keypoint",
    section: "pck",
    spec: pckChart(
      "PCK against α, overall and per keypoint",
      `visible keypoints, people matched by box IoU ≥ 0.5; ${k.people} people`,
      [
        { name: "all", thresholds, pck: k.curve.pck },
        ...k.names.map((name, j) => ({
          name,
          thresholds,
          pck: k.curve.perKeypoint.map((row) => row[j]),
        })),
      ],
    ),
  }];
}
