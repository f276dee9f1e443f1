/**
 * JSON Lines results of `deno task eval`: one result message per line, as the JSON Lines
 * sink writes them, turned into COCO results (image id = frame + 1, boxes `x1, y1, x2,
 * y2` turned into `x, y, w, h`), latencies and panoptic frames.
 *
 * Each line is parsed with the result message schema (`src/wire/result_message.ts`,
 * version 2); a line of version 1, whose panoptic segments named the class `categoryId`,
 * is upgraded to version 3 first (`src/wire/result_message_v1.ts`). Every fault is an
 * `EvalInputError` naming the file and line: `run.jsonl:12: detections[3].box: expected
 * ..., found ...`.
 *
 * @module
 */

import type { TrackingFrame } from "../eval/mot_types.ts";
import { describe } from "../describe.ts";
import { EvalInputError, type FieldIssue } from "../errors.ts";
import { decodeRle } from "../geometry/rle.ts";
import type { CocoResult } from "../wire/coco.ts";
import { formatIssue } from "../wire/issues.ts";
import { parseWire } from "../wire/parse.ts";
import { type ResultMessage, type RleMessage, STAGES } from "../wire/result_message.ts";
import { AnyResultMessageSchema } from "../wire/result_message_v1.ts";
import type { PanopticPrediction } from "../eval/panoptic_types.ts";
import type { ParseResultsOptions, ResultsInput } from "./results_input.ts";

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
  /** The segments, in message order (`categoryId`: the message's class id). */
  segments: { id: number; categoryId: number; rle: RleMessage }[];
}

/** An {@link EvalInputError} with one issue: `<where>: <path>: expected ..., found ...`. */
function inputError(where: string, issue: FieldIssue): EvalInputError {
  return new EvalInputError(formatIssue(where, issue), { issues: [issue] });
}

/** The issue of an RLE whose size is not the frame's (none when it is). */
function sizeIssue(
  path: (string | number)[],
  rle: RleMessage,
  message: ResultMessage,
): FieldIssue | undefined {
  const [h, w] = rle.size;
  if (h === message.height && w === message.width) return undefined;
  return {
    path: [...path, "size"],
    expected: `the frame's size [${message.height}, ${message.width}]`,
    found: `[${h}, ${w}]`,
  };
}

interface Line {
  line: number;
  message: ResultMessage;
}

/** Parses every line: result messages (upgraded to version 3), others counted by type. */
function parseLines(text: string, path: string): { lines: Line[]; skipped: Map<string, number> } {
  const lines: Line[] = [];
  const skipped = new Map<string, number>();
  const rows = text.split("\n");
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i].trim();
    if (row === "") continue;
    const at = `${path}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch (error) {
      throw new EvalInputError(
        `${at}: not valid JSON (${(error as Error).message}); expected one result message per line`,
        { cause: error },
      );
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw inputError(at, {
        path: [],
        expected: "a result message object",
        found: describe(value),
      });
    }
    const type = (value as { type?: unknown }).type;
    if (type !== "result") {
      skipped.set(String(type), (skipped.get(String(type)) ?? 0) + 1);
      continue;
    }
    lines.push({
      line: i + 1,
      message: parseWire(AnyResultMessageSchema, value, at, EvalInputError),
    });
  }
  return { lines, skipped };
}

/** The stream to read: `options.stream`, or the file's only one. */
function chooseStream(lines: readonly Line[], path: string, options: ParseResultsOptions): string {
  const streams = [...new Set(lines.map((l) => l.message.streamId))];
  const quoted = streams.map((s) => JSON.stringify(s)).join(", ");
  if (options.stream !== undefined) {
    if (!streams.includes(options.stream)) {
      throw new EvalInputError(
        `${path}: no result of stream ${JSON.stringify(options.stream)}; the file has ${
          streams.length ? `streams ${quoted}` : "no result message"
        }`,
      );
    }
    return options.stream;
  }
  if (streams.length === 0) {
    throw new EvalInputError(
      `${path}: expected result messages ({"v": 3, "type": "result", ...} per line), found none`,
    );
  }
  if (streams.length > 1) {
    throw new EvalInputError(
      `${path}: holds results of ${streams.length} streams (${quoted}); frame numbers are per stream, so choose one with --stream`,
    );
  }
  return streams[0];
}

/**
 * Reads the text of a JSON Lines results file: the result messages of one stream (the
 * file's only one, or `options.stream`), each frame once; messages of other types are
 * skipped with a note. Frame `f` is image `f + 1`; each detection becomes a COCO result
 * (`box` `[x1, y1, x2, y2]` to `bbox` `[x, y, w, h]`, `mask` to `segmentation`, whose
 * size must be the frame's, `keypoints` and the pyramid `level` kept), each frame's
 * panoptic segments a {@link PanopticFrame}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const latency = { decode: 1, wait: 0, batch: 2, preprocess: 1, session: 0, inference: 20, postprocess: 3,
 *   fusion: 0, publish: 1, totalMs: 28 };
 * const message = {
 *   v: 3, type: "result", streamId: "cam", model: "m", frame: 0, ptsMs: 0, width: 64, height: 48,
 *   detections: [{ box: [10, 5, 30, 25], classId: 2, label: "person", score: 0.9 }],
 *   latency, capturedAt: 0, publishedAt: 30, batchSize: 1,
 * };
 * const input = parseJsonLines(JSON.stringify(message) + '\n{"type":"status"}\n', "run.jsonl");
 * assert.deepEqual(input.results, [{ image_id: 1, category_id: 2, score: 0.9, bbox: [10, 5, 20, 20] }]);
 * assert.deepEqual(input.notes, ['skipped 1 message(s) of type "status"']);
 * const bad = { ...message, detections: [{ ...message.detections[0], box: [10, 5, 30] }] };
 * assert.throws(() => parseJsonLines(JSON.stringify(bad), "run.jsonl"), {
 *   name: "EvalInputError",
 *   message: "run.jsonl:1: detections[0].box: expected an array of 4 items, found an array of 3 items",
 * });
 * ```
 */
export function parseJsonLines(
  text: string,
  path: string,
  options: ParseResultsOptions = {},
): ResultsInput {
  const { lines, skipped } = parseLines(text, path);
  const notes: string[] = [];
  if (skipped.size > 0) {
    notes.push(
      `skipped ${[...skipped].map(([t, n]) => `${n} message(s) of type "${t}"`).join(", ")}`,
    );
  }
  const streamId = chooseStream(lines, path, options);
  const results: CocoResult[] = [];
  const imageIds: number[] = [];
  const frameSizes = new Map<number, [number, number]>();
  const firstLine = new Map<number, number>();
  const latency: Record<string, number[]> = {};
  for (const key of LATENCY_KEYS) latency[key] = [];
  const panoptic: PanopticFrame[] = [];
  const tracks: TrackingFrame[] = [];
  let tracked = false;
  let withMasks = 0, withKeypoints = 0, withLevels = 0;
  for (const { line, message: m } of lines) {
    if (m.streamId !== streamId) continue;
    const at = `${path}:${line}`;
    const seen = firstLine.get(m.frame);
    if (seen !== undefined) {
      throw new EvalInputError(
        `${at}: frame ${m.frame} of stream "${streamId}" appears again (first on line ${seen}); ` +
          `expected each frame once (was the stream looped?)`,
      );
    }
    firstLine.set(m.frame, line);
    const imageId = m.frame + 1;
    imageIds.push(imageId);
    frameSizes.set(imageId, [m.width, m.height]);
    for (let j = 0; j < m.detections.length; j++) {
      const d = m.detections[j];
      const [x1, y1, x2, y2] = d.box;
      const result: CocoResult = {
        image_id: imageId,
        category_id: d.classId,
        score: d.score,
        bbox: [x1, y1, x2 - x1, y2 - y1],
      };
      if (d.mask !== undefined) {
        const issue = sizeIssue(["detections", j, "mask"], d.mask, m);
        if (issue) throw inputError(at, issue);
        result.segmentation = d.mask;
        withMasks++;
      }
      if (d.keypoints !== undefined) {
        result.keypoints = d.keypoints;
        withKeypoints++;
      }
      if (d.level !== undefined) {
        result.level = d.level;
        withLevels++;
      }
      results.push(result);
    }
    const ids: number[] = [], boxes: number[] = [];
    for (const d of m.detections) {
      if (d.trackId === undefined) continue;
      ids.push(d.trackId);
      boxes.push(...d.box);
    }
    tracked ||= ids.length > 0;
    tracks.push({ frame: imageId, ids: Int32Array.from(ids), boxes: Float32Array.from(boxes) });
    const l = m.latency as Record<string, number>;
    for (const key of LATENCY_KEYS) latency[key].push(l[key]);
    if (m.panoptic !== undefined) {
      const segments: PanopticFrame["segments"] = [];
      for (let j = 0; j < m.panoptic.segments.length; j++) {
        const s = m.panoptic.segments[j];
        const issue = sizeIssue(["panoptic", "segments", j, "rle"], s.rle, m);
        if (issue) throw inputError(at, issue);
        segments.push({ id: s.id, categoryId: s.classId, rle: s.rle });
      }
      panoptic.push({ imageId, frame: m.frame, height: m.height, width: m.width, segments });
    }
  }
  const order = imageIds.slice().sort((a, b) => a - b);
  const frames = order.length;
  if (panoptic.length > 0 && panoptic.length < frames) {
    notes.push(`${frames - panoptic.length} of ${frames} frames have no panoptic segments`);
  }
  panoptic.sort((a, b) => a.imageId - b.imageId);
  tracks.sort((a, b) => a.frame - b.frame);
  return {
    path,
    format: "jsonl",
    results,
    imageIds: order,
    withMasks,
    withKeypoints,
    withLevels,
    streamId,
    frameSizes,
    latency,
    ...(panoptic.length > 0 ? { panoptic } : {}),
    ...(tracked ? { tracks } : {}),
    notes,
  };
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
  const segments: PanopticPrediction["segments"][number][] = [];
  const empty: number[] = [];
  for (const s of frame.segments) {
    if (present.has(s.id)) segments.push({ id: s.id, categoryId: s.categoryId });
    else empty.push(s.id);
  }
  return {
    prediction: {
      imageId: frame.imageId,
      height: frame.height,
      width: frame.width,
      segmentIds,
      segments,
    },
    empty,
  };
}
