/**
 * The sparse path of Soft-NMS: mmcv's loop with its slots simulated exactly, but each
 * selection rescoring only the boxes that overlap the selected one.
 *
 * After the first selection (done densely, as it also drops the boxes that start below
 * `minScore`), the remaining boxes are renumbered by `x1` ("positions"), which is the
 * order in which {@link SweptOverlaps} finds the overlapping pairs; every working array
 * of the main loop is indexed by position, and results are mapped back at the end. The
 * maximum comes from a {@link FallingScoreQueue}, which does not need to be told when a
 * score falls.
 *
 * @module
 */

import { areasInto } from "./boxes.ts";
import { FallingScoreQueue } from "./falling_score_queue.ts";
import { reusable } from "./reusable.ts";
import { argsortDescending } from "./score_order.ts";
import { GAUSSIAN, type Params, type SoftNmsResult, weightOf } from "./soft_nms_params.ts";
import { type Positions, rescoreAbove, rescoreGaussian } from "./soft_nms_rescore.ts";
import { SweptOverlaps } from "./swept_overlaps.ts";

const fround = Math.fround;

// Working memory kept between calls (see reusable.ts).
const overlaps = new SweptOverlaps();
const queue = new FallingScoreQueue();
const areaBuffer = reusable((n) => new Float32Array(n));
const scoreBuffer = reusable((n) => new Float32Array(n));
const slotBoxBuffer = reusable((n) => new Int32Array(n));
const keepBuffer = reusable((n) => new Int32Array(n));
const keptBuffer = reusable((n) => new Float32Array(n));
const keyBuffer = reusable((n) => new Float32Array(n));
const orderBuffer = reusable((n) => new Int32Array(n));
const boxOfBuffer = reusable((n) => new Int32Array(n));
const slotOfBuffer = reusable((n) => new Int32Array(n));
const atSlotBuffer = reusable((n) => new Int32Array(n));
const x1Buffer = reusable((n) => new Float64Array(n));
const y1Buffer = reusable((n) => new Float64Array(n));
const x2Buffer = reusable((n) => new Float64Array(n));
const y2Buffer = reusable((n) => new Float64Array(n));
const positionAreaBuffer = reusable((n) => new Float64Array(n));
const positionScoreBuffer = reusable((n) => new Float32Array(n));
const liveBuffer = reusable((n) => new Uint8Array(n));
const neighbourBuffer = reusable((n) => new Int32Array(n));
const workBuffer = reusable((n) => new Float64Array(n));
const droppingBuffer = reusable((n) => new Int32Array(n));
const willDropBuffer = reusable((n) => new Int32Array(n));

/**
 * Soft-NMS of N >= 1 boxes by the sparse path: the same result as mmcv's loop (kept
 * scores within a float32 ulp) for every option except `"hard"` at threshold 0, which
 * needs the literal loop. Arguments are checked by the caller.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveOptions } from "./soft_nms_params.ts";
 * const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 50, 50, 60, 60]);
 * const out = softNmsSparse(boxes, new Float32Array([0.9, 0.8, 0.7]), resolveOptions("softNms", {}));
 * assert.deepEqual([...out.keep], [0, 2, 1]);
 * ```
 */
export function softNmsSparse(boxes: Float32Array, scores: Float32Array, p: Params): SoftNmsResult {
  const n = scores.length;
  const areas = areasInto(boxes, n, areaBuffer(n));
  const keep = keepBuffer(n), kept = keptBuffer(n);
  const sc = scoreBuffer(n), slotBox = slotBoxBuffer(n);
  sc.set(scores);
  let count = firstSelection(boxes, areas, sc, slotBox, p, keep, kept);
  if (count > 1) {
    const at = positions(boxes, areas, sc, slotBox, count);
    overlaps.build(at.x1, at.y1, at.x2, at.y2, at.valid);
    queue.reset(at.score, at.slotOf, at.live, count - 1, p.minScore);
    count = selectRest(at, p, boxes, areas, keep, kept);
  }
  return { keep: keep.slice(0, count), scores: kept.slice(0, count) };
}

/**
 * Step 0 of mmcv's loop, densely: it visits every box, so it also drops those that
 * start below `minScore`. `sc` holds the scores by box and is rescored in place;
 * `slotBox` receives the box in each slot. Returns the count: the boxes still in play
 * are in slots 1 .. count-1.
 */
function firstSelection(
  boxes: Float32Array,
  areas: Float32Array,
  sc: Float32Array,
  slotBox: Int32Array,
  p: Params,
  keep: Int32Array,
  kept: Float32Array,
): number {
  const n = boxes.length >> 2, minScore = p.minScore;
  let first = 0;
  for (let k = 1; k < n; k++) if (sc[first] < sc[k]) first = k;
  for (let k = 0; k < n; k++) slotBox[k] = k;
  slotBox[0] = first;
  slotBox[first] = 0;
  keep[0] = first;
  kept[0] = sc[first];
  const o = first * 4, fx1 = boxes[o], fy1 = boxes[o + 1], fx2 = boxes[o + 2], fy2 = boxes[o + 3];
  let count = n;
  for (let pos = 1; pos < count; pos++) {
    const e = slotBox[pos], q = e * 4;
    // Boxes that cannot overlap the first one keep their score (weight 1).
    if (boxes[q] < fx2 && boxes[q + 2] > fx1 && boxes[q + 1] < fy2 && boxes[q + 3] > fy1) {
      sc[e] = fround(sc[e] * weightOf(p, boxes, areas, first, e));
    }
    if (sc[e] < minScore) slotBox[pos--] = slotBox[--count];
  }
  return count;
}

/** Renumbers the boxes in slots 1 .. count-1 by position (see {@link Positions}). */
function positions(
  boxes: Float32Array,
  areas: Float32Array,
  sc: Float32Array,
  slotBox: Int32Array,
  count: number,
): Positions {
  const m = count - 1;
  // Sort key: -x1 for valid boxes (argsortDescending gives ascending x1, stably), -inf
  // for the others, which go last.
  const key = keyBuffer(m);
  let valid = 0;
  for (let k = 0; k < m; k++) {
    const o = slotBox[k + 1] * 4;
    const ok = boxes[o + 2] > boxes[o] && boxes[o + 3] > boxes[o + 1];
    key[k] = ok ? -boxes[o] : -Infinity;
    if (ok) valid++;
  }
  const order = argsortDescending(key.subarray(0, m), orderBuffer(m));
  const at: Positions = {
    count,
    valid,
    boxOf: boxOfBuffer(m),
    slotOf: slotOfBuffer(m),
    atSlot: atSlotBuffer(count),
    x1: x1Buffer(m),
    y1: y1Buffer(m),
    x2: x2Buffer(m),
    y2: y2Buffer(m),
    area: positionAreaBuffer(m),
    score: positionScoreBuffer(m),
    live: liveBuffer(m).fill(1, 0, m),
  };
  const { boxOf, slotOf, atSlot, x1, y1, x2, y2, area, score } = at;
  for (let q = 0; q < m; q++) {
    const slot = order[q] + 1, e = slotBox[slot], o = e * 4;
    boxOf[q] = e;
    slotOf[q] = slot;
    atSlot[slot] = q;
    x1[q] = boxes[o];
    y1[q] = boxes[o + 1];
    x2[q] = boxes[o + 2];
    y2[q] = boxes[o + 3];
    area[q] = areas[e];
    score[q] = sc[e];
  }
  return at;
}

/**
 * Steps 1 .. of mmcv's loop on positions: select the best box, rescore its live
 * overlapping neighbours, drop those that fall below `minScore`. Fills `keep` / `kept`
 * from slot 1 on and returns the final count.
 */
function selectRest(
  at: Positions,
  p: Params,
  boxes: Float32Array,
  areas: Float32Array,
  keep: Int32Array,
  kept: Float32Array,
): number {
  const { boxOf, slotOf, atSlot, x1, y1, x2, y2, area, score, live, valid } = at;
  const m = at.count - 1;
  const { fwdStart, fwd, bwdStart, bwd } = overlaps;
  const neighbours = neighbourBuffer(m), work = workBuffer(m);
  const dropping = droppingBuffer(m), willDrop = willDropBuffer(m).fill(-1, 0, m);
  const gaussian = p.method === GAUSSIAN;
  let count = at.count;
  for (let i = 1; i < count; i++) {
    // Highest score, ties to the lowest slot, as mmcv's scan with a strict `<`.
    const s = queue.pop();
    const from = slotOf[s];
    if (from !== i) {
      // The box in slot i takes the selected box's slot.
      const moved = atSlot[i];
      atSlot[from] = moved;
      slotOf[moved] = from;
      queue.rankChanged(moved);
      atSlot[i] = s;
      slotOf[s] = i;
    }
    keep[i] = boxOf[s];
    kept[i] = score[s];
    if (s >= valid) continue; // an empty box overlaps nothing

    // The live overlapping boxes, gathered branch-free (whether a neighbour is still
    // live is unpredictable), then rescored.
    let live0 = 0;
    for (let k = bwdStart[s], end = bwdStart[s + 1]; k < end; k++) {
      const e = bwd[k];
      neighbours[live0] = e;
      live0 += live[e];
    }
    for (let k = fwdStart[s], end = fwdStart[s + 1]; k < end; k++) {
      const e = fwd[k];
      neighbours[live0] = e;
      live0 += live[e];
    }
    const drops = gaussian
      ? rescoreGaussian(neighbours, live0, s, x1, y1, x2, y2, area, score, p, work, dropping)
      : rescoreAbove(neighbours, live0, s, at, p, dropping, boxes, areas);
    if (drops === 0) continue;

    // mmcv visits slots in increasing order; a dropped box's slot takes the last box,
    // visited next if it is itself about to drop.
    for (let k = 0; k < drops; k++) willDrop[dropping[k]] = i;
    sortBySlot(dropping, drops, slotOf);
    for (let k = 0; k < drops; k++) {
      let e = dropping[k];
      if (willDrop[e] !== i) continue; // already dropped via the last-slot chain
      const slot = slotOf[e];
      for (;;) {
        willDrop[e] = -1;
        live[e] = 0;
        queue.removed(e);
        const last = --count;
        if (last === slot) break;
        const moved = atSlot[last];
        atSlot[slot] = moved;
        slotOf[moved] = slot;
        if (willDrop[moved] !== i) {
          queue.rankChanged(moved);
          break;
        }
        e = moved;
      }
    }
  }
  return count;
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
