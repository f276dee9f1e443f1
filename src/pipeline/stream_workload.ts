/**
 * What a model's streams ask of it (live or lossless, the live streams' rate), for an
 * engine that tunes itself: from the configured streams before they start, and from the
 * running ones as streams come and go and their inputs open; and what each stream is
 * given back: its window of frames in flight.
 *
 * @module
 */

import type { Workload } from "../inference/engine_tuning.ts";
import { parseSourceInput, type SourceKind } from "../video/source_spec.ts";
import { readMode } from "./stream_source.ts";
import type { StreamConfig } from "./config.ts";

/** The part of a stream that says whether it is live and how fast. */
export interface StreamLoad {
  /** Every frame, as fast as the model goes (a file), rather than read in real time. */
  lossless: boolean;
  /** The stream's frame rate limit, when configured. */
  fps?: number;
}

/**
 * Whether a configured stream will run lossless, as its runner will read it (`readMode`;
 * a source that cannot be parsed counts as a file: it fails on its own).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(configuredLoad({ source: "rtsp://cam/1" } as never).lossless, false);
 * assert.equal(configuredLoad({ source: "street.mp4" } as never).lossless, true);
 * assert.equal(configuredLoad({ source: "street.mp4", loop: true } as never).lossless, false);
 * ```
 */
export function configuredLoad(
  config: Pick<StreamConfig, "source" | "policy" | "loop" | "realtime" | "fps" | "imageRate">,
): StreamLoad {
  let kind: SourceKind = "file";
  try {
    kind = parseSourceInput(config.source, { imageRate: config.imageRate }).kind;
  } catch {
    // a bad source fails its stream with its own error
  }
  return { lossless: readMode(config, kind).lossless, fps: config.fps };
}

/**
 * The workload of streams: how many are live and lossless, and the highest configured
 * rate of the live ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(workloadOf([{ lossless: false, fps: 15 }, { lossless: true }]),
 *   { live: 1, lossless: 1, liveFps: 15 });
 * assert.deepEqual(workloadOf([]), { live: 0, lossless: 0 });
 * ```
 */
export function workloadOf(streams: readonly StreamLoad[]): Workload {
  const live = streams.filter((s) => !s.lossless);
  const rates = live.map((s) => s.fps).filter((f): f is number => f !== undefined);
  return {
    live: live.length,
    lossless: streams.length - live.length,
    ...(rates.length > 0 ? { liveFps: Math.max(...rates) } : {}),
  };
}

/** What {@link streamWindow} needs to know of a model and its streams. */
export interface WindowContext {
  /** The model's sessions and batch size now (they change when the engine re-tunes). */
  sessions: number;
  maxBatch: number;
  /** Whether the stream is the model's only one, and the engine tuned itself for
   * throughput for it: a live stream that outruns the single-frame setting. */
  outrun: boolean;
}

/**
 * How many frames of a stream may be in the model at once, unless its configuration says
 * (`maxInFlight`): a lossless stream keeps two batches per session queued, so that no
 * session waits; a live stream keeps one frame in flight, so that it never waits behind
 * its own frames, except one that runs alone on an engine that tuned itself for throughput
 * because the stream outruns the single-frame setting: it may fill every session (each
 * extra frame in flight is then one fewer dropped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const model = { sessions: 2, maxBatch: 1, outrun: true };
 * assert.equal(streamWindow({ lossless: true }, model), 4);
 * assert.equal(streamWindow({ lossless: false }, model), 2);
 * assert.equal(streamWindow({ lossless: false }, { ...model, outrun: false }), 1);
 * assert.equal(streamWindow({ lossless: false, maxInFlight: 3 }, model), 3);
 * ```
 */
export function streamWindow(
  stream: { lossless: boolean; maxInFlight?: number },
  model: WindowContext,
): number {
  if (stream.maxInFlight !== undefined) return stream.maxInFlight;
  if (stream.lossless) return 2 * model.maxBatch * model.sessions;
  return model.outrun ? model.sessions * model.maxBatch : 1;
}

/**
 * The rate a live stream delivers frames at: its input's native rate (once the source has
 * opened and ffmpeg has said it), capped by the stream's configured `fps`; undefined while
 * neither is known. A rate ffmpeg could not read (0, or absurd) counts as unknown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(liveRate(undefined, 30), 30);
 * assert.equal(liveRate(10, 30), 10);
 * assert.equal(liveRate(undefined, 0), undefined);
 * assert.equal(liveRate(15, undefined), 15);
 * ```
 */
export function liveRate(
  configured: number | undefined,
  input: number | undefined,
): number | undefined {
  const native = input !== undefined && input > 0 && input <= MAX_INPUT_FPS ? input : undefined;
  if (configured === undefined) return native;
  return native === undefined ? configured : Math.min(configured, native);
}

/** Rates above this (ffmpeg's time base read as a rate, e.g. 90000) are not a camera's. */
const MAX_INPUT_FPS = 1000;
