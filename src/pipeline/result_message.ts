/**
 * Building result messages (the wire format of `src/wire/result_message.ts`, documented
 * in the README, "WebSocket messages") from a frame's results, per subscriber filter.
 *
 * @module
 */

import type { Rle } from "../types.ts";
import { pastedMaskToRle } from "../geometry/pasted_rle.ts";
import { segmentRles } from "../geometry/segment_rles.ts";
import type { StreamResult } from "./events.ts";
import {
  type DetectionMessage,
  type ResultMessage,
  SCHEMA_VERSION,
} from "../wire/result_message.ts";

export {
  type DetectionMessage,
  type PanopticSegmentMessage,
  type ResultMessage,
  SCHEMA_VERSION,
} from "../wire/result_message.ts";

/** What a subscriber wants in its result messages. */
export interface ResultFilter {
  /** Only these class ids (default: all). */
  classes?: readonly number[];
  /** Only detections scoring at least this (default 0). */
  minScore?: number;
  /** Include instance masks as RLE (default false). */
  masks?: boolean;
  /** Include panoptic segments as RLE (default false). */
  panoptic?: boolean;
}

const maskCache = new WeakMap<StreamResult, Rle[]>();
const panopticCache = new WeakMap<StreamResult, Map<number, Rle>>();

const r2 = (v: number) => Math.round(v * 100) / 100;
const r4 = (v: number) => Math.round(v * 10000) / 10000;

/** Detection `i`'s `[x, y, score] × K` of an N×K×3 array. */
function keypointList(keypoints: Float32Array, i: number, n: number): number[] {
  const per = keypoints.length / n;
  const out: number[] = new Array(per);
  for (let j = 0; j < per; j += 3) {
    out[j] = r2(keypoints[i * per + j]);
    out[j + 1] = r2(keypoints[i * per + j + 1]);
    out[j + 2] = r4(keypoints[i * per + j + 2]);
  }
  return out;
}

/**
 * Builds the message of a result for one filter. Mask and panoptic RLEs are encoded once
 * per result, whatever the number of subscribers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const result = {
 *   streamId: "cam1", model: "street", index: 7, ptsMs: 466.67, width: 64, height: 32, batchSize: 1,
 *   detections: { boxes: new Float32Array([1, 2, 30.5, 20, 40, 0, 60, 30]),
 *     scores: new Float32Array([0.9, 0.4]), classIds: new Int32Array([1, 2]) },
 *   timeline: { capturedAt: 1000, decodedAt: 1000, queuedAt: 1001, batchFormedAt: 1002,
 *     preprocessEnd: 1002, inferenceStart: 1002, inferenceEnd: 1030, postprocessEnd: 1033, fusionEnd: 1033, publishedAt: 1034 },
 *   latency: { decode: 0, wait: 1, batch: 1, preprocess: 0, session: 0, inference: 28, postprocess: 3, fusion: 0,
 *     publish: 1, totalMs: 34 },
 * };
 * const names = new Map([[1, "car"], [2, "person"]]);
 * const m = resultMessage(result, names, { minScore: 0.5 });
 * assert.deepEqual(m.detections, [{ box: [1, 2, 30.5, 20], classId: 1, label: "car", score: 0.9 }]);
 * assert.equal(m.frame, 7);
 * ```
 */
export function resultMessage(
  result: StreamResult,
  labels: ReadonlyMap<number, string>,
  filter: ResultFilter = {},
): ResultMessage {
  const d = result.detections;
  const minScore = filter.minScore ?? 0;
  const classes = filter.classes ? new Set(filter.classes) : undefined;
  let masks: Rle[] | undefined;
  if (filter.masks && d.masks) {
    masks = maskCache.get(result);
    if (!masks) {
      masks = d.masks.map((m) => pastedMaskToRle(m, result.height, result.width));
      maskCache.set(result, masks);
    }
  }
  const detections: DetectionMessage[] = [];
  for (let i = 0; i < d.scores.length; i++) {
    if (d.scores[i] < minScore || (classes && !classes.has(d.classIds[i]))) continue;
    const b = d.boxes;
    const det: DetectionMessage = {
      box: [r2(b[4 * i]), r2(b[4 * i + 1]), r2(b[4 * i + 2]), r2(b[4 * i + 3])],
      classId: d.classIds[i],
      label: labels.get(d.classIds[i]) ?? String(d.classIds[i]),
      score: r4(d.scores[i]),
    };
    const trackId = result.trackIds?.[i];
    if (trackId) det.trackId = trackId;
    if (masks) det.mask = masks[i];
    if (d.levels) det.level = d.levels[i];
    if (d.keypoints) det.keypoints = keypointList(d.keypoints, i, d.scores.length);
    detections.push(det);
  }
  const message: ResultMessage = {
    v: SCHEMA_VERSION,
    type: "result",
    streamId: result.streamId,
    model: result.model,
    frame: result.index,
    ptsMs: r2(result.ptsMs),
    width: result.width,
    height: result.height,
    detections,
    latency: result.latency,
    capturedAt: r2(result.timeline.capturedAt),
    publishedAt: r2(result.timeline.publishedAt),
    batchSize: result.batchSize,
  };
  if (result.decoder) {
    message.decoder = {
      delayFrames: result.decoder.delayFrames,
      ...(Number.isFinite(result.decoder.holdMs) ? { holdMs: r2(result.decoder.holdMs) } : {}),
    };
  }
  if (filter.panoptic && d.panoptic) {
    const p = d.panoptic;
    let rles = panopticCache.get(result);
    if (!rles) {
      rles = segmentRles(p.segmentIds, p.height, p.width);
      panopticCache.set(result, rles);
    }
    message.panoptic = {
      segments: p.segments.map((s) => ({
        id: s.id,
        classId: s.categoryId,
        label: labels.get(s.categoryId) ?? String(s.categoryId),
        isThing: s.isThing,
        ...(s.score === undefined ? {} : { score: r4(s.score) }),
        area: s.area,
        rle: rles!.get(s.id) ?? { size: [p.height, p.width], counts: "" },
      })),
    };
  }
  return message;
}
