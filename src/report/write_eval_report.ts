/**
 * Writes the evaluation report folder: the figures (PNG rendered by resvg, or SVG when
 * the renderer cannot load), `report.md` embedding them and `metrics.json` with every
 * number. Each file is written atomically (a hidden temporary file renamed into place),
 * so a killed run never leaves a half-written file behind.
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteFile, atomicWriteText } from "../sinks/atomic_file.ts";
import { chartSvg } from "./chart_svg.ts";
import type { EvalMetrics } from "./evaluate_report.ts";
import { reportFigures } from "./report_figures.ts";
import { reportMarkdown } from "./report_markdown.ts";
import { pngRenderer } from "./render_png.ts";

/** Options of {@link writeEvalReport}. */
export interface WriteReportOptions {
  /** `"auto"` (default): PNG figures when resvg loads, else SVG; `"svg"`: SVG only. */
  format?: "auto" | "svg";
  /** PNG pixels per SVG pixel (default 2). */
  scale?: number;
}

/** How the figures were written. */
export interface ChartsOutcome {
  /** `"png"`, or `"svg"` when no PNG could be rendered (or SVG was asked for). */
  format: "png" | "svg";
  /** The figure files, in the order of `reportFigures`. */
  files: string[];
  /** Why the figures are SVG (absent for PNG). */
  reason?: string;
}

/** What {@link writeEvalReport} wrote. */
export interface WrittenReport {
  /** The folder. */
  outDir: string;
  /** `report.md`, `metrics.json`, then the figures. */
  files: string[];
  /** How the figures were written. */
  charts: ChartsOutcome;
}

/**
 * Writes the report folder: the figures (PNG, or SVG with the reason quoted in
 * `report.md`), `report.md` embedding them, and `metrics.json` with every number plus the
 * list of figures. A previous run's figure files of the other format are removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateReport } from "./evaluate_report.ts";
 * import { parseResults } from "./results_input.ts";
 * const metrics = evaluateReport({
 *   groundTruth: {
 *     images: [{ id: 1 }],
 *     categories: [{ id: 1, name: "car" }],
 *     annotations: [{ id: 1, image_id: 1, category_id: 1, area: 400, iscrowd: 0, bbox: [0, 0, 20, 20] }],
 *   },
 *   groundTruthPath: "gt.json",
 *   results: parseResults('[{"image_id":1,"category_id":1,"score":1,"bbox":[0,0,20,20]}]', "r.json"),
 * });
 * const dir = await Deno.makeTempDir();
 * const written = await writeEvalReport(metrics, dir, { format: "svg" });
 * assert.deepEqual(written.charts.files.map((f) => f.slice(dir.length + 1)), ["ap_by_size.svg", "ap_per_class.svg", "pr_bbox.svg"]);
 * assert.match(await Deno.readTextFile(`${dir}/report.md`), /!\[AP per class\]\(ap_per_class\.svg\)/);
 * const json = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
 * assert.deepEqual(json.bbox.stats, metrics.bbox.stats);
 * assert.equal(json.chartFormat, "svg");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeEvalReport(
  m: EvalMetrics,
  outDir: string,
  options: WriteReportOptions = {},
): Promise<WrittenReport> {
  const figures = reportFigures(m);
  const svgs: string[] = [];
  for (const figure of figures) svgs.push(await chartSvg(figure.spec));
  let pngs: Uint8Array[] | null = null;
  let reason: string | undefined;
  if (options.format === "svg") reason = "SVG asked for";
  else {
    try {
      const render = await pngRenderer(options.scale ?? 2);
      pngs = svgs.map((svg) => render(svg).png);
    } catch (error) {
      reason = `no PNG renderer: ${(error as Error).message}`;
    }
  }
  await Deno.mkdir(outDir, { recursive: true });
  const format = pngs ? "png" : "svg";
  const names = new Map(figures.map((f) => [f.name, `${f.name}.${format}`]));
  const files: string[] = [];
  for (const [i, figure] of figures.entries()) {
    const path = join(outDir, names.get(figure.name)!);
    if (pngs) await atomicWriteFile(path, pngs[i]);
    else await atomicWriteText(path, `<?xml version="1.0" encoding="UTF-8"?>\n${svgs[i]}\n`);
    files.push(path);
    // A previous run's other format of the same figure would be stale.
    await Deno.remove(join(outDir, `${figure.name}.${pngs ? "svg" : "png"}`)).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
  const note = reason ? `Figures are SVG files, not PNG: ${reason}.` : undefined;
  const reportPath = join(outDir, "report.md");
  await atomicWriteText(reportPath, reportMarkdown(m, figures, names, note));
  const metricsPath = join(outDir, "metrics.json");
  const json = {
    ...m,
    figures: figures.map((f) => ({ file: names.get(f.name), title: f.title })),
    chartFormat: format,
    ...(reason ? { chartNote: reason } : {}),
  };
  await atomicWriteText(metricsPath, JSON.stringify(json, null, 2) + "\n");
  const charts = { format, files, ...(reason ? { reason } : {}) } as const;
  return { outDir, files: [reportPath, metricsPath, ...files], charts };
}
