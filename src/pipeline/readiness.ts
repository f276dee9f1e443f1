/**
 * Whether a pipeline is ready (`GET /ready`): every model loaded, and every stream has
 * delivered a frame (or may be pending) and has not failed.
 *
 * @module
 */

import type { ModelInfo } from "./pipeline_model.ts";
import type { StreamInfo } from "./stream_runner.ts";

/** What `GET /ready` reports. */
export interface Readiness {
  ready: boolean;
  models: { id: string; state: ModelInfo["state"]; error?: string }[];
  /** Each stream, `ready` once it has delivered a frame (or may be pending), unless it
   * failed; `reason`: why not, or its latest state's reason. */
  streams: { id: string; state: string; ready: boolean; reason?: string }[];
}

/** What readiness needs of a stream: what it shows, and whether it may be pending. */
export interface StreamReadiness {
  info: Pick<StreamInfo, "id" | "state" | "reason"> & { stats: { decoded: number } };
  /** The stream's `readyWithoutFrames`. */
  readyWithoutFrames?: boolean;
}

/**
 * The readiness of a pipeline's models and streams.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const models = [{ id: "street", state: "loaded" as const }];
 * const cam = { info: { id: "cam1", state: "connected" as const, stats: { decoded: 0 } } };
 * assert.deepEqual(readinessOf(models, [cam]), {
 *   ready: false,
 *   models: [{ id: "street", state: "loaded" }],
 *   streams: [{ id: "cam1", state: "connected", ready: false, reason: "no frame yet" }],
 * });
 * assert.equal(readinessOf(models, [{ ...cam, readyWithoutFrames: true }]).ready, true);
 * ```
 */
export function readinessOf(
  models: readonly Pick<ModelInfo, "id" | "state" | "error">[],
  streams: readonly StreamReadiness[],
): Readiness {
  const modelList = models.map((m) => ({
    id: m.id,
    state: m.state,
    ...(m.error ? { error: m.error } : {}),
  }));
  const streamList = streams.map(({ info: s, readyWithoutFrames }) => {
    const pending = s.stats.decoded === 0 && !readyWithoutFrames;
    const ready = s.state !== "failed" && !pending;
    const reason = s.reason ?? (pending ? "no frame yet" : undefined);
    return { id: s.id, state: s.state, ready, ...(reason ? { reason } : {}) };
  });
  const ready = modelList.every((m) => m.state === "loaded") && streamList.every((s) => s.ready);
  return { ready, models: modelList, streams: streamList };
}
