/**
 * The inputs of `deno task eval`, read and checked: a COCO ground truth, detections as a
 * COCO results JSON array or as JSON Lines of result messages (versions 1 and 2, what the
 * JSON Lines sink writes: see `jsonl_results.ts`), and optionally a COCO panoptic ground
 * truth whose segments carry RLE masks. The files are checked with their wire schemas
 * (`src/wire/coco.ts`, `src/wire/panoptic.ts`, `src/wire/result_message.ts`); every fault
 * is an {@link EvalInputError} whose message names the file (and line), the field, what
 * was expected and what was found: `gt.json: annotations[3].area: expected a number,
 * found nothing`.
 *
 * @module
 */

import type { TrackingFrame } from "../eval/mot_types.ts";
import { EvalInputError, type FieldIssue } from "../errors.ts";
import {
  type CocoGroundTruth,
  CocoGroundTruthSchema,
  type CocoResult,
  CocoResultsSchema,
} from "../wire/coco.ts";
import { formatIssue } from "../wire/issues.ts";
import { type PanopticRleJson, PanopticRleJsonSchema } from "../wire/panoptic.ts";
import { parseWire } from "../wire/parse.ts";
import { type PanopticFrame, parseJsonLines } from "./jsonl_results.ts";

export { EvalInputError };
export { LATENCY_KEYS, type PanopticFrame, panopticPrediction } from "./jsonl_results.ts";

/** Detections (and, from JSON Lines, timings and panoptic segments) read from a file. */
export interface ResultsInput {
  /** The file. */
  path: string;
  /** `"coco"`: a COCO results JSON array; `"jsonl"`: result messages, one per line. */
  format: "coco" | "jsonl";
  /** The detections in the COCO results format. */
  results: CocoResult[];
  /**
   * The images the results cover, increasing: every frame's (+ 1) for JSON Lines, frames
   * without detections included; the ids that appear for COCO JSON.
   */
  imageIds: number[];
  /** Results with a `segmentation` (mask). */
  withMasks: number;
  /** Results with `keypoints` (`[x, y, score] × K`). */
  withKeypoints?: number;
  /** Results with a pyramid `level` (single-stage models: FCOS, RetinaNet, SOLOv2). */
  withLevels?: number;
  /** JSON Lines: the stream read. */
  streamId?: string;
  /** JSON Lines: `[width, height]` of each frame, by image id. */
  frameSizes?: Map<number, [number, number]>;
  /** JSON Lines: per latency key (see {@link LATENCY_KEYS}), one value per frame. */
  latency?: Record<string, number[]>;
  /** JSON Lines: the frames that carry panoptic segments. */
  panoptic?: PanopticFrame[];
  /** JSON Lines of a tracked stream: every frame's tracked detections (frame = the
   * stream's frame + 1, as MOTChallenge numbers them), frames without one included. */
  tracks?: TrackingFrame[];
  /** Things worth saying about the input (skipped messages...). */
  notes: string[];
}

/** Options of {@link parseResults}. */
export interface ParseResultsOptions {
  /** JSON Lines: the stream to read when the file holds several. */
  stream?: string;
}

/**
 * Reads a JSON file; a missing file or invalid JSON is an {@link EvalInputError} that
 * says which file and what it should hold.
 *
 * @example
 * ```ts ignore
 * const gt = await readJsonFile("models/demo/instances.json", "a COCO ground truth");
 * ```
 */
export async function readJsonFile(path: string, expected: string): Promise<unknown> {
  return parseJson(await readText(path, expected), path, expected);
}

/**
 * Reads a text file; a missing or unreadable file is an {@link EvalInputError}.
 *
 * @example
 * ```ts ignore
 * const text = await readText("results.jsonl", "detection results");
 * ```
 */
export async function readText(path: string, expected: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Deno.errors.IsADirectory
      ? "a directory, not a file"
      : (error as Error).message;
    throw new EvalInputError(`${path}: cannot read it (${why}); expected ${expected}`, {
      cause: error,
    });
  }
}

function parseJson(text: string, path: string, expected: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EvalInputError(
      `${path}: not valid JSON (${(error as Error).message}); expected ${expected}`,
      { cause: error },
    );
  }
}

/**
 * Checks that a parsed value is a COCO ground truth (`CocoGroundTruthSchema`: images,
 * annotations and categories with their fields, unique ids; fields of other tools such
 * as `info` or `supercategory` allowed) and returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const gt = checkGroundTruth({ images: [{ id: 1 }], annotations: [], categories: [{ id: 1 }] }, "gt.json");
 * assert.equal(gt.images.length, 1);
 * assert.throws(() => checkGroundTruth([], "gt.json"), /gt.json: expected a COCO ground truth/);
 * assert.throws(
 *   () => checkGroundTruth({ images: [{ id: "1" }], annotations: [], categories: [] }, "gt.json"),
 *   { message: 'gt.json: images[0].id: expected an integer, found the string "1"' },
 * );
 * ```
 */
export function checkGroundTruth(value: unknown, path: string): CocoGroundTruth {
  return parseWire(CocoGroundTruthSchema, value, path, EvalInputError);
}

/**
 * Checks that a parsed value is a COCO panoptic ground truth whose segments carry RLE
 * masks (`PanopticRleJsonSchema`: `{images, categories: [{id, name, isthing}],
 * annotations: [{image_id, segments_info: [{id, category_id, segmentation: {size,
 * counts}}]}]}`) and returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const pan = checkPanopticGroundTruth({ images: [], categories: [{ id: 1, name: "car", isthing: 1 }], annotations: [] }, "pan.json");
 * assert.equal(pan.categories.length, 1);
 * assert.throws(
 *   () => checkPanopticGroundTruth({ images: [], categories: [], annotations: [{ image_id: 1 }] }, "pan.json"),
 *   { message: "pan.json: annotations[0].segments_info: expected an array, found nothing" },
 * );
 * ```
 */
export function checkPanopticGroundTruth(value: unknown, path: string): PanopticRleJson {
  return parseWire(PanopticRleJsonSchema, value, path, EvalInputError);
}

/**
 * Reads a results file: a COCO results JSON array, or JSON Lines of result messages.
 *
 * @example
 * ```ts ignore
 * const input = await readResults("out/results.jsonl");
 * console.log(input.format, input.results.length, input.imageIds.length);
 * ```
 */
export async function readResults(
  path: string,
  options: ParseResultsOptions = {},
): Promise<ResultsInput> {
  return parseResults(await readText(path, RESULTS_EXPECTED), path, options);
}

const RESULTS_EXPECTED =
  "a COCO results JSON array [{image_id, category_id, bbox, score}] or JSON Lines of result messages";

/**
 * Parses the text of a results file. A text starting with `[` is a COCO results array
 * (`[{image_id, category_id, score, bbox: [x, y, w, h], segmentation?}]`, each with a
 * bbox or a segmentation); otherwise each non-empty line is a result message (`{v: 3,
 * type: "result", streamId, frame, width, height, detections: [{box: [x1, y1, x2, y2],
 * classId, score, mask?}], panoptic?, latency, ...}`, or version 1), messages of other
 * types skipped (see `parseJsonLines`). A JSON Lines file must hold one stream (or name
 * it in `options.stream`) and each frame once.
 *
 * @example JSON Lines: image id = frame + 1, boxes to `x, y, w, h`
 * ```ts
 * import assert from "node:assert/strict";
 * const line = JSON.stringify({
 *   v: 3, type: "result", streamId: "cam", model: "m", frame: 0, ptsMs: 0, width: 64, height: 48,
 *   detections: [{ box: [10, 5, 30, 25], classId: 2, label: "person", score: 0.9 }],
 *   latency: { decode: 1, wait: 0, batch: 2, preprocess: 1, session: 0, inference: 20, postprocess: 3,
 *     fusion: 0, publish: 1, totalMs: 28 },
 *   capturedAt: 0, publishedAt: 30, batchSize: 1,
 * });
 * const input = parseResults(line + "\n", "run.jsonl");
 * assert.equal(input.format, "jsonl");
 * assert.deepEqual(input.results, [{ image_id: 1, category_id: 2, score: 0.9, bbox: [10, 5, 20, 20] }]);
 * assert.deepEqual(input.latency!.inference, [20]);
 *
 * const coco = parseResults(JSON.stringify(input.results), "run.json");
 * assert.equal(coco.format, "coco");
 * assert.equal(coco.latency, undefined);
 * ```
 */
export function parseResults(
  text: string,
  path: string,
  options: ParseResultsOptions = {},
): ResultsInput {
  const start = text.trimStart();
  if (start === "") {
    throw new EvalInputError(`${path}: expected ${RESULTS_EXPECTED}, found an empty file`);
  }
  if (start[0] === "[") return parseCocoResults(parseJson(text, path, RESULTS_EXPECTED), path);
  if (start[0] !== "{") {
    throw new EvalInputError(
      `${path}: expected ${RESULTS_EXPECTED}, found text starting with ${
        JSON.stringify(start.slice(0, 20))
      }`,
    );
  }
  // A JSON object that is no result message (a ground truth, a pretty-printed object):
  // say what it looks like rather than "line 1 is not JSON".
  let first: unknown;
  try {
    first = JSON.parse(start.split("\n", 1)[0]);
  } catch {
    try {
      first = JSON.parse(text);
    } catch {
      // neither: the line-by-line parse names the line
    }
    if (isPlainObject(first) && first.type === "result") {
      return parseJsonLines(JSON.stringify(first), path, options);
    }
  }
  if (isPlainObject(first) && first.type !== "result" && !("v" in first)) {
    const keys = Object.keys(first);
    const hint = keys.includes("annotations")
      ? " (a ground truth? --results wants detections)"
      : "";
    throw new EvalInputError(
      `${path}: expected ${RESULTS_EXPECTED}, found a JSON object with keys ${
        keys.slice(0, 8).join(", ") || "none"
      }${hint}`,
    );
  }
  return parseJsonLines(text, path, options);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A COCO results array: the schema's checks, then a bbox or a segmentation in each. */
function parseCocoResults(value: unknown, path: string): ResultsInput {
  const results = parseWire(CocoResultsSchema, value, path, EvalInputError);
  const ids = new Set<number>();
  let withMasks = 0, withKeypoints = 0, withLevels = 0;
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (r.keypoints !== undefined) withKeypoints++;
    if (r.level !== undefined) withLevels++;
    if (r.segmentation !== undefined) withMasks++;
    else if (r.bbox === undefined || r.bbox.length === 0) {
      const issue: FieldIssue = {
        path: [i],
        expected: "a bbox or a segmentation",
        found: "neither",
      };
      throw new EvalInputError(formatIssue(path, issue), { issues: [issue] });
    }
    ids.add(r.image_id);
  }
  return {
    path,
    format: "coco",
    results,
    imageIds: [...ids].sort((a, b) => a - b),
    withMasks,
    withKeypoints,
    withLevels,
    notes: [],
  };
}

/**
 * Checks that results fit a ground truth: every image id and category id is in it, and
 * (JSON Lines) every frame has its image's size. pycocotools would assert on an unknown
 * image and silently drop unknown categories; here both are errors naming the results
 * file, the ids found and the ids expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const gt = { images: [{ id: 1 }, { id: 2 }], annotations: [], categories: [{ id: 1, name: "car" }] };
 * const input = parseResults(JSON.stringify([{ image_id: 7, category_id: 1, score: 1, bbox: [0, 0, 1, 1] }]), "r.json");
 * assert.throws(() => checkResultsMatch(gt, "gt.json", input), /r.json: results for image ids not in gt.json: 7/);
 * ```
 */
export function checkResultsMatch(
  groundTruth: CocoGroundTruth,
  groundTruthPath: string,
  input: ResultsInput,
): void {
  const images = new Map(groundTruth.images.map((i) => [i.id, i]));
  const jsonl = input.format === "jsonl";
  const unknownImages = input.imageIds.filter((id) => !images.has(id));
  if (unknownImages.length > 0) {
    const gtIds = [...images.keys()].sort((a, b) => a - b);
    throw new EvalInputError(
      `${input.path}: results for image ids not in ${groundTruthPath}: ${list(unknownImages)}${
        jsonl ? ` (frames ${list(unknownImages.map((id) => id - 1))}; image id = frame + 1)` : ""
      }; expected ids of its ${gtIds.length} images${
        gtIds.length ? ` (${gtIds[0]}..${gtIds.at(-1)})` : ""
      }`,
    );
  }
  const categories = new Map(groundTruth.categories.map((c) => [c.id, c]));
  const unknown = new Set<number>();
  for (const r of input.results) if (!categories.has(r.category_id)) unknown.add(r.category_id);
  if (unknown.size > 0) {
    throw new EvalInputError(
      `${input.path}: results of category ids not in ${groundTruthPath}: ${
        list([...unknown].sort((a, b) => a - b))
      }; expected one of ${
        groundTruth.categories.map((c) => `${c.id}${c.name ? ` (${c.name})` : ""}`).join(", ")
      }`,
    );
  }
  for (const [id, [width, height]] of input.frameSizes ?? []) {
    const image = images.get(id)!;
    if (
      (image.width !== undefined && image.width !== width) ||
      (image.height !== undefined && image.height !== height)
    ) {
      throw new EvalInputError(
        `${input.path}: frame ${
          id - 1
        } is ${width}×${height}, but image ${id} of ${groundTruthPath} is ${image.width}×${image.height}; expected the results of the same video`,
      );
    }
  }
}

/** Up to 10 numbers, then how many more. */
function list(values: readonly number[]): string {
  const head = values.slice(0, 10).join(", ");
  return values.length > 10 ? `${head} and ${values.length - 10} more` : head;
}
