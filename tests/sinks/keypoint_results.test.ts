/**
 * Keypoints on their way out: in result messages (schema-valid), COCO results, the
 * annotated video's overlay (a skeleton per person) and the evaluation report (keypoint AP
 * and PCK of JSON Lines against the plaza demo's ground truth).
 *
 * @module
 */

import assert from "node:assert/strict";
import { resultMessage } from "../../src/pipeline/result_message.ts";
import { cocoResults } from "../../src/sinks/coco_results.ts";
import { drawOverlay } from "../../src/sinks/overlay.ts";
import { ResultMessageSchema } from "../../src/wire/result_message.ts";
import { checkWire } from "../../src/wire/parse.ts";
import { COCO_SKELETON } from "../../src/wire/keypoint_spec.ts";
import { evaluateReport } from "../../src/report/evaluate_report.ts";
import { parseResults } from "../../src/report/results_input.ts";
import { reportTables } from "../../src/report/report_tables.ts";
import { reportFigures } from "../../src/report/report_figures.ts";
import { evaluateCoco } from "../../src/eval/coco_eval.ts";
import { pck } from "../../src/eval/pck.ts";
import type { CocoGroundTruth } from "../../src/eval/coco_types.ts";
import { random } from "../_helpers/random.ts";

const TIMELINE = {
  capturedAt: 1000,
  decodedAt: 1000,
  queuedAt: 1001,
  batchFormedAt: 1002,
  preprocessEnd: 1002,
  inferenceStart: 1002,
  inferenceEnd: 1030,
  postprocessEnd: 1033,
  fusionEnd: 1033,
  publishedAt: 1034,
};
const LATENCY = {
  decode: 0,
  wait: 1,
  batch: 1,
  preprocess: 0,
  session: 0,
  inference: 28,
  postprocess: 3,
  fusion: 0,
  publish: 1,
  totalMs: 34,
};

/** One person with 17 keypoints on a horizontal line, 11 px apart, source 200×120. */
function personResult() {
  const keypoints = new Float32Array(17 * 3);
  for (let k = 0; k < 17; k++) keypoints.set([5.123 + 11 * k, 50, 1.23456 + k], 3 * k);
  return {
    streamId: "plaza",
    model: "pose",
    index: 3,
    ptsMs: 120,
    width: 200,
    height: 120,
    batchSize: 1,
    detections: {
      boxes: new Float32Array([40, 5, 60, 100]),
      scores: new Float32Array([0.9]),
      classIds: new Int32Array([1]),
      keypoints,
    },
    timeline: TIMELINE,
    latency: LATENCY,
  };
}

Deno.test("a result message carries each person's [x, y, score] × 17, and stays schema-valid", () => {
  const m = resultMessage(personResult(), new Map([[1, "person"]]));
  const [d] = m.detections;
  assert.equal(d.keypoints!.length, 51);
  assert.deepEqual(d.keypoints!.slice(0, 6), [5.12, 50, 1.2346, 16.12, 50, 2.2346]);
  assert.deepEqual(checkWire(ResultMessageSchema, m), []);
  const [entry] = cocoResults(m);
  assert.deepEqual(entry.keypoints, d.keypoints);
  assert.equal(entry.category_id, 1);
});

Deno.test("the overlay draws a person's skeleton in its class colour over the box", () => {
  const r = personResult();
  const classes = [{
    id: 1,
    name: "person",
    isThing: true,
    color: [255, 0, 0] as [number, number, number],
  }];
  const withSkeleton = drawOverlay(r.detections, 200, 120, classes, {
    skeleton: COCO_SKELETON,
    labels: false,
  });
  const without = drawOverlay(r.detections, 200, 120, classes, { labels: false });
  const at = (
    rgba: Uint8Array,
    x: number,
    y: number,
  ) => [...rgba.subarray((y * 200 + x) * 4, (y * 200 + x) * 4 + 4)];
  // Keypoint 6 (left shoulder) is at (60.1, 50): a white dot.
  assert.deepEqual(at(withSkeleton, 60, 50), [255, 255, 255, 255]);
  assert.deepEqual(at(without, 60, 50), [0, 0, 0, 0]);
  // Between the nose (x 5.1) and the left eye (x 16.1): the limb, in the class colour.
  assert.deepEqual(at(withSkeleton, 10, 50), [255, 0, 0, 255]);
  assert.deepEqual(at(withSkeleton, 10, 30), [0, 0, 0, 0]);
  assert.throws(
    () =>
      drawOverlay({ ...r.detections, keypoints: new Float32Array(50) }, 200, 120, classes, {
        skeleton: COCO_SKELETON,
      }),
    /keypoints: expected N×K×3 numbers for 1 detections, found 50/,
  );
});

const PLAZA_GT = JSON.parse(
  await Deno.readTextFile(new URL("../../models/demo/plaza_keypoints.json", import.meta.url)),
) as CocoGroundTruth;

/** JSON Lines of the first `frames` plaza frames: every labelled person found with its
 * keypoints moved by up to `jitter` pixels. */
function jsonlOfTruth(frames: number, jitter: number): string {
  const rand = random(17);
  const lines: string[] = [];
  for (let f = 0; f < frames; f++) {
    const detections = PLAZA_GT.annotations
      .filter((a) => a.image_id === f + 1 && (a.num_keypoints ?? 0) > 0 && !a.iscrowd)
      .map((a) => {
        const [x, y, w, h] = a.bbox!;
        const keypoints = (a.keypoints as number[]).map((v, i) =>
          i % 3 === 2 ? 1 : Math.round((v + (rand() * 2 - 1) * jitter) * 100) / 100
        );
        return {
          box: [x, y, x + w, y + h],
          classId: 1,
          label: "person",
          score: Math.round(rand() * 1e4) / 1e4,
          keypoints,
        };
      });
    const m = {
      ...resultMessage({ ...personResult(), index: f, width: 640, height: 360 }, new Map()),
    };
    lines.push(JSON.stringify({ ...m, detections }));
  }
  return lines.join("\n") + "\n";
}

Deno.test("deno task eval's report adds keypoint AP and PCK that equal evaluateCoco's and pck()'s", () => {
  const text = jsonlOfTruth(20, 3);
  const results = parseResults(text, "plaza.jsonl");
  assert.equal(results.withKeypoints, results.results.length);
  const metrics = evaluateReport({
    groundTruth: PLAZA_GT,
    groundTruthPath: "plaza_keypoints.json",
    results,
  });
  const imageIds = Array.from({ length: 20 }, (_, i) => i + 1);
  const direct = evaluateCoco(PLAZA_GT, results.results, "keypoints", { imageIds });
  assert.deepEqual(metrics.keypoints!.ap.stats, direct.stats);
  assert.deepEqual(Object.keys(metrics.keypoints!.ap.named), direct.statNames);
  const p = pck(PLAZA_GT, results.results, { imageIds });
  assert.deepEqual(metrics.keypoints!.pck.pck, p.pck);
  // 3 px of jitter on people of 15-100 px: most keypoints within 0.2 × size, fewer within 0.05.
  const [p05, , , p20] = metrics.keypoints!.pck.pck;
  assert.ok(p05 < p20 && p20 > 0.8, `PCK@0.05 ${p05}, PCK@0.2 ${p20}`);
  assert.equal(metrics.keypoints!.names[0], "nose");
  const titles = reportTables(metrics).map((t) => t.anchor);
  assert.deepEqual(titles.slice(0, 4), ["coco", "per-class", "keypoints", "pck"]);
  assert.ok(reportFigures(metrics).some((f) => f.name === "pck_curves"));
});

Deno.test("keypoint results without keypoint ground truth give a note, not keypoint AP", () => {
  const text = jsonlOfTruth(2, 0);
  const groundTruth = {
    ...PLAZA_GT,
    annotations: PLAZA_GT.annotations.map(({ keypoints: _k, num_keypoints: _n, ...a }) => a),
  };
  const metrics = evaluateReport({
    groundTruth,
    groundTruthPath: "boxes.json",
    results: parseResults(text, "plaza.jsonl"),
  });
  assert.equal(metrics.keypoints, null);
  assert.ok(
    metrics.notes.includes(
      "the results have keypoints but boxes.json has no labelled keypoints: no keypoint AP or PCK",
    ),
    metrics.notes.join("\n"),
  );
});
