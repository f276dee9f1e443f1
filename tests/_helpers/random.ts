/**
 * Seeded pseudo-random numbers for randomized tests and benchmark inputs.
 *
 * @module
 */

/**
 * Seeded pseudo-random numbers in [0, 1) (mulberry32), for randomized tests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(random(1)(), random(1)());
 * ```
 */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal numbers from a uniform source (Box-Muller).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(Number.isFinite(gauss(random(3))));
 * ```
 */
export function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}
