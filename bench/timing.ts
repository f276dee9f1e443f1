/**
 * Timing for the benchmarks: candidates run alternately, round after round, so that
 * drift in the machine's speed hits both; each reports its median round.
 *
 * @module
 */

import { median } from "../src/stats.ts";

/** A named function to time; it may be async. */
export interface Contender {
  name: string;
  run: () => unknown;
}

/**
 * Median milliseconds per call of each contender. Each round calls every contender
 * `calls` times in a row (after `warmup` untimed calls each).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const [a] = await compare([{ name: "noop", run: () => 0 }], { rounds: 3, calls: 10 });
 * assert.ok(a >= 0);
 * ```
 */
export async function compare(
  contenders: Contender[],
  { rounds = 15, calls = 20, warmup = 20 } = {},
): Promise<number[]> {
  for (const c of contenders) for (let i = 0; i < warmup; i++) await c.run();
  const times = contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const [k, c] of contenders.entries()) {
      const start = performance.now();
      for (let i = 0; i < calls; i++) await c.run();
      times[k].push((performance.now() - start) / calls);
    }
  }
  return times.map(median);
}

/**
 * Prints one benchmark line, `name: value (target)`, and details indented below it. The
 * ratio is ours over the baseline's time (lower is better) unless `higherIsBetter`.
 *
 * @example
 * ```ts
 * report("nms 1000 boxes / ORT NonMaxSuppression", 0.4, 1.0, ["ours 0.1 ms", "ORT 0.25 ms"]);
 * ```
 */
export function report(
  name: string,
  ratio: number,
  target: number,
  details: string[] = [],
  higherIsBetter = false,
): void {
  const ok = (higherIsBetter ? ratio >= target : ratio <= target) ? "ok" : "MISSED";
  const value = ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(2);
  const sign = higherIsBetter ? ">=" : "<=";
  console.log(`${name}: ${value}x (target ${sign} ${target.toFixed(2)}x) ${ok}`);
  for (const d of details) console.log(`    ${d}`);
}
