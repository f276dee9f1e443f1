/**
 * One frame's detections as ByteTrack splits them: the high-score set (`score >
 * trackThresh`) and the low-score set (`0.1 < score < trackThresh`), each in input order,
 * with the reference's `tlwh` and `tlbr` of each box in float64.
 *
 * @module
 */

/** One score set: boxes as the reference's detection `STrack`s see them. */
export interface DetectionSet {
  count: number;
  /** `STrack.tlbr_to_tlwh(tlbr)`: `x1, y1, x2 − x1, y2 − y1`. */
  tlwh: Float64Array;
  /** The detection `STrack`'s `tlbr`: `x1, y1, (x2 − x1) + x1, (y2 − y1) + y1`. */
  tlbr: Float64Array;
  scores: Float64Array;
  /** Index of each detection in the input. */
  index: Int32Array;
  /** Class of each detection (-1 without classes). */
  classIds: Int32Array;
}

/** The input of one update: all of `boxes`, or only the detections listed in `subset`. */
export interface FrameInput {
  boxes: Float32Array | Float64Array;
  scores: Float32Array | Float64Array;
  classIds?: Int32Array;
  subset?: Int32Array;
}

/**
 * Splits a frame's detections into ByteTrack's high and low sets. A box with `y2 <= y1` or
 * `x2 < x1` is left out of both (the reference divides by its height; see ByteTracker).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 10, 10, 5, 5, 9, 9, 1, 1, 2, 2]);
 * const { high, low } = splitDetections({ boxes, scores: new Float32Array([0.9, 0.3, 0.5]) }, 0.5);
 * assert.deepEqual([...high.index], [0]);
 * assert.deepEqual([...low.index], [1]);
 * ```
 */
export function splitDetections(
  input: FrameInput,
  trackThresh: number,
): { high: DetectionSet; low: DetectionSet } {
  const { boxes, scores, classIds, subset } = input;
  const n = subset ? subset.length : scores.length;
  const high: number[] = [], low: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = subset ? subset[k] : k;
    const b = i * 4;
    if (!(boxes[b + 3] > boxes[b + 1]) || !(boxes[b + 2] >= boxes[b])) continue;
    const s = scores[i];
    if (s > trackThresh) high.push(i);
    else if (s > 0.1 && s < trackThresh) low.push(i);
  }
  return { high: gather(high, boxes, scores, classIds), low: gather(low, boxes, scores, classIds) };
}

/** An empty set of `count` detections, its arrays views of two buffers. */
function emptySet(count: number): DetectionSet {
  const f = new Float64Array(count * 9), i = new Int32Array(count * 2);
  return {
    count,
    tlwh: f.subarray(0, count * 4),
    tlbr: f.subarray(count * 4, count * 8),
    scores: f.subarray(count * 8),
    index: i.subarray(0, count),
    classIds: i.subarray(count),
  };
}

function gather(
  picked: number[],
  boxes: Float32Array | Float64Array,
  scores: Float32Array | Float64Array,
  classIds: Int32Array | undefined,
): DetectionSet {
  const count = picked.length;
  const set = emptySet(count);
  if (!classIds) set.classIds.fill(-1);
  for (let k = 0; k < count; k++) {
    const i = picked[k], b = i * 4, o = k * 4;
    const x1 = boxes[b], y1 = boxes[b + 1];
    const w = boxes[b + 2] - x1, h = boxes[b + 3] - y1;
    set.tlwh[o] = x1;
    set.tlwh[o + 1] = y1;
    set.tlwh[o + 2] = w;
    set.tlwh[o + 3] = h;
    set.tlbr[o] = x1;
    set.tlbr[o + 1] = y1;
    set.tlbr[o + 2] = w + x1;
    set.tlbr[o + 3] = h + y1;
    set.scores[k] = scores[i];
    set.index[k] = i;
    if (classIds) set.classIds[k] = classIds[i];
  }
  return set;
}

/**
 * The detections of `set` at the given positions, in that order (the reference's
 * `[detections[i] for i in u_detection]`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 10, 10, 5, 5, 9, 9]);
 * const { high } = splitDetections({ boxes, scores: new Float32Array([0.9, 0.8]) }, 0.5);
 * assert.deepEqual([...pickDetections(high, [1]).index], [1]);
 * ```
 */
export function pickDetections(set: DetectionSet, positions: number[]): DetectionSet {
  const count = positions.length;
  const out = emptySet(count);
  for (let k = 0; k < count; k++) {
    const p = positions[k];
    out.tlwh.set(set.tlwh.subarray(p * 4, p * 4 + 4), k * 4);
    out.tlbr.set(set.tlbr.subarray(p * 4, p * 4 + 4), k * 4);
    out.scores[k] = set.scores[p];
    out.index[k] = set.index[p];
    out.classIds[k] = set.classIds[p];
  }
  return out;
}
