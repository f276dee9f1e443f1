/**
 * The one geometric predicate of the analytics layer: on which side of a directed line a
 * point lies, with the exact sign (Shewchuk's orientation test, "Adaptive Precision
 * Floating-Point Arithmetic and Fast Robust Geometric Predicates", 1997). The common case
 * is a float64 determinant whose error bound proves its sign; only when the point is so
 * close to the line that rounding could flip the sign is the determinant summed exactly
 * (error-free transformations, no BigInt). So "exactly on the line" means exactly, for any
 * finite coordinates whose products neither overflow nor underflow (pixel coordinates
 * are far from either).
 *
 * @module
 */

/** Half an ulp of 1 in float64 (Shewchuk's `epsilon`). */
const EPSILON = 2 ** -53;
/** Veltkamp's splitter for float64: 2^ceil(53 / 2) + 1. */
const SPLITTER = 2 ** 27 + 1;
/** Shewchuk's `ccwerrboundA`: a float64 determinant at least this × its terms has the right sign. */
const ERROR_BOUND = (3 + 16 * EPSILON) * EPSILON;

/**
 * The sign of the orientation determinant of `a`, `b`, `c`:
 * `(ax − cx)(by − cy) − (ay − cy)(bx − cx)`, which equals the cross product
 * `(b − a) × (c − a)`. Positive when `c` lies to the left of the directed line `a → b` in
 * coordinates whose y axis points up (counter-clockwise `a, b, c`); in image coordinates
 * (y pointing down) that is to the right of `a → b` as the picture is seen. Zero exactly
 * when the three points are collinear. Returns a number whose sign is exact: the
 * float64 determinant when its sign is certain, else -1, 0 or 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(orient2d(0, 0, 10, 0, 5, 3) > 0); // above the x axis, y up: left of a → b
 * assert.ok(orient2d(0, 0, 10, 0, 5, -3) < 0);
 * assert.equal(orient2d(0, 0, 10, 0, 20, 0), 0);
 * // Exactly collinear (c = a + 1/8 (b − a)), where the float64 determinant is -3.6e-15:
 * assert.equal(orient2d(53.8, 7, 48.8, 47.3, 53.175, 12.0375), 0);
 * // 1e-14 off the diagonal, where the float64 determinant is 0:
 * assert.equal(orient2d(12, 12, 24, 24, 0.5000000000006857, 0.5000000000006866), 1);
 * ```
 */
export function orient2d(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
): number {
  const detLeft = (ax - cx) * (by - cy);
  const detRight = (ay - cy) * (bx - cx);
  const det = detLeft - detRight;
  let detSum: number;
  if (detLeft > 0) {
    if (detRight <= 0) return det;
    detSum = detLeft + detRight;
  } else if (detLeft < 0) {
    if (detRight >= 0) return det;
    detSum = -detLeft - detRight;
  } else {
    return det;
  }
  const bound = ERROR_BOUND * detSum;
  if (det >= bound || -det >= bound) return det;
  return orientExact(ax, ay, bx, by, cx, cy);
}

// Scratch for the error-free transformations (the exact path is rare; no allocation).
let hi = 0, lo = 0;

/** `a − b = hi + lo` exactly (Knuth's TwoDiff). */
function twoDiff(a: number, b: number): void {
  const x = a - b;
  const bVirtual = a - x;
  const aVirtual = x + bVirtual;
  hi = x;
  lo = (a - aVirtual) + (bVirtual - b);
}

/** `a × b = hi + lo` exactly (Dekker's TwoProduct with Veltkamp's split). */
function twoProduct(a: number, b: number): void {
  const x = a * b;
  let c = SPLITTER * a;
  const aHi = c - (c - a), aLo = a - aHi;
  c = SPLITTER * b;
  const bHi = c - (c - b), bLo = b - bHi;
  hi = x;
  lo = aLo * bLo - (((x - aHi * bHi) - aLo * bHi) - aHi * bLo);
}

const terms = new Float64Array(16);
const expansion = new Float64Array(17);

/**
 * The exact sign of the determinant: each difference is split into two floats, each of
 * the 16 partial products into two more, and the 16 terms are summed into a
 * non-overlapping expansion (Shewchuk's Grow-Expansion), whose largest component has
 * the sign of the sum.
 */
function orientExact(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
): number {
  twoDiff(ax, cx);
  const acx = hi, acxLo = lo;
  twoDiff(by, cy);
  const bcy = hi, bcyLo = lo;
  twoDiff(ay, cy);
  const acy = hi, acyLo = lo;
  twoDiff(bx, cx);
  const bcx = hi, bcxLo = lo;
  let n = 0;
  const push = (a: number, b: number, sign: number) => {
    twoProduct(a, b);
    terms[n++] = sign * hi;
    terms[n++] = sign * lo;
  };
  push(acx, bcy, 1), push(acx, bcyLo, 1), push(acxLo, bcy, 1), push(acxLo, bcyLo, 1);
  push(acy, bcx, -1), push(acy, bcxLo, -1), push(acyLo, bcx, -1), push(acyLo, bcxLo, -1);
  let length = 0;
  for (let t = 0; t < n; t++) {
    let q = terms[t];
    for (let i = 0; i < length; i++) {
      const e = expansion[i];
      const x = q + e;
      const bVirtual = x - q;
      const aVirtual = x - bVirtual;
      expansion[i] = (q - aVirtual) + (e - bVirtual);
      q = x;
    }
    expansion[length++] = q;
  }
  for (let i = length - 1; i >= 0; i--) {
    if (expansion[i] !== 0) return expansion[i] > 0 ? 1 : -1;
  }
  return 0;
}
