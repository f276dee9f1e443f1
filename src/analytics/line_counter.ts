/**
 * One counting line's state: each track's side, crossings being confirmed, and the
 * counts in and out per class.
 *
 * @module
 */

import type { AnalyticsEvent, Anchor, LineCounts, LineSpec } from "./analytics_types.ts";
import { ClassCounts } from "./class_counts.ts";
import { APART, lineSide, segmentsMeet } from "./line_geometry.ts";
import { copySpec, DEFAULT_ANCHOR, DEFAULT_MIN_FRAMES } from "./specs.ts";

/** What a line remembers of one track. */
interface LineTrack {
  /** The side confirmed: 1 (`in` side), -1 (`out` side), 0 while only seen on the line. */
  side: number;
  /** Frames seen in a row on the other side (0: none): a crossing being confirmed. */
  run: number;
  /** Whether the move that began the run went through the segment. */
  through: boolean;
  /** The anchor when last seen. */
  x: number;
  y: number;
  /** The pts when last seen. */
  seen: number;
}

/**
 * A line's counter. Per track, in the order of its frames:
 *
 * 1. The first position strictly off the line (its infinite extension) establishes the
 *    track's side, without counting (a track first seen exactly on the line has none yet).
 * 2. A position exactly on the line keeps the side the track was on.
 * 3. Arriving on the other side begins a run; the run counts as a crossing if the move
 *    from the previous position (on the old side, or on the line) to the arrival passes
 *    through the segment, its end points included.
 * 4. A run of `minFrames` frames on the new side (the arrival frame is 1) confirms it: the
 *    new side becomes the track's side, and if the run began through the segment, one
 *    crossing is counted, `in` towards the left-hand side of A → B as the picture is
 *    seen, `out` towards the right-hand side, under the track's class in that frame.
 *    Going back before that cancels the run. A track that went round the segment's end
 *    gets its new side without a count.
 *
 * Tracks that end, or that are forgotten, are dropped with any run not yet confirmed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AnalyticsEvent } from "./analytics_types.ts";
 * const door = new LineCounter({ name: "door", points: [[0, 100], [640, 100]], minFrames: 2 });
 * const events: AnalyticsEvent[] = [];
 * for (const [pts, y] of [[0, 120], [40, 90], [80, 80]]) door.observe(7, 320, y, 1, pts, events);
 * assert.deepEqual(events, [{ type: "line", line: "door", trackId: 7, classId: 1, direction: "in", pts: 80 }]);
 * assert.deepEqual(door.counts().in, { 1: 1 });
 * ```
 */
export class LineCounter {
  /** The line as given (a frozen copy). */
  readonly spec: LineSpec;
  readonly anchor: Anchor;
  readonly minFrames: number;
  readonly #classes: Set<number> | null;
  readonly #ax: number;
  readonly #ay: number;
  readonly #bx: number;
  readonly #by: number;
  readonly #tracks = new Map<number, LineTrack>();
  readonly #in = new ClassCounts();
  readonly #out = new ClassCounts();
  /** No track was last seen before this (a lower bound, for forgetting). */
  #oldestSeen = Infinity;

  /** `spec` must be valid (see `lineIssues`). */
  constructor(spec: LineSpec) {
    this.spec = copySpec(spec);
    this.anchor = spec.anchor ?? DEFAULT_ANCHOR;
    this.minFrames = spec.minFrames ?? DEFAULT_MIN_FRAMES;
    this.#classes = spec.classes ? new Set(spec.classes) : null;
    [[this.#ax, this.#ay], [this.#bx, this.#by]] = spec.points;
  }

  /** Whether the line counts this class (others are ignored entirely). */
  accepts(classId: number): boolean {
    return this.#classes === null || this.#classes.has(classId);
  }

  /** Tracks remembered now. */
  get size(): number {
    return this.#tracks.size;
  }

  /** A track's anchor `(x, y)` at `pts`; a confirmed crossing is pushed onto `events`. */
  observe(
    trackId: number,
    x: number,
    y: number,
    classId: number,
    pts: number,
    events: AnalyticsEvent[],
  ): void {
    const s = lineSide(this.#ax, this.#ay, this.#bx, this.#by, x, y);
    const t = this.#tracks.get(trackId);
    if (t === undefined) {
      this.#tracks.set(trackId, { side: s, run: 0, through: false, x, y, seen: pts });
      if (pts < this.#oldestSeen) this.#oldestSeen = pts;
      return;
    }
    if (t.side === 0) t.side = s;
    else {
      // On the line: the side it was on (the run's, during a run).
      const e = s !== 0 ? s : t.run > 0 ? -t.side : t.side;
      if (e === t.side) t.run = 0;
      else {
        if (t.run === 0) {
          t.through =
            segmentsMeet(t.x, t.y, x, y, this.#ax, this.#ay, this.#bx, this.#by) !== APART;
        }
        if (++t.run >= this.minFrames) {
          t.side = e, t.run = 0;
          if (t.through) {
            const direction = e === 1 ? "in" : "out";
            (e === 1 ? this.#in : this.#out).add(classId, 1);
            events.push({ type: "line", line: this.spec.name, trackId, classId, direction, pts });
          }
        }
      }
    }
    t.x = x, t.y = y, t.seen = pts;
  }

  /** Forgets a track (it ended). */
  end(trackId: number): void {
    this.#tracks.delete(trackId);
  }

  /** Forgets the tracks last seen more than `forgetAfterMs` before `pts` (every track
   * when `all`). */
  sweep(pts: number, forgetAfterMs: number, all = false): void {
    if (all) {
      this.#tracks.clear();
      this.#oldestSeen = Infinity;
      return;
    }
    if (!(pts - this.#oldestSeen > forgetAfterMs)) return;
    let oldest = Infinity;
    for (const [id, t] of this.#tracks) {
      if (pts - t.seen > forgetAfterMs) this.#tracks.delete(id);
      else if (t.seen < oldest) oldest = t.seen;
    }
    this.#oldestSeen = oldest;
  }

  /** The counts so far. */
  counts(): LineCounts {
    return {
      name: this.spec.name,
      in: this.#in.toRecord(),
      out: this.#out.toRecord(),
      totalIn: this.#in.total,
      totalOut: this.#out.total,
    };
  }
}
