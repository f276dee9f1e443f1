/**
 * A frame's timeline through the pipeline, and its latency per stage.
 *
 * @module
 */

import type { BatchTiming } from "../inference/batcher.ts";
import { type LatencyBreakdown, type StageName, STAGES } from "../wire/result_message.ts";

export { type LatencyBreakdown, type StageName, STAGES };

/**
 * Epoch milliseconds at each step of one frame's trip, every one taken with `now()`
 * (src/clock.ts) on the thread where the step happened (docs/ARCHITECTURE.md, "A frame's
 * path").
 */
export interface FrameTimeline {
  /** Estimated from the stream's clock ({@link CaptureClock}): when the camera took it. */
  capturedAt: number;
  /** Main thread: the frame was read from ffmpeg's pipe. */
  decodedAt: number;
  /** Main thread: the frame was submitted to the batcher. */
  queuedAt: number;
  /** Main thread: its batch closed and pre-processing began. */
  batchFormedAt: number;
  /** Main thread: the batch was converted and handed to its session. */
  preprocessEnd: number;
  /** Inference worker: `session.run` began. */
  inferenceStart: number;
  /** Inference worker: `session.run` ended. */
  inferenceEnd: number;
  /** Post-processing worker: selection, box mapping and mask pasting done. */
  postprocessEnd: number;
  /** Post-processing worker: panoptic fusion done. */
  fusionEnd: number;
  /** Main thread: the result was handed to its publishers. */
  publishedAt: number;
}

/**
 * The latency of every stage of a timeline, in milliseconds rounded to 0.01.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const t = { capturedAt: 0, decodedAt: 5, queuedAt: 6, batchFormedAt: 16, preprocessEnd: 17,
 *   inferenceStart: 20, inferenceEnd: 47, postprocessEnd: 52, fusionEnd: 55, publishedAt: 56 };
 * const l = latencyBreakdown(t);
 * assert.deepEqual([l.decode, l.batch, l.preprocess, l.session, l.inference, l.totalMs], [5, 10, 1, 3, 27, 56]);
 * ```
 */
export function latencyBreakdown(t: FrameTimeline): LatencyBreakdown {
  const marks = [
    t.capturedAt,
    t.decodedAt,
    t.queuedAt,
    t.batchFormedAt,
    t.preprocessEnd,
    t.inferenceStart,
    t.inferenceEnd,
    t.postprocessEnd,
    t.fusionEnd,
    t.publishedAt,
  ];
  const out = { totalMs: round(t.publishedAt - t.capturedAt) } as LatencyBreakdown;
  STAGES.forEach((stage, i) => out[stage] = round(Math.max(0, marks[i + 1] - marks[i])));
  return out;
}

/**
 * A frame's timeline from its capture and read times and its batch's marks; `publishedAt`
 * is 0 until the caller stamps it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const t = frameTimeline(0, 5, { queuedAt: 6, batchFormedAt: 16, preprocessEnd: 17,
 *   inferenceStart: 20, inferenceEnd: 47, postprocessEnd: 52, fusionEnd: 55, returnedAt: 55 });
 * assert.deepEqual([t.decodedAt, t.inferenceEnd, t.publishedAt], [5, 47, 0]);
 * ```
 */
export function frameTimeline(
  capturedAt: number,
  decodedAt: number,
  t: BatchTiming,
): FrameTimeline {
  return {
    capturedAt,
    decodedAt,
    queuedAt: t.queuedAt,
    batchFormedAt: t.batchFormedAt,
    preprocessEnd: t.preprocessEnd,
    inferenceStart: t.inferenceStart,
    inferenceEnd: t.inferenceEnd,
    postprocessEnd: t.postprocessEnd,
    fusionEnd: t.fusionEnd,
    publishedAt: 0,
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

export { CaptureClock } from "./capture_clock.ts";
