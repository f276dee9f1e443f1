/**
 * Vega-Lite chart specs to standalone SVG documents: compiled by `vega-lite` to a Vega
 * spec and rendered headlessly by `vega` (`View` with no renderer, `toSVG()`), in the
 * report's theme ({@link CHART_CONFIG}): white background, DejaVu Sans measured with
 * the real font (`chart_font.ts`), titles, readable axis and legend text, Tableau
 * colours. Both libraries load on the first chart, not with the module.
 *
 * @module
 */

import type { Config, TopLevelSpec } from "vega-lite";
import { CHART_FONT_FAMILY, chartTextWidth } from "./chart_font.ts";

const TEXT = "#222222";
const MUTED = "#555555";
const GRID = "#e6e6e6";

/**
 * The report's chart theme: every chart is compiled with it (a spec's own `config`
 * entries win).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(CHART_CONFIG.font, "DejaVu Sans");
 * ```
 */
export const CHART_CONFIG: Config = {
  font: CHART_FONT_FAMILY,
  background: "white",
  padding: 16,
  view: { stroke: null },
  title: {
    fontSize: 17,
    subtitleFontSize: 12,
    subtitleColor: MUTED,
    color: TEXT,
    anchor: "middle",
    offset: 10,
    subtitlePadding: 4,
  },
  axis: {
    labelFontSize: 11,
    labelColor: TEXT,
    titleFontSize: 12,
    titleFontWeight: "normal",
    titleColor: TEXT,
    titlePadding: 8,
    gridColor: GRID,
    domainColor: "#888888",
    tickColor: "#888888",
  },
  legend: {
    labelFontSize: 12,
    labelColor: TEXT,
    titleFontSize: 12,
    symbolSize: 160,
    symbolStrokeWidth: 2.5,
    orient: "top",
    direction: "horizontal",
    columnPadding: 18,
    offset: 14,
  },
  concat: { spacing: 28 },
  bar: { color: "#4c78a8" },
  line: { strokeWidth: 2 },
  text: { color: TEXT },
};

/** The part of vega's scenegraph module that measures text (not in vega's typings). */
interface TextMetrics {
  width: (
    item: { fontSize?: number; fontWeight?: string | number; limit?: number },
    text?: unknown,
  ) => number;
}

/**
 * A Vega-Lite spec as an SVG document (`<svg ... width="W" height="H" viewBox=...>`),
 * laid out with the text widths of the chart font.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const svg = await chartSvg({
 *   title: "AP",
 *   data: { values: [{ size: "small", ap: 0.5 }, { size: "large", ap: 0.8 }] },
 *   mark: "bar",
 *   encoding: {
 *     x: { field: "size", type: "nominal" },
 *     y: { field: "ap", type: "quantitative" },
 *   },
 * });
 * assert.match(svg, /^<svg[^>]* width="\d+" height="\d+"/);
 * assert.match(svg, /font-family="DejaVu Sans"[^>]*>AP<\/text>/);
 * ```
 */
export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite, width] = await Promise.all([
    import("vega"),
    import("vega-lite"),
    chartTextWidth(),
  ]);
  // The hook vega leaves for measuring text without a canvas (vl-convert sets it too);
  // without it vega guesses 0.8 × font size per character.
  const metrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;
  metrics.width = (item, text) => {
    const line = String(text ?? "").trim();
    const bold = item.fontWeight === "bold" || Number(item.fontWeight) >= 600;
    const w = line === "" ? 0 : width(line, item.fontSize ?? 11, bold);
    return item.limit && item.limit > 0 ? Math.min(w, item.limit) : w;
  };
  const config = { ...CHART_CONFIG, ...spec.config };
  const compiled = vegaLite.compile({ ...spec, config } as TopLevelSpec).spec;
  // Legends on top centred over the chart (a Vega setting Vega-Lite does not pass on).
  compiled.config = {
    ...compiled.config,
    legend: { ...compiled.config?.legend, layout: { top: { anchor: "middle" } } },
  };
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
