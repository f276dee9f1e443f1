/**
 * Two rules of the lease protocol: which KV errors mean a compare-and-swap was lost, and
 * where a stream's frame numbering goes on when another node takes it.
 *
 * @module
 */

import type { LeaseRecord } from "./cluster_records.ts";

/** Whether a KV write failed because the revision moved on (compare-and-swap lost). */
export function isConflict(error: unknown): boolean {
  const message = String((error as Error)?.message ?? error);
  return /wrong last sequence|key exists/i.test(message);
}

/** Frames per second assumed for a holder that recorded no rate and a stream without `fps`. */
const MAX_ASSUMED_FPS = 60;

/**
 * The first frame index of a stream taken from `old`'s holder: after every frame it may
 * have published. A lease given back records its last frame exactly; a holder that died
 * may have published, since its last write, at its recorded rate (else the stream's `fps`,
 * else 60/s) for as long as its lease stayed valid (a TTL), or since it claimed the lease
 * when it never wrote a frame count.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const at = Date.now();
 * assert.equal(nextFrame({ node: null, frame: 41, rate: 5, at }, false, 6000, {}), 42);
 * assert.equal(nextFrame({ node: "a", frame: 41, rate: 5, at }, true, 6000, {}), 72);
 * ```
 */
export function nextFrame(
  old: LeaseRecord,
  takeover: boolean,
  ttlMs: number,
  config: Record<string, unknown>,
): number {
  if (!takeover) return old.frame + 1;
  const rate = old.rate > 0
    ? old.rate
    : typeof config.fps === "number" && config.fps > 0
    ? config.fps
    : MAX_ASSUMED_FPS;
  const elapsedMs = old.frame >= 0 ? ttlMs : Math.max(ttlMs, Date.now() - old.at);
  return old.frame + 1 + Math.ceil(rate * elapsedMs / 1000);
}
