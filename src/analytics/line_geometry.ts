/**
 * Sides of a directed line and meetings of segments, with exact signs ({@link orient2d}):
 * the geometry of counting lines and of the polygon check.
 *
 * @module
 */

import { orient2d } from "./orient.ts";

/**
 * The side of point `(px, py)` relative to the directed line A → B in image coordinates
 * (y down): `1` on the left-hand side of someone walking from A to B as the picture is
 * seen (a crossing to it is `in`), `-1` on the right-hand side (`out`), `0` exactly on
 * the line (its infinite extension included).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // A line drawn left to right at y = 100: above it (smaller y) is the `in` side.
 * assert.equal(lineSide(0, 100, 640, 100, 320, 50), 1);
 * assert.equal(lineSide(0, 100, 640, 100, 320, 150), -1);
 * assert.equal(lineSide(0, 100, 640, 100, 9000, 100), 0);
 * ```
 */
export function lineSide(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  px: number,
  py: number,
): -1 | 0 | 1 {
  const o = orient2d(ax, ay, bx, by, px, py);
  return o > 0 ? -1 : o < 0 ? 1 : 0;
}

/** {@link segmentsMeet}: the segments have no point in common. */
export const APART = 0;
/** {@link segmentsMeet}: the segments cross at one point inside both. */
export const CROSSING = 1;
/** {@link segmentsMeet}: the segments share a point that is an end of one of them, or overlap. */
export const TOUCHING = 2;

/**
 * Whether the closed segments P–Q and R–S have a point in common: {@link APART},
 * {@link CROSSING} (a proper crossing: the point is inside both), or {@link TOUCHING} (an
 * end point of one lies on the other, or they overlap along a stretch). Exact. Segments
 * of zero length are points.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(segmentsMeet(0, 0, 10, 10, 0, 10, 10, 0), CROSSING);
 * assert.equal(segmentsMeet(0, 0, 10, 0, 5, 0, 5, 7), TOUCHING); // a T
 * assert.equal(segmentsMeet(0, 0, 10, 0, 5, 0, 20, 0), TOUCHING); // overlapping
 * assert.equal(segmentsMeet(0, 0, 10, 0, 11, 0, 20, 0), APART); // collinear, apart
 * assert.equal(segmentsMeet(0, 0, 10, 0, 5, 1, 5, 7), APART);
 * ```
 */
export function segmentsMeet(
  px: number,
  py: number,
  qx: number,
  qy: number,
  rx: number,
  ry: number,
  sx: number,
  sy: number,
): number {
  // Bounding boxes first: cheap, and needed for the collinear cases below anyway.
  if (
    Math.max(px, qx) < Math.min(rx, sx) || Math.max(rx, sx) < Math.min(px, qx) ||
    Math.max(py, qy) < Math.min(ry, sy) || Math.max(ry, sy) < Math.min(py, qy)
  ) return APART;
  const r = Math.sign(orient2d(px, py, qx, qy, rx, ry));
  const s = Math.sign(orient2d(px, py, qx, qy, sx, sy));
  if (r !== 0 && r === s) return APART;
  const p = Math.sign(orient2d(rx, ry, sx, sy, px, py));
  const q = Math.sign(orient2d(rx, ry, sx, sy, qx, qy));
  if (p !== 0 && p === q) return APART;
  if (r !== 0 && s !== 0 && p !== 0 && q !== 0) return CROSSING;
  if (r === 0 && s === 0) {
    // Collinear (or a point on the other's line): the boxes overlap, so do the segments,
    // unless one has zero length and lies off the other's line.
    return p === 0 && q === 0 ? TOUCHING : APART;
  }
  // One end lies on the other segment's line and the signs straddle: with the bounding
  // boxes overlapping, that end is on the segment itself.
  return TOUCHING;
}

/**
 * Whether point `(x, y)` lies on the closed segment P–Q. Exact.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(onSegment(0, 0, 10, 10, 3, 3));
 * assert.ok(onSegment(0, 0, 10, 10, 10, 10));
 * assert.ok(!onSegment(0, 0, 10, 10, 11, 11));
 * ```
 */
export function onSegment(px: number, py: number, qx: number, qy: number, x: number, y: number) {
  return x >= Math.min(px, qx) && x <= Math.max(px, qx) && y >= Math.min(py, qy) &&
    y <= Math.max(py, qy) && orient2d(px, py, qx, qy, x, y) === 0;
}
