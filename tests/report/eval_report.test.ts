/**
 * The evaluation report (`src/report/`): its numbers are `evaluateCoco`'s,
 * `panopticQuality`'s and `summarize`'s, JSON Lines and COCO results JSON give the same
 * ones, and the figures are PNG files drawn by vega and resvg with the bundled font.
 *
 * @module
 */

import assert from "node:assert/strict";
import { evaluateCoco } from "../../src/eval/coco_eval.ts";
import { COCO_STAT_NAMES } from "../../src/eval/coco_params.ts";
import { panopticQuality } from "../../src/eval/panoptic_quality.ts";
import { panopticFromRle } from "../../src/eval/panoptic_rle.ts";
import { summarize } from "../../src/stats.ts";
import { CHART_FONT_FAMILY, chartTextWidth } from "../../src/report/chart_font.ts";
import { chartSvg } from "../../src/report/chart_svg.ts";
import {
  consoleSummary,
  evaluateReport,
  reportFigures,
  writeEvalReport,
} from "../../src/report/mod.ts";
import { pngRenderer, pngSize } from "../../src/report/render_png.ts";
import { loadResvg } from "../../src/report/resvg_addon.ts";
import {
  checkResultsMatch,
  panopticPrediction,
  parseResults,
} from "../../src/report/results_input.ts";
import {
  cocoResults,
  groundTruth,
  jsonLines,
  latencyOf,
  panopticGroundTruth,
} from "./_synthetic.ts";

Deno.test("the report's COCO stats and per-class AP are evaluateCoco's, for boxes and masks", () => {
  const gt = groundTruth();
  const results = cocoResults();
  const metrics = evaluateReport({
    groundTruth: gt,
    groundTruthPath: "instances.json",
    results: parseResults(JSON.stringify(results), "results.json"),
  });
  for (const iouType of ["bbox", "segm"] as const) {
    const direct = evaluateCoco(gt, results, iouType);
    const m = metrics[iouType]!;
    assert.deepEqual(m.stats, direct.stats);
    assert.deepEqual(Object.keys(m.named), [...COCO_STAT_NAMES]);
    assert.deepEqual(
      m.perClass.map((c) => [c.categoryId, c.ap, c.ap50, c.apSmall]),
      direct.perClass.map((c) => [c.categoryId, c.ap, c.ap50, c.apSmall]),
    );
    // The curve at IoU .50 is evaluateCoco's precision50; the mean curve averages to AP.
    const car = m.perClass[0];
    assert.deepEqual(car.pr!.iou50, [...direct.perClass[0].precision50]);
    const meanOfCurve = car.pr!.mean.reduce((a, b) => a + b, 0) / car.pr!.mean.length;
    assert.ok(Math.abs(meanOfCurve - car.ap) < 1e-12, `${meanOfCurve} vs ${car.ap}`);
  }
  assert.ok(metrics.bbox.stats[0] > 0.3 && metrics.bbox.stats[0] < 1, "a non-trivial AP");
  // sky and road have no instances: no curves, n/a in the stats
  assert.equal(metrics.bbox.perClass[2].pr, null);
  assert.equal(metrics.latency, null);
});

Deno.test("JSON Lines results give the same stats as the equivalent COCO results JSON, plus latency", () => {
  const gt = groundTruth();
  const fromJsonl = evaluateReport({
    groundTruth: gt,
    groundTruthPath: "instances.json",
    results: parseResults(jsonLines(), "results.jsonl"),
  });
  const fromCoco = evaluateReport({
    groundTruth: gt,
    groundTruthPath: "instances.json",
    results: parseResults(JSON.stringify(cocoResults()), "results.json"),
  });
  assert.deepEqual(fromJsonl.bbox, fromCoco.bbox);
  assert.deepEqual(fromJsonl.segm, fromCoco.segm);
  assert.equal(fromJsonl.results.frames, 4);
  const inference = [0, 1, 2, 3].map((i) => latencyOf(i).inference);
  assert.equal(fromJsonl.latency!.stages.inference.mean, inference.reduce((a, b) => a + b) / 4);
  assert.equal(fromJsonl.latency!.stages.inference.max, Math.max(...inference));
  for (const key of ["wait", "inference", "totalMs"]) {
    const values = [0, 1, 2, 3].map((i) => latencyOf(i)[key]);
    assert.deepEqual(fromJsonl.latency!.stages[key], summarize(values), key);
  }
  assert.equal(
    fromJsonl.latency!.histograms.inference.reduce((n, b) => n + b.count, 0),
    4,
    "every frame in the histogram",
  );
});

Deno.test("the PQ of JSON Lines' panoptic segments is panopticQuality's on the same id maps, in one piece or in chunks", () => {
  const pan = panopticGroundTruth();
  const input = parseResults(jsonLines(), "results.jsonl");
  const direct = panopticQuality(
    pan.annotations.map(panopticFromRle),
    input.panoptic!.map((f) => panopticPrediction(f).prediction),
    pan.categories,
  );
  const base = {
    groundTruth: groundTruth(),
    groundTruthPath: "instances.json",
    results: input,
    panopticGroundTruth: pan,
    panopticGroundTruthPath: "panoptic.json",
  };
  const whole = evaluateReport(base).panoptic!;
  assert.deepEqual([whole.all, whole.things, whole.stuff], [
    direct.all,
    direct.things,
    direct.stuff,
  ]);
  assert.deepEqual(whole.perClass, direct.perClass);
  assert.ok(whole.stuff.pq > 0.9 && whole.stuff.pq < 1, "the sky is two rows off");
  // One image per chunk: the same counts, the same scores up to the order of additions.
  const chunked = evaluateReport({ ...base, panopticChunkPixels: 1 }).panoptic!;
  assert.deepEqual(
    chunked.perClass.map((c) => [c.tp, c.fp, c.fn]),
    direct.perClass.map((c) => [c.tp, c.fp, c.fn]),
  );
  for (const group of ["all", "things", "stuff"] as const) {
    assert.ok(Math.abs(chunked[group].pq - direct[group].pq) < 1e-12);
    assert.equal(chunked[group].n, direct[group].n);
  }
});

Deno.test("the console summary and report.md show the stats as evaluateCoco computes them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const gt = groundTruth();
    const metrics = evaluateReport({
      groundTruth: gt,
      groundTruthPath: "instances.json",
      results: parseResults(jsonLines(), "results.jsonl"),
      panopticGroundTruth: panopticGroundTruth(),
      panopticGroundTruthPath: "panoptic.json",
      title: "synthetic",
    });
    const written = await writeEvalReport(metrics, dir, { format: "svg" });
    const md = await Deno.readTextFile(`${dir}/report.md`);
    const summary = consoleSummary(metrics);
    const bbox = evaluateCoco(gt, cocoResults(), "bbox").stats;
    const segm = evaluateCoco(gt, cocoResults(), "segm").stats;
    const f = (v: number) => (v < 0 ? "n/a" : v.toFixed(3));
    for (const text of [md, summary]) {
      COCO_STAT_NAMES.forEach((name, i) => {
        const row = text.split("\n").find((l) => l.startsWith(`| ${name.padEnd(6)} |`));
        assert.ok(row, `a row for ${name}`);
        const cells = row.split("|").map((c) => c.trim());
        assert.deepEqual(cells.slice(-3, -1), [f(bbox[i]), f(segm[i])], name);
      });
      assert.match(text, /\| all +\| +\d\.\d{3} \|/);
      assert.match(text, /\| inference +\| +\d+\.\d \|/);
    }
    assert.match(md, /^# synthetic$/m);
    // the figures: SVG here, embedded, and the note that says why
    for (
      const name of ["ap_by_size", "ap_per_class", "pr_bbox", "pr_segm", "pq_per_class", "latency"]
    ) {
      assert.ok(md.includes(`](${name}.svg)`), `${name} embedded`);
      assert.ok((await Deno.readTextFile(`${dir}/${name}.svg`)).includes("<svg"), name);
    }
    assert.match(md, /Figures are SVG files, not PNG: SVG asked for/);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
    assert.deepEqual(json.bbox.stats, bbox);
    assert.deepEqual(json.segm.stats, segm);
    assert.equal(json.panoptic.all.pq, metrics.panoptic!.all.pq);
    assert.equal(json.chartFormat, "svg");
    assert.equal(written.files.length, 2 + 6);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("COCO results JSON has no latency: the report says so instead of drawing a histogram", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const metrics = evaluateReport({
      groundTruth: groundTruth(),
      groundTruthPath: "instances.json",
      results: parseResults(JSON.stringify(cocoResults()), "results.json"),
    });
    assert.ok(!reportFigures(metrics).some((f) => f.name === "latency"));
    await writeEvalReport(metrics, dir, { format: "svg" });
    const md = await Deno.readTextFile(`${dir}/report.md`);
    assert.match(md, /No latency: COCO results JSON carries no timings/);
    assert.match(consoleSummary(metrics), /Latency: none in COCO results JSON/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The report of the synthetic JSON Lines, with PQ. */
function syntheticMetrics() {
  return evaluateReport({
    groundTruth: groundTruth(),
    groundTruthPath: "instances.json",
    results: parseResults(jsonLines(), "results.jsonl"),
    panopticGroundTruth: panopticGroundTruth(),
    panopticGroundTruthPath: "panoptic.json",
  });
}

Deno.test("the report's figures are PNG files at twice the size of their SVG, embedded in report.md", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A stale SVG of a previous run goes.
    await Deno.writeTextFile(`${dir}/latency.svg`, "<svg/>");
    const metrics = syntheticMetrics();
    const written = await writeEvalReport(metrics, dir);
    assert.equal(written.charts.format, "png", written.charts.reason ?? "");
    const md = await Deno.readTextFile(`${dir}/report.md`);
    assert.doesNotMatch(md, /SVG files, not PNG/);
    const figures = reportFigures(metrics);
    assert.deepEqual(figures.map((f) => f.name), [
      "ap_by_size",
      "ap_per_class",
      "pr_bbox",
      "pr_segm",
      "pq_per_class",
      "latency",
    ]);
    for (const figure of figures) {
      const bytes = await Deno.readFile(`${dir}/${figure.name}.png`);
      assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], figure.name);
      assert.ok(bytes.length > 10_000, `${figure.name}: ${bytes.length} bytes`);
      const svg = await chartSvg(figure.spec);
      const [, w, h] = svg.match(/<svg[^>]* width="(\d+)" height="(\d+)"/)!;
      assert.ok(Number(w) >= 400 && Number(h) >= 300, `${figure.name}: ${w}×${h}`);
      assert.deepEqual(
        pngSize(bytes),
        { width: 2 * Number(w), height: 2 * Number(h) },
        figure.name,
      );
      assert.ok(md.includes(`![${figure.title}](${figure.name}.png)`), `${figure.name} embedded`);
    }
    await assert.rejects(Deno.stat(`${dir}/latency.svg`), Deno.errors.NotFound);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
    assert.equal(json.chartFormat, "png");
    assert.deepEqual(json.figures[0], { file: "ap_by_size.png", title: "AP by object size" });
    // Written atomically: no temporary file is left.
    assert.deepEqual([...Deno.readDirSync(dir)].filter((e) => e.name.startsWith(".")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Pixels darker than light grey in rows [y0, y1) of an RGBA image: count and x extent. */
function darkPixels(image: { width: number; pixels: Uint8Array }, y0: number, y1: number) {
  let count = 0, left = Infinity, right = -Infinity;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = (y * image.width + x) * 4;
      const { pixels: p } = image;
      if (0.299 * p[i] + 0.587 * p[i + 1] + 0.114 * p[i + 2] < 128) {
        count++;
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  return { count, width: right - left + 1 };
}

Deno.test("a figure's title is drawn in the bundled font, as wide as vega measured it", async () => {
  const figure = reportFigures(syntheticMetrics()).find((f) => f.name === "ap_by_size")!;
  const svg = await chartSvg(figure.spec);
  assert.match(svg, new RegExp(`font-family="${CHART_FONT_FAMILY}"[^>]*>AP by object size</text>`));
  const render = await pngRenderer(2);
  const image = render(svg);
  // The title is alone in the top 37 pixels: padding 16, 17-pixel bold text and its
  // descenders; the subtitle's letters start under them.
  const title = darkPixels(image, 0, 2 * 37);
  assert.ok(title.count > 500, `${title.count} glyph pixels in the title band`);
  const measured = 2 * (await chartTextWidth())("AP by object size", 17, true);
  assert.ok(
    Math.abs(title.width - measured) < 0.06 * measured,
    `title ink ${title.width} px wide, measured ${measured.toFixed(1)} px`,
  );
  // Without the font no glyph is drawn: the check above would fail if the font were lost.
  const { Resvg } = await loadResvg();
  const bare = new Resvg(svg, JSON.stringify({ font: { loadSystemFonts: false } })).render();
  const pixels = new Uint8Array(bare.pixels.buffer, bare.pixels.byteOffset, bare.pixels.length);
  assert.equal(darkPixels({ width: bare.width, pixels }, 0, 40).count, 0);
});

Deno.test("--only-result-images evaluates COCO results on the images they cover, as evaluateCoco with imageIds", () => {
  const gt = groundTruth();
  const results = cocoResults().filter((r) => r.image_id <= 2);
  const input = parseResults(JSON.stringify(results), "results.json");
  const all = evaluateReport({ groundTruth: gt, groundTruthPath: "gt.json", results: input });
  const covered = evaluateReport({
    groundTruth: gt,
    groundTruthPath: "gt.json",
    results: input,
    onlyResultImages: true,
  });
  assert.equal(all.evaluatedImages, 4);
  assert.deepEqual(all.bbox.stats, evaluateCoco(gt, results, "bbox").stats);
  assert.equal(covered.evaluatedImages, 2);
  assert.deepEqual(
    covered.bbox.stats,
    evaluateCoco(gt, results, "bbox", { imageIds: [1, 2] }).stats,
  );
  assert.ok(covered.bbox.stats[8] > all.bbox.stats[8], "recall no longer counts images 3 and 4");
  assert.match(
    covered.notes.join("\n"),
    /evaluated 2 of the 4 images of the ground truth: those with results/,
  );
});

Deno.test("JSON Lines of another video (frame size) or of a looped stream (a frame twice) are refused with the line named", () => {
  const gt = groundTruth();
  const other = jsonLines({ panoptic: false }).trimEnd().split("\n").map((line) => {
    const m = JSON.parse(line);
    m.width = 320;
    for (const d of m.detections) delete d.mask;
    return JSON.stringify(m);
  }).join("\n");
  assert.throws(
    () => checkResultsMatch(gt, "gt.json", parseResults(other, "other.jsonl")),
    /other\.jsonl: frame 0 is 320×120, but image 1 of gt\.json is 160×120/,
  );
  const lines = jsonLines().trimEnd().split("\n");
  assert.throws(
    () => parseResults([...lines, lines[1]].join("\n"), "looped.jsonl"),
    /looped\.jsonl:5: frame 1 of stream "cam" appears again \(first on line 2\)/,
  );
});
