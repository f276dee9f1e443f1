/**
 * One pyramid level's candidates for the single-stage decoders: the (anchor, class) scores
 * above the threshold, then their top k, as torchvision's `postprocess_detections` takes
 * them (`scores > score_thresh`, then `topk`). Scores are float32 as torch computes them.
 *
 * @module
 */

import { argsortDescending } from "./score_order.ts";

const fround = Math.fround;

/**
 * A logit below which `sigmoid(x) < p` for sure, in float32 as torch computes it: the margin
 * of 0.01 in logit space is far above float32 rounding as long as p ≤ 0.999 (at most a
 * 1e-5 relative step). -Infinity (nothing can be skipped) when p is not in (0, 0.999].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(logitBelow(0.5) + 0.01) < 1e-12);
 * assert.equal(logitBelow(0), -Infinity);
 * assert.equal(logitBelow(0.9999), -Infinity);
 * ```
 */
export function logitBelow(p: number): number {
  return p > 0 && p <= 0.999 ? Math.log(p / (1 - p)) - 0.01 : -Infinity;
}

/**
 * The first index from `from` whose value is not below `bound` (NaN included: it is not
 * below), or `values.length`: the scan of a level's logits for the few that can score,
 * kept in a small function of its own so that it compiles to a tight loop (four values a
 * step).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const v = new Float32Array([-9, -9, -9, -9, -9, 2, -9, NaN]);
 * assert.equal(nextNotBelow(v, 0, 0), 5);
 * assert.equal(nextNotBelow(v, 6, 0), 7);
 * assert.equal(nextNotBelow(v, 8, 0), 8);
 * ```
 */
export function nextNotBelow(values: Float32Array, from: number, bound: number): number {
  const n = values.length;
  let i = from;
  for (; i + 4 <= n; i += 4) {
    if (
      !(values[i] < bound && values[i + 1] < bound && values[i + 2] < bound &&
        values[i + 3] < bound)
    ) break;
  }
  while (i < n && values[i] < bound) i++;
  return i;
}

/**
 * `torch.sigmoid` on a float32, step by step in float32 (`1 / (1 + exp(-x))`). ATen's
 * vectorised kernel uses Sleef's `expf` (within 1 ulp), so a value here can differ from
 * torch's by an ulp.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(sigmoid32(0), 0.5);
 * ```
 */
export function sigmoid32(x: number): number {
  return fround(1 / fround(1 + fround(Math.exp(-x))));
}

/**
 * One level's candidates, pushed by a decoder's own loop in index order (flat index
 * `anchor × C + class`), then its top k by decreasing score, equal scores in index order.
 *
 * When more than a few k candidates pass the threshold, the list is cut to its best k as it
 * fills ({@link compact}) and the decoder raises its skip bound to the k-th score: a later
 * candidate scoring no more than that cannot enter the top k (it would rank after k others),
 * so only its cheap logit comparison is paid, not its sigmoid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const c = new LevelCandidates();
 * c.reset(2);
 * [0.3, 0.9, 0.5, 0.9].forEach((s, i) => c.push(s, i));
 * const top = c.top(2);
 * assert.deepEqual([...top].map((p) => c.flat[p]), [1, 3]); // ties in index order
 * ```
 */
export class LevelCandidates {
  scores = new Float32Array(1024);
  flat = new Int32Array(1024);
  count = 0;
  /** {@link full} turns true at this count. */
  private limit = Infinity;
  private order = new Int32Array(1024);

  /** Empties the list, for a top `k`. */
  reset(k: number): void {
    this.count = 0;
    this.limit = k > 0 ? Math.max(4 * k, 4096) : Infinity;
  }

  /** Adds a candidate. */
  push(score: number, flat: number): void {
    if (this.count === this.scores.length) this.grow();
    this.scores[this.count] = score;
    this.flat[this.count++] = flat;
  }

  /** Whether the list should be cut down with {@link compact}. */
  full(): boolean {
    return this.count >= this.limit;
  }

  /**
   * Positions of the best `k` candidates, by decreasing score (`torch.topk`, sorted). Equal
   * scores come in index order; `torch.topk` orders them in no documented way.
   */
  top(k: number): Int32Array {
    const n = this.count;
    if (this.order.length < n) this.order = new Int32Array(this.scores.length);
    const order = argsortDescending(this.scores.subarray(0, n), this.order);
    return order.subarray(0, Math.min(k, n));
  }

  /**
   * Keeps the best `k` (k ≥ 1) only, by decreasing score, and returns the k-th score: no
   * later candidate scoring at most that can enter the top k. Equal scores stay in index
   * order (the kept ones in front, in order; later pushes have larger indices).
   */
  compact(k: number): number {
    const top = this.top(k), n = top.length;
    const scores = new Float32Array(n), flat = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      scores[r] = this.scores[top[r]];
      flat[r] = this.flat[top[r]];
    }
    this.scores.set(scores);
    this.flat.set(flat);
    this.count = n;
    return scores[n - 1];
  }

  private grow(): void {
    const scores = new Float32Array(this.scores.length * 2);
    const flat = new Int32Array(this.flat.length * 2);
    scores.set(this.scores);
    flat.set(this.flat);
    this.scores = scores;
    this.flat = flat;
  }
}
