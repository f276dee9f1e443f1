/**
 * Counts per class id, as lines and zones keep them.
 *
 * @module
 */

/**
 * A count per class id; a class whose count is 0 is not listed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const counts = new ClassCounts();
 * counts.add(3, 1), counts.add(1, 2), counts.add(3, -1);
 * assert.deepEqual(counts.toRecord(), { 1: 2 });
 * assert.equal(counts.total, 2);
 * ```
 */
export class ClassCounts {
  readonly #counts = new Map<number, number>();
  #total = 0;

  /** Adds `delta` to class `classId`'s count. */
  add(classId: number, delta: number): void {
    const count = (this.#counts.get(classId) ?? 0) + delta;
    if (count === 0) this.#counts.delete(classId);
    else this.#counts.set(classId, count);
    this.#total += delta;
  }

  /** The sum of the counts. */
  get total(): number {
    return this.#total;
  }

  /** Whether every count is 0. */
  get empty(): boolean {
    return this.#counts.size === 0;
  }

  /** The non-zero counts, keyed by class id (in ascending order, as a JS object lists them). */
  toRecord(): Record<number, number> {
    const out: Record<number, number> = {};
    for (const [classId, count] of this.#counts) out[classId] = count;
    return out;
  }

  /** Forgets every count. */
  clear(): void {
    this.#counts.clear();
    this.#total = 0;
  }
}
