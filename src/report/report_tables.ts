/**
 * The tables of the evaluation report, as padded Markdown (readable as plain text too):
 * the 12 COCO stats per IoU type, AP per class, PQ / SQ / RQ overall and per class, and
 * the latency per stage. `report.md` and the console summary print the same ones.
 *
 * @module
 */

import { COCO_STAT_NAMES } from "../eval/coco_params.ts";
import { keypointTables } from "./keypoint_tables.ts";
import type { EvalMetrics } from "./evaluate_report.ts";
import type { IouTypeMetrics } from "./iou_type_metrics.ts";

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

/**
 * A score as the report writes it: 3 decimals; "n/a" for -1 (nothing to average, as
 * pycocotools), NaN or nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([score(0.8054), score(-1), score(NaN)], ["0.805", "n/a", "n/a"]);
 * ```
 */
export function score(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) || v < 0 ? "n/a" : v.toFixed(3);
}

/**
 * Milliseconds as the report writes them: 1 decimal, "n/a" for NaN.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([ms(157.04), ms(NaN)], ["157.0", "n/a"]);
 * ```
 */
export function ms(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : "n/a";
}

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

/** A table of the report: its section's anchor (where its figures go), title and text. */
export interface ReportTable {
  /** `coco`, `per-class`, `pq`, `pq-per-class` or `latency`. */
  anchor: string;
  /** The section title. */
  title: string;
  /** The Markdown table. */
  table: string;
}

/**
 * The report's tables, in order: COCO stats, AP per class (classes with ground truth or
 * detections), PQ and PQ per class with a panoptic ground truth, latency per stage with
 * JSON Lines.
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
 * const [coco, perClass] = reportTables(metrics);
 * assert.match(coco.table, /\| AP {5}\| IoU=0\.50:0\.95 area=all maxDets=100 +\| 1\.000 \|/);
 * assert.match(perClass.table, /\| +1 \| car +\| +1 \| +1 \| +1\.000 \|/);
 * ```
 */
export function reportTables(m: EvalMetrics): ReportTable[] {
  const out: ReportTable[] = [];
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
  out.push(...keypointTables(m.keypoints));
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
  if (m.tracking) {
    const t = m.tracking;
    const rows: [string, string, string][] = [
      ["HOTA", "higher order tracking accuracy: sqrt(DetA · AssA), mean over α", score(t.hota)],
      ["DetA", "detection accuracy", score(t.deta)],
      ["AssA", "association accuracy", score(t.assa)],
      ["LocA", "localisation accuracy", score(t.loca)],
      ["DetRe / DetPr", "detection recall / precision", `${score(t.detre)} / ${score(t.detpr)}`],
      ["AssRe / AssPr", "association recall / precision", `${score(t.assre)} / ${score(t.asspr)}`],
      ["IDF1", "identity F1", score(t.idf1)],
      ["IDR / IDP", "identity recall / precision", `${score(t.idr)} / ${score(t.idp)}`],
      ["MOTA", "CLEAR accuracy (IoU .5)", score(t.mota)],
      ["MOTP", "CLEAR precision (mean IoU of matches)", score(t.motp)],
      ["IDSW", "identity switches", String(t.idsw)],
      ["Frag", "fragmentations", String(t.frag)],
      ["MT / PT / ML", "mostly tracked / partly / mostly lost ids", `${t.mt} / ${t.pt} / ${t.ml}`],
      [
        "TP / FN / FP",
        "CLEAR matches, misses, false positives",
        `${t.clrTp} / ${t.clrFn} / ${t.clrFp}`,
      ],
    ];
    out.push({
      anchor: "tracking",
      title:
        `Tracking (${t.frames} frames, ${t.groundTruthIds} true ids, ${t.resultIds} track ids)`,
      table: markdownTable(["metric", "what", "value"], rows, ["l", "l", "r"]),
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
