/**
 * The latency numbers of a pipeline run's JSON Lines: per latency key (the stages and
 * `totalMs`) the summary of `src/stats.ts` (count, mean, extremes, numpy-style
 * percentiles) and a histogram with bins of one "nice" width.
 *
 * @module
 */

import { summarize, type Summary } from "../stats.ts";

/** One bin of a histogram: `[x0, x1)` holds `count` values (the last bin holds `x1` too). */
export interface HistogramBin {
  /** Lower edge. */
  x0: number;
  /** Upper edge. */
  x1: number;
  /** Values in the bin. */
  count: number;
}

/** The latency of a run, in milliseconds. */
export interface LatencyMetrics {
  /** Frames read. */
  frames: number;
  /** Per latency key with values, in the order given. */
  stages: Record<string, Summary>;
  /** The same keys' histograms (about 24 bins). */
  histograms: Record<string, HistogramBin[]>;
}

/**
 * Summaries and histograms of the latency keys that have values, in the order of `keys`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const m = latencyMetrics({ inference: [4, 1, 3, 2], decode: [] }, ["decode", "inference"], 4);
 * assert.deepEqual(Object.keys(m.stages), ["inference"]);
 * assert.deepEqual([m.stages.inference.p50, m.stages.inference.p90], [2.5, 3.7]);
 * assert.equal(m.histograms.inference.reduce((n, b) => n + b.count, 0), 4);
 * ```
 */
export function latencyMetrics(
  latency: Readonly<Record<string, readonly number[]>>,
  keys: readonly string[],
  frames: number,
): LatencyMetrics {
  const stages: Record<string, Summary> = {};
  const histograms: Record<string, HistogramBin[]> = {};
  for (const key of keys) {
    const values = latency[key] ?? [];
    if (values.length === 0) continue;
    stages[key] = summarize(values);
    histograms[key] = histogramBins(values, 24);
  }
  return { frames, stages, histograms };
}

/**
 * Histogram bins of `values`: adjacent, of one width (1, 2 or 5 × 10ⁿ), about `target` of
 * them, covering the smallest to the largest value (the last bin holds values on its
 * upper edge). All-equal values give one bin of width 1 around them; no values, no bins.
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
  const width = niceStep(max - min, target);
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

/** 1, 2 or 5 × 10ⁿ: about `target` steps over `span`. */
function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

const round = (v: number) => Number(v.toPrecision(12));
