/**
 * Box primitives on `Float32Array`s of N×4 `x1, y1, x2, y2`, with torchvision's
 * semantics (`torchvision/ops/boxes.py`): no +1 in widths, float32 arithmetic.
 *
 * @module
 */

import { checkBoxes, checkNumber } from "./validate.ts";

const fround = Math.fround;

/**
 * Area of each box, `(x2 - x1) * (y2 - y1)` in float32, as `torchvision.ops.box_area`.
 * Inverted boxes give negative or positive nonsense, as there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...boxArea(new Float32Array([0, 0, 2, 3, 1, 1, 1, 5]))], [6, 0]);
 * ```
 */
export function boxArea(boxes: Float32Array): Float32Array {
  const n = checkBoxes("boxArea", "boxes", boxes);
  return areasInto(boxes, n);
}

/**
 * Float32 areas of the first `n` boxes without argument checks, for the ops in this
 * folder, written into `out` (at least `n` long) when given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...areasInto(new Float32Array([0, 0, 2, 3]), 1)], [6]);
 * ```
 */
export function areasInto(
  boxes: Float32Array,
  n: number,
  out: Float32Array = new Float32Array(n),
): Float32Array {
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    out[i] = fround(boxes[o + 2] - boxes[o]) * fround(boxes[o + 3] - boxes[o + 1]);
  }
  return out;
}

/**
 * IoU of box `i` and box `j` of one array, computed exactly as torchvision's CPU NMS
 * kernel does in float32: `inter / ((area_i + area_j) - inter)`. Boxes that do not
 * overlap with positive area give 0 (torchvision gives 0, or NaN for two empty boxes;
 * neither exceeds a threshold, so the ops treat both as 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 2, 2, 1, 0, 3, 2]);
 * assert.equal(pairIou(boxes, boxArea(boxes), 0, 1), Math.fround(1 / 3));
 * ```
 */
export function pairIou(boxes: Float32Array, areas: Float32Array, i: number, j: number): number {
  const a = i * 4, b = j * 4;
  // Ternaries are std::min / std::max: plain comparisons, as the C++ kernels do them.
  const ax1 = boxes[a], ay1 = boxes[a + 1], ax2 = boxes[a + 2], ay2 = boxes[a + 3];
  const bx1 = boxes[b], by1 = boxes[b + 1], bx2 = boxes[b + 2], by2 = boxes[b + 3];
  const w = fround((ax2 < bx2 ? ax2 : bx2) - (ax1 < bx1 ? bx1 : ax1));
  if (!(w > 0)) return 0;
  const h = fround((ay2 < by2 ? ay2 : by2) - (ay1 < by1 ? by1 : ay1));
  if (!(h > 0)) return 0;
  const inter = fround(w * h);
  return fround(inter / fround(fround(areas[i] + areas[j]) - inter));
}

/**
 * IoU of box `i` and box `j` in float64: within a few float32 ulps of {@link pairIou}
 * and about three times cheaper. Ops use it where rounding cannot change a decision,
 * and {@link iouAbove} where it can.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 2, 2, 1, 0, 3, 2]);
 * assert.equal(pairIouFast(boxes, boxArea(boxes), 0, 1), 1 / 3);
 * ```
 */
export function pairIouFast(
  boxes: Float32Array,
  areas: Float32Array,
  i: number,
  j: number,
): number {
  const a = i * 4, b = j * 4;
  const ax1 = boxes[a], ay1 = boxes[a + 1], ax2 = boxes[a + 2], ay2 = boxes[a + 3];
  const bx1 = boxes[b], by1 = boxes[b + 1], bx2 = boxes[b + 2], by2 = boxes[b + 3];
  const w = (ax2 < bx2 ? ax2 : bx2) - (ax1 < bx1 ? bx1 : ax1);
  const h = (ay2 < by2 ? ay2 : by2) - (ay1 < by1 ? by1 : ay1);
  if (!(w > 0 && h > 0)) return 0;
  const inter = w * h;
  return inter / (areas[i] + areas[j] - inter);
}

/** Within this of a threshold, float64 IoU defers to the exact float32 computation. */
const NEAR = 1e-5;

/**
 * Whether the IoU of boxes `i` and `j` is above `threshold` (or at least it, when
 * `inclusive`) exactly as the float32 references decide it, at the cost of
 * {@link pairIouFast} except within 1e-5 of the threshold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 10, 10, 0, 0, 10, 5]); // IoU 0.5
 * const areas = boxArea(boxes);
 * assert.equal(iouAbove(boxes, areas, 0, 1, 0.5, false), false);
 * assert.equal(iouAbove(boxes, areas, 0, 1, 0.5, true), true);
 * ```
 */
export function iouAbove(
  boxes: Float32Array,
  areas: Float32Array,
  i: number,
  j: number,
  threshold: number,
  inclusive: boolean,
): boolean {
  let iou = pairIouFast(boxes, areas, i, j);
  if (Math.abs(iou - threshold) < NEAR) iou = pairIou(boxes, areas, i, j);
  return inclusive ? iou >= threshold : iou > threshold;
}

/**
 * Pairwise IoU, an N×M row-major `Float32Array`, as `torchvision.ops.box_iou`
 * (float32; two empty boxes give NaN there and here).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const a = new Float32Array([0, 0, 2, 2]);
 * const b = new Float32Array([1, 0, 3, 2, 5, 5, 6, 6]);
 * assert.deepEqual([...boxIou(a, b)], [Math.fround(1 / 3), 0]);
 * ```
 */
export function boxIou(boxes1: Float32Array, boxes2: Float32Array): Float32Array {
  const n = checkBoxes("boxIou", "boxes1", boxes1);
  const m = checkBoxes("boxIou", "boxes2", boxes2);
  const a1 = areasInto(boxes1, n), a2 = areasInto(boxes2, m);
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    const x1 = boxes1[i * 4],
      y1 = boxes1[i * 4 + 1],
      x2 = boxes1[i * 4 + 2],
      y2 = boxes1[i * 4 + 3];
    for (let j = 0; j < m; j++) {
      const o = j * 4;
      const w = Math.max(0, fround(Math.min(x2, boxes2[o + 2]) - Math.max(x1, boxes2[o])));
      const h = Math.max(0, fround(Math.min(y2, boxes2[o + 3]) - Math.max(y1, boxes2[o + 1])));
      const inter = fround(w * h);
      out[i * m + j] = inter / fround(fround(a1[i] + a2[j]) - inter);
    }
  }
  return out;
}

/**
 * Clamps boxes to an image, as `torchvision.ops.clip_boxes_to_image`: x into
 * `[0, width]`, y into `[0, height]`. Returns a new array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const clipped = clipBoxes(new Float32Array([-5, 10, 700, 300]), 240, 640);
 * assert.deepEqual([...clipped], [0, 10, 640, 240]);
 * ```
 */
export function clipBoxes(boxes: Float32Array, height: number, width: number): Float32Array {
  const n = checkBoxes("clipBoxes", "boxes", boxes);
  checkNumber("clipBoxes", "height", height, 0);
  checkNumber("clipBoxes", "width", width, 0);
  const w = fround(width), h = fround(height); // torch compares in the tensor's float32
  const out = new Float32Array(n * 4);
  for (let o = 0; o < n * 4; o += 4) {
    out[o] = Math.min(Math.max(boxes[o], 0), w);
    out[o + 1] = Math.min(Math.max(boxes[o + 1], 0), h);
    out[o + 2] = Math.min(Math.max(boxes[o + 2], 0), w);
    out[o + 3] = Math.min(Math.max(boxes[o + 3], 0), h);
  }
  return out;
}

/**
 * Indices of the boxes whose width and height are both at least `minSize`, in input
 * order, as `torchvision.ops.remove_small_boxes` (Faster R-CNN uses 0.01).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const keep = removeSmallBoxes(new Float32Array([0, 0, 5, 5, 0, 0, 5, 0.001]), 0.01);
 * assert.deepEqual([...keep], [0]);
 * ```
 */
export function removeSmallBoxes(boxes: Float32Array, minSize: number): Int32Array {
  const n = checkBoxes("removeSmallBoxes", "boxes", boxes);
  checkNumber("removeSmallBoxes", "minSize", minSize, 0);
  const min = fround(minSize); // torch compares in the tensor's float32
  const keep = new Int32Array(n);
  let k = 0;
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    if (fround(boxes[o + 2] - boxes[o]) >= min && fround(boxes[o + 3] - boxes[o + 1]) >= min) {
      keep[k++] = i;
    }
  }
  return keep.slice(0, k);
}
