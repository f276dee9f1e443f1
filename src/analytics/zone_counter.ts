/**
 * One zone's state: which tracks are inside, entries and exits being confirmed, the
 * occupancy per class, and the entries and exits so far.
 *
 * @module
 */

import type { AnalyticsEvent, Anchor, ZoneCounts, ZoneSpec } from "./analytics_types.ts";
import { ClassCounts } from "./class_counts.ts";
import { Polygon } from "./polygon.ts";
import { copySpec, DEFAULT_ANCHOR, DEFAULT_MIN_FRAMES } from "./specs.ts";

/** What a zone remembers of one track. */
interface ZoneTrack {
  /** Whether it is inside (confirmed). */
  inside: boolean;
  /** Frames seen in a row on the other side of the boundary (0: none). */
  run: number;
  /** The pts of the run's first frame. */
  runPts: number;
  /** While inside: when it entered (the first frame of the run that made it enter)... */
  enterPts: number;
  /** ...and the class it entered with, under which it is counted until it exits. */
  classId: number;
  /** The pts when last seen. */
  seen: number;
}

/**
 * A zone's counter. Per track, in the order of its frames: a track is outside until a run
 * of `minFrames` frames with its anchor inside (even-odd rule, the boundary inside: see
 * `Polygon`) makes it enter, as of the run's first frame, under its class in the frame
 * that confirms the entry; a run of `minFrames` frames outside makes it exit, as of that
 * run's first frame (its dwell is the exit's time minus the entry's). A track first seen
 * inside enters like any other. A track that ends, or is forgotten, while inside exits
 * at its last frame seen, or at the first frame of a run outside not yet confirmed.
 * Events carry the pts of the frame that emitted them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AnalyticsEvent } from "./analytics_types.ts";
 * const lot = new ZoneCounter({ name: "lot", points: [[0, 0], [100, 0], [100, 100], [0, 100]] });
 * const events: AnalyticsEvent[] = [];
 * for (const [pts, x] of [[0, 50], [40, 60], [80, 150], [120, 160]]) lot.observe(4, x, 50, 2, pts, events);
 * assert.deepEqual(events, [
 *   { type: "zone", zone: "lot", event: "entered", trackId: 4, classId: 2, pts: 40 },
 *   { type: "zone", zone: "lot", event: "exited", trackId: 4, classId: 2, pts: 120, dwellMs: 80 },
 * ]);
 * ```
 */
export class ZoneCounter {
  /** The zone as given (a frozen copy). */
  readonly spec: ZoneSpec;
  readonly anchor: Anchor;
  readonly minFrames: number;
  readonly polygon: Polygon;
  readonly #classes: Set<number> | null;
  readonly #tracks = new Map<number, ZoneTrack>();
  readonly #occupancy = new ClassCounts();
  readonly #entered = new ClassCounts();
  readonly #exited = new ClassCounts();
  /** Changes of the occupancy since the last {@link occupancyEvent}. */
  readonly #change = new ClassCounts();
  #oldestSeen = Infinity;

  /** `spec` must be valid (see `zoneIssues`). */
  constructor(spec: ZoneSpec) {
    this.spec = copySpec(spec);
    this.anchor = spec.anchor ?? DEFAULT_ANCHOR;
    this.minFrames = spec.minFrames ?? DEFAULT_MIN_FRAMES;
    this.polygon = new Polygon(spec.points);
    this.#classes = spec.classes ? new Set(spec.classes) : null;
  }

  /** Whether the zone counts this class (others are ignored entirely). */
  accepts(classId: number): boolean {
    return this.#classes === null || this.#classes.has(classId);
  }

  /** Tracks remembered now: those inside, or seen inside in a run not yet confirmed. */
  get size(): number {
    return this.#tracks.size;
  }

  /** A track's anchor `(x, y)` at `pts`; a confirmed entry or exit is pushed onto `events`. */
  observe(
    trackId: number,
    x: number,
    y: number,
    classId: number,
    pts: number,
    events: AnalyticsEvent[],
  ): void {
    const inside = this.polygon.contains(x, y);
    let t = this.#tracks.get(trackId);
    if (t === undefined) {
      // A track outside with no run inside is remembered by nothing: no state.
      if (!inside) return;
      t = { inside: false, run: 0, runPts: pts, enterPts: pts, classId, seen: pts };
      this.#tracks.set(trackId, t);
      if (pts < this.#oldestSeen) this.#oldestSeen = pts;
    }
    t.seen = pts;
    if (inside === t.inside) {
      if (inside) t.run = 0;
      else this.#tracks.delete(trackId); // back out before it entered
      return;
    }
    if (t.run === 0) t.runPts = pts;
    if (++t.run < this.minFrames) return;
    t.run = 0;
    if (inside) {
      t.inside = true, t.enterPts = t.runPts, t.classId = classId;
      this.#count(classId, 1);
      this.#entered.add(classId, 1);
      events.push({ type: "zone", zone: this.spec.name, event: "entered", trackId, classId, pts });
    } else {
      this.#tracks.delete(trackId);
      this.#exit(trackId, t, t.runPts, pts, events);
    }
  }

  /** Forgets a track (it ended at the frame of `pts`); if it was inside, it exits. */
  end(trackId: number, pts: number, events: AnalyticsEvent[]): void {
    const t = this.#tracks.get(trackId);
    if (t === undefined) return;
    this.#tracks.delete(trackId);
    if (t.inside) this.#exit(trackId, t, t.run > 0 ? t.runPts : t.seen, pts, events);
  }

  /** Forgets the tracks last seen more than `forgetAfterMs` before `pts` (every track
   * when `all`), as if they ended. */
  sweep(pts: number, forgetAfterMs: number, events: AnalyticsEvent[], all = false): void {
    if (!all && !(pts - this.#oldestSeen > forgetAfterMs)) return;
    let oldest = Infinity;
    for (const [id, t] of this.#tracks) {
      if (all || pts - t.seen > forgetAfterMs) this.end(id, pts, events);
      else if (t.seen < oldest) oldest = t.seen;
    }
    this.#oldestSeen = oldest;
  }

  /** The occupancy event of the frame at `pts` if the occupancy changed since the last
   * call (an entry and an exit of the same class cancel out), else `null`. */
  occupancyEvent(pts: number): AnalyticsEvent | null {
    if (this.#change.empty) return null;
    this.#change.clear();
    return {
      type: "zone",
      zone: this.spec.name,
      event: "occupancy",
      occupancy: this.#occupancy.toRecord(),
      total: this.#occupancy.total,
      pts,
    };
  }

  /** The counts now. */
  counts(): ZoneCounts {
    return {
      name: this.spec.name,
      occupancy: this.#occupancy.toRecord(),
      total: this.#occupancy.total,
      entered: this.#entered.toRecord(),
      exited: this.#exited.toRecord(),
    };
  }

  #exit(trackId: number, t: ZoneTrack, exitPts: number, pts: number, events: AnalyticsEvent[]) {
    const classId = t.classId;
    this.#count(classId, -1);
    this.#exited.add(classId, 1);
    events.push({
      type: "zone",
      zone: this.spec.name,
      event: "exited",
      trackId,
      classId,
      pts,
      dwellMs: exitPts - t.enterPts,
    });
  }

  #count(classId: number, delta: number): void {
    this.#occupancy.add(classId, delta);
    this.#change.add(classId, delta);
  }
}
