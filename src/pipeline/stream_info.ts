/**
 * What `GET /streams` shows of a stream: its source, state, input, counters and rates, and
 * its tracking when it tracks.
 *
 * @module
 */

import type { SourceStats } from "../video/frame_source.ts";
import type { StreamState } from "./events.ts";
import type { TrackingInfo } from "./stream_tracking.ts";

/** A stream as `GET /streams` shows it. */
export interface StreamInfo {
  id: string;
  source: string;
  model: string;
  state: StreamState;
  reason?: string;
  /** Native size and rate, once the source opened. */
  input?: { width: number; height: number; fps: number; codec: string; durationMs?: number };
  live: boolean;
  /** `inFlight`: frames in the model now; `maxInFlight`: how many may be (the stream's
   * window, see `streamWindow`). */
  stats: SourceStats & {
    published: number;
    inFlight: number;
    maxInFlight: number;
    failed: number;
  };
  fps: { in: number; out: number };
  /** Streams with tracking: tracks, lines and zones. */
  tracking?: TrackingInfo;
}
