/**
 * The precision/recall figures of the report as Vega-Lite specs: small multiples, one
 * panel per class, sharing their colours, dashes and legend.
 *
 * @module
 */

import type { TopLevelSpec } from "vega-lite";
import { COLORS } from "./grouped_bars.ts";
import type { IouTypeMetrics } from "./iou_type_metrics.ts";
import type { ReportFigure } from "./report_figures.ts";
import { score } from "./report_tables.ts";

/** Classes per figure. */
const PR_PER_FIGURE = 12;

const CURVES = ["IoU .50", "IoU .75", "mean over IoU .50:.95"];

/**
 * The precision/recall figures of one IoU type: a panel per class with ground truth (12
 * to a figure), the curves at IoU .50 and .75 and the mean over .50:.95 against the
 * `recall` points, the class' AP numbers under its name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateCoco } from "../eval/coco_eval.ts";
 * import { COCO_RECALL_THRESHOLDS } from "../eval/coco_params.ts";
 * import { iouTypeMetrics } from "./iou_type_metrics.ts";
 * const gt = {
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1, name: "car" }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, area: 400, iscrowd: 0, bbox: [0, 0, 20, 20] }],
 * };
 * const bbox = iouTypeMetrics(evaluateCoco(gt, [{ image_id: 1, category_id: 1, score: 1, bbox: [0, 0, 20, 20] }], "bbox"));
 * const [figure] = prFigures(bbox, COCO_RECALL_THRESHOLDS);
 * assert.equal(figure.name, "pr_bbox");
 * assert.equal(figure.section, "pr");
 * ```
 */
export function prFigures(t: IouTypeMetrics, recall: ArrayLike<number>): ReportFigure[] {
  const withCurves = t.perClass.filter((c) => c.pr !== null);
  const pages = Math.ceil(withCurves.length / PR_PER_FIGURE);
  const figures: ReportFigure[] = [];
  for (let page = 0; page < pages; page++) {
    const chunk = withCurves.slice(page * PR_PER_FIGURE, (page + 1) * PR_PER_FIGURE);
    const of = pages > 1 ? ` (${page + 1} of ${pages})` : "";
    const panels = chunk.map((c) => {
      const pr = c.pr!;
      const values = [pr.iou50, pr.iou75, pr.mean].flatMap((curve, k) =>
        curve.map((precision, r) => ({ recall: recall[r], precision, curve: CURVES[k] }))
      );
      return {
        title: {
          text: c.name || String(c.categoryId),
          subtitle: `AP ${score(c.ap)} · AP50 ${score(c.ap50)} · AP75 ${
            score(c.ap75)
          } · ${c.numGroundTruth} gt`,
          fontSize: 14,
        },
        width: 300,
        height: 210,
        data: { values },
        mark: { type: "line", strokeWidth: 2, clip: true },
        encoding: {
          x: unitAxis("recall"),
          y: unitAxis("precision"),
          color: {
            field: "curve",
            type: "nominal",
            sort: CURVES,
            title: null,
            scale: { domain: CURVES, range: [COLORS.blue, COLORS.orange, COLORS.green] },
          },
          strokeDash: {
            field: "curve",
            type: "nominal",
            sort: CURVES,
            title: null,
            scale: { domain: CURVES, range: [[1, 0], [1, 0], [6, 4]] },
          },
        },
      };
    });
    figures.push({
      name: `pr_${t.iouType}${pages > 1 ? `_${page + 1}` : ""}`,
      title: `Precision / recall per class, ${t.iouType}${of}`,
      section: "pr",
      spec: {
        title: {
          text: `Precision / recall per class, ${t.iouType}${of}`,
          subtitle:
            "interpolated precision at 101 recall points; area all, 100 detections per image",
        },
        columns: panels.length <= 4 ? 2 : 3,
        concat: panels,
        resolve: { scale: { color: "shared", strokeDash: "shared" } },
      } as TopLevelSpec,
    });
  }
  return figures;
}

/** A 0..1 axis with ticks every 0.2. */
function unitAxis(field: string) {
  return {
    field,
    type: "quantitative" as const,
    title: field,
    scale: { domain: [0, 1] },
    axis: { values: [0, 0.2, 0.4, 0.6, 0.8, 1], format: ".1f" },
  };
}
