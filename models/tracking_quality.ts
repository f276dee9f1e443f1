/**
 * Measures tracking on the held-out demo video: runs `detect --track` (the pipeline, the
 * shipped model, ByteTrack, the line and zone of `pipelines/demo.json`) over
 * `models/demo/street.mp4`, scores the tracks against `models/demo/gt/gt.txt` with
 * `evaluateTracking` (TrackEval's HOTA, CLEAR, Identity), and compares the line crossings
 * and zone entries with the true ones of `models/demo/gt/counts.json`.
 *
 * ```sh
 * deno task tracking-quality                        # models/street-maskrcnn, score 0.1
 * deno task tracking-quality --score 0.5 --json out.json
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { runDetect } from "../src/batch/detect_job.ts";
import { parseAnalyticsFile } from "../src/batch/analytics_file.ts";
import { evaluateTracking } from "../src/eval/evaluate_tracking.ts";
import { parseMotText } from "../src/eval/mot_text.ts";
import { parseJsonLines } from "../src/report/jsonl_results.ts";
import { resolveFfmpeg } from "../src/video/ffmpeg_binary.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** What {@link trackingQuality} measured. */
export interface TrackingQuality {
  model: string;
  scoreThreshold: number;
  hota: number;
  deta: number;
  assa: number;
  idf1: number;
  mota: number;
  idsw: number;
  frag: number;
  /** Per line direction and per zone: measured, true, and the relative error. */
  counts: { what: string; measured: number; truth: number; error: number }[];
}

/** Tracks the demo video with `model` and scores it (see the module doc). */
export async function trackingQuality(
  model = `${ROOT}models/street-maskrcnn`,
  scoreThreshold = 0.1,
): Promise<TrackingQuality> {
  const demo = JSON.parse(await Deno.readTextFile(`${ROOT}pipelines/demo.json`));
  const { lines, zones } = demo.streams[0];
  const analytics = parseAnalyticsFile({ lines, zones }, "pipelines/demo.json: streams[0]");
  const out = await Deno.makeTempDir({ prefix: "tracking_quality_" });
  try {
    const [outcome] = await runDetect({
      inputs: [`${ROOT}models/demo/street.mp4`],
      manifest: `${model}/manifest.json`,
      outDir: out,
      formats: ["jsonl"],
      track: true,
      analytics,
      postprocess: { scoreThreshold },
    }, await resolveFfmpeg({ env: Deno.env.toObject() }));
    if (outcome.status !== "done") throw new Error(`detect: ${outcome.status}: ${outcome.error}`);
    const results = parseJsonLines(await Deno.readTextFile(`${out}/street.jsonl`), "street.jsonl");
    const gtPath = `${ROOT}models/demo/gt/gt.txt`;
    const truth = parseMotText(await Deno.readTextFile(gtPath), gtPath);
    const m = evaluateTracking(truth, results.tracks ?? [], { frames: 300 });
    const measured = JSON.parse(await Deno.readTextFile(`${out}/street.counts.json`)).counts;
    const expected = JSON.parse(await Deno.readTextFile(`${ROOT}models/demo/gt/counts.json`))
      .nonCrowd;
    const row = (what: string, got: number, want: number) => ({
      what,
      measured: got,
      truth: want,
      error: want === 0 ? (got === 0 ? 0 : Infinity) : Math.abs(got - want) / want,
    });
    const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    return {
      model,
      scoreThreshold,
      hota: m.hota,
      deta: m.deta,
      assa: m.assa,
      idf1: m.idf1,
      mota: m.mota,
      idsw: m.idsw,
      frag: m.frag,
      counts: [
        row(`line ${lines[0].name} in`, measured.lines[0].totalIn, expected.line.in),
        row(`line ${lines[0].name} out`, measured.lines[0].totalOut, expected.line.out),
        row(`zone ${zones[0].name} entries`, sum(measured.zones[0].entered), expected.zone.entries),
      ],
    };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      model: { type: "string", default: `${ROOT}models/street-maskrcnn` },
      score: { type: "string", default: "0.1" },
      json: { type: "string" },
    },
  });
  const q = await trackingQuality(values.model, Number(values.score));
  const f = (v: number) => v.toFixed(3);
  console.log(`model ${q.model}, score threshold ${q.scoreThreshold}`);
  console.log(
    `HOTA ${f(q.hota)} (DetA ${f(q.deta)}, AssA ${f(q.assa)}), IDF1 ${f(q.idf1)}, MOTA ${
      f(q.mota)
    }, IDSW ${q.idsw}, Frag ${q.frag}`,
  );
  for (const c of q.counts) {
    console.log(
      `${c.what}: ${c.measured} (true ${c.truth}, off by ${(c.error * 100).toFixed(1)}%)`,
    );
  }
  if (values.json) await Deno.writeTextFile(values.json, JSON.stringify(q, null, 2) + "\n");
}
