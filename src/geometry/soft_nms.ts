/**
 * Soft-NMS (Bodla et al. 2017) with mmcv's semantics (`mmcv/ops/nms.py` `soft_nms`,
 * CPU kernel `softnms_cpu`; REFERENCE.md "Soft-NMS").
 *
 * mmcv's kernel keeps the boxes in working arrays and swaps them around: the selected
 * box moves to the front, a box whose score falls below `minScore` is replaced by the
 * last one. Those positions decide ties (the earliest position wins), so they are
 * simulated here exactly; only the rescoring is made sparse, because a box that does
 * not overlap the selected one keeps its score.
 *
 * @module
 */

import type { SoftNmsMethod } from "../types.ts";
import { areasInto, iouAbove, pairIou, pairIouFast } from "./boxes.ts";
import { MaxTree } from "./max_tree.ts";
import { OverlapAdjacency } from "./overlap_pairs.ts";
import { reusable } from "./reusable.ts";
import { checkBoxes, checkChoice, checkNumber, checkScores } from "./validate.ts";

/** Options of {@link softNms}; the defaults are mmcv's. */
export interface SoftNmsOptions {
  /** Rescoring rule (default `"linear"`). */
  method?: SoftNmsMethod;
  /** IoU at or above which `"linear"` and `"hard"` act (default 0.3). */
  iouThreshold?: number;
  /** Width of the `"gaussian"` penalty `exp(-IoU² / sigma)` (default 0.5). */
  sigma?: number;
  /** Boxes whose score falls below this are dropped (default 0.001). */
  minScore?: number;
}

/** Result of {@link softNms}: kept indices in selection order and their new scores. */
export interface SoftNmsResult {
  /** Indices into the input, in the order the boxes were selected. */
  keep: Int32Array;
  /** Score of each kept box when it was selected. */
  scores: Float32Array;
}

const HARD = 0, LINEAR = 1, GAUSSIAN = 2;
const fround = Math.fround;

interface Params {
  method: number;
  threshold: number;
  sigma: number;
  minScore: number;
}

/** mmcv's weight for a box at IoU `ovr` with the selected one, in float32. */
function weight(p: Params, ovr: number): number {
  if (p.method === GAUSSIAN) return fround(Math.exp(fround(-fround(ovr * ovr) / p.sigma)));
  if (ovr < p.threshold) return 1;
  return p.method === LINEAR ? fround(1 - ovr) : 0;
}

/**
 * The same weight for boxes `s` and `e`, with the IoU in float64 (the weight moves by
 * at most a float32 ulp) and the threshold decided exactly as mmcv's float32 does.
 */
function weightOf(p: Params, boxes: Float32Array, areas: Float32Array, s: number, e: number) {
  if (p.method === GAUSSIAN) {
    const ovr = pairIouFast(boxes, areas, s, e);
    return ovr === 0 ? 1 : Math.exp(-(ovr * ovr) / p.sigma);
  }
  if (!iouAbove(boxes, areas, s, e, p.threshold, true)) return 1;
  return p.method === LINEAR ? 1 - pairIouFast(boxes, areas, s, e) : 0;
}

/**
 * Soft-NMS as mmcv's `soft_nms(boxes, scores, iou_threshold=0.3, sigma=0.5,
 * min_score=1e-3, method='linear', offset=0)`: repeatedly selects the highest remaining
 * score and rescores every other remaining box by its IoU `o` with it —
 * `"linear"`: `s *= 1 - o` when `o >= iouThreshold`; `"gaussian"`: `s *= exp(-o² / sigma)`;
 * `"hard"` (mmcv's `"naive"`): dropped when `o >= iouThreshold` — and drops boxes whose
 * score falls below `minScore`. Arithmetic is float32, as in mmcv.
 *
 * Differs from mmcv only where mmcv computes 0/0 (two empty boxes): mmcv's IoU is NaN
 * there and poisons the score; here it is 0.
 *
 * @example mmcv's own test vectors
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([6, 3, 8, 7, 3, 6, 9, 11, 3, 7, 10, 12, 1, 4, 13, 7]);
 * const scores = new Float32Array([0.6, 0.9, 0.7, 0.2]);
 * const out = softNms(boxes, scores, { method: "linear", iouThreshold: 0.3, minScore: 0.01 });
 * assert.deepEqual([...out.keep], [1, 0, 2, 3]);
 * assert.ok(Math.abs(out.scores[2] - 0.29024392) < 1e-6);
 * ```
 */
export function softNms(
  boxes: Float32Array,
  scores: Float32Array,
  options: SoftNmsOptions = {},
): SoftNmsResult {
  const n = checkBoxes("softNms", "boxes", boxes);
  checkScores("softNms", "scores", scores, n, true);
  const p = resolveOptions("softNms", options);
  if (n === 0) return { keep: new Int32Array(0), scores: new Float32Array(0) };
  // With "hard" at threshold 0 every pair counts, overlapping or not: only the plain
  // loop does that. Everything else takes the sparse path.
  if (p.method === HARD && p.threshold <= 0) return denseLoop(boxes, scores, p);
  return softNmsSparse(boxes, scores, p);
}

function resolveOptions(fn: string, options: SoftNmsOptions): Params {
  const { method = "linear", iouThreshold = 0.3, sigma = 0.5, minScore = 1e-3 } = options;
  checkChoice(fn, "options.method", method, ["linear", "gaussian", "hard"]);
  checkNumber(fn, "options.iouThreshold", iouThreshold, 0);
  checkNumber(fn, "options.sigma", sigma, Number.MIN_VALUE);
  checkNumber(fn, "options.minScore", minScore, 0);
  return {
    method: method === "hard" ? HARD : method === "linear" ? LINEAR : GAUSSIAN,
    threshold: fround(iouThreshold),
    sigma: fround(sigma),
    minScore: fround(minScore),
  };
}

/**
 * The literal O(N²) loop of mmcv's `softnms_cpu` on a slot → box permutation: same
 * arguments and result as {@link softNms}, slower. `softNms` uses it for `"hard"` at
 * threshold 0 (where non-overlapping boxes count too); tests use it as a cross-check.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11]);
 * const scores = new Float32Array([0.8, 0.9]);
 * assert.deepEqual(softNmsDense(boxes, scores), softNms(boxes, scores));
 * ```
 */
export function softNmsDense(
  boxes: Float32Array,
  scores: Float32Array,
  options: SoftNmsOptions = {},
): SoftNmsResult {
  const n = checkBoxes("softNmsDense", "boxes", boxes);
  checkScores("softNmsDense", "scores", scores, n, true);
  return denseLoop(boxes, scores, resolveOptions("softNmsDense", options));
}

function denseLoop(boxes: Float32Array, scores: Float32Array, p: Params): SoftNmsResult {
  const n = scores.length;
  const areas = areasInto(boxes, n);
  const sc = Float32Array.from(scores);
  const slot = Int32Array.from({ length: n }, (_, k) => k);
  const selected = new Float32Array(n);
  let count = n;
  for (let i = 0; i < count; i++) {
    let maxPos = i;
    for (let pos = i + 1; pos < count; pos++) if (sc[slot[maxPos]] < sc[slot[pos]]) maxPos = pos;
    const s = slot[maxPos];
    slot[maxPos] = slot[i];
    slot[i] = s;
    selected[i] = sc[s];
    for (let pos = i + 1; pos < count; pos++) {
      const e = slot[pos];
      sc[e] = fround(sc[e] * weight(p, pairIou(boxes, areas, s, e)));
      if (sc[e] < p.minScore) slot[pos--] = slot[--count];
    }
  }
  return { keep: slot.slice(0, count), scores: selected.slice(0, count) };
}

// Working memory kept between calls (see reusable.ts).
const adjacency = new OverlapAdjacency();
const tree = new MaxTree();
const areaBuffer = reusable((n) => new Float32Array(n));
const scoreBuffer = reusable((n) => new Float32Array(n));
const slotScoreBuffer = reusable((n) => new Float32Array(n));
const slotBoxBuffer = reusable((n) => new Int32Array(n));
const boxSlotBuffer = reusable((n) => new Int32Array(n));
const keepBuffer = reusable((n) => new Int32Array(n));
const keptBuffer = reusable((n) => new Float32Array(n));
const liveBuffer = reusable((n) => new Uint8Array(n));
const droppingBuffer = reusable((n) => new Int32Array(n));
const willDropBuffer = reusable((n) => new Int32Array(n));

function softNmsSparse(boxes: Float32Array, scores: Float32Array, p: Params): SoftNmsResult {
  const n = scores.length;
  const areas = areasInto(boxes, n, areaBuffer(n));
  const sc = scoreBuffer(n); // by box
  sc.set(scores);
  const slotBox = slotBoxBuffer(n), boxSlot = boxSlotBuffer(n); // slot <-> box
  for (let k = 0; k < n; k++) slotBox[k] = boxSlot[k] = k;
  const keep = keepBuffer(n), kept = keptBuffer(n);
  const live = liveBuffer(n).fill(1, 0, n);
  let count = n;

  // Step 0 visits every box (scores below minScore go here), so it runs densely.
  let first = 0;
  for (let pos = 1; pos < n; pos++) if (sc[first] < sc[pos]) first = pos;
  [slotBox[0], slotBox[first], boxSlot[first], boxSlot[0]] = [first, 0, 0, first];
  keep[0] = first;
  kept[0] = sc[first];
  live[first] = 0;
  for (let pos = 1; pos < count; pos++) {
    const e = slotBox[pos];
    sc[e] = fround(sc[e] * weightOf(p, boxes, areas, first, e));
    if (sc[e] < p.minScore) {
      live[e] = 0;
      slotBox[pos] = slotBox[--count];
      boxSlot[slotBox[pos]] = pos--;
    }
  }

  // From here on every remaining score is >= minScore and only boxes overlapping the
  // selected one change: the tree finds the maximum, the adjacency the overlaps.
  const slotScore = slotScoreBuffer(n).fill(-Infinity, 0, n);
  for (let pos = 1; pos < count; pos++) slotScore[pos] = sc[slotBox[pos]];
  tree.reset(slotScore.subarray(0, n));
  const { start, neighbours } = adjacency.build(boxes, null, n);
  const dropping = droppingBuffer(n);
  const willDrop = willDropBuffer(n).fill(-1, 0, n);
  const gaussian = p.method === GAUSSIAN, hard = p.method === HARD;
  const { threshold, sigma, minScore } = p;
  /** Moves the box in slot `from` to slot `to` (its score bound included). */
  const move = (from: number, to: number): void => {
    const e = slotBox[from];
    slotBox[to] = e;
    boxSlot[e] = to;
    slotScore[to] = slotScore[from];
    tree.update(to);
  };

  for (let i = 1; i < count; i++) {
    // Highest score, ties to the lowest slot, as mmcv's scan with a strict `<`. The
    // tree holds upper bounds (a falling score is not re-ranked at once): a winner whose
    // bound is stale is re-ranked until the winner's bound is its score, which makes it
    // the true maximum, lowest slot first among equals.
    let at = tree.top();
    while (slotScore[at] !== sc[slotBox[at]]) {
      slotScore[at] = sc[slotBox[at]];
      tree.update(at);
      at = tree.top();
    }
    const s = slotBox[at];
    if (at !== i) {
      move(i, at);
      slotBox[i] = s;
      boxSlot[s] = i;
    }
    slotScore[i] = -Infinity;
    tree.update(i);
    keep[i] = s;
    kept[i] = sc[s];
    live[s] = 0;

    // Rescore the overlapping boxes still in play; mmcv's visiting order only matters
    // for where dropped boxes' slots go, so it is replayed only when some drop. IoU is
    // inlined in float64 (every pair here overlaps); a threshold decision within 1e-5
    // is taken on the exact float32 IoU, as mmcv computes it.
    let drops = 0;
    const o = s * 4, sx1 = boxes[o], sy1 = boxes[o + 1], sx2 = boxes[o + 2], sy2 = boxes[o + 3];
    const sArea = areas[s];
    for (let k = start[s], end = start[s + 1]; k < end; k++) {
      const e = neighbours[k];
      if (live[e] === 0) continue;
      const q = e * 4, ex1 = boxes[q], ey1 = boxes[q + 1], ex2 = boxes[q + 2], ey2 = boxes[q + 3];
      const inter = ((sx2 < ex2 ? sx2 : ex2) - (sx1 < ex1 ? ex1 : sx1)) *
        ((sy2 < ey2 ? sy2 : ey2) - (sy1 < ey1 ? ey1 : sy1));
      let ovr = inter / (sArea + areas[e] - inter), w: number;
      if (gaussian) {
        w = Math.exp(-(ovr * ovr) / sigma);
      } else {
        if (Math.abs(ovr - threshold) < 1e-5) ovr = pairIou(boxes, areas, s, e);
        if (ovr < threshold) continue;
        w = hard ? 0 : 1 - ovr;
      }
      sc[e] = fround(sc[e] * w);
      if (sc[e] < minScore) {
        dropping[drops++] = e;
        willDrop[e] = i;
      }
    }
    if (drops === 0) continue;
    // mmcv visits slots in increasing order; a dropped box's slot takes the last box,
    // visited next if it is itself about to drop.
    sortBySlot(dropping, drops, boxSlot);
    for (let k = 0; k < drops; k++) {
      let e = dropping[k];
      if (willDrop[e] !== i) continue; // already dropped via the last-slot chain
      const pos = boxSlot[e];
      for (;;) {
        willDrop[e] = -1;
        live[e] = 0;
        const last = --count;
        if (last !== pos) move(last, pos);
        slotScore[last] = -Infinity;
        tree.update(last);
        const moved = slotBox[pos];
        if (last !== pos && willDrop[moved] === i) {
          e = moved;
          continue;
        }
        break;
      }
    }
  }
  return { keep: keep.slice(0, count), scores: kept.slice(0, count) };
}

/** Sorts `items[0..m)` by their slot (insertion sort: these lists are short). */
function sortBySlot(items: Int32Array, m: number, slotOf: Int32Array): void {
  if (m > 64) {
    items.subarray(0, m).sort((a, b) => slotOf[a] - slotOf[b]);
    return;
  }
  for (let a = 1; a < m; a++) {
    const item = items[a], key = slotOf[item];
    let b = a - 1;
    while (b >= 0 && slotOf[items[b]] > key) {
      items[b + 1] = items[b];
      b--;
    }
    items[b + 1] = item;
  }
}
