import assert from "node:assert/strict";
import { anchorPoint, ANCHORS } from "../../src/analytics/anchor.ts";
import {
  APART,
  CROSSING,
  onSegment,
  segmentsMeet,
  TOUCHING,
} from "../../src/analytics/line_geometry.ts";
import { orient2d } from "../../src/analytics/orient.ts";
import { pointInPolygon, Polygon, selfIntersection } from "../../src/analytics/polygon.ts";
import { random } from "../_helpers/random.ts";

/** `x` as an integer times 2^-shift, exactly. */
function scaled(x: number): [bigint, number] {
  let shift = 0;
  while (!Number.isInteger(x)) x *= 2, shift++;
  return [BigInt(x), shift];
}

/** The sign of the orientation determinant in exact integer arithmetic. */
function exactSign(...coords: number[]): number {
  const parts = coords.map(scaled);
  const shift = Math.max(...parts.map(([, s]) => s));
  const [ax, ay, bx, by, cx, cy] = parts.map(([m, s]) => m << BigInt(shift - s));
  const det = (ax - cx) * (by - cy) - (ay - cy) * (bx - cx);
  return det > 0n ? 1 : det < 0n ? -1 : 0;
}

Deno.test("orient2d() has the exact sign where float64 arithmetic gets it wrong", () => {
  const rand = random(12);
  let naiveWrong = 0, collinear = 0;
  for (let n = 0; n < 20_000; n++) {
    const ax = rand() * 1000, ay = rand() * 1000, bx = rand() * 1000, by = rand() * 1000;
    const t = n % 3 === 0 ? Math.floor(rand() * 9) / 8 : rand() * 3 - 1;
    // A point on the line (as near as float64 can put it), nudged by a few ulps.
    let cx = ax + t * (bx - ax), cy = ay + t * (by - ay);
    const nudge = Math.floor(rand() * 5) - 2;
    cy += nudge * Number.EPSILON * Math.abs(cy);
    if (n % 7 === 0) cx = Math.round(cx), cy = Math.round(cy);
    const expected = exactSign(ax, ay, bx, by, cx, cy);
    const naive = Math.sign((ax - cx) * (by - cy) - (ay - cy) * (bx - cx));
    if (naive !== expected) naiveWrong++;
    if (expected === 0) collinear++;
    assert.equal(Math.sign(orient2d(ax, ay, bx, by, cx, cy)) || 0, expected, `case ${n}`);
  }
  // The cases were hard ones: float64 got many wrong, and many were exactly collinear.
  assert.ok(naiveWrong > 500, `naive wrong ${naiveWrong}`);
  assert.ok(collinear > 500, `collinear ${collinear}`);
});

Deno.test("orient2d() changes sign when two points swap and is zero for repeated points", () => {
  const rand = random(3);
  for (let n = 0; n < 1000; n++) {
    const p = Array.from({ length: 6 }, () => rand() * 100 - 50);
    const [ax, ay, bx, by, cx, cy] = p;
    const o = Math.sign(orient2d(ax, ay, bx, by, cx, cy));
    assert.equal(Math.sign(orient2d(bx, by, ax, ay, cx, cy)), -o || 0);
    assert.equal(Math.sign(orient2d(bx, by, cx, cy, ax, ay)), o);
    assert.equal(orient2d(ax, ay, ax, ay, cx, cy), 0);
  }
});

Deno.test("anchorPoint() gives each anchor of a box", () => {
  const boxes = new Float32Array([10, 20, 30, 60]);
  assert.deepEqual(ANCHORS.map((a) => [a, anchorPoint(boxes, 0, a)]), [
    ["bottom_center", [20, 60]],
    ["center", [20, 40]],
    ["top_center", [20, 20]],
    ["top_left", [10, 20]],
    ["top_right", [30, 20]],
    ["bottom_left", [10, 60]],
    ["bottom_right", [30, 60]],
  ]);
  assert.throws(() => anchorPoint(boxes, 1, "center"), RangeError);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => anchorPoint(boxes, 0, "middle" as any), /expected one of "bottom_center"/);
});

Deno.test("segmentsMeet() tells apart crossing, touching and apart segments", () => {
  assert.equal(segmentsMeet(0, 0, 4, 4, 0, 4, 4, 0), CROSSING);
  assert.equal(segmentsMeet(0, 0, 4, 4, 4, 4, 8, 0), TOUCHING); // shared end point
  assert.equal(segmentsMeet(0, 0, 4, 0, 2, 0, 2, 0), TOUCHING); // a point on a segment
  assert.equal(segmentsMeet(0, 0, 4, 0, 5, 0, 5, 0), APART);
  assert.equal(segmentsMeet(0, 0, 4, 0, 4, 0, 9, 0), TOUCHING); // collinear, end to end
  assert.equal(segmentsMeet(0, 0, 4, 0, 2, 1, 9, 1), APART); // parallel
  assert.equal(segmentsMeet(0, 0, 4, 4, 5, 0, 9, -4), APART); // lines cross outside
});

/** Random star-shaped polygons with integer corners around (cx, cy). */
function starPolygon(rand: () => number, n: number): [number, number][] {
  const cx = 50, cy = 50;
  const points: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const angle = ((i + rand() * 0.8) / n) * 2 * Math.PI;
    const radius = 5 + rand() * 40;
    const p: [number, number] = [
      Math.round(cx + radius * Math.cos(angle)),
      Math.round(cy + radius * Math.sin(angle)),
    ];
    const last = points[points.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) points.push(p);
  }
  return points;
}

const fanSign = (a: [number, number], b: [number, number], c: [number, number]) =>
  Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
const CENTRE: [number, number] = [50, 50];

/** Whether every triangle fanning from the centre turns counter-clockwise (star-shaped). */
function isStar(points: [number, number][]): boolean {
  return points.every((a, i) => fanSign(CENTRE, a, points[(i + 1) % points.length]) > 0);
}

/** Inside a star-shaped polygon (closed): inside one of the triangles fanning from the centre. */
function inStar(points: [number, number][], x: number, y: number): boolean {
  const p: [number, number] = [x, y];
  return points.some((a, i) => {
    const b = points[(i + 1) % points.length];
    return fanSign(CENTRE, a, p) >= 0 && fanSign(a, b, p) >= 0 && fanSign(b, CENTRE, p) >= 0;
  });
}

Deno.test("Polygon.contains() agrees with a fan of triangles on random star-shaped polygons", () => {
  const rand = random(7);
  let polygons = 0, onEdges = 0, checked = 0;
  for (let n = 0; n < 30; n++) {
    const points = starPolygon(rand, 5 + Math.floor(rand() * 20));
    if (!isStar(points)) continue; // rounding the corners broke the fan
    polygons++;
    const polygon = new Polygon(points);
    // Every half-integer point of the box: many on edges, at corners, level with corners.
    for (let x = 0; x <= 100; x += 0.5) {
      for (let y = 0; y <= 100; y += 0.5) {
        const expected = inStar(points, x, y);
        assert.equal(polygon.contains(x, y), expected, `polygon ${n} at (${x}, ${y})`);
        checked++;
        if (
          polygons <= 3 &&
          points.some((a, i) => onSegment(...a, ...points[(i + 1) % points.length], x, y))
        ) {
          onEdges++;
        }
      }
    }
  }
  assert.ok(polygons >= 15, `${polygons} polygons`);
  assert.ok(onEdges > 50, `${onEdges} points on edges`);
});

Deno.test("pointInPolygon() counts the boundary as inside and is exact near it", () => {
  const triangle: [number, number][] = [[0, 0], [0.3, 0.1], [0.1, 0.3]];
  // (0.2, 0.2) lies between (0.3, 0.1) and (0.1, 0.3) only approximately in float64:
  const exact = exactSign(0.3, 0.1, 0.1, 0.3, 0.2, 0.2);
  assert.equal(pointInPolygon(triangle, 0.2, 0.2), exact >= 0);
  assert.ok(pointInPolygon(triangle, 0, 0));
  assert.ok(pointInPolygon(triangle, 0.15, 0.05));
  assert.ok(!pointInPolygon(triangle, 0.3, 0.3));
});

/** Reference simplicity check in plain integer arithmetic. */
function simpleByBruteForce(p: [number, number][]): boolean {
  const n = p.length;
  const orient = (a: number[], b: number[], c: number[]) =>
    Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
  const within = (a: number[], b: number[], c: number[]) =>
    Math.min(a[0], b[0]) <= c[0] && c[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= c[1] && c[1] <= Math.max(a[1], b[1]);
  const meet = (a: number[], b: number[], c: number[], d: number[]) => {
    const o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
    if (o1 * o2 < 0 && o3 * o4 < 0) return true;
    return (o1 === 0 && within(a, b, c)) || (o2 === 0 && within(a, b, d)) ||
      (o3 === 0 && within(c, d, a)) || (o4 === 0 && within(c, d, b));
  };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = p[i], b = p[(i + 1) % n], c = p[j], d = p[(j + 1) % n];
      if (j === i + 1 || (i === 0 && j === n - 1)) {
        // Neighbours share a corner; they may only meet there.
        const [u, v, w] = j === i + 1 ? [a, b, d] : [b, a, c];
        const dot = (u[0] - v[0]) * (w[0] - v[0]) + (u[1] - v[1]) * (w[1] - v[1]);
        if (orient(u, v, w) === 0 && dot > 0) return false;
      } else if (meet(a, b, c, d)) return false;
    }
  }
  return true;
}

Deno.test("selfIntersection() agrees with a brute-force check on random small polygons", () => {
  const rand = random(21);
  let simple = 0, notSimple = 0;
  for (let n = 0; n < 20_000; n++) {
    const count = 3 + Math.floor(rand() * 5);
    const points: [number, number][] = [];
    while (points.length < count) {
      const p: [number, number] = [Math.floor(rand() * 5), Math.floor(rand() * 5)];
      const last = points[points.length - 1];
      if (!last || last[0] !== p[0] || last[1] !== p[1]) points.push(p);
    }
    const [fx, fy] = points[0], [lx, ly] = points[count - 1];
    if (fx === lx && fy === ly) continue;
    const expected = simpleByBruteForce(points);
    assert.equal(selfIntersection(points) === null, expected, JSON.stringify(points));
    expected ? simple++ : notSimple++;
  }
  assert.ok(simple > 1000 && notSimple > 1000, `${simple} simple, ${notSimple} not`);
});
