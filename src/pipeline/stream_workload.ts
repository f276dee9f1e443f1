/**
 * What a model's streams ask of it (live or lossless, the live streams' rate), for an
 * engine that tunes itself: from the configured streams before they start, and from the
 * running ones as streams come and go.
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
