/**
 * `deno task eval`: scores detections against a COCO ground truth and writes a report
 * folder. The detections are a COCO results JSON array or the JSON Lines of a pipeline
 * run (one result message per frame, image id = frame + 1); a COCO panoptic ground truth
 * with RLE segments adds Panoptic Quality, a MOTChallenge ground truth the MOT metrics of a
 * tracked stream's JSON Lines. It prints the COCO stats (bbox, and segm when
 * every result has a mask), keypoint AP and PCK (when every result has keypoints), AP per class, PQ / SQ / RQ and the latency per stage, and
 * writes `report.md`, `metrics.json` and PNG charts (SVG when the PNG renderer cannot load).
 *
 * ```sh
 * deno task eval --gt models/demo/instances.json --results out/results.jsonl \
 *   --panoptic-gt models/demo/panoptic.json --out eval-report
 * ```
 *
 * Exit codes: 0 done, 1 an input file is missing, malformed or does not match the ground
 * truth (the message names it), 2 bad flags.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { consoleSummary, evaluateReport, writeEvalReport } from "./report/mod.ts";
import { parseMotText } from "./eval/mot_text.ts";
import {
  checkGroundTruth,
  checkPanopticGroundTruth,
  checkResultsMatch,
  EvalInputError,
  readJsonFile,
  readResults,
  readText,
} from "./report/results_input.ts";

const USAGE = `usage: deno task eval --gt FILE --results FILE [options]

  --gt FILE             COCO ground truth (instances JSON: images, annotations, categories)
  --results FILE        detections: a COCO results JSON array [{image_id, category_id, bbox, score,
                        segmentation?}], or JSON Lines of result messages (image id = frame + 1)
  --panoptic-gt FILE    COCO panoptic ground truth with RLE segments: PQ of the JSON Lines'
                        panoptic segments
  --mot-gt FILE         MOT ground truth (MOTChallenge gt.txt: frame,id,x,y,w,h,conf,...; rows with
                        conf 0 are ignored): HOTA, CLEAR and IDF1 of the JSON Lines' tracks
                        (frame number = frame + 1)
  --kpt-oks-sigmas LIST keypoints: OKS sigmas, one per keypoint, comma-separated (default: COCO's 17);
                        with keypoint results and a keypoint ground truth the report adds keypoint AP
                        (OKS) and PCK at α 0.05, 0.1, 0.15, 0.2 of max(w, h) of the person's box
  --out DIR             report folder (default: eval-report/)
  --title TEXT          report title (default: "Evaluation of <results file>")
  --stream ID           JSON Lines with several streams: the one to evaluate
  --only-result-images  COCO JSON: evaluate only the images that have results (default: every
                        image of the ground truth, as pycocotools)
  --svg                 write the charts as SVG, not PNG
  --help                this text

exit codes: 0 done, 1 an input file is missing, malformed or does not match the ground truth,
2 bad flags`;

/** Where {@link main} writes (the console by default). */
export interface CliOutput {
  /** Normal output: the tables, the files written. */
  log: (line: string) => void;
  /** Errors and usage. */
  error: (line: string) => void;
}

/**
 * Runs `deno task eval` with `args`; resolves with the exit code.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await main(["--gt", "models/demo/instances.json", "--results", "results.json"]));
 * ```
 */
export async function main(
  args: string[],
  output: CliOutput = { log: console.log, error: console.error },
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        gt: { type: "string" },
        results: { type: "string" },
        "panoptic-gt": { type: "string" },
        "mot-gt": { type: "string" },
        "kpt-oks-sigmas": { type: "string" },
        out: { type: "string", default: "eval-report" },
        title: { type: "string" },
        stream: { type: "string" },
        "only-result-images": { type: "boolean" },
        svg: { type: "boolean" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    output.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    output.log(USAGE);
    return 0;
  }
  const missing = (["gt", "results"] as const).filter((k) => !values[k]);
  if (missing.length > 0) {
    output.error(`error: missing ${missing.map((k) => `--${k} FILE`).join(" and ")}\n\n${USAGE}`);
    return 2;
  }
  if (values.out === "") {
    output.error(`error: --out: expected a folder, found ""\n\n${USAGE}`);
    return 2;
  }
  let kptOksSigmas: number[] | undefined;
  if (values["kpt-oks-sigmas"] !== undefined) {
    const text = values["kpt-oks-sigmas"];
    kptOksSigmas = text.split(",").map((v) => Number(v.trim()));
    if (text.trim() === "" || kptOksSigmas.some((v) => !Number.isFinite(v) || v <= 0)) {
      output.error(
        `error: --kpt-oks-sigmas: expected positive numbers separated by commas, found "${text}"\n\n${USAGE}`,
      );
      return 2;
    }
  }
  const gtPath = values.gt!, resultsPath = values.results!, panPath = values["panoptic-gt"];
  try {
    const groundTruth = checkGroundTruth(
      await readJsonFile(gtPath, "a COCO ground truth {images, annotations, categories}"),
      gtPath,
    );
    const results = await readResults(resultsPath, { stream: values.stream });
    checkResultsMatch(groundTruth, gtPath, results);
    const panoptic = panPath === undefined ? undefined : checkPanopticGroundTruth(
      await readJsonFile(panPath, "a COCO panoptic ground truth with RLE segments"),
      panPath,
    );
    const motPath = values["mot-gt"];
    const motGroundTruth = motPath === undefined
      ? undefined
      : parseMotText(await readText(motPath, "a MOTChallenge gt.txt"), motPath);
    const metrics = evaluateReport({
      groundTruth,
      groundTruthPath: gtPath,
      results,
      panopticGroundTruth: panoptic,
      panopticGroundTruthPath: panPath,
      motGroundTruth,
      motGroundTruthPath: motPath,
      title: values.title,
      onlyResultImages: values["only-result-images"],
      ...(kptOksSigmas ? { kptOksSigmas } : {}),
    });
    output.log(consoleSummary(metrics));
    const written = await writeEvalReport(metrics, values.out, {
      format: values.svg ? "svg" : "auto",
    });
    output.log("");
    output.log(`report: ${written.outDir}`);
    for (const file of written.files) output.log(`  ${file}`);
    if (written.charts.reason) {
      output.log(`charts written as SVG, not PNG: ${written.charts.reason}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof EvalInputError) {
      output.error(`error: ${error.message}`);
      return 1;
    }
    if (
      error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.AlreadyExists || error instanceof Deno.errors.NotADirectory
    ) {
      output.error(`error: cannot write the report to ${values.out}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
