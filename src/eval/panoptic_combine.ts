/**
 * Panoptic Quality of a set of images from the reports of its parts: `panopticQuality()`
 * run on disjoint groups of images (to bound the memory of the id maps), summed back into
 * the report of the whole, as `cocodataset/panopticapi` does with the `PQStat`s its worker
 * processes return (`PQStat.__iadd__`, then `pq_average`).
 *
 * @module
 */

import type {
  PanopticQualityClass,
  PanopticQualityReport,
  PanopticQualityScores,
} from "./panoptic_types.ts";

/**
 * Sums per-class TP, FP, FN and IoU of reports on disjoint groups of images and averages
 * them again as panopticapi's `pq_average` does: per class `PQ = Σ IoU / (TP + FP/2 +
 * FN/2)`, `SQ = Σ IoU / TP`, `RQ = TP / (TP + FP/2 + FN/2)` (0 where the denominator is
 * 0), and All / Things / Stuff as the means over the classes with `TP + FP + FN > 0`
 * (`NaN` with `n: 0` for a group without any). Classes keep the order in which they
 * first appear; one report comes back unchanged, and no report is an empty one.
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
 * assert.equal(both.stuff.n, 0);
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
