/**
 * How many listeners want something of a stream now (its thumbnails, its panoptic maps),
 * so that the pipeline makes it only while someone looks.
 *
 * @module
 */

/**
 * Counts, per key (a stream id, or `"*"` for every stream), the listeners that want
 * something; a count never goes below 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const demand = new DemandCounter();
 * demand.change("cam1", 1);
 * assert.equal(demand.wanted("cam1"), true);
 * demand.change("cam1", -1);
 * demand.change("cam1", -1); // stays at 0
 * assert.equal(demand.wanted("cam1"), false);
 * demand.change("*", 1);
 * assert.equal(demand.wanted("cam2", "*"), true);
 * ```
 */
export class DemandCounter {
  #counts = new Map<string, number>();

  /** Counts a listener that wants (`+1`) or no longer wants (`-1`) what `key` names. */
  change(key: string, delta: 1 | -1): void {
    this.#counts.set(key, Math.max(0, (this.#counts.get(key) ?? 0) + delta));
  }

  /** Whether anyone wants what one of `keys` names. */
  wanted(...keys: string[]): boolean {
    let sum = 0;
    for (const key of keys) sum += this.#counts.get(key) ?? 0;
    return sum > 0;
  }

  /** Forgets the count of `key` (a stream removed). */
  delete(key: string): void {
    this.#counts.delete(key);
  }
}
