/**
 * Zones' polygons: whether a point is inside (even-odd rule, the boundary inside), and
 * whether a polygon is simple. Both exact ({@link orient2d}).
 *
 * @module
 */

import { APART, CROSSING, segmentsMeet } from "./line_geometry.ts";
import { orient2d } from "./orient.ts";

/**
 * A polygon prepared for many point tests: its corners in a `Float64Array` and its
 * bounding box. The corners are taken as given (see {@link selfIntersection} for a check).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const square = new Polygon([[0, 0], [10, 0], [10, 10], [0, 10]]);
 * assert.ok(square.contains(5, 5));
 * assert.ok(square.contains(10, 3)); // on an edge
 * assert.ok(square.contains(0, 0)); // a corner
 * assert.ok(!square.contains(10.001, 3));
 * ```
 */
export class Polygon {
  /** Corners as `x, y` pairs. */
  readonly coords: Float64Array;
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;

  constructor(points: readonly (readonly [number, number])[]) {
    this.coords = new Float64Array(points.length * 2);
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    points.forEach(([x, y], i) => {
      this.coords[2 * i] = x, this.coords[2 * i + 1] = y;
      minX = Math.min(minX, x), minY = Math.min(minY, y);
      maxX = Math.max(maxX, x), maxY = Math.max(maxY, y);
    });
    this.minX = minX, this.minY = minY, this.maxX = maxX, this.maxY = maxY;
  }

  /**
   * Whether `(x, y)` is inside by the even-odd rule (a ray from the point crosses the
   * boundary an odd number of times), a point on an edge or a corner counting as inside.
   * Exact; O(corners), O(1) outside the bounding box.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * // A "U": the notch between its arms is outside.
   * const u = new Polygon([[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3]]);
   * assert.ok(u.contains(0.5, 2));
   * assert.ok(!u.contains(1.5, 2));
   * assert.ok(u.contains(1.5, 1)); // the notch's floor is an edge
   * ```
   */
  contains(x: number, y: number): boolean {
    if (x < this.minX || x > this.maxX || y < this.minY || y > this.maxY) return false;
    const c = this.coords, n = c.length >> 1;
    let inside = false;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const ax = c[2 * j], ay = c[2 * j + 1], bx = c[2 * i], by = c[2 * i + 1];
      // The edge straddles the ray's height (half-open, so a corner at that height is
      // counted once) or its bounding box holds the point (which may then be on it).
      const straddles = (ay > y) !== (by > y);
      const inBox = x >= (ax < bx ? ax : bx) && x <= (ax < bx ? bx : ax) &&
        y >= (ay < by ? ay : by) && y <= (ay < by ? by : ay);
      if (!straddles && !inBox) continue;
      const o = orient2d(ax, ay, bx, by, x, y);
      if (o === 0 && inBox) return true;
      // The edge meets the ray's line right of the point exactly when the point is on
      // the edge's left (o > 0, y up) for an edge going up, on its right going down.
      if (straddles && (o > 0) === (by > ay)) inside = !inside;
    }
    return inside;
  }
}

/**
 * Whether `(x, y)` is inside the polygon (even-odd rule, the boundary inside); see
 * {@link Polygon} to test many points against one polygon.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(pointInPolygon([[0, 0], [4, 0], [0, 4]], 1, 1));
 * assert.ok(pointInPolygon([[0, 0], [4, 0], [0, 4]], 2, 2)); // on the hypotenuse
 * assert.ok(!pointInPolygon([[0, 0], [4, 0], [0, 4]], 2.5, 2));
 * ```
 */
export function pointInPolygon(
  points: readonly (readonly [number, number])[],
  x: number,
  y: number,
): boolean {
  return new Polygon(points).contains(x, y);
}

/** Two edges of a polygon that meet where they should not (edge `i` runs from corner `i` to `i + 1`). */
export interface EdgeMeeting {
  /** The first edge's index (its start corner). */
  first: number;
  /** The second edge's index, after the first. */
  second: number;
  /** Whether they cross (else one touches the other, or they overlap). */
  crossing: boolean;
}

/**
 * The first two edges of a polygon that meet other than neighbours at their shared
 * corner (crossing, touching, or overlapping: a neighbour that doubles back along its
 * neighbour overlaps it), or `null` for a simple polygon. Corners must be finite and no
 * two consecutive ones equal. Exact; O(corners²).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(selfIntersection([[0, 0], [10, 0], [10, 10], [0, 10]]), null);
 * // A bow tie: edge 1 (corner 1 → 2) crosses edge 3 (corner 3 → 0).
 * assert.deepEqual(selfIntersection([[0, 0], [10, 0], [0, 10], [10, 10]]), {
 *   first: 1, second: 3, crossing: true,
 * });
 * ```
 */
export function selfIntersection(
  points: readonly (readonly [number, number])[],
): EdgeMeeting | null {
  const n = points.length;
  for (let i = 0; i < n; i++) {
    const [px, py] = points[i], [qx, qy] = points[(i + 1) % n];
    for (let j = i + 1; j < n; j++) {
      const [rx, ry] = points[j], [sx, sy] = points[(j + 1) % n];
      if (j === i + 1) {
        if (foldsBack(px, py, qx, qy, sx, sy)) return { first: i, second: j, crossing: false };
      } else if (i === 0 && j === n - 1) {
        if (foldsBack(qx, qy, px, py, rx, ry)) return { first: i, second: j, crossing: false };
      } else {
        const meet = segmentsMeet(px, py, qx, qy, rx, ry, sx, sy);
        if (meet !== APART) return { first: i, second: j, crossing: meet === CROSSING };
      }
    }
  }
  return null;
}

/** Whether the edges u → v and v → w overlap: w lies back along v → u's direction. */
function foldsBack(ux: number, uy: number, vx: number, vy: number, wx: number, wy: number) {
  return orient2d(ux, uy, vx, vy, wx, wy) === 0 &&
    Math.sign(ux - vx) === Math.sign(wx - vx) && Math.sign(uy - vy) === Math.sign(wy - vy);
}
