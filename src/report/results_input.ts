/**
 * The inputs of `deno task eval`, read and checked: a COCO ground truth, detections as a
 * COCO results JSON array or as JSON Lines of result messages (schema v1, what the JSON
 * Lines sink writes; image id = frame + 1, boxes `x1, y1, x2, y2` turned into
 * `x, y, w, h`), and optionally a COCO panoptic ground truth whose segments carry RLE
 * masks. Every fault is an {@link EvalInputError} whose message names the file (and line
 * or index), what was expected and what was found.
 *
 * @module
 */

import { EvalInputError } from "../errors.ts";
import { decodeRle } from "../geometry/rle.ts";
import type { CocoGroundTruth, CocoResult } from "../eval/coco_types.ts";
import type { PanopticPrediction } from "../eval/panoptic_types.ts";
import type { PanopticRleJson } from "../eval/panoptic_rle.ts";
import { STAGES } from "../pipeline/timeline.ts";
import type { Rle } from "../types.ts";

export { EvalInputError };

/** The latency fields of a result message: the stages, then `totalMs`. */
export const LATENCY_KEYS: readonly string[] = Object.freeze([...STAGES, "totalMs"]);

/** The panoptic segments of one frame of JSON Lines results, masks still as RLE. */
export interface PanopticFrame {
  /** Image id: frame + 1. */
  imageId: number;
  /** Frame index in the stream. */
  frame: number;
  /** Frame height in pixels. */
  height: number;
  /** Frame width in pixels. */
  width: number;
  /** The segments, in message order. */
  segments: { id: number; categoryId: number; rle: Rle }[];
}

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
  /** JSON Lines: the stream read. */
  streamId?: string;
  /** JSON Lines: `[width, height]` of each frame, by image id. */
  frameSizes?: Map<number, [number, number]>;
  /** JSON Lines: per latency key (see {@link LATENCY_KEYS}), one value per frame that has it. */
  latency?: Record<string, number[]>;
  /** JSON Lines: the frames that carry panoptic segments. */
  panoptic?: PanopticFrame[];
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
 * Checks that a parsed value is a COCO ground truth: an object with the arrays `images`,
 * `annotations` and `categories`, every image and category with a numeric `id`.
 * (`evaluateCoco` checks the annotations' fields in depth.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const gt = checkGroundTruth({ images: [{ id: 1 }], annotations: [], categories: [{ id: 1 }] }, "gt.json");
 * assert.equal(gt.images.length, 1);
 * assert.throws(() => checkGroundTruth([], "gt.json"), /gt.json: expected a COCO ground truth/);
 * ```
 */
export function checkGroundTruth(value: unknown, path: string): CocoGroundTruth {
  const expected = "a COCO ground truth {images, annotations, categories}";
  if (!isObject(value)) {
    throw new EvalInputError(`${path}: expected ${expected}, found ${describe(value)}`);
  }
  for (const key of ["images", "annotations", "categories"]) {
    if (!Array.isArray(value[key])) {
      throw new EvalInputError(
        `${path}: expected ${expected}, found ${key} ${
          key in value ? `= ${describe(value[key])}` : "missing"
        }${Array.isArray(value) ? "" : ` (keys: ${Object.keys(value).join(", ") || "none"})`}`,
      );
    }
  }
  for (const key of ["images", "categories"] as const) {
    (value[key] as unknown[]).forEach((item, i) => {
      if (!isObject(item) || typeof item.id !== "number") {
        throw new EvalInputError(
          `${path}: ${key}[${i}]: expected an object with a numeric id, found ${
            describe(isObject(item) ? item.id : item)
          }`,
        );
      }
    });
  }
  return value as unknown as CocoGroundTruth;
}

/**
 * Checks that a parsed value is a COCO panoptic ground truth whose segments carry RLE
 * masks (`{images, categories: [{id, name, isthing}], annotations: [{image_id,
 * segments_info: [{id, category_id, segmentation: {size, counts}}]}]}`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const pan = checkPanopticGroundTruth({ images: [], categories: [{ id: 1, name: "car", isthing: 1 }], annotations: [] }, "pan.json");
 * assert.equal(pan.categories.length, 1);
 * assert.throws(
 *   () => checkPanopticGroundTruth({ images: [], categories: [], annotations: [{ image_id: 1 }] }, "pan.json"),
 *   /pan.json: annotations\[0\]\.segments_info: expected an array/,
 * );
 * ```
 */
export function checkPanopticGroundTruth(value: unknown, path: string): PanopticRleJson {
  const expected =
    "a COCO panoptic ground truth with RLE segments {images, categories, annotations}";
  if (!isObject(value)) {
    throw new EvalInputError(`${path}: expected ${expected}, found ${describe(value)}`);
  }
  for (const key of ["images", "annotations", "categories"]) {
    if (!Array.isArray(value[key])) {
      throw new EvalInputError(
        `${path}: expected ${expected}, found ${key} ${
          key in value ? `= ${describe(value[key])}` : "missing"
        }`,
      );
    }
  }
  (value.categories as unknown[]).forEach((c, i) => {
    if (!isObject(c) || typeof c.id !== "number" || !("isthing" in c)) {
      throw new EvalInputError(
        `${path}: categories[${i}]: expected {id, name, isthing}, found ${describe(c)}`,
      );
    }
  });
  (value.annotations as unknown[]).forEach((a, i) => {
    const at = `${path}: annotations[${i}]`;
    if (!isObject(a) || typeof a.image_id !== "number") {
      throw new EvalInputError(`${at}: expected {image_id, segments_info}, found ${describe(a)}`);
    }
    if (!Array.isArray(a.segments_info)) {
      throw new EvalInputError(
        `${at}.segments_info: expected an array of segments, found ${describe(a.segments_info)}`,
      );
    }
    a.segments_info.forEach((s: unknown, j: number) => {
      if (!isObject(s) || typeof s.id !== "number" || typeof s.category_id !== "number") {
        throw new EvalInputError(
          `${at}.segments_info[${j}]: expected {id, category_id, segmentation}, found ${
            describe(s)
          }`,
        );
      }
      if (!isRle(s.segmentation)) {
        throw new EvalInputError(
          `${at}.segments_info[${j}].segmentation: expected an RLE {size: [h, w], counts: string}, found ${
            describe(s.segmentation)
          }`,
        );
      }
    });
  });
  return value as unknown as PanopticRleJson;
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
 * (`[{image_id, category_id, score, bbox: [x, y, w, h], segmentation?}]`); otherwise each
 * non-empty line is a result message (`{v: 1, type: "result", streamId, frame, width,
 * height, detections: [{box: [x1, y1, x2, y2], classId, score, mask?}], panoptic?,
 * latency}`), messages of other types skipped. A JSON Lines file must hold one stream
 * (or name it in `options.stream`) and each frame once.
 *
 * @example JSON Lines: image id = frame + 1, boxes to `x, y, w, h`
 * ```ts
 * import assert from "node:assert/strict";
 * const line = JSON.stringify({
 *   v: 1, type: "result", streamId: "cam", frame: 0, width: 64, height: 48,
 *   detections: [{ box: [10, 5, 30, 25], classId: 2, label: "person", score: 0.9 }],
 *   latency: { decode: 1, wait: 0, batch: 2, preprocess: 1, inference: 20, postprocess: 3,
 *     fusion: 0, publish: 1, totalMs: 28 },
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
    throw new EvalInputError(`${path}: the file is empty; expected ${RESULTS_EXPECTED}`);
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
    if (isObject(first) && first.type === "result") {
      return parseJsonLines(JSON.stringify(first), path, options);
    }
  }
  if (isObject(first) && first.type !== "result" && !("v" in first)) {
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

function parseCocoResults(value: unknown, path: string): ResultsInput {
  if (!Array.isArray(value)) {
    throw new EvalInputError(`${path}: expected ${RESULTS_EXPECTED}, found ${describe(value)}`);
  }
  const ids = new Set<number>();
  let withMasks = 0;
  value.forEach((r, i) => {
    const at = `${path}: [${i}]`;
    if (!isObject(r)) {
      throw new EvalInputError(`${at}: expected a result object, found ${describe(r)}`);
    }
    for (const key of ["image_id", "category_id"]) {
      if (!Number.isInteger(r[key])) {
        throw new EvalInputError(`${at}.${key}: expected an integer, found ${describe(r[key])}`);
      }
    }
    if (typeof r.score !== "number" || !Number.isFinite(r.score)) {
      throw new EvalInputError(`${at}.score: expected a finite number, found ${describe(r.score)}`);
    }
    if (r.bbox !== undefined && !isNumbers(r.bbox, 4)) {
      throw new EvalInputError(
        `${at}.bbox: expected [x, y, w, h] (4 finite numbers), found ${describe(r.bbox)}`,
      );
    }
    if (r.segmentation !== undefined) withMasks++;
    if (r.bbox === undefined && r.segmentation === undefined) {
      throw new EvalInputError(`${at}: expected a bbox or a segmentation, found neither`);
    }
    ids.add(r.image_id as number);
  });
  return {
    path,
    format: "coco",
    results: value as CocoResult[],
    imageIds: [...ids].sort((a, b) => a - b),
    withMasks,
    notes: [],
  };
}

interface Message {
  line: number;
  streamId: string;
  frame: number;
  width: number;
  height: number;
  value: Record<string, unknown>;
}

function parseJsonLines(text: string, path: string, options: ParseResultsOptions): ResultsInput {
  const messages: Message[] = [];
  const skipped = new Map<string, number>();
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const at = `${path}:${i + 1}`;
    let m: unknown;
    try {
      m = JSON.parse(line);
    } catch (error) {
      throw new EvalInputError(
        `${at}: not valid JSON (${(error as Error).message}); expected one result message per line`,
        { cause: error },
      );
    }
    if (!isObject(m)) {
      throw new EvalInputError(`${at}: expected a result message object, found ${describe(m)}`);
    }
    if (m.type !== "result") {
      const type = String(m.type);
      skipped.set(type, (skipped.get(type) ?? 0) + 1);
      return;
    }
    if (m.v !== 1 && m.v !== 2) {
      throw new EvalInputError(
        `${at}: v: expected 1 or 2 (the result message's version), found ${describe(m.v)}`,
      );
    }
    if (!Number.isInteger(m.frame) || (m.frame as number) < 0) {
      throw new EvalInputError(
        `${at}: frame: expected an integer >= 0, found ${describe(m.frame)}`,
      );
    }
    for (const key of ["width", "height"]) {
      if (!Number.isInteger(m[key]) || (m[key] as number) <= 0) {
        throw new EvalInputError(
          `${at}: ${key}: expected a positive integer, found ${describe(m[key])}`,
        );
      }
    }
    if (!Array.isArray(m.detections)) {
      throw new EvalInputError(
        `${at}: detections: expected an array, found ${describe(m.detections)}`,
      );
    }
    messages.push({
      line: i + 1,
      streamId: String(m.streamId ?? ""),
      frame: m.frame as number,
      width: m.width as number,
      height: m.height as number,
      value: m,
    });
  });
  const notes: string[] = [];
  if (skipped.size > 0) {
    notes.push(
      `skipped ${[...skipped].map(([t, n]) => `${n} message(s) of type "${t}"`).join(", ")}`,
    );
  }
  const streams = [...new Set(messages.map((m) => m.streamId))];
  let streamId: string;
  if (options.stream !== undefined) {
    if (!streams.includes(options.stream)) {
      throw new EvalInputError(
        `${path}: no result of stream "${options.stream}"; the file has ${
          streams.length
            ? `streams ${streams.map((s) => `"${s}"`).join(", ")}`
            : "no result message"
        }`,
      );
    }
    streamId = options.stream;
  } else if (streams.length === 0) {
    throw new EvalInputError(
      `${path}: expected result messages ({"v": 1, "type": "result", ...} per line), found none`,
    );
  } else if (streams.length > 1) {
    throw new EvalInputError(
      `${path}: holds results of ${streams.length} streams (${
        streams.map((s) => `"${s}"`).join(", ")
      }); frame numbers are per stream, so choose one with --stream`,
    );
  } else streamId = streams[0];

  const results: CocoResult[] = [];
  const imageIds: number[] = [];
  const frameSizes = new Map<number, [number, number]>();
  const firstLine = new Map<number, number>();
  const latency: Record<string, number[]> = Object.fromEntries(LATENCY_KEYS.map((k) => [k, []]));
  let withLatency = 0;
  const panoptic: PanopticFrame[] = [];
  let withMasks = 0;
  for (const m of messages) {
    if (m.streamId !== streamId) continue;
    const at = `${path}:${m.line}`;
    const seen = firstLine.get(m.frame);
    if (seen !== undefined) {
      throw new EvalInputError(
        `${at}: frame ${m.frame} of stream "${streamId}" appears again (first on line ${seen}); ` +
          `expected each frame once (was the stream looped?)`,
      );
    }
    firstLine.set(m.frame, m.line);
    const imageId = m.frame + 1;
    imageIds.push(imageId);
    frameSizes.set(imageId, [m.width, m.height]);
    (m.value.detections as unknown[]).forEach((d, j) => {
      const dat = `${at}: detections[${j}]`;
      if (!isObject(d)) {
        throw new EvalInputError(`${dat}: expected an object, found ${describe(d)}`);
      }
      if (!isNumbers(d.box, 4)) {
        throw new EvalInputError(
          `${dat}.box: expected [x1, y1, x2, y2] (4 finite numbers), found ${describe(d.box)}`,
        );
      }
      if (!Number.isInteger(d.classId)) {
        throw new EvalInputError(
          `${dat}.classId: expected an integer, found ${describe(d.classId)}`,
        );
      }
      if (typeof d.score !== "number" || !Number.isFinite(d.score)) {
        throw new EvalInputError(
          `${dat}.score: expected a finite number, found ${describe(d.score)}`,
        );
      }
      const [x1, y1, x2, y2] = d.box as number[];
      const result: CocoResult = {
        image_id: imageId,
        category_id: d.classId as number,
        score: d.score,
        bbox: [x1, y1, x2 - x1, y2 - y1],
      };
      if (d.mask !== undefined) {
        if (!isRle(d.mask)) {
          throw new EvalInputError(
            `${dat}.mask: expected an RLE {size: [h, w], counts: string}, found ${
              describe(d.mask)
            }`,
          );
        }
        const [h, w] = d.mask.size;
        if (h !== m.height || w !== m.width) {
          throw new EvalInputError(
            `${dat}.mask: expected the frame's size [${m.height}, ${m.width}], found [${h}, ${w}]`,
          );
        }
        result.segmentation = d.mask;
        withMasks++;
      }
      results.push(result);
    });
    const l = m.value.latency;
    if (isObject(l)) {
      withLatency++;
      for (const key of LATENCY_KEYS) {
        const v = l[key];
        if (typeof v === "number" && Number.isFinite(v)) latency[key].push(v);
      }
    }
    const p = m.value.panoptic;
    if (p !== undefined) {
      if (!isObject(p) || !Array.isArray(p.segments)) {
        throw new EvalInputError(
          `${at}: panoptic: expected {segments: [...]}, found ${describe(p)}`,
        );
      }
      const segments = p.segments.map((s: unknown, j: number) => {
        const sat = `${at}: panoptic.segments[${j}]`;
        if (
          !isObject(s) || !Number.isInteger(s.id) || s.id === 0 ||
          !Number.isInteger(s.classId ?? s.categoryId)
        ) {
          throw new EvalInputError(
            `${sat}: expected {id (non-zero integer), categoryId, rle}, found ${describe(s)}`,
          );
        }
        if (!isRle(s.rle) || s.rle.size[0] !== m.height || s.rle.size[1] !== m.width) {
          throw new EvalInputError(
            `${sat}.rle: expected an RLE of the frame's size [${m.height}, ${m.width}], found ${
              describe(isRle(s.rle) ? s.rle.size : s.rle)
            }`,
          );
        }
        // Version 1 named the class `categoryId`.
        return {
          id: s.id as number,
          categoryId: (s.classId ?? s.categoryId) as number,
          rle: s.rle,
        };
      });
      panoptic.push({ imageId, frame: m.frame, height: m.height, width: m.width, segments });
    }
  }
  const order = imageIds.slice().sort((a, b) => a - b);
  const frames = order.length;
  if (withLatency > 0 && withLatency < frames) {
    notes.push(`${frames - withLatency} of ${frames} frames have no latency`);
  }
  if (panoptic.length > 0 && panoptic.length < frames) {
    notes.push(`${frames - panoptic.length} of ${frames} frames have no panoptic segments`);
  }
  panoptic.sort((a, b) => a.imageId - b.imageId);
  return {
    path,
    format: "jsonl",
    results,
    imageIds: order,
    withMasks,
    streamId,
    frameSizes,
    ...(withLatency > 0 ? { latency } : {}),
    ...(panoptic.length > 0 ? { panoptic } : {}),
    notes,
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

/**
 * The id map of a frame's panoptic segments: each segment's RLE painted with its id (a
 * later segment wins where two overlap), 0 elsewhere. Segments left with no pixel are
 * dropped from the list (PQ wants every listed segment on the map) and returned apart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const { prediction, empty } = panopticPrediction({
 *   imageId: 1, frame: 0, height: 2, width: 2,
 *   segments: [
 *     { id: 1, categoryId: 7, rle: { size: [2, 2], counts: "04" } }, // every pixel
 *     { id: 2, categoryId: 3, rle: { size: [2, 2], counts: "022" } }, // column 0, on top
 *     { id: 3, categoryId: 3, rle: { size: [2, 2], counts: "4" } }, // no pixel
 *   ],
 * });
 * assert.deepEqual([...prediction.segmentIds], [2, 1, 2, 1]);
 * assert.deepEqual(prediction.segments.map((s) => s.id), [1, 2]);
 * assert.deepEqual(empty, [3]);
 * ```
 */
export function panopticPrediction(
  frame: PanopticFrame,
): { prediction: PanopticPrediction; empty: number[] } {
  const segmentIds = new Int32Array(frame.height * frame.width);
  for (const s of frame.segments) {
    const mask = decodeRle(s.rle);
    for (let i = 0; i < mask.length; i++) if (mask[i]) segmentIds[i] = s.id;
  }
  const present = new Set<number>();
  for (let i = 0; i < segmentIds.length; i++) present.add(segmentIds[i]);
  const segments = frame.segments.filter((s) => present.has(s.id));
  const empty = frame.segments.filter((s) => !present.has(s.id)).map((s) => s.id);
  return {
    prediction: {
      imageId: frame.imageId,
      height: frame.height,
      width: frame.width,
      segmentIds,
      segments: segments.map((s) => ({ id: s.id, categoryId: s.categoryId })),
    },
    empty,
  };
}

// ---------------------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNumbers(value: unknown, length: number): value is number[] {
  return Array.isArray(value) && value.length === length &&
    value.every((v) => typeof v === "number" && Number.isFinite(v));
}

function isRle(value: unknown): value is Rle {
  return isObject(value) && isNumbers(value.size, 2) && typeof value.counts === "string";
}

/** A short description of a value for messages. */
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) {
    const text = JSON.stringify(value);
    return text.length <= 40 ? text : `an array of ${value.length}`;
  }
  if (typeof value === "object") {
    const text = JSON.stringify(value);
    return text.length <= 60
      ? text
      : `an object with keys ${Object.keys(value).slice(0, 8).join(", ")}`;
  }
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  return `${typeof value} ${String(value)}`;
}

/** Up to 10 numbers, then how many more. */
function list(values: readonly number[]): string {
  const head = values.slice(0, 10).join(", ");
  return values.length > 10 ? `${head} and ${values.length - 10} more` : head;
}
