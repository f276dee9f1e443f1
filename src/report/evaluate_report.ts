/**
 * The numbers of the evaluation report: COCO box (and mask) AP with `evaluateCoco`,
 * Panoptic Quality with `panopticQuality` (in groups of images, summed with
 * `combinePanoptic`), MOT metrics of tracked JSON Lines with `evaluateTracking` (HOTA,
 * CLEAR, Identity), latency statistics of a pipeline run, gathered in one JSON-able
 * {@link EvalMetrics} (what `metrics.json` holds).
 *
 * @module
 */

import { evaluateCoco } from "../eval/coco_eval.ts";
import { COCO_RECALL_THRESHOLDS } from "../eval/coco_params.ts";
import type { CocoGroundTruth, CocoIouType } from "../eval/coco_types.ts";
import { combinePanoptic } from "../eval/panoptic_combine.ts";
import { panopticQuality } from "../eval/panoptic_quality.ts";
import { panopticCategories, panopticFromRle, type PanopticRleJson } from "../eval/panoptic_rle.ts";
import type {
  PanopticGroundTruth,
  PanopticPrediction,
  PanopticQualityClass,
  PanopticQualityReport,
  PanopticQualityScores,
} from "../eval/panoptic_types.ts";
import { EvalInputError } from "../errors.ts";
import { evaluateTracking } from "../eval/evaluate_tracking.ts";
import type { TrackingFrame } from "../eval/mot_types.ts";
import type { TruePositiveLevels } from "../eval/coco_levels.ts";
import { levelMetrics } from "./level_tables.ts";
import { type IouTypeMetrics, iouTypeMetrics } from "./iou_type_metrics.ts";
import { type KeypointMetrics, keypointMetrics } from "./keypoint_metrics.ts";
import { type LatencyMetrics, latencyMetrics } from "./latency_metrics.ts";
import { LATENCY_KEYS, panopticPrediction, type ResultsInput } from "./results_input.ts";

/** What {@link evaluateReport} reads. */
export interface EvalReportInput {
  /** The COCO ground truth. */
  groundTruth: CocoGroundTruth;
  /** Its file, for messages and the report. */
  groundTruthPath: string;
  /** The detections (see `readResults`), checked against the ground truth. */
  results: ResultsInput;
  /** A COCO panoptic ground truth with RLE segments: PQ of the JSON Lines' segments. */
  panopticGroundTruth?: PanopticRleJson;
  /** Its file. */
  panopticGroundTruthPath?: string;
  /** The report's title (default: "Evaluation of <results file>"). */
  title?: string;
  /**
   * COCO results JSON: evaluate only the images that have results, instead of every
   * image of the ground truth (pycocotools' default). JSON Lines results are always
   * evaluated on their frames, those without detections included.
   */
  onlyResultImages?: boolean;
  /** PQ is computed in groups of images of at most this many pixels (default 2²⁷). */
  panopticChunkPixels?: number;
  /** MOT ground truth (e.g. a MOTChallenge gt.txt): MOT metrics of the JSON Lines' tracks. */
  motGroundTruth?: TrackingFrame[];
  /** Its file. */
  motGroundTruthPath?: string;
  /** OKS sigmas of keypoint AP and PCK's matching, one per keypoint (default: COCO's 17). */
  kptOksSigmas?: number[];
}

/** The report's tracking numbers (TrackEval's HOTA, CLEAR and Identity). */
export interface TrackingReport {
  /** The MOT ground truth's file. */
  path: string;
  /** Frames evaluated (timesteps). */
  frames: number;
  /** Distinct ids in the ground truth and in the results. */
  groundTruthIds: number;
  resultIds: number;
  hota: number;
  deta: number;
  assa: number;
  loca: number;
  detre: number;
  detpr: number;
  assre: number;
  asspr: number;
  /** HOTA at α = 0.05, 0.10 … 0.95. */
  hotaAlpha: number[];
  mota: number;
  motp: number;
  idsw: number;
  frag: number;
  mt: number;
  pt: number;
  ml: number;
  clrTp: number;
  clrFn: number;
  clrFp: number;
  idf1: number;
  idr: number;
  idp: number;
}

/** The report's Panoptic Quality numbers. */
export interface PanopticMetrics {
  /** The panoptic ground truth's file. */
  path: string;
  /** Images evaluated. */
  images: number;
  /** PQ / SQ / RQ over all classes. */
  all: PanopticQualityScores;
  /** Over thing classes. */
  things: PanopticQualityScores;
  /** Over stuff classes. */
  stuff: PanopticQualityScores;
  /** Per class, counts included. */
  perClass: PanopticQualityClass[];
  /** Predicted segments dropped for having no pixel left on the id map. */
  emptySegments: number;
}

/** Everything the report says, as written to `metrics.json` (`NaN` is written `null`). */
export interface EvalMetrics {
  /** The report's title. */
  title: string;
  /** The COCO ground truth: its file and sizes. */
  groundTruth: { path: string; images: number; annotations: number; categories: number };
  /** The results file: format, stream, counts. */
  results: {
    path: string;
    format: "coco" | "jsonl";
    streamId?: string;
    /** JSON Lines: the frames read. */
    frames?: number;
    detections: number;
    withMasks: number;
    withKeypoints: number;
  };
  /** Image ids evaluated. */
  evaluatedImages: number;
  /** The recall points of the curves. */
  recallThresholds: number[];
  /** Box AP. */
  bbox: IouTypeMetrics;
  /** Mask AP, when every result has a mask. */
  segm: IouTypeMetrics | null;
  /** Keypoint AP (OKS) and PCK, when every result has keypoints and the ground truth has
   * keypoints. */
  keypoints: KeypointMetrics | null;
  /** True positives by object size and pyramid level (boxes, IoU 0.5), when results carry `level`. */
  levels: TruePositiveLevels | null;
  /** PQ / SQ / RQ, when a panoptic ground truth was given. */
  panoptic: PanopticMetrics | null;
  /** JSON Lines only: per latency key (stages, `totalMs`). */
  latency: LatencyMetrics | null;
  /** MOT metrics, when a MOT ground truth was given. */
  tracking: TrackingReport | null;
  /** Things worth knowing about the inputs and the evaluation. */
  notes: string[];
}

/**
 * Evaluates results against the ground truth(s): box AP, mask AP when every result has a
 * mask, PQ when a panoptic ground truth is given, latency statistics of JSON Lines.
 * Results that do not fit the ground truth (checked beforehand with `checkResultsMatch`)
 * make `evaluateCoco` / `panopticQuality` throw; those errors come back as
 * `EvalInputError`s naming both files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateCoco } from "../eval/coco_eval.ts";
 * import { parseResults } from "./results_input.ts";
 * const groundTruth = {
 *   images: [{ id: 1, width: 100, height: 100 }],
 *   categories: [{ id: 1, name: "car" }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, area: 400, iscrowd: 0, bbox: [10, 10, 20, 20] }],
 * };
 * const raw = [{ image_id: 1, category_id: 1, score: 0.9, bbox: [10, 10, 20, 20] }];
 * const metrics = evaluateReport({
 *   groundTruth,
 *   groundTruthPath: "gt.json",
 *   results: parseResults(JSON.stringify(raw), "r.json"),
 * });
 * assert.deepEqual(metrics.bbox.stats, evaluateCoco(groundTruth, raw, "bbox").stats);
 * assert.equal(metrics.segm, null);
 * assert.equal(metrics.latency, null);
 * ```
 */
export function evaluateReport(input: EvalReportInput): EvalMetrics {
  const { groundTruth, results } = input;
  const notes = [...results.notes];
  const imageIds = results.format === "jsonl" || input.onlyResultImages
    ? results.imageIds
    : undefined;
  if (imageIds && imageIds.length < groundTruth.images.length) {
    notes.push(
      `evaluated ${imageIds.length} of the ${groundTruth.images.length} images of the ground truth: ${
        results.format === "jsonl" ? "the frames in the results" : "those with results"
      }`,
    );
  }
  const evaluate = (iouType: CocoIouType) =>
    asInputError(
      () => evaluateCoco(groundTruth, results.results, iouType, imageIds ? { imageIds } : {}),
      `${results.path} against ${input.groundTruthPath} (${iouType})`,
    );
  const bbox = iouTypeMetrics(evaluate("bbox"));
  const n = results.results.length;
  let segm: IouTypeMetrics | null = null;
  if (n > 0 && results.withMasks === n) segm = iouTypeMetrics(evaluate("segm"));
  else if (results.withMasks > 0) {
    notes.push(`only ${results.withMasks} of ${n} results have a mask: no mask AP`);
  }
  const withKeypoints = results.withKeypoints ?? 0;
  const truthKeypoints = groundTruth.annotations.some((a) => (a.num_keypoints ?? 0) > 0);
  let keypoints: KeypointMetrics | null = null;
  if (n > 0 && withKeypoints === n && truthKeypoints) {
    keypoints = asInputError(
      () =>
        keypointMetrics(groundTruth, results.results, {
          ...(imageIds ? { imageIds } : {}),
          ...(input.kptOksSigmas ? { kptOksSigmas: input.kptOksSigmas } : {}),
        }),
      `${results.path} against ${input.groundTruthPath} (keypoints)`,
    );
  } else if (withKeypoints > 0) {
    notes.push(
      truthKeypoints
        ? `only ${withKeypoints} of ${n} results have keypoints: no keypoint AP or PCK`
        : `the results have keypoints but ${input.groundTruthPath} has no labelled keypoints: no keypoint AP or PCK`,
    );
  }
  const levelOutcome = levelMetrics(groundTruth, input.groundTruthPath, results, imageIds);
  notes.push(...levelOutcome.notes);
  let panoptic: PanopticMetrics | null = null;
  if (input.panopticGroundTruth) {
    panoptic = panopticMetrics(
      input.panopticGroundTruth,
      input.panopticGroundTruthPath ?? "panoptic ground truth",
      results,
      input.panopticChunkPixels ?? 2 ** 27,
    );
    if (panoptic.emptySegments > 0) {
      notes.push(
        `${panoptic.emptySegments} predicted panoptic segment(s) covered no pixel and were left out of PQ`,
      );
    }
  }
  const tracking = input.motGroundTruth
    ? trackingReport(input.motGroundTruth, input.motGroundTruthPath ?? "MOT ground truth", results)
    : null;
  return {
    title: input.title ?? `Evaluation of ${results.path}`,
    groundTruth: {
      path: input.groundTruthPath,
      images: groundTruth.images.length,
      annotations: groundTruth.annotations.length,
      categories: groundTruth.categories.length,
    },
    results: {
      path: results.path,
      format: results.format,
      ...(results.streamId === undefined ? {} : { streamId: results.streamId }),
      ...(results.format === "jsonl" ? { frames: results.imageIds.length } : {}),
      detections: n,
      withMasks: results.withMasks,
      withKeypoints,
    },
    evaluatedImages: imageIds?.length ?? groundTruth.images.length,
    recallThresholds: [...COCO_RECALL_THRESHOLDS],
    bbox,
    segm,
    keypoints,
    levels: levelOutcome.levels,
    panoptic,
    latency: results.latency
      ? latencyMetrics(results.latency, LATENCY_KEYS, results.imageIds.length)
      : null,
    tracking,
    notes,
  };
}

/** MOT metrics of the results' tracks against a MOT ground truth, on the frames of the
 * results (ground truth past the last frame read is left out). */
function trackingReport(
  groundTruth: TrackingFrame[],
  path: string,
  results: ResultsInput,
): TrackingReport {
  if (!results.tracks) {
    throw new EvalInputError(
      `--mot-gt ${path} needs JSON Lines results of a tracked stream (detections with trackId); ${results.path} has none (run the stream with "tracking": true, or detect --track)`,
    );
  }
  const frames = results.tracks.reduce((m, f) => Math.max(m, f.frame), 0);
  const truth = groundTruth.filter((f) => f.frame <= frames);
  const m = asInputError(
    () => evaluateTracking(truth, results.tracks!, { frames }),
    `${results.path} (tracks) against ${path}`,
  );
  const ids = (list: readonly TrackingFrame[]) => new Set(list.flatMap((f) => [...f.ids])).size;
  return {
    path,
    frames,
    groundTruthIds: ids(truth),
    resultIds: ids(results.tracks),
    ...m,
    hotaAlpha: [...m.hotaAlpha],
  };
}

/** `run()`, its TypeError or RangeError (bad input reached the evaluation) as an EvalInputError. */
function asInputError<T>(run: () => T, where: string): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new EvalInputError(`${where}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** PQ of the JSON Lines' panoptic segments, in groups of at most `chunkPixels` pixels. */
function panopticMetrics(
  pan: PanopticRleJson,
  panPath: string,
  results: ResultsInput,
  chunkPixels: number,
): PanopticMetrics {
  if (results.format !== "jsonl") {
    throw new EvalInputError(
      `--panoptic-gt ${panPath} needs JSON Lines results with panoptic segments; ${results.path} is COCO results JSON`,
    );
  }
  const frames = results.panoptic ?? [];
  if (frames.length === 0) {
    throw new EvalInputError(
      `${results.path}: expected result messages with panoptic segments for --panoptic-gt ${panPath}, found none (write them with deno task detect --panoptic, the JSON Lines sink, or a subscription with panoptic: true)`,
    );
  }
  const byImage = new Map(pan.annotations.map((a) => [a.image_id, a]));
  const missing = frames.filter((f) => !byImage.has(f.imageId)).map((f) => f.imageId);
  if (missing.length > 0) {
    throw new EvalInputError(
      `${results.path}: panoptic segments for image ids not in ${panPath}: ${
        missing.slice(0, 10).join(", ")
      }${
        missing.length > 10 ? ` and ${missing.length - 10} more` : ""
      } (image id = frame + 1); expected ids of its ${pan.annotations.length} annotations`,
    );
  }
  const reports: PanopticQualityReport[] = [];
  let emptySegments = 0;
  for (let start = 0; start < frames.length;) {
    const truths: PanopticGroundTruth[] = [];
    const predictions: PanopticPrediction[] = [];
    let pixels = 0;
    let end = start;
    while (end < frames.length && (end === start || pixels < chunkPixels)) {
      const frame = frames[end++];
      pixels += frame.height * frame.width;
      const { prediction, empty } = panopticPrediction(frame);
      emptySegments += empty.length;
      predictions.push(prediction);
      try {
        truths.push(panopticFromRle(byImage.get(frame.imageId)!));
      } catch (error) {
        throw new EvalInputError(`${panPath}: ${(error as Error).message}`, { cause: error });
      }
    }
    reports.push(asInputError(
      () => panopticQuality(truths, predictions, panopticCategories(pan.categories)),
      `${results.path} (panoptic segments) against ${panPath}`,
    ));
    start = end;
  }
  const report = combinePanoptic(reports);
  return {
    path: panPath,
    images: frames.length,
    all: report.all,
    things: report.things,
    stuff: report.stuff,
    perClass: report.perClass,
    emptySegments,
  };
}
