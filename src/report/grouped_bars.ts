/**
 * Grouped bar charts as Vega-Lite specs (AP by object size, AP per class, PQ per class),
 * and the report's colours.
 *
 * @module
 */

import type { TopLevelSpec } from "vega-lite";

/**
 * The report's colours (Vega's Tableau palettes), by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(COLORS.blue, "#4c78a8");
 * ```
 */
export const COLORS = Object.freeze({
  blue: "#4c78a8",
  lightBlue: "#9ecae9",
  orange: "#f58518",
  lightOrange: "#ffbf79",
  red: "#e45756",
  teal: "#72b7b2",
  green: "#54a24b",
});

/** A series of a bar chart: one value per category (`null`: no bar, "n/a" written). */
export interface BarSeries {
  /** Legend text. */
  name: string;
  /** Bar colour. */
  color: string;
  /** One value per category. */
  values: readonly (number | null)[];
}

/** What {@link groupedBars} draws. */
export interface GroupedBarsOptions {
  /** Chart title. */
  title: string;
  /** The line under it (what the values average). */
  subtitle: string;
  /** The groups along the x axis, in order. */
  categories: readonly string[];
  /** One bar per series in each group, in order. */
  series: readonly BarSeries[];
  /** X axis title (null: none). */
  xTitle: string | null;
  /** Y axis title. */
  yTitle: string;
  /** Decimals of the values written over the bars. */
  decimals: number;
}

/**
 * Bars grouped by category, one per series, on a 0..1 scale, the values written over
 * them (while there are at most 48 bars; "n/a" for a missing value), the legend on top.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chartSvg } from "./chart_svg.ts";
 * const svg = await chartSvg(groupedBars({
 *   title: "AP",
 *   subtitle: "IoU .50:.95",
 *   categories: ["car", "bus"],
 *   series: [{ name: "bbox", color: COLORS.blue, values: [0.5, null] }],
 *   xTitle: null,
 *   yTitle: "AP",
 *   decimals: 2,
 * }));
 * assert.match(svg, />0\.50<\/text>/);
 * assert.match(svg, />n\/a<\/text>/);
 * ```
 */
export function groupedBars(options: GroupedBarsOptions): TopLevelSpec {
  const { categories, series } = options;
  const rows = categories.flatMap((category, i) =>
    series.map((s) => {
      const value = s.values[i];
      return {
        category,
        series: s.name,
        value,
        labelY: value ?? 0,
        label: value === null ? "n/a" : value.toFixed(options.decimals),
      };
    })
  );
  const bars = categories.length * series.length;
  const names = series.map((s) => s.name);
  return {
    title: { text: options.title, subtitle: options.subtitle },
    data: { values: rows },
    // Room for the values over the bars (3 decimals are wider), within 480..1400 pixels.
    width: Math.max(480, Math.min(1400, bars * (options.decimals > 2 ? 56 : 36))),
    height: 320,
    encoding: {
      x: {
        field: "category",
        type: "nominal",
        sort: [...categories],
        title: options.xTitle,
        scale: { paddingInner: 0.25, paddingOuter: 0.15 },
        axis: {
          labelAngle: categories.length > 10 ? -40 : 0,
          labelFontSize: 12,
          labelLimit: 160,
          ticks: false,
        },
      },
      xOffset: { field: "series", type: "nominal", sort: names, scale: { paddingInner: 0.08 } },
    },
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          y: {
            field: "value",
            type: "quantitative",
            title: options.yTitle,
            scale: { domain: [0, 1] },
            axis: { tickCount: 5, domain: false, ticks: false },
          },
          color: {
            field: "series",
            type: "nominal",
            sort: names,
            title: null,
            scale: { domain: names, range: series.map((s) => s.color) },
            legend: { symbolType: "square" },
          },
        },
      },
      ...(bars > 48 ? [] : [{
        mark: {
          type: "text" as const,
          baseline: "bottom" as const,
          dy: -3,
          fontSize: series.length > 2 ? 10 : 11,
          color: "#333333",
        },
        encoding: {
          y: { field: "labelY", type: "quantitative" as const },
          text: { field: "label", type: "nominal" as const },
        },
      }]),
    ],
  } as TopLevelSpec;
}
