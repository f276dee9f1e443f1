/**
 * A stream's counting lines and zones, fed one frame of tracked objects at a time.
 *
 * @module
 */

import { describe } from "../describe.ts";
import { anchorsInto } from "./anchor.ts";
import { AnalyticsConfigError, analyticsIssues } from "./analytics_issues.ts";
import type {
  AnalyticsEvent,
  AnalyticsSnapshot,
  Anchor,
  LineSpec,
  TrackedFrame,
  ZoneSpec,
} from "./analytics_types.ts";
import { checkFrame } from "./frame_checks.ts";
import { LineCounter } from "./line_counter.ts";
import { specKey } from "./specs.ts";
import { ZoneCounter } from "./zone_counter.ts";

/** What {@link StreamAnalytics} is built from. */
export interface StreamAnalyticsConfig {
  /** Counting lines (default none). */
  lines?: LineSpec[];
  /** Zones (default none). */
  zones?: ZoneSpec[];
  /** One more than the largest class id the model gives: class ids in `classes` are
   * checked against it (default: not checked). */
  classCount?: number;
  /** A track not seen by a line or zone for more than this (ms of pts) is forgotten
   * there as if it ended, to bound memory when a tracker does not report ends
   * (default 10,000). */
  forgetAfterMs?: number;
}

/**
 * A stream's counting lines and zones (see `LineCounter` and `ZoneCounter` for the exact
 * rules of a crossing, an entry and an exit). Per frame the cost is O(tracks × (lines +
 * zone corners)), corners only for anchors inside a zone's bounding box, and memory is
 * a few numbers per track per line and zone: a track is forgotten when it ends
 * (`frame.ended`), or when a line or zone has not seen it for more than `forgetAfterMs`
 * of pts.
 *
 * `pts` must not decrease; a frame whose pts is earlier than the previous frame's is
 * taken as the stream's clock starting again (a source that restarted): every track is
 * forgotten first (those inside a zone exit, dwell measured on the old clock), counts
 * are kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const analytics = new StreamAnalytics({
 *   lines: [{ name: "door", points: [[0, 100], [640, 100]] }],
 *   zones: [{ name: "hall", points: [[0, 0], [640, 0], [640, 100], [0, 100]] }],
 * });
 * const frame = (pts: number, y: number) => ({
 *   pts,
 *   trackIds: new Int32Array([1]),
 *   boxes: new Float32Array([300, y - 50, 340, y]), // bottom centre at (320, y)
 *   classIds: new Int32Array([0]),
 * });
 * assert.deepEqual(analytics.update(frame(0, 130)), []);
 * assert.deepEqual(analytics.update(frame(40, 95)), []); // arrived above the line
 * assert.deepEqual(analytics.update(frame(80, 90)), [
 *   { type: "line", line: "door", trackId: 1, classId: 0, direction: "in", pts: 80 },
 *   { type: "zone", zone: "hall", event: "entered", trackId: 1, classId: 0, pts: 80 },
 *   { type: "zone", zone: "hall", event: "occupancy", occupancy: { 0: 1 }, total: 1, pts: 80 },
 * ]);
 * assert.deepEqual(analytics.snapshot().lines[0].in, { 0: 1 });
 * ```
 */
export class StreamAnalytics {
  #lines: LineCounter[] = [];
  #zones: ZoneCounter[] = [];
  #lineSpecs: readonly LineSpec[] = [];
  #zoneSpecs: readonly ZoneSpec[] = [];
  readonly #classCount: number | undefined;
  readonly #forgetAfterMs: number;
  /** The anchors some line or zone follows, each with its buffer of K `x, y` pairs. */
  #anchors = new Map<Anchor, Float64Array>();
  readonly #seen = new Map<number, number>();
  #lastPts = -Infinity;

  /** Throws an {@link AnalyticsConfigError} with every issue of the lines and zones. */
  constructor(config: StreamAnalyticsConfig) {
    const { lines = [], zones = [], classCount, forgetAfterMs = 10_000 } = config;
    if (!(typeof forgetAfterMs === "number" && forgetAfterMs >= 0)) {
      throw new RangeError(
        `StreamAnalytics: forgetAfterMs: expected a number >= 0, found ${describe(forgetAfterMs)}`,
      );
    }
    if (classCount !== undefined && !(Number.isInteger(classCount) && classCount >= 1)) {
      throw new RangeError(
        `StreamAnalytics: classCount: expected an integer >= 1, found ${describe(classCount)}`,
      );
    }
    this.#classCount = classCount;
    this.#forgetAfterMs = forgetAfterMs;
    const issues = analyticsIssues(lines, zones, classCount);
    if (issues.length > 0) throw new AnalyticsConfigError("StreamAnalytics", issues);
    this.#setLines(lines);
    this.#setZones(zones);
  }

  /** The lines counted, in order (frozen copies of their specs). */
  get lines(): readonly LineSpec[] {
    return this.#lineSpecs;
  }

  /** The zones counted, in order (frozen copies of their specs). */
  get zones(): readonly ZoneSpec[] {
    return this.#zoneSpecs;
  }

  /**
   * Counts one frame and returns what happened, in this order: line crossings (line by
   * line, tracks in frame order), then zone entries and exits (zone by zone: tracks
   * forgotten for not being seen, then tracks in frame order, then `frame.ended` in its
   * order), then one occupancy event per zone whose occupancy changed, in zone order.
   * Boxes of classes a line or zone does not count are ignored by it.
   */
  update(frame: TrackedFrame): AnalyticsEvent[] {
    const k = checkFrame(frame, this.#seen);
    const { pts, trackIds, boxes, classIds } = frame;
    const ended = frame.ended ?? EMPTY;
    const restart = pts < this.#lastPts;
    this.#lastPts = pts;
    for (const [anchor, buffer] of this.#anchors) {
      const out = buffer.length >= 2 * k ? buffer : new Float64Array(2 * k);
      if (out !== buffer) this.#anchors.set(anchor, out);
      anchorsInto(boxes, 0, k, anchor, out, 0);
    }
    const events: AnalyticsEvent[] = [];
    const forget = this.#forgetAfterMs;
    for (const line of this.#lines) {
      line.sweep(pts, forget, restart);
      const xy = this.#anchors.get(line.anchor)!;
      for (let i = 0; i < k; i++) {
        const c = classIds[i];
        if (line.accepts(c)) line.observe(trackIds[i], xy[2 * i], xy[2 * i + 1], c, pts, events);
      }
      for (let i = 0; i < ended.length; i++) line.end(ended[i]);
    }
    for (const zone of this.#zones) {
      zone.sweep(pts, forget, events, restart);
      const xy = this.#anchors.get(zone.anchor)!;
      for (let i = 0; i < k; i++) {
        const c = classIds[i];
        if (zone.accepts(c)) zone.observe(trackIds[i], xy[2 * i], xy[2 * i + 1], c, pts, events);
      }
      for (let i = 0; i < ended.length; i++) zone.end(ended[i], pts, events);
    }
    for (const zone of this.#zones) {
      const event = zone.occupancyEvent(pts);
      if (event) events.push(event);
    }
    return events;
  }

  /** Every line's and zone's counts now, in order. */
  snapshot(): AnalyticsSnapshot {
    return {
      lines: this.#lines.map((l) => l.counts()),
      zones: this.#zones.map((z) => z.counts()),
    };
  }

  /**
   * Replaces the lines. A line whose spec is unchanged (same name, points, anchor,
   * classes and `minFrames`, defaults filled) keeps its counts and what it knows of each
   * track; a changed or new one starts from zero; the others are gone. Throws an
   * {@link AnalyticsConfigError} (paths from `lines`) and changes nothing if one is bad.
   */
  setLines(lines: LineSpec[]): void {
    const issues = analyticsIssues(lines, undefined, this.#classCount);
    if (issues.length > 0) throw new AnalyticsConfigError("StreamAnalytics.setLines()", issues);
    this.#setLines(lines);
  }

  /**
   * Replaces the zones, as {@link setLines} does the lines. A zone that starts from zero
   * or is removed emits no exit for the tracks it had inside.
   */
  setZones(zones: ZoneSpec[]): void {
    const issues = analyticsIssues(undefined, zones, this.#classCount);
    if (issues.length > 0) throw new AnalyticsConfigError("StreamAnalytics.setZones()", issues);
    this.#setZones(zones);
  }

  #setLines(lines: LineSpec[]): void {
    this.#lines = reuse(this.#lines, lines, (spec) => new LineCounter(spec));
    this.#lineSpecs = Object.freeze(this.#lines.map((l) => l.spec));
    this.#anchorsUsed();
  }

  #setZones(zones: ZoneSpec[]): void {
    this.#zones = reuse(this.#zones, zones, (spec) => new ZoneCounter(spec));
    this.#zoneSpecs = Object.freeze(this.#zones.map((z) => z.spec));
    this.#anchorsUsed();
  }

  #anchorsUsed(): void {
    const used = new Map<Anchor, Float64Array>();
    for (const c of [...this.#lines, ...this.#zones]) {
      used.set(c.anchor, this.#anchors.get(c.anchor) ?? new Float64Array(0));
    }
    this.#anchors = used;
  }
}

const EMPTY = new Int32Array(0);

/** The counters for `specs`: an existing one where its spec is unchanged, else a new one. */
function reuse<S extends LineSpec | ZoneSpec, C extends { spec: S }>(
  counters: C[],
  specs: S[],
  create: (spec: S) => C,
): C[] {
  const old = new Map(counters.map((c) => [specKey(c.spec), c]));
  return specs.map((spec) => old.get(specKey(spec)) ?? create(spec));
}
