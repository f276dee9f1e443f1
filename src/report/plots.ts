/**
 * Charts of the evaluation report as standalone SVG documents, built as strings: line
 * charts in small multiples (precision/recall curves), grouped bar charts (AP by object
 * size, per class) and histograms in small multiples (latency per stage). Every chart has
 * a title, axes with "nice" ticks (1, 2 or 5 × 10ⁿ), axis labels, a light grid and a
 * legend; text uses DejaVu Sans (Debian's default font) and the whole picture has a white
 * background, so that it reads the same as SVG or rendered to PNG (`render_png.ts`).
 *
 * @module
 */

/** The series colours (Tableau 10), in order. */
export const PALETTE: readonly string[] = Object.freeze([
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#e15759",
  "#76b7b2",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
]);

const FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif";
const AXIS = "#333333";
const GRID = "#e4e4e4";
const MUTED = "#666666";

/** One line of a line chart: `points` are `[x, y]` in data units, drawn in order. */
export interface LineSeries {
  /** Legend text. */
  name: string;
  /** The points, in drawing order. */
  points: readonly (readonly [number, number])[];
  /** Stroke colour (default: the palette's, by position). */
  color?: string;
  /** Dashed stroke. */
  dashed?: boolean;
}

/** One panel of {@link linePanelsSvg}. */
export interface LinePanel {
  /** Panel title. */
  title: string;
  /** Its lines; series at the same position share a colour and a legend entry. */
  series: readonly LineSeries[];
  /** A second line under the title (e.g. the AP numbers). */
  subtitle?: string;
}

/** Options of {@link linePanelsSvg}. */
export interface LinePanelsOptions {
  /** Chart title. */
  title: string;
  /** The panels, in reading order. */
  panels: readonly LinePanel[];
  /** X axis label. */
  xLabel: string;
  /** Y axis label. */
  yLabel: string;
  /** X range (default: the data's, ticks rounded outwards). */
  xDomain?: [number, number];
  /** Y range (default: the data's, ticks rounded outwards). */
  yDomain?: [number, number];
  /** Panels per row (default: up to 3). */
  columns?: number;
  /** Size of one panel in pixels (default 340 × 260). */
  panelWidth?: number;
  /** See `panelWidth`. */
  panelHeight?: number;
}

/** A series of a bar chart: one value per category, `null` where there is none. */
export interface BarSeries {
  /** Legend text. */
  name: string;
  /** One value per category (`null`: no bar, "n/a" written instead). */
  values: readonly (number | null)[];
  /** Fill colour (default: the palette's, by position). */
  color?: string;
}

/** Options of {@link barChartSvg}. */
export interface BarChartOptions {
  /** Chart title. */
  title: string;
  /** The groups along the x axis. */
  categories: readonly string[];
  /** One bar per series in each group. */
  series: readonly BarSeries[];
  /** Y axis label. */
  yLabel: string;
  /** X axis label (default none). */
  xLabel?: string;
  /** Y range (default `[0, max]`, rounded up to a tick). */
  yDomain?: [number, number];
  /** How values are written above their bars (default 3 decimals). */
  format?: (value: number) => string;
  /** Width in pixels (default: from the number of bars, at least 560). */
  width?: number;
  /** Height in pixels (default 380). */
  height?: number;
}

/** One bin of a histogram: `[x0, x1)` holds `count` values. */
export interface HistogramBin {
  /** Lower edge. */
  x0: number;
  /** Upper edge. */
  x1: number;
  /** Values in the bin. */
  count: number;
}

/** A vertical marker line of a histogram panel (e.g. the median). */
export interface HistogramMarker {
  /** Position in data units. */
  value: number;
  /** Legend text. */
  label: string;
  /** Colour (default: the palette's, from the third colour on, by position). */
  color?: string;
}

/** One panel of {@link histogramPanelsSvg}. */
export interface HistogramPanel {
  /** Panel title. */
  title: string;
  /** Its bins, increasing, adjacent. */
  bins: readonly HistogramBin[];
  /** A second line under the title (e.g. the mean and count). */
  subtitle?: string;
  /** Lines drawn over the bars; markers at the same position share a legend entry. */
  markers?: readonly HistogramMarker[];
  /** Text shown in place of the bars when `bins` is empty (default "no data"). */
  note?: string;
}

/** Options of {@link histogramPanelsSvg}. */
export interface HistogramPanelsOptions {
  /** Chart title. */
  title: string;
  /** The panels, in reading order. */
  panels: readonly HistogramPanel[];
  /** X axis label of every panel. */
  xLabel: string;
  /** Y axis label of every panel (default "frames"). */
  yLabel?: string;
  /** Panels per row (default: up to 3). */
  columns?: number;
  /** Size of one panel in pixels (default 340 × 240). */
  panelWidth?: number;
  /** See `panelWidth`. */
  panelHeight?: number;
}

/**
 * Escapes text for SVG / XML content and attribute values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(escapeXml(`a < b & "c"`), "a &lt; b &amp; &quot;c&quot;");
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]);
}

const XML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/**
 * A "nice" tick step for a range: 1, 2 or 5 × 10ⁿ, giving about `target` intervals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(niceStep(0, 1, 5), 0.2);
 * assert.equal(niceStep(0, 730, 5), 200);
 * ```
 */
export function niceStep(min: number, max: number, target = 5): number {
  const span = max - min;
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * Ticks covering `[min, max]`: multiples of {@link niceStep}, from the last one at or
 * below `min` to the first at or above `max`, rounded to the step's decimals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
 * assert.deepEqual(niceTicks(3, 17, 3), [0, 5, 10, 15, 20]);
 * ```
 */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!(max > min)) max = min + 1;
  const step = niceStep(min, max, target);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toFixed(decimals)));
  return ticks;
}

/**
 * Histogram bins of `values`: adjacent, of one "nice" width, about `target` of them,
 * covering the smallest to the largest value (the last bin holds values on its upper
 * edge). All-equal values give one bin of width 1 around them; no values, no bins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const bins = histogramBins([1, 2, 2, 3, 9], 4);
 * assert.deepEqual(bins.map((b) => [b.x0, b.x1, b.count]), [[0, 2, 1], [2, 4, 3], [4, 6, 0], [6, 8, 0], [8, 10, 1]]);
 * // the largest value on the last bin's upper edge is in it
 * assert.deepEqual(histogramBins([0, 10], 5).map((b) => b.count), [1, 0, 0, 0, 1]);
 * ```
 */
export function histogramBins(values: readonly number[], target = 20): HistogramBin[] {
  if (values.length === 0) return [];
  let min = Infinity, max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max === min) return [{ x0: min - 0.5, x1: min + 0.5, count: values.length }];
  const width = niceStep(min, max, target);
  const start = Math.floor(min / width) * width;
  const n = Math.max(1, Math.ceil((max - start) / width - 1e-9));
  const bins: HistogramBin[] = [];
  for (let i = 0; i < n; i++) {
    bins.push({ x0: round(start + i * width), x1: round(start + (i + 1) * width), count: 0 });
  }
  for (const v of values) {
    const i = Math.min(n - 1, Math.floor((v - start) / width + 1e-9));
    bins[i].count++;
  }
  return bins;
}

const round = (v: number) => Number(v.toPrecision(12));

/**
 * Small multiples of line charts sharing their axes' ranges, colours and legend: one
 * panel per entry of `panels`, `columns` to a row.
 *
 * @example Two precision/recall panels
 * ```ts
 * import assert from "node:assert/strict";
 * const svg = linePanelsSvg({
 *   title: "Precision / recall",
 *   xLabel: "recall",
 *   yLabel: "precision",
 *   xDomain: [0, 1],
 *   yDomain: [0, 1],
 *   panels: [
 *     { title: "car", series: [{ name: "IoU=.50", points: [[0, 1], [0.5, 0.8], [1, 0]] }] },
 *     { title: "person", series: [{ name: "IoU=.50", points: [[0, 1], [1, 0.5]] }] },
 *   ],
 * });
 * assert.ok(svg.startsWith("<svg"));
 * assert.ok(svg.includes(">person</text>") && svg.includes(">IoU=.50</text>"));
 * ```
 */
export function linePanelsSvg(options: LinePanelsOptions): string {
  const { panels } = options;
  const columns = Math.max(1, Math.min(options.columns ?? 3, panels.length || 1));
  const rows = Math.max(1, Math.ceil(panels.length / columns));
  const pw = options.panelWidth ?? 340, ph = options.panelHeight ?? 260;
  const legendNames = legendOf(panels.map((p) => p.series.map((s) => s.name)));
  const top = 48 + (legendNames.length > 0 ? 28 : 0);
  const width = columns * pw + 20, height = top + rows * ph + 10;
  const all = panels.flatMap((p) => p.series.flatMap((s) => s.points));
  const xDomain = options.xDomain ?? extent(all.map((p) => p[0]));
  const yDomain = options.yDomain ?? extent(all.map((p) => p[1]));
  const parts: string[] = [header(width, height, options.title)];
  parts.push(
    legend(
      legendNames.map((name, i) => ({
        name,
        color: firstColor(panels, i),
        kind: "line" as const,
        dashed: panels.some((p) => p.series[i]?.dashed),
      })),
      width / 2,
      56,
    ),
  );
  panels.forEach((panel, i) => {
    const col = i % columns, row = Math.floor(i / columns);
    const box = inner({ x: 10 + col * pw, y: top + row * ph, w: pw, h: ph }, !!panel.subtitle);
    const xs = niceTicks(xDomain[0], xDomain[1], 5), ys = niceTicks(yDomain[0], yDomain[1], 5);
    const sx = scale(xs[0], xs.at(-1)!, box.x, box.x + box.w);
    const sy = scale(ys[0], ys.at(-1)!, box.y + box.h, box.y);
    parts.push(panelTitle(box, panel.title, panel.subtitle));
    parts.push(axes(box, xs, ys, sx, sy, options.xLabel, options.yLabel));
    parts.push(`<g clip-path="url(#clip${i})">`);
    parts.push(
      `<clipPath id="clip${i}"><rect x="${box.x}" y="${box.y - 2}" width="${box.w}" height="${
        box.h + 4
      }"/></clipPath>`,
    );
    panel.series.forEach((s, j) => {
      if (s.points.length === 0) return;
      const d = s.points.map((p, k) => `${k ? "L" : "M"}${f(sx(p[0]))},${f(sy(p[1]))}`).join("");
      parts.push(
        `<path d="${d}" fill="none" stroke="${s.color ?? PALETTE[j % PALETTE.length]}" ` +
          `stroke-width="2"${s.dashed ? ` stroke-dasharray="6 4"` : ""} stroke-linejoin="round"/>`,
      );
    });
    parts.push("</g>");
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/**
 * A grouped bar chart: one group per category, one bar per series in each group, each
 * value written above its bar ("n/a" for `null`), a legend when there are several series.
 * Category labels are slanted when there are many.
 *
 * @example AP by object size, boxes and masks
 * ```ts
 * import assert from "node:assert/strict";
 * const svg = barChartSvg({
 *   title: "AP by object size",
 *   categories: ["small", "medium", "large"],
 *   series: [{ name: "bbox", values: [0.21, 0.5, null] }, { name: "segm", values: [0.2, 0.45, null] }],
 *   yLabel: "AP",
 *   yDomain: [0, 1],
 * });
 * assert.ok(svg.includes(">0.210</text>"));
 * assert.ok(svg.includes(">n/a</text>"));
 * ```
 */
export function barChartSvg(options: BarChartOptions): string {
  const { categories, series } = options;
  const format = options.format ?? ((v: number) => v.toFixed(3));
  const nBars = Math.max(1, categories.length * series.length);
  const width = options.width ?? Math.max(560, 110 + nBars * 34 + categories.length * 16);
  const slotW = (width - 100) / Math.max(1, categories.length);
  const slanted = categories.some((c) => textWidth(c, 12) > slotW - 8);
  const height = options.height ?? 380;
  const legendOn = series.length > 1;
  const top = 48 + (legendOn ? 28 : 0);
  const bottom = slanted ? 96 : 56;
  const box = { x: 76, y: top + 10, w: width - 76 - 24, h: height - top - 10 - bottom };
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const yDomain = options.yDomain ?? [0, Math.max(0, ...values) || 1];
  const ys = niceTicks(yDomain[0], yDomain[1], 5);
  const sy = scale(ys[0], ys.at(-1)!, box.y + box.h, box.y);
  const parts = [header(width, height, options.title)];
  if (legendOn) {
    parts.push(
      legend(
        series.map((s, i) => ({
          name: s.name,
          color: s.color ?? PALETTE[i % PALETTE.length],
          kind: "box" as const,
        })),
        width / 2,
        56,
      ),
    );
  }
  parts.push(yAxis(box, ys, sy, options.yLabel));
  const groupW = box.w / Math.max(1, categories.length);
  const barW = Math.min(48, (groupW * 0.8) / Math.max(1, series.length));
  categories.forEach((category, c) => {
    const cx = box.x + groupW * (c + 0.5);
    const x0 = cx - (barW * series.length) / 2;
    series.forEach((s, i) => {
      const v = s.values[c];
      const x = x0 + i * barW;
      const color = s.color ?? PALETTE[i % PALETTE.length];
      if (v === null || v === undefined || !Number.isFinite(v)) {
        parts.push(text(x + barW / 2, box.y + box.h - 6, "n/a", 11, MUTED, "middle"));
        return;
      }
      const y = sy(Math.max(ys[0], Math.min(ys.at(-1)!, v)));
      const base = sy(Math.max(ys[0], 0));
      parts.push(
        `<rect x="${f(x + 1)}" y="${f(Math.min(y, base))}" width="${f(barW - 2)}" height="${
          f(Math.abs(base - y))
        }" fill="${color}"/>`,
      );
      parts.push(text(x + barW / 2, Math.min(y, base) - 4, format(v), 11, AXIS, "middle"));
    });
    const ly = box.y + box.h + 18;
    parts.push(
      slanted
        ? `<text x="${f(cx)}" y="${f(ly)}" font-size="12" fill="${AXIS}" text-anchor="end" ` +
          `transform="rotate(-35 ${f(cx)} ${f(ly)})">${escapeXml(category)}</text>`
        : text(cx, ly, category, 12, AXIS, "middle"),
    );
  });
  parts.push(
    `<line x1="${box.x}" y1="${f(box.y + box.h)}" x2="${box.x + box.w}" y2="${
      f(box.y + box.h)
    }" stroke="${AXIS}"/>`,
  );
  if (options.xLabel) {
    parts.push(text(box.x + box.w / 2, height - 12, options.xLabel, 13, AXIS, "middle"));
  }
  parts.push("</svg>");
  return parts.join("\n");
}

/**
 * Small multiples of histograms, each on its own x range and counts, with optional
 * marker lines (median, 95th percentile) in a shared legend.
 *
 * @example Two stages' latencies
 * ```ts
 * import assert from "node:assert/strict";
 * const svg = histogramPanelsSvg({
 *   title: "Latency per stage",
 *   xLabel: "ms",
 *   panels: [
 *     { title: "inference", bins: histogramBins([30, 31, 33, 40]), markers: [{ value: 32, label: "median" }] },
 *     { title: "publish", bins: histogramBins([1, 1, 2]) },
 *   ],
 * });
 * assert.ok(svg.includes(">inference</text>") && svg.includes(">median</text>"));
 * ```
 */
export function histogramPanelsSvg(options: HistogramPanelsOptions): string {
  const { panels } = options;
  const columns = Math.max(1, Math.min(options.columns ?? 3, panels.length || 1));
  const rows = Math.max(1, Math.ceil(panels.length / columns));
  const pw = options.panelWidth ?? 340, ph = options.panelHeight ?? 240;
  const markerNames = legendOf(panels.map((p) => (p.markers ?? []).map((m) => m.label)));
  const top = 48 + (markerNames.length > 0 ? 28 : 0);
  const width = columns * pw + 20, height = top + rows * ph + 10;
  const markerColor = (i: number) => PALETTE[(i + 3) % PALETTE.length];
  const parts = [header(width, height, options.title)];
  parts.push(
    legend(
      markerNames.map((name, i) => ({
        name,
        color: panels.map((p) => p.markers?.[i]?.color).find((c) => c) ?? markerColor(i),
        kind: "line" as const,
        dashed: true,
      })),
      width / 2,
      56,
    ),
  );
  panels.forEach((panel, i) => {
    const col = i % columns, row = Math.floor(i / columns);
    const box = inner({ x: 10 + col * pw, y: top + row * ph, w: pw, h: ph }, !!panel.subtitle);
    parts.push(panelTitle(box, panel.title, panel.subtitle));
    const { bins } = panel;
    if (bins.length === 0) {
      parts.push(
        text(box.x + box.w / 2, box.y + box.h / 2, panel.note ?? "no data", 13, MUTED, "middle"),
      );
      return;
    }
    const xs = niceTicks(bins[0].x0, bins.at(-1)!.x1, 4);
    const ys = niceTicks(0, Math.max(1, ...bins.map((b) => b.count)), 4).filter((t) =>
      Number.isInteger(t)
    );
    const sx = scale(xs[0], xs.at(-1)!, box.x, box.x + box.w);
    const sy = scale(ys[0], ys.at(-1)!, box.y + box.h, box.y);
    parts.push(axes(box, xs, ys, sx, sy, options.xLabel, options.yLabel ?? "frames"));
    for (const b of bins) {
      if (b.count === 0) continue;
      const x = sx(b.x0), w = Math.max(1, sx(b.x1) - sx(b.x0) - 1);
      parts.push(
        `<rect x="${f(x + 0.5)}" y="${f(sy(b.count))}" width="${f(w)}" height="${
          f(sy(0) - sy(b.count))
        }" fill="${PALETTE[0]}"/>`,
      );
    }
    (panel.markers ?? []).forEach((m, j) => {
      const x = sx(m.value);
      parts.push(
        `<line x1="${f(x)}" y1="${box.y}" x2="${f(x)}" y2="${box.y + box.h}" stroke="${
          m.color ?? markerColor(j)
        }" stroke-width="2" stroke-dasharray="5 3"/>`,
      );
    });
  });
  parts.push("</svg>");
  return parts.join("\n");
}

// ---------------------------------------------------------------------------------------

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const f = (v: number) => (Math.round(v * 10) / 10).toString();

/** About how wide `content` is in DejaVu Sans at `size` px (0.6 em a character; bold 0.68). */
function textWidth(content: string, size: number, bold = false): number {
  return content.length * size * (bold ? 0.68 : 0.6);
}

function header(width: number, height: number, title: string): string {
  // The title shrinks (down to 12 px) rather than run off the picture.
  const size = Math.max(
    12,
    Math.min(18, Math.floor((18 * (width - 24)) / textWidth(title, 18, true))),
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="${FONT}">\n` +
    `<rect width="100%" height="100%" fill="#ffffff"/>\n` +
    text(width / 2, 30, title, size, "#111111", "middle", "bold");
}

function text(
  x: number,
  y: number,
  content: string,
  size: number,
  color: string,
  anchor: "start" | "middle" | "end" = "start",
  weight?: string,
): string {
  return `<text x="${f(x)}" y="${
    f(y)
  }" font-size="${size}" fill="${color}" text-anchor="${anchor}"${
    weight ? ` font-weight="${weight}"` : ""
  }>${escapeXml(content)}</text>`;
}

/** The plotting area of a panel: room for the title, tick labels and axis labels. */
function inner(panel: Box, subtitle: boolean): Box {
  const top = subtitle ? 44 : 28;
  return { x: panel.x + 62, y: panel.y + top, w: panel.w - 62 - 16, h: panel.h - top - 48 };
}

function panelTitle(box: Box, title: string, subtitle?: string): string {
  const out = [
    text(box.x + box.w / 2, box.y - (subtitle ? 26 : 10), title, 14, "#111111", "middle", "bold"),
  ];
  if (subtitle) out.push(text(box.x + box.w / 2, box.y - 9, subtitle, 11, MUTED, "middle"));
  return out.join("\n");
}

function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

function tickLabel(v: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(6, decimals));
}

function yAxis(box: Box, ys: readonly number[], sy: (v: number) => number, label: string): string {
  const out: string[] = [];
  for (const t of ys) {
    const y = f(sy(t));
    out.push(
      `<line x1="${box.x}" y1="${y}" x2="${box.x + box.w}" y2="${y}" stroke="${GRID}"/>`,
      `<line x1="${box.x - 4}" y1="${y}" x2="${box.x}" y2="${y}" stroke="${AXIS}"/>`,
      text(box.x - 7, sy(t) + 4, tickLabel(t, ys), 11, AXIS, "end"),
    );
  }
  out.push(
    `<line x1="${box.x}" y1="${box.y}" x2="${box.x}" y2="${box.y + box.h}" stroke="${AXIS}"/>`,
  );
  const cy = box.y + box.h / 2, lx = box.x - 48;
  out.push(
    `<text x="${f(lx)}" y="${f(cy)}" font-size="13" fill="${AXIS}" text-anchor="middle" ` +
      `transform="rotate(-90 ${f(lx)} ${f(cy)})">${escapeXml(label)}</text>`,
  );
  return out.join("\n");
}

function axes(
  box: Box,
  xs: readonly number[],
  ys: readonly number[],
  sx: (v: number) => number,
  sy: (v: number) => number,
  xLabel: string,
  yLabel: string,
): string {
  const out = [yAxis(box, ys, sy, yLabel)];
  const bottom = box.y + box.h;
  for (const t of xs) {
    const x = f(sx(t));
    out.push(
      `<line x1="${x}" y1="${box.y}" x2="${x}" y2="${bottom}" stroke="${GRID}"/>`,
      `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="${AXIS}"/>`,
      text(sx(t), bottom + 17, tickLabel(t, xs), 11, AXIS, "middle"),
    );
  }
  out.push(
    `<line x1="${box.x}" y1="${bottom}" x2="${box.x + box.w}" y2="${bottom}" stroke="${AXIS}"/>`,
    text(box.x + box.w / 2, bottom + 36, xLabel, 13, AXIS, "middle"),
  );
  return out.join("\n");
}

interface LegendEntry {
  name: string;
  color: string;
  kind: "line" | "box";
  dashed?: boolean;
}

/** A one-row legend centred on `cx`, its baseline at `y`. */
function legend(entries: readonly LegendEntry[], cx: number, y: number): string {
  if (entries.length === 0) return "";
  const widths = entries.map((e) => 30 + textWidth(e.name, 12) + 18);
  let x = cx - widths.reduce((a, b) => a + b, 0) / 2;
  const out: string[] = [];
  entries.forEach((e, i) => {
    if (e.kind === "line") {
      out.push(
        `<line x1="${f(x)}" y1="${y - 4}" x2="${f(x + 24)}" y2="${y - 4}" stroke="${e.color}" ` +
          `stroke-width="2.5"${e.dashed ? ` stroke-dasharray="6 4"` : ""}/>`,
      );
    } else {
      out.push(`<rect x="${f(x + 6)}" y="${y - 11}" width="14" height="12" fill="${e.color}"/>`);
    }
    out.push(text(x + 30, y, e.name, 12, AXIS));
    x += widths[i];
  });
  return out.join("\n");
}

/** The legend's names: position `i` named by the first panel that has a series there. */
function legendOf(names: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  for (const list of names) list.forEach((name, i) => out[i] ??= name);
  return out.filter((n) => n !== undefined);
}

function firstColor(panels: readonly LinePanel[], i: number): string {
  return panels.map((p) => p.series[i]?.color).find((c) => c) ?? PALETTE[i % PALETTE.length];
}

function extent(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}
