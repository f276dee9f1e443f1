/**
 * A stream's objects over time: its tracker (ByteTrack, `src/tracking/`), its lines and
 * zones (`src/analytics/`), and the events and counts they make, as wire messages. Run by
 * the stream's runner on the main thread for each result, in frame order.
 *
 * @module
 */

import { ClassTracker } from "../tracking/class_tracker.ts";
import type { TrackLifecycle } from "../tracking/track_state.ts";
import { StreamAnalytics } from "../analytics/stream_analytics.ts";
import type { AnalyticsEvent, AnalyticsSnapshot } from "../analytics/analytics_types.ts";
import type { Detections } from "../inference/postprocess.ts";
import type { TrackingConfig } from "../wire/analytics_config.ts";
import type {
  CountsMessage,
  LineCountsMessage,
  ZoneCountsMessage,
} from "../wire/event_messages.ts";
import type { StreamEvent } from "./events.ts";
import type { ResolvedLine, ResolvedZone } from "./stream_analytics_config.ts";

/** What `GET /streams` shows of a stream's tracking. */
export interface TrackingInfo {
  /** Tracks confirmed and tracked now. */
  activeTracks: number;
  /** Tracks started so far. */
  tracks: number;
  /** The tracker's parameters, with the frame rate it scales its buffer by. */
  params: TrackingConfig & { frameRate: number };
  lines: string[];
  zones: string[];
}

/** A frame's tracks: the track id of each detection (0: none), and its events. */
export interface TrackedResult {
  trackIds: Int32Array;
  events: StreamEvent[];
}

/**
 * Tracks one stream's detections and counts its lines and zones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const labels = new Map([[1, "car"]]);
 * const t = new StreamTracking("cam", { trackThresh: 0.5, matchThresh: 0.8, trackBuffer: 30,
 *   mot20: false, classes: "per-class" }, 15, [], [], labels);
 * const d = { boxes: new Float32Array([10, 10, 50, 40]), scores: new Float32Array([0.9]),
 *   classIds: new Int32Array([1]) };
 * const first = t.update(d, 0, 0, 1000);
 * assert.deepEqual([...first.trackIds], [1]); // the first frame confirms new tracks at once
 * assert.equal(first.events[0].type, "track");
 * assert.equal(t.info().activeTracks, 1);
 * ```
 */
export class StreamTracking {
  readonly streamId: string;
  readonly params: TrackingConfig & { frameRate: number };
  #tracker: ClassTracker;
  #analytics: StreamAnalytics;
  #labels: ReadonlyMap<number, string>;
  #started = 0;
  #last: { frame: number; ptsMs: number } | undefined;

  constructor(
    streamId: string,
    config: TrackingConfig,
    frameRate: number,
    lines: readonly ResolvedLine[],
    zones: readonly ResolvedZone[],
    labels: ReadonlyMap<number, string>,
  ) {
    this.streamId = streamId;
    this.params = { ...config, frameRate: config.frameRate ?? frameRate };
    this.#tracker = new ClassTracker({
      trackThresh: config.trackThresh,
      matchThresh: config.matchThresh,
      trackBuffer: config.trackBuffer,
      frameRate: this.params.frameRate,
      mot20: config.mot20,
      mode: config.classes,
    });
    this.#analytics = new StreamAnalytics({ lines: [...lines], zones: [...zones] });
    this.#labels = labels;
  }

  /** Tracks one frame's detections; `at` is the epoch ms its events are stamped with. */
  update(detections: Detections, frame: number, ptsMs: number, at: number): TrackedResult {
    const out = this.#tracker.update(detections.boxes, detections.scores, detections.classIds, {
      time: ptsMs,
    });
    const trackIds = new Int32Array(detections.scores.length);
    for (let k = 0; k < out.trackIds.length; k++) {
      const d = out.detections[k];
      if (d >= 0) trackIds[d] = out.trackIds[k];
    }
    const base = { streamId: this.streamId, frame, ptsMs: round2(ptsMs), at: round2(at) };
    const events: StreamEvent[] = [];
    for (const t of out.started) {
      this.#started++;
      events.push({
        ...base,
        type: "track",
        event: "started",
        ...this.#object(t),
        startPtsMs: round2(t.startTime),
      });
    }
    const ended = Int32Array.from(out.ended, (t) => t.id);
    const analytics = this.#analytics.update({
      pts: ptsMs,
      trackIds: out.trackIds,
      boxes: out.boxes,
      classIds: out.classIds,
      ended,
    });
    if (analytics.length > 0) {
      const snapshot = this.#analytics.snapshot();
      for (const e of analytics) events.push(this.#analyticsEvent(e, base, snapshot));
    }
    for (const t of out.ended) {
      events.push({
        ...base,
        type: "track",
        event: "ended",
        ...this.#object(t),
        startPtsMs: round2(t.startTime),
        durationMs: round2(Math.max(0, (t.endTime ?? t.lastTime) - t.startTime)),
      });
    }
    this.#last = { frame, ptsMs };
    return { trackIds, events };
  }

  /** Replaces the lines (unchanged ones keep their counts). */
  setLines(lines: readonly ResolvedLine[]): void {
    this.#analytics.setLines([...lines]);
  }

  /** Replaces the zones (unchanged ones keep their counts and who is inside). */
  setZones(zones: readonly ResolvedZone[]): void {
    this.#analytics.setZones([...zones]);
  }

  /** The lines now. */
  get lines(): readonly ResolvedLine[] {
    return this.#analytics.lines as ResolvedLine[];
  }

  /** The zones now. */
  get zones(): readonly ResolvedZone[] {
    return this.#analytics.zones as ResolvedZone[];
  }

  /** The stream's counts now, as a `counts` message (without `v`). */
  counts(at: number): Omit<CountsMessage, "v"> {
    const snapshot = this.#analytics.snapshot();
    return {
      type: "counts",
      streamId: this.streamId,
      ...(this.#last ? { frame: this.#last.frame, ptsMs: round2(this.#last.ptsMs) } : {}),
      at: round2(at),
      activeTracks: this.#tracker.activeCount(),
      tracks: this.#started,
      lines: snapshot.lines.map((l) => this.#lineCounts(l)),
      zones: snapshot.zones.map((z) => this.#zoneCounts(z)),
    };
  }

  /** What `GET /streams` shows. */
  info(): TrackingInfo {
    return {
      activeTracks: this.#tracker.activeCount(),
      tracks: this.#started,
      params: this.params,
      lines: this.#analytics.lines.map((l) => l.name),
      zones: this.#analytics.zones.map((z) => z.name),
    };
  }

  #object(t: TrackLifecycle) {
    return { trackId: t.id, classId: t.classId, label: this.#label(t.classId) };
  }

  #label(classId: number): string {
    return this.#labels.get(classId) ?? String(classId);
  }

  #byName(counts: Record<number, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, n] of Object.entries(counts)) out[this.#label(Number(id))] = n;
    return out;
  }

  #lineCounts(l: AnalyticsSnapshot["lines"][number]): LineCountsMessage {
    return {
      name: l.name,
      in: this.#byName(l.in),
      out: this.#byName(l.out),
      totalIn: l.totalIn,
      totalOut: l.totalOut,
    };
  }

  #zoneCounts(z: AnalyticsSnapshot["zones"][number]): ZoneCountsMessage {
    return {
      name: z.name,
      occupancy: this.#byName(z.occupancy),
      total: z.total,
      entered: this.#byName(z.entered),
      exited: this.#byName(z.exited),
    };
  }

  #analyticsEvent(
    e: AnalyticsEvent,
    base: { streamId: string; frame: number; ptsMs: number; at: number },
    snapshot: AnalyticsSnapshot,
  ): StreamEvent {
    if (e.type === "line") {
      const counts = snapshot.lines.find((l) => l.name === e.line)!;
      return {
        ...base,
        type: "line",
        line: e.line,
        direction: e.direction,
        trackId: e.trackId,
        classId: e.classId,
        label: this.#label(e.classId),
        counts: this.#lineCounts(counts),
      };
    }
    const zone = { ...base, type: "zone" as const, zone: e.zone };
    if (e.event === "occupancy") {
      return { ...zone, event: "occupancy", occupancy: this.#byName(e.occupancy), total: e.total };
    }
    const object = { trackId: e.trackId, classId: e.classId, label: this.#label(e.classId) };
    return e.event === "entered"
      ? { ...zone, event: "entered", ...object }
      : { ...zone, event: "exited", ...object, dwellMs: round2(e.dwellMs) };
  }
}

const round2 = (v: number) => Math.round(v * 100) / 100;
