/**
 * A pipeline's place for one stream: its configuration, its runner once started, and why
 * it never started or was refused; and what `GET /streams` shows of it.
 *
 * @module
 */

import type { LimitError } from "../errors.ts";
import type { StreamConfig } from "./config.ts";
import type { StreamAdmission } from "./stream_admission.ts";
import type { StreamInfo, StreamRunner } from "./stream_runner.ts";

/** One stream of a pipeline, listed from when it is started until it is removed. */
export interface StreamSlot {
  config: StreamConfig;
  runner?: StreamRunner;
  /** Why the stream never started (bad source, failed model). */
  error?: string;
  /** Its frames stopped flowing (ended, failed or stopped). */
  done?: boolean;
  /** Added at runtime: its input is held to `limits` each time its source connects, and
   * its admission says when the source first connects, fails or starts reconnecting. */
  admission?: StreamAdmission;
  /** The limit that refused it: its runner is stopped and its later events dropped. */
  refused?: LimitError;
}

/**
 * What `GET /streams` shows of a stream: its runner's info (failed, with the limit's
 * error, once refused), or a failed stream with no frame when it never started.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveStreamConfig } from "./config.ts";
 * const config = resolveStreamConfig({ id: "cam1", source: "rtsp://10.0.0.2/live" },
 *   [{ id: "street" }], { name: "POST /streams", baseDir: "/srv" });
 * const info = streamSlotInfo({ config, error: 'model "street" failed to load: no file' });
 * assert.deepEqual([info.id, info.state, info.reason, info.stats.decoded], [
 *   "cam1",
 *   "failed",
 *   'model "street" failed to load: no file',
 *   0,
 * ]);
 * ```
 */
export function streamSlotInfo(slot: StreamSlot): StreamInfo {
  if (slot.runner && slot.refused) {
    return { ...slot.runner.info(), state: "failed", reason: slot.refused.message };
  }
  if (slot.runner) return slot.runner.info();
  const c = slot.config;
  return {
    id: c.id,
    source: c.source,
    model: c.model,
    state: "failed",
    ...(slot.error ? { reason: slot.error } : {}),
    live: false,
    stats: {
      decoded: 0,
      delivered: 0,
      dropped: 0,
      queueDepth: 0,
      maxQueueDepth: 0,
      reconnects: 0,
      published: 0,
      inFlight: 0,
      maxInFlight: 0,
      failed: 0,
    },
    fps: { in: 0, out: 0 },
  };
}
