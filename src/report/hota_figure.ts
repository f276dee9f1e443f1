/**
 * The tracking figure of the report as a Vega-Lite spec: HOTA, DetA and AssA at each
 * localisation threshold α (TrackEval's curves; the report's HOTA is their mean).
 *
 * @module
 */

import type { TopLevelSpec } from "vega-lite";
import type { EvalMetrics } from "./evaluate_report.ts";
import { COLORS } from "./grouped_bars.ts";
import type { ReportFigure } from "./report_figures.ts";

/**
 * HOTA(α) of tracked results against a MOT ground truth; none without one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const figures = hotaFigure({ tracking: { hota: 0.7, hotaAlpha: Array(19).fill(0.7) } } as never);
 * assert.deepEqual(figures.map((f) => f.name), ["hota_alpha"]);
 * assert.deepEqual(hotaFigure({ tracking: null } as never), []);
 * ```
 */
export function hotaFigure(m: Pick<EvalMetrics, "tracking">): ReportFigure[] {
  const t = m.tracking;
  if (!t) return [];
  const values = t.hotaAlpha.map((v, i) => ({
    alpha: Math.round((0.05 + 0.05 * i) * 100) / 100,
    hota: v,
  }));
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "HOTA at each localisation threshold α",
      subtitle: `mean over α (the report's HOTA): ${t.hota.toFixed(3)}`,
    },
    width: 520,
    height: 260,
    data: { values },
    layer: [
      {
        mark: { type: "line", point: true, color: COLORS.blue },
        encoding: {
          x: {
            field: "alpha",
            type: "quantitative",
            title: "α (IoU a match needs)",
            scale: { domain: [0, 1] },
          },
          y: { field: "hota", type: "quantitative", title: "HOTA(α)", scale: { domain: [0, 1] } },
        },
      },
      {
        mark: { type: "rule", strokeDash: [4, 4], color: COLORS.orange },
        encoding: { y: { datum: t.hota } },
      },
    ],
  };
  return [{ name: "hota_alpha", title: "HOTA at each α", section: "tracking", spec }];
}
