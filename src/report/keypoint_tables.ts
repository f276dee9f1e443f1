/**
 * The report's keypoint tables: keypoint AP / AR (OKS, pycocotools' 10 stats) and PCK at
 * the four α, overall and per keypoint.
 *
 * @module
 */

import type { KeypointMetrics } from "./keypoint_metrics.ts";
import { markdownTable, type ReportTable, score } from "./report_tables.ts";

const DESCRIPTIONS = [
  "OKS=0.50:0.95 area=all maxDets=20",
  "OKS=0.50 area=all maxDets=20",
  "OKS=0.75 area=all maxDets=20",
  "OKS=0.50:0.95 area=medium maxDets=20",
  "OKS=0.50:0.95 area=large maxDets=20",
  "OKS=0.50:0.95 area=all maxDets=20",
  "OKS=0.50 area=all maxDets=20",
  "OKS=0.75 area=all maxDets=20",
  "OKS=0.50:0.95 area=medium maxDets=20",
  "OKS=0.50:0.95 area=large maxDets=20",
];

/**
 * The two keypoint tables (anchors `keypoints` and `pck`), or none without keypoint
 * metrics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keypointMetrics } from "./keypoint_metrics.ts";
 * const groundTruth = {
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1, name: "person", keypoints: ["head", "foot"] }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, iscrowd: 0, area: 2000, bbox: [0, 0, 40, 50],
 *     num_keypoints: 2, keypoints: [10, 10, 2, 20, 40, 2] }],
 * };
 * const results = [{ image_id: 1, category_id: 1, score: 0.9, bbox: [0, 0, 40, 50], keypoints: [10, 10, 1, 20, 40, 1] }];
 * const [ap, pck] = keypointTables(keypointMetrics(groundTruth, results, { kptOksSigmas: [0.1, 0.1] }));
 * assert.match(ap.table, /\| AP +\| OKS=0\.50:0\.95 area=all maxDets=20 +\| +1\.000 \|/);
 * assert.match(pck.table, /\| all +\| +2 \| +1\.000 \| 1\.000 \| +1\.000 \| 1\.000 \|/);
 * ```
 */
export function keypointTables(k: KeypointMetrics | null): ReportTable[] {
  if (!k) return [];
  const ap = {
    anchor: "keypoints",
    title: `Keypoint AP (OKS; ${k.people} people with keypoints)`,
    table: markdownTable(
      ["metric", "averaged over", "keypoints"],
      k.ap.stats.map((v, i) => [Object.keys(k.ap.named)[i], DESCRIPTIONS[i] ?? "", score(v)]),
      ["l", "l", "r"],
    ),
  };
  const total = k.pck.visible.reduce((a, b) => a + b, 0);
  const rows = [
    ["all", String(total), ...k.pck.pck.map(score)],
    ["all, matched by OKS ≥ 0.5", String(total), ...k.pckByOks.map(score)],
    ...k.names.map((name, j) => [
      name,
      String(k.pck.visible[j]),
      ...k.pck.perKeypoint.map((row) => score(row[j])),
    ]),
  ];
  const pck = {
    anchor: "pck",
    title:
      `PCK (visible keypoints within α × max(w, h) of the person's box; ${k.matchedPeople} of ${k.people} people matched by box IoU ≥ 0.5, ${k.matchedByOks} by OKS ≥ 0.5)`,
    table: markdownTable(
      ["keypoint", "visible", ...k.pck.thresholds.map((a) => `α ${a}`)],
      rows,
      ["l", "r", "r", "r", "r", "r"],
    ),
  };
  return [ap, pck];
}
