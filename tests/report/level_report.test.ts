/**
 * The report's pyramid levels (issue 18's multi-scale study): the `level` of JSON Lines
 * detections reaches the COCO results, `truePositiveLevels` counts the matches, and the
 * report shows the table "True positives by pyramid level" and its chart.
 *
 * @module
 */

import assert from "node:assert/strict";
import { truePositiveLevels } from "../../src/eval/coco_levels.ts";
import type { CocoResult } from "../../src/eval/coco_types.ts";
import {
  consoleSummary,
  type EvalMetrics,
  evaluateReport,
  levelFigures,
  levelMetrics,
  metricsLevels,
  reportFigures,
  reportMarkdown,
  writeEvalReport,
} from "../../src/report/mod.ts";
import { parseResults } from "../../src/report/results_input.ts";
import { cocoResults, groundTruth, jsonLines } from "./_synthetic.ts";

/** The level a detection of this box area would come from: P3 small, P4 medium, P5 large. */
function levelOfArea(area: number): number {
  return area < 32 ** 2 ? 0 : area < 96 ** 2 ? 1 : 2;
}

/** The synthetic JSON Lines with a `level` on every detection (or every other one). */
function jsonLinesWithLevels(every = 1): string {
  let n = 0;
  return jsonLines({ panoptic: false }).trim().split("\n").map((line) => {
    const message = JSON.parse(line);
    for (const d of message.detections) {
      const [x1, y1, x2, y2] = d.box;
      if (n++ % every === 0) d.level = levelOfArea((x2 - x1) * (y2 - y1));
    }
    return JSON.stringify(message);
  }).join("\n") + "\n";
}

function cocoResultsWithLevels(): CocoResult[] {
  return cocoResults().map((r) => ({ ...r, level: levelOfArea(r.bbox![2] * r.bbox![3]) }));
}

/** The report's metrics as `evaluateReport` gives them with the level counts added. */
function metricsWithLevels(text: string, path: string): EvalMetrics {
  const results = parseResults(text, path);
  const { levels, notes } = levelMetrics(
    groundTruth(),
    "instances.json",
    results,
    results.format === "jsonl" ? results.imageIds : undefined,
    ["P3", "P4", "P5"],
  );
  const metrics = evaluateReport({
    groundTruth: groundTruth(),
    groundTruthPath: "instances.json",
    results,
  });
  return { ...metrics, levels, notes: [...metrics.notes, ...notes] } as EvalMetrics;
}

Deno.test("a JSON Lines detection's level reaches its COCO result, and results count those with one", () => {
  const input = parseResults(jsonLinesWithLevels(), "results.jsonl");
  assert.ok(input.results.length > 5);
  assert.equal(input.withLevels, input.results.length);
  for (const r of input.results) assert.equal(r.level, levelOfArea(r.bbox![2] * r.bbox![3]));
  const half = parseResults(jsonLinesWithLevels(2), "results.jsonl");
  assert.equal(half.withLevels, Math.ceil(half.results.length / 2));
  assert.equal(half.results[1].level, undefined);
  assert.equal(parseResults(jsonLines(), "results.jsonl").withLevels, 0);
  const coco = parseResults(JSON.stringify(cocoResultsWithLevels()), "results.json");
  assert.equal(coco.withLevels, coco.results.length);
});

Deno.test("a COCO results file with a level that is no integer >= 0 is refused naming the result", () => {
  const bad = cocoResultsWithLevels();
  bad[3].level = -1;
  assert.throws(() => parseResults(JSON.stringify(bad), "results.json"), {
    name: "EvalInputError",
    message: /^results\.json: \[3\]\.level: expected an integer >= 0, found the number -1/,
  });
});

Deno.test("the report's level counts are truePositiveLevels' on the evaluated frames", () => {
  const input = parseResults(jsonLinesWithLevels(), "results.jsonl");
  const { levels, notes } = levelMetrics(groundTruth(), "instances.json", input, input.imageIds);
  assert.deepEqual(
    levels,
    truePositiveLevels(groundTruth(), input.results, { imageIds: input.imageIds }),
  );
  assert.deepEqual(notes, []);
  // every object found here was found by the level of its size
  for (let s = 0; s < 3; s++) {
    assert.equal(levels!.counts[s][s], levels!.truePositives[s], `size ${s}`);
  }
  assert.ok(levels!.truePositives.reduce((a, b) => a + b, 0) >= 8);
  assert.deepEqual(
    levelMetrics(groundTruth(), "instances.json", parseResults(jsonLines(), "r.jsonl")),
    { levels: null, notes: [] },
  );
});

Deno.test("results of which only some carry a level get a note and a 'no level' column", () => {
  const metrics = metricsWithLevels(jsonLinesWithLevels(2), "results.jsonl");
  assert.ok(metrics.notes.some((n) => /^only \d+ of \d+ results have a pyramid level/.test(n)));
  const summary = consoleSummary(metrics);
  assert.match(
    summary,
    /\| size +\| ground truths \| true positives \| recall \| +P3 \| +P4 \| +P5 \| +no level \|/,
  );
  const [figure] = levelFigures(metricsLevels(metrics));
  const names = (figure.spec as { data: { values: { series: string }[] } }).data.values.map((v) =>
    v.series
  );
  assert.deepEqual([...new Set(names)], ["P3", "P4", "P5", "no level"]);
});

Deno.test("report.md shows the level table after precision / recall, with its chart, and the console summary the table", () => {
  const metrics = metricsWithLevels(jsonLinesWithLevels(), "results.jsonl");
  const figures = reportFigures(metrics);
  assert.ok(figures.some((f) => f.name === "tp_by_level" && f.section === "levels"));
  const files = new Map(figures.map((f) => [f.name, `${f.name}.svg`]));
  const md = reportMarkdown(metrics, figures, files);
  const at = (pattern: RegExp) => md.search(pattern);
  assert.ok(at(/^## Precision \/ recall$/m) < at(/^## True positives by pyramid level/m));
  assert.ok(at(/^## True positives by pyramid level/m) < at(/^## Latency per stage/m));
  assert.match(
    md,
    /## True positives by pyramid level \(bbox IoU 0\.50, area all, 100 detections per image; share of each size's true positives\)\n\n\| size/,
  );
  assert.match(
    md,
    /\| all +\|( +\d+ \|){2} +[\d.]+ \|( +\d+ \(\d+\.\d%\) \|){3}\n\n!\[True positives by pyramid level\]\(tp_by_level\.svg\)/,
  );
  assert.match(consoleSummary(metrics), /True positives by pyramid level .*\n\| size /);
});

Deno.test("results without levels leave the report as it was: no level table, no chart", () => {
  const results = parseResults(JSON.stringify(cocoResults()), "results.json");
  const metrics = evaluateReport({
    groundTruth: groundTruth(),
    groundTruthPath: "instances.json",
    results,
  });
  assert.ok(!reportFigures(metrics).some((f) => f.name === "tp_by_level"));
  assert.doesNotMatch(consoleSummary(metrics), /pyramid level/);
  const withNull = { ...metrics, levels: null } as EvalMetrics;
  assert.doesNotMatch(
    reportMarkdown(withNull, reportFigures(withNull), new Map()),
    /pyramid level/,
  );
});

Deno.test("the report folder holds the level chart, drawn with the level names, and metrics.json the counts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const metrics = metricsWithLevels(JSON.stringify(cocoResultsWithLevels()), "results.json");
    const written = await writeEvalReport(metrics, dir, { format: "svg" });
    assert.ok(written.files.includes(`${dir}/tp_by_level.svg`));
    const svg = await Deno.readTextFile(`${dir}/tp_by_level.svg`);
    for (const name of ["P3", "P4", "P5", "True positives by pyramid level"]) {
      assert.ok(svg.includes(`>${name}</text>`), name);
    }
    assert.match(
      await Deno.readTextFile(`${dir}/report.md`),
      /!\[True positives by pyramid level\]\(tp_by_level\.svg\)/,
    );
    const json = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
    assert.deepEqual(json.levels, metricsLevels(metrics));
    assert.deepEqual(json.levels.levelNames, ["P3", "P4", "P5"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
