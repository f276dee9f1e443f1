/**
 * The evaluation report of `deno task eval`: COCO box (and mask) AP with `evaluateCoco`,
 * Panoptic Quality with `panopticQuality`, latency statistics of a pipeline run, gathered
 * in one JSON-able {@link EvalMetrics}; then the tables (console and Markdown), the
 * charts (precision/recall per class, AP by object size and per class, PQ per class,
 * latency histograms per stage) and the report folder (`report.md`, `metrics.json`, the
 * charts as PNG, or SVG without a browser).
 *
 * @module
 */

import { basename, join } from "node:path";
import { type CocoClassResult, type CocoEvalResult, evaluateCoco } from "../eval/coco_eval.ts";
import type { CocoGroundTruth, CocoIouType } from "../eval/coco_types.ts";
import { COCO_RECALL_THRESHOLDS, COCO_STAT_NAMES } from "../eval/coco_params.ts";
import { panopticQuality } from "../eval/panoptic_quality.ts";
import type {
  PanopticGroundTruth,
  PanopticPrediction,
  PanopticQualityClass,
  PanopticQualityReport,
  PanopticQualityScores,
} from "../eval/panoptic_types.ts";
import { panopticFromRle, type PanopticRleJson } from "../eval/panoptic_rle.ts";
import {
  barChartSvg,
  type HistogramBin,
  histogramBins,
  histogramPanelsSvg,
  type LinePanel,
  linePanelsSvg,
} from "./plots.ts";
import { renderCharts, type RenderOptions, type RenderOutcome } from "./render_png.ts";
import {
  EvalInputError,
  LATENCY_KEYS,
  panopticPrediction,
  type ResultsInput,
} from "./results_input.ts";

/**
 * What each of the 12 numbers of `COCOeval.stats` averages, as pycocotools prints it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(COCO_STAT_DESCRIPTIONS[1], "IoU=0.50 area=all maxDets=100");
 * ```
 */
export const COCO_STAT_DESCRIPTIONS: readonly string[] = Object.freeze([
  "IoU=0.50:0.95 area=all maxDets=100",
  "IoU=0.50 area=all maxDets=100",
  "IoU=0.75 area=all maxDets=100",
  "IoU=0.50:0.95 area=small maxDets=100",
  "IoU=0.50:0.95 area=medium maxDets=100",
  "IoU=0.50:0.95 area=large maxDets=100",
  "IoU=0.50:0.95 area=all maxDets=1",
  "IoU=0.50:0.95 area=all maxDets=10",
  "IoU=0.50:0.95 area=all maxDets=100",
  "IoU=0.50:0.95 area=small maxDets=100",
  "IoU=0.50:0.95 area=medium maxDets=100",
  "IoU=0.50:0.95 area=large maxDets=100",
]);

/** What {@link evaluateReport} reads. */
export interface EvalReportInput {
  /** The COCO ground truth. */
  groundTruth: CocoGroundTruth;
  /** Its file, for messages and the report. */
  groundTruthPath: string;
  /** The detections (see `readResults`), checked against the ground truth. */
  results: ResultsInput;
  /** A COCO panoptic ground truth with RLE segments: PQ of the JSON Lines' segments. */
  panopticGroundTruth?: PanopticRleJson;
  /** Its file. */
  panopticGroundTruthPath?: string;
  /** The report's title (default: "Evaluation of <results file>"). */
  title?: string;
  /**
   * COCO results JSON: evaluate only the images that have results, instead of every
   * image of the ground truth (pycocotools' default). JSON Lines results are always
   * evaluated on their frames, those without detections included.
   */
  onlyResultImages?: boolean;
  /** PQ is computed in groups of images of at most this many pixels (default 2²⁷). */
  panopticChunkPixels?: number;
}

/** A precision/recall curve of one class at the 101 recall points (`recallThresholds`). */
export interface PrCurves {
  /** Precision at IoU 0.50. */
  iou50: number[];
  /** Precision at IoU 0.75. */
  iou75: number[];
  /** Precision averaged over the 10 IoU thresholds 0.50:0.95 (its mean is the class' AP). */
  mean: number[];
}

/** One class' numbers for one IoU type: `evaluateCoco`'s `perClass` entry, curves added. */
export interface ClassMetrics extends Omit<CocoClassResult, "precision50"> {
  /** Area "all", 100 detections per image; null without ground truth. */
  pr: PrCurves | null;
}

/** The numbers of one IoU type (`"bbox"` or `"segm"`). */
export interface IouTypeMetrics {
  /** What the IoU compared: boxes or masks. */
  iouType: CocoIouType;
  /** `COCOeval.stats`, in order (-1 where nothing is left to average). */
  stats: number[];
  /** The same, by name (`AP`, `AP50`, ... see `COCO_STAT_NAMES`). */
  named: Record<string, number>;
  /** One entry per category of the ground truth, in increasing id order. */
  perClass: ClassMetrics[];
}

/** Latency of one stage over the frames, in milliseconds. */
export interface LatencyStats {
  /** Frames with a value. */
  count: number;
  /** Arithmetic mean. */
  mean: number;
  /** Smallest value. */
  min: number;
  /** Percentiles with linear interpolation (numpy's default). */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** Largest value. */
  max: number;
}

/** Everything the report says, as written to `metrics.json` (`NaN` is written `null`). */
export interface EvalMetrics {
  /** The report's title. */
  title: string;
  /** The COCO ground truth: its file and sizes. */
  groundTruth: { path: string; images: number; annotations: number; categories: number };
  /** The results file: format, stream, counts. */
  results: {
    path: string;
    format: "coco" | "jsonl";
    streamId?: string;
    /** JSON Lines: the frames read. */
    frames?: number;
    detections: number;
    withMasks: number;
  };
  /** Image ids evaluated. */
  evaluatedImages: number;
  /** The recall points of the curves. */
  recallThresholds: number[];
  /** Box AP. */
  bbox: IouTypeMetrics;
  /** Mask AP, when every result has a mask. */
  segm: IouTypeMetrics | null;
  /** PQ / SQ / RQ, when a panoptic ground truth was given. */
  panoptic: {
    path: string;
    images: number;
    all: PanopticQualityScores;
    things: PanopticQualityScores;
    stuff: PanopticQualityScores;
    perClass: PanopticQualityClass[];
    /** Predicted segments dropped for having no pixel left on the id map. */
    emptySegments: number;
  } | null;
  /** JSON Lines only: per latency key (stages, `totalMs`). */
  latency: {
    frames: number;
    stages: Record<string, LatencyStats>;
    histograms: Record<string, HistogramBin[]>;
  } | null;
  /** Things worth knowing about the inputs and the evaluation. */
  notes: string[];
}

/**
 * Evaluates results against the ground truth(s): box AP, mask AP when every result has a
 * mask, PQ when a panoptic ground truth is given, latency statistics of JSON Lines.
 * Results that do not fit the ground truth (checked beforehand with `checkResultsMatch`)
 * make `evaluateCoco` / `panopticQuality` throw; those errors come back as
 * {@link EvalInputError}s naming both files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateCoco } from "../eval/coco_eval.ts";
 * import { parseResults } from "./results_input.ts";
 * const groundTruth = {
 *   images: [{ id: 1, width: 100, height: 100 }],
 *   categories: [{ id: 1, name: "car" }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, area: 400, iscrowd: 0, bbox: [10, 10, 20, 20] }],
 * };
 * const raw = [{ image_id: 1, category_id: 1, score: 0.9, bbox: [10, 10, 20, 20] }];
 * const metrics = evaluateReport({
 *   groundTruth,
 *   groundTruthPath: "gt.json",
 *   results: parseResults(JSON.stringify(raw), "r.json"),
 * });
 * assert.deepEqual(metrics.bbox.stats, evaluateCoco(groundTruth, raw, "bbox").stats);
 * assert.equal(metrics.segm, null);
 * assert.equal(metrics.latency, null);
 * ```
 */
export function evaluateReport(input: EvalReportInput): EvalMetrics {
  const { groundTruth, results } = input;
  const notes = [...results.notes];
  const imageIds = results.format === "jsonl" || input.onlyResultImages
    ? results.imageIds
    : undefined;
  if (imageIds && imageIds.length < groundTruth.images.length) {
    notes.push(
      `evaluated ${imageIds.length} of the ${groundTruth.images.length} images of the ground truth: ${
        results.format === "jsonl" ? "the frames in the results" : "those with results"
      }`,
    );
  }
  const evaluate = (iouType: CocoIouType) => {
    try {
      return evaluateCoco(groundTruth, results.results, iouType, imageIds ? { imageIds } : {});
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) {
        throw new EvalInputError(
          `${results.path} against ${input.groundTruthPath} (${iouType}): ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
  };
  const bbox = iouTypeMetrics(evaluate("bbox"));
  const n = results.results.length;
  let segm: IouTypeMetrics | null = null;
  if (n > 0 && results.withMasks === n) segm = iouTypeMetrics(evaluate("segm"));
  else if (results.withMasks > 0) {
    notes.push(`only ${results.withMasks} of ${n} results have a mask: no mask AP`);
  }
  let panoptic: EvalMetrics["panoptic"] = null;
  if (input.panopticGroundTruth) {
    panoptic = panopticMetrics(
      input.panopticGroundTruth,
      input.panopticGroundTruthPath ?? "panoptic ground truth",
      results,
      input.panopticChunkPixels ?? 2 ** 27,
    );
    if (panoptic.emptySegments > 0) {
      notes.push(
        `${panoptic.emptySegments} predicted panoptic segment(s) covered no pixel and were left out of PQ`,
      );
    }
  }
  let latency: EvalMetrics["latency"] = null;
  if (results.latency) {
    const stages: Record<string, LatencyStats> = {};
    const histograms: Record<string, HistogramBin[]> = {};
    for (const key of LATENCY_KEYS) {
      const values = results.latency[key] ?? [];
      if (values.length === 0) continue;
      stages[key] = latencyStats(values);
      histograms[key] = histogramBins(values, 24);
    }
    latency = { frames: results.imageIds.length, stages, histograms };
  }
  return {
    title: input.title ?? `Evaluation of ${results.path}`,
    groundTruth: {
      path: input.groundTruthPath,
      images: groundTruth.images.length,
      annotations: groundTruth.annotations.length,
      categories: groundTruth.categories.length,
    },
    results: {
      path: results.path,
      format: results.format,
      ...(results.streamId === undefined ? {} : { streamId: results.streamId }),
      ...(results.format === "jsonl" ? { frames: results.imageIds.length } : {}),
      detections: n,
      withMasks: results.withMasks,
    },
    evaluatedImages: imageIds?.length ?? groundTruth.images.length,
    recallThresholds: [...COCO_RECALL_THRESHOLDS],
    bbox,
    segm,
    panoptic,
    latency,
    notes,
  };
}

/**
 * `evaluateCoco`'s result as report numbers: the stats, by position and by name, and per
 * class the 12 numbers plus the PR curves at IoU .50, .75 and averaged over .50:.95 (area
 * all, 100 detections), read from its `precision` array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateCoco } from "../eval/coco_eval.ts";
 * const gt = {
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1, name: "car" }, { id: 2, name: "bus" }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, area: 400, iscrowd: 0, bbox: [0, 0, 20, 20] }],
 * };
 * const m = iouTypeMetrics(evaluateCoco(gt, [{ image_id: 1, category_id: 1, score: 1, bbox: [0, 0, 20, 20] }], "bbox"));
 * assert.equal(m.named.AP, m.stats[0]);
 * assert.equal(m.perClass[0].pr!.iou50.length, 101);
 * assert.equal(m.perClass[1].pr, null); // no ground truth of class 2
 * ```
 */
export function iouTypeMetrics(result: CocoEvalResult): IouTypeMetrics {
  const [T, R, K, A, M] = result.counts;
  const at = (t: number, r: number, k: number) =>
    result.precision[(((t * R + r) * K + k) * A + 0) * M + (M - 1)];
  const perClass = result.perClass.map((c, k): ClassMetrics => {
    const { precision50: _, ...numbers } = c;
    let pr: PrCurves | null = null;
    if (c.numGroundTruth > 0 && at(0, 0, k) > -1) {
      const curve = (t: number) => Array.from({ length: R }, (_, r) => at(t, r, k));
      const mean = Array.from({ length: R }, (_, r) => {
        let sum = 0;
        for (let t = 0; t < T; t++) sum += at(t, r, k);
        return sum / T;
      });
      pr = { iou50: curve(0), iou75: curve(Math.min(5, T - 1)), mean };
    }
    return { ...numbers, pr };
  });
  return {
    iouType: result.iouType,
    stats: result.stats,
    named: Object.fromEntries(COCO_STAT_NAMES.map((name, i) => [name, result.stats[i]])),
    perClass,
  };
}

/**
 * Count, mean, min, max and the 50th, 90th, 95th and 99th percentiles of some values
 * (percentiles interpolated linearly between the closest ranks, as `numpy.percentile`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const s = latencyStats([4, 1, 3, 2]);
 * assert.deepEqual([s.count, s.mean, s.min, s.p50, s.max], [4, 2.5, 1, 2.5, 4]);
 * assert.equal(s.p90, 3.7);
 * ```
 */
export function latencyStats(values: readonly number[]): LatencyStats {
  const sorted = values.slice().sort((a, b) => a - b);
  const n = sorted.length;
  const q = (p: number) => {
    if (n === 0) return NaN;
    const pos = (p / 100) * (n - 1);
    const lo = Math.floor(pos), hi = Math.min(n - 1, lo + 1);
    return Number((sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)).toPrecision(12));
  };
  const mean = n === 0 ? NaN : sorted.reduce((a, b) => a + b, 0) / n;
  return {
    count: n,
    mean,
    min: n ? sorted[0] : NaN,
    p50: q(50),
    p90: q(90),
    p95: q(95),
    p99: q(99),
    max: n ? sorted[n - 1] : NaN,
  };
}

function panopticMetrics(
  pan: PanopticRleJson,
  panPath: string,
  results: ResultsInput,
  chunkPixels: number,
): NonNullable<EvalMetrics["panoptic"]> {
  if (results.format !== "jsonl") {
    throw new EvalInputError(
      `--panoptic-gt ${panPath} needs JSON Lines results with panoptic segments; ${results.path} is COCO results JSON`,
    );
  }
  const frames = results.panoptic ?? [];
  if (frames.length === 0) {
    throw new EvalInputError(
      `${results.path}: expected result messages with panoptic segments for --panoptic-gt ${panPath}, found none (write them with the JSON Lines sink, or a subscription with panoptic: true)`,
    );
  }
  const byImage = new Map(pan.annotations.map((a) => [a.image_id, a]));
  const missing = frames.filter((f) => !byImage.has(f.imageId)).map((f) => f.imageId);
  if (missing.length > 0) {
    throw new EvalInputError(
      `${results.path}: panoptic segments for image ids not in ${panPath}: ${
        missing.slice(0, 10).join(", ")
      }${
        missing.length > 10 ? ` and ${missing.length - 10} more` : ""
      } (image id = frame + 1); expected ids of its ${pan.annotations.length} annotations`,
    );
  }
  const reports: PanopticQualityReport[] = [];
  let emptySegments = 0;
  for (let start = 0; start < frames.length;) {
    const truths: PanopticGroundTruth[] = [];
    const predictions: PanopticPrediction[] = [];
    let pixels = 0;
    let end = start;
    while (end < frames.length && (end === start || pixels < chunkPixels)) {
      const frame = frames[end++];
      pixels += frame.height * frame.width;
      const { prediction, empty } = panopticPrediction(frame);
      emptySegments += empty.length;
      predictions.push(prediction);
      try {
        truths.push(panopticFromRle(byImage.get(frame.imageId)!));
      } catch (error) {
        throw new EvalInputError(`${panPath}: ${(error as Error).message}`, { cause: error });
      }
    }
    try {
      reports.push(panopticQuality(truths, predictions, pan.categories));
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) {
        throw new EvalInputError(
          `${results.path} (panoptic segments) against ${panPath}: ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
    start = end;
  }
  const report = combinePanoptic(reports);
  return {
    path: panPath,
    images: frames.length,
    all: report.all,
    things: report.things,
    stuff: report.stuff,
    perClass: report.perClass,
    emptySegments,
  };
}

/**
 * Sums per-class TP, FP, FN and IoU of reports on disjoint groups of images and averages
 * them again as panopticapi's `pq_average` does: what panopticapi does with the parts its
 * worker processes return. One report comes back unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const part = (tp: number, fp: number, iou: number) => ({
 *   all: { pq: 0, sq: 0, rq: 0, n: 1 }, things: { pq: 0, sq: 0, rq: 0, n: 1 }, stuff: { pq: NaN, sq: NaN, rq: NaN, n: 0 },
 *   perClass: [{ categoryId: 1, isThing: true, pq: 0, sq: 0, rq: 0, tp, fp, fn: 0, iou }],
 * });
 * const both = combinePanoptic([part(1, 0, 0.8), part(1, 2, 0.6)]);
 * assert.deepEqual([both.perClass[0].tp, both.perClass[0].fp], [2, 2]);
 * assert.equal(both.all.pq, 1.4 / 3); // (0.8 + 0.6) / (2 + 2 / 2)
 * ```
 */
export function combinePanoptic(reports: readonly PanopticQualityReport[]): PanopticQualityReport {
  if (reports.length === 1) return reports[0];
  const classes = new Map<number, PanopticQualityClass>();
  for (const report of reports) {
    for (const c of report.perClass) {
      const sum = classes.get(c.categoryId);
      if (!sum) classes.set(c.categoryId, { ...c });
      else {
        sum.tp += c.tp;
        sum.fp += c.fp;
        sum.fn += c.fn;
        sum.iou += c.iou;
      }
    }
  }
  const perClass = [...classes.values()].map((c) => {
    const denominator = c.tp + 0.5 * c.fp + 0.5 * c.fn;
    const counted = c.tp + c.fp + c.fn !== 0;
    return {
      ...c,
      pq: counted ? c.iou / denominator : 0,
      sq: counted && c.tp !== 0 ? c.iou / c.tp : 0,
      rq: counted ? c.tp / denominator : 0,
    };
  });
  const average = (isThing: boolean | null): PanopticQualityScores => {
    let pq = 0, sq = 0, rq = 0, n = 0;
    for (const c of perClass) {
      if ((isThing !== null && c.isThing !== isThing) || c.tp + c.fp + c.fn === 0) continue;
      n++;
      pq += c.pq;
      sq += c.sq;
      rq += c.rq;
    }
    return n === 0 ? { pq: NaN, sq: NaN, rq: NaN, n } : { pq: pq / n, sq: sq / n, rq: rq / n, n };
  };
  return { all: average(null), things: average(true), stuff: average(false), perClass };
}

// ---------------------------------------------------------------------------------------
// Tables

/** A number as the report writes it: 3 decimals; "n/a" for -1 (nothing to average) or NaN. */
const score = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) || v < 0 ? "n/a" : v.toFixed(3);
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "n/a");

/**
 * A Markdown table with padded columns (readable as plain text too); `align` per column,
 * `"r"` for right-aligned numbers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(
 *   markdownTable(["metric", "bbox"], [["AP", "0.500"]], ["l", "r"]),
 *   "| metric |  bbox |\n| :----- | ----: |\n| AP     | 0.500 |",
 * );
 * ```
 */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ("l" | "r")[] = [],
): string {
  const widths = headers.map((h, i) =>
    Math.max(3, h.length, ...rows.map((r) => (r[i] ?? "").length))
  );
  const cell = (text: string, i: number) =>
    align[i] === "r" ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const line = (cells: readonly string[]) =>
    `| ${headers.map((_, i) => cell(cells[i] ?? "", i)).join(" | ")} |`;
  const rule = `| ${
    widths.map((w, i) => (align[i] === "r" ? "-".repeat(w - 1) + ":" : ":" + "-".repeat(w - 1)))
      .join(" | ")
  } |`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** The tables of a report, by section. */
function tables(m: EvalMetrics): { title: string; table: string; anchor: string }[] {
  const out: { title: string; table: string; anchor: string }[] = [];
  const types = [m.bbox, ...(m.segm ? [m.segm] : [])];
  out.push({
    anchor: "coco",
    title: `COCO metrics (${m.evaluatedImages} images)`,
    table: markdownTable(
      ["metric", "averaged over", ...types.map((t) => t.iouType)],
      COCO_STAT_NAMES.map((name, i) => [
        name,
        COCO_STAT_DESCRIPTIONS[i],
        ...types.map((t) => score(t.stats[i])),
      ]),
      ["l", "l", "r", "r"],
    ),
  });
  const shown = m.bbox.perClass.map((c, i) => ({ c, i })).filter(({ c }) =>
    c.numGroundTruth > 0 || c.numDetections > 0
  );
  const perType = (t: IouTypeMetrics, i: number) => {
    const c = t.perClass[i];
    return [score(c.ap), score(c.ap50), score(c.ap75)];
  };
  out.push({
    anchor: "per-class",
    title: "AP per class",
    table: markdownTable(
      [
        "id",
        "class",
        "gt",
        "dets",
        ...types.flatMap((t) => [`${t.iouType} AP`, `${t.iouType} AP50`, `${t.iouType} AP75`]),
      ],
      shown.map(({ c, i }) => [
        String(c.categoryId),
        c.name,
        String(c.numGroundTruth),
        String(c.numDetections),
        ...types.flatMap((t) => perType(t, i)),
      ]),
      ["r", "l", "r", "r", "r", "r", "r", "r", "r", "r"],
    ),
  });
  if (m.panoptic) {
    const p = m.panoptic;
    out.push({
      anchor: "pq",
      title: `Panoptic quality (${p.images} images)`,
      table: markdownTable(
        ["", "PQ", "SQ", "RQ", "classes"],
        (["all", "things", "stuff"] as const).map((g) => [
          g,
          score(p[g].pq),
          score(p[g].sq),
          score(p[g].rq),
          String(p[g].n),
        ]),
        ["l", "r", "r", "r", "r"],
      ),
    });
    out.push({
      anchor: "pq-per-class",
      title: "Panoptic quality per class",
      table: markdownTable(
        ["id", "class", "kind", "PQ", "SQ", "RQ", "TP", "FP", "FN"],
        p.perClass.filter((c) => c.tp + c.fp + c.fn > 0).map((c) => [
          String(c.categoryId),
          c.name ?? "",
          c.isThing ? "thing" : "stuff",
          score(c.pq),
          score(c.sq),
          score(c.rq),
          String(c.tp),
          String(c.fp),
          String(c.fn),
        ]),
        ["r", "l", "l", "r", "r", "r", "r", "r", "r"],
      ),
    });
  }
  if (m.latency) {
    out.push({
      anchor: "latency",
      title: `Latency per stage, ms (${m.latency.frames} frames)`,
      table: markdownTable(
        ["stage", "mean", "p50", "p90", "p95", "p99", "max"],
        Object.entries(m.latency.stages).map(([key, s]) => [
          key === "totalMs" ? "total" : key,
          ms(s.mean),
          ms(s.p50),
          ms(s.p90),
          ms(s.p95),
          ms(s.p99),
          ms(s.max),
        ]),
        ["l", "r", "r", "r", "r", "r", "r"],
      ),
    });
  }
  return out;
}

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
  ];
}

/**
 * The console summary: what was read, then the tables (COCO stats for bbox and segm, AP
 * per class, PQ, latency per stage) and the notes.
 *
 * @example
 * ```ts ignore
 * console.log(consoleSummary(evaluateReport(input)));
 * ```
 */
export function consoleSummary(m: EvalMetrics): string {
  const parts = [m.title, ...describeInputs(m), ""];
  for (const t of tables(m)) parts.push(t.title, t.table, "");
  if (!m.latency) {
    parts.push("Latency: none in COCO results JSON (JSON Lines results carry it).", "");
  }
  for (const note of m.notes) parts.push(`note: ${note}`);
  return parts.join("\n").trimEnd();
}

// ---------------------------------------------------------------------------------------
// Figures

/** A chart of the report: `name` is its file name without extension. */
export interface ReportFigure {
  /** File name without extension, e.g. `pr_bbox`. */
  name: string;
  /** Alt text and caption. */
  title: string;
  /** The section it belongs to (`coco`, `per-class`, `pr`, `pq`, `latency`). */
  section: string;
  /** The SVG document. */
  svg: string;
}

const PR_PER_FIGURE = 12;

/**
 * The report's charts as SVG: AP by object size (bbox and segm), AP per class,
 * precision/recall per class for each IoU type (12 classes per figure), PQ/SQ/RQ per
 * class with a panoptic ground truth, latency histograms per stage with JSON Lines.
 *
 * @example
 * ```ts ignore
 * for (const f of reportFigures(metrics)) await Deno.writeTextFile(`${f.name}.svg`, f.svg);
 * ```
 */
export function reportFigures(m: EvalMetrics): ReportFigure[] {
  const figures: ReportFigure[] = [];
  const types = [m.bbox, ...(m.segm ? [m.segm] : [])];
  const valueOrNull = (v: number) => (v < 0 || !Number.isFinite(v) ? null : v);
  figures.push({
    name: "ap_by_size",
    title: "AP by object size",
    section: "coco",
    svg: barChartSvg({
      title: "AP by object size (IoU .50:.95, maxDets 100)",
      categories: ["small (< 32²)", "medium (32²–96²)", "large (> 96²)"],
      series: types.map((t) => ({ name: t.iouType, values: t.stats.slice(3, 6).map(valueOrNull) })),
      yLabel: "AP",
      xLabel: "object area (pixels)",
      yDomain: [0, 1],
    }),
  });
  const classes = m.bbox.perClass.map((c, i) => ({ c, i })).filter(({ c }) => c.numGroundTruth > 0);
  if (classes.length > 0) {
    const many = classes.length > 16;
    figures.push({
      name: "ap_per_class",
      title: "AP per class",
      section: "per-class",
      svg: barChartSvg({
        title: many ? "AP per class (IoU .50:.95)" : "AP per class",
        categories: classes.map(({ c }) => c.name || String(c.categoryId)),
        series: types.flatMap((t) => [
          {
            name: `${t.iouType} AP`,
            values: classes.map(({ i }) => valueOrNull(t.perClass[i].ap)),
          },
          ...(many ? [] : [{
            name: `${t.iouType} AP50`,
            values: classes.map(({ i }) => valueOrNull(t.perClass[i].ap50)),
          }]),
        ]),
        yLabel: "AP",
        yDomain: [0, 1],
        format: (v) => v.toFixed(2),
      }),
    });
  }
  for (const t of types) {
    const withCurves = t.perClass.filter((c) => c.pr !== null);
    const pages = Math.ceil(withCurves.length / PR_PER_FIGURE);
    for (let page = 0; page < pages; page++) {
      const chunk = withCurves.slice(page * PR_PER_FIGURE, (page + 1) * PR_PER_FIGURE);
      const panels: LinePanel[] = chunk.map((c) => ({
        title: c.name || String(c.categoryId),
        subtitle: `AP ${score(c.ap)} · AP50 ${score(c.ap50)} · AP75 ${
          score(c.ap75)
        } · ${c.numGroundTruth} gt`,
        series: [
          { name: "IoU=.50", points: curvePoints(m.recallThresholds, c.pr!.iou50) },
          { name: "IoU=.75", points: curvePoints(m.recallThresholds, c.pr!.iou75) },
          {
            name: "mean over IoU=.50:.95",
            points: curvePoints(m.recallThresholds, c.pr!.mean),
            dashed: true,
          },
        ],
      }));
      const suffix = pages > 1 ? `_${page + 1}` : "";
      figures.push({
        name: `pr_${t.iouType}${suffix}`,
        title: `Precision / recall per class, ${t.iouType}${
          pages > 1 ? ` (${page + 1} of ${pages})` : ""
        }`,
        section: "pr",
        svg: linePanelsSvg({
          title: `Precision / recall per class (${t.iouType}, area all, maxDets 100)${
            pages > 1 ? `, ${page + 1} of ${pages}` : ""
          }`,
          panels,
          xLabel: "recall",
          yLabel: "precision",
          xDomain: [0, 1],
          yDomain: [0, 1],
          columns: panels.length <= 4 ? 2 : 3,
        }),
      });
    }
  }
  if (m.panoptic) {
    const counted = m.panoptic.perClass.filter((c) => c.tp + c.fp + c.fn > 0);
    if (counted.length > 0) {
      figures.push({
        name: "pq_per_class",
        title: "Panoptic quality per class",
        section: "pq",
        svg: barChartSvg({
          title: `Panoptic quality per class (PQ ${score(m.panoptic.all.pq)}, things ${
            score(m.panoptic.things.pq)
          }, stuff ${score(m.panoptic.stuff.pq)})`,
          categories: counted.map((c) => `${c.name ?? c.categoryId}${c.isThing ? "" : " (stuff)"}`),
          series: [
            { name: "PQ", values: counted.map((c) => c.pq) },
            { name: "SQ", values: counted.map((c) => c.sq) },
            { name: "RQ", values: counted.map((c) => c.rq) },
          ],
          yLabel: "quality",
          yDomain: [0, 1],
          format: (v) => v.toFixed(2),
        }),
      });
    }
  }
  if (m.latency && Object.keys(m.latency.stages).length > 0) {
    const panels = Object.entries(m.latency.stages).map(([key, s]) => ({
      title: key === "totalMs" ? "total (capture to published)" : key,
      subtitle: `mean ${ms(s.mean)} · p50 ${ms(s.p50)} · p95 ${ms(s.p95)} ms`,
      // A stage that always takes the same time (decode of a file: 0) has no spread to draw.
      ...(s.min === s.max ? { bins: [], note: `every frame: ${ms(s.min)} ms`, markers: [] } : {
        bins: m.latency!.histograms[key],
        markers: [{ value: s.p50, label: "median" }, { value: s.p95, label: "95th percentile" }],
      }),
    }));
    figures.push({
      name: "latency",
      title: "Latency per stage",
      section: "latency",
      svg: histogramPanelsSvg({
        title: `Latency per stage (${m.latency.frames} frames of stream "${
          m.results.streamId ?? ""
        }")`,
        panels,
        xLabel: "milliseconds",
        yLabel: "frames",
        columns: 3,
      }),
    });
  }
  return figures;
}

function curvePoints(recall: readonly number[], precision: readonly number[]): [number, number][] {
  return precision.map((p, r) => [recall[r], p]);
}

// ---------------------------------------------------------------------------------------
// Report folder

/**
 * The report as Markdown: inputs, tables, figures (`files` maps a figure's name to its
 * file, relative to the report) and notes.
 *
 * @example
 * ```ts ignore
 * const md = reportMarkdown(metrics, reportFigures(metrics), new Map([["pr_bbox", "pr_bbox.png"]]));
 * ```
 */
export function reportMarkdown(
  m: EvalMetrics,
  figures: readonly ReportFigure[],
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
  for (const t of tables(m)) {
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

/** What {@link writeEvalReport} wrote. */
export interface WrittenReport {
  /** The folder. */
  outDir: string;
  /** `report.md`, `metrics.json`, then the charts. */
  files: string[];
  /** How the charts were written (PNG, or SVG and why). */
  charts: RenderOutcome;
}

/**
 * Writes the report folder: the charts (PNG through headless Chromium, or SVG without
 * one), `report.md` embedding them, and `metrics.json` with every number plus the list of
 * figures.
 *
 * @example
 * ```ts ignore
 * const written = await writeEvalReport(metrics, "eval-report");
 * console.log(written.files.join("\n"));
 * ```
 */
export async function writeEvalReport(
  m: EvalMetrics,
  outDir: string,
  options: RenderOptions = {},
): Promise<WrittenReport> {
  await Deno.mkdir(outDir, { recursive: true });
  const figures = reportFigures(m);
  const charts = await renderCharts(
    figures.map((f) => ({ svg: f.svg, path: join(outDir, `${f.name}.png`) })),
    options,
  );
  const files = new Map<string, string>();
  figures.forEach((f, i) => files.set(f.name, basename(charts.files[i])));
  // A previous run's other format of the same chart would be stale: remove it.
  const other = charts.format === "png" ? "svg" : "png";
  for (const f of figures) {
    await Deno.remove(join(outDir, `${f.name}.${other}`)).catch(() => {});
  }
  const note = charts.reason ? `Charts are SVG files, not PNG: ${charts.reason}.` : undefined;
  const reportPath = join(outDir, "report.md");
  await Deno.writeTextFile(reportPath, reportMarkdown(m, figures, files, note));
  const metricsPath = join(outDir, "metrics.json");
  const json = {
    ...m,
    figures: figures.map((f) => ({ file: files.get(f.name), title: f.title })),
    chartFormat: charts.format,
    ...(charts.reason ? { chartNote: charts.reason } : {}),
  };
  await Deno.writeTextFile(metricsPath, JSON.stringify(json, null, 2) + "\n");
  return { outDir, files: [reportPath, metricsPath, ...charts.files], charts };
}
