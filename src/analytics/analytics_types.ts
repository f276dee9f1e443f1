/**
 * The types of the analytics layer: counting lines and zones as configured, the tracked
 * objects of one frame they are fed, the events they emit and the counts they keep.
 * Coordinates are source-image pixels of the picture upright (as a player shows it), y
 * pointing down; times are `pts` in milliseconds on the stream clock the caller gives.
 *
 * @module
 */

/**
 * The point of a box that a line or zone follows: `"bottom_center"` (where an object
 * stands on the ground: the default), `"center"`, or a side's centre or corner. For a
 * box `x1, y1, x2, y2` (y down), `"top_left"` is `(x1, y1)` and `"bottom_right"` is
 * `(x2, y2)`.
 */
export type Anchor =
  | "bottom_center"
  | "center"
  | "top_center"
  | "top_left"
  | "top_right"
  | "bottom_left"
  | "bottom_right";

/**
 * A counting line: the segment from `points[0]` (A) to `points[1]` (B). Walking from A to
 * B as the picture is seen, an object crossing from your right-hand side to your
 * left-hand side is counted `in`, the other way `out` (supervision's `LineZone`
 * convention): on a line drawn left to right, moving up the picture is `in`.
 */
export interface LineSpec {
  /** Its name in events and counts (unique among the lines). */
  name: string;
  /** A and B, in source pixels; two different points. */
  points: [[number, number], [number, number]];
  /** The point of a box that is followed (default `"bottom_center"`). */
  anchor?: Anchor;
  /** Only these class ids are counted; other classes are ignored entirely (default: every class). */
  classes?: number[];
  /** Frames an object must stay on its new side, the frame of arrival included (default 2). */
  minFrames?: number;
}

/**
 * A zone: a simple polygon (at least 3 corners, no two edges crossing or touching except
 * neighbours at their shared corner). An object is inside while its anchor is (even-odd
 * rule; a point on an edge or a corner is inside).
 */
export interface ZoneSpec {
  /** Its name in events and counts (unique among the zones). */
  name: string;
  /** The corners in order, in source pixels; the last one joins the first (do not repeat it). */
  points: [number, number][];
  /** The point of a box that is followed (default `"bottom_center"`). */
  anchor?: Anchor;
  /** Only these class ids are counted; other classes are ignored entirely (default: every class). */
  classes?: number[];
  /** Frames an object must stay inside (or outside), the first one included, before it
   * enters (or exits) (default 2). */
  minFrames?: number;
}

/** The tracked objects of one frame, as a tracker gives them (K tracks). */
export interface TrackedFrame {
  /** The frame's presentation time, ms, on the stream clock. It should not decrease: an
   * earlier pts than the last frame's is taken as the clock starting again (see
   * `StreamAnalytics`). */
  pts: number;
  /** K track ids, each at most once. */
  trackIds: Int32Array;
  /** K×4 boxes `x1, y1, x2, y2` in source pixels. */
  boxes: Float32Array;
  /** K class ids. */
  classIds: Int32Array;
  /** Track ids the tracker removed at this frame: they are forgotten (and exit the zones
   * they are in) after this frame's boxes are counted. */
  ended?: Int32Array;
}

/**
 * What happened at a frame. `pts` is always the pts of the frame whose update emitted
 * the event: a crossing, entry or exit is emitted at the frame that confirms it, which
 * is `minFrames − 1` frames after it began. `dwellMs` is measured between the
 * transitions themselves: from the first frame of the run inside that made the entry to
 * the first frame of the run outside that made the exit. A track that ends (or is
 * forgotten) while inside exits at its last frame seen, or, if it was already seen
 * outside for fewer than `minFrames` frames, at the first of those frames.
 *
 * - `line`: a track crossed the line (`classId`: its class in the confirming frame);
 * - `zone` `entered`: a track is now inside (`classId`: its class in the confirming
 *   frame, kept until it exits, so that occupancy per class adds up);
 * - `zone` `exited`: a track left, ended or was forgotten;
 * - `zone` `occupancy`: the zone's count per class changed at this frame (`occupancy`
 *   lists the classes with at least one object inside; `total` is their sum).
 */
export type AnalyticsEvent =
  | {
    type: "line";
    line: string;
    trackId: number;
    classId: number;
    direction: "in" | "out";
    pts: number;
  }
  | { type: "zone"; zone: string; event: "entered"; trackId: number; classId: number; pts: number }
  | {
    type: "zone";
    zone: string;
    event: "exited";
    trackId: number;
    classId: number;
    pts: number;
    dwellMs: number;
  }
  | {
    type: "zone";
    zone: string;
    event: "occupancy";
    occupancy: Record<number, number>;
    total: number;
    pts: number;
  };

/** A line's crossings so far, per class id (classes never counted are absent). */
export interface LineCounts {
  name: string;
  in: Record<number, number>;
  out: Record<number, number>;
  totalIn: number;
  totalOut: number;
}

/** A zone's objects inside now, and its entries and exits so far, per class id (zero counts absent). */
export interface ZoneCounts {
  name: string;
  occupancy: Record<number, number>;
  total: number;
  entered: Record<number, number>;
  exited: Record<number, number>;
}

/** Every line's and zone's counts, in configuration order. */
export interface AnalyticsSnapshot {
  lines: LineCounts[];
  zones: ZoneCounts[];
}
