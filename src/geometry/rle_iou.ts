/**
 * IoU between detections and ground truth as `pycocotools.mask.iou(dt, gt, iscrowd)`
 * computes it (`maskApi.c` `rleIou`, `bbIou`), for RLE masks and for `[x, y, w, h]`
 * boxes: a crowd ground truth gives `intersection / area(detection)` instead of
 * `intersection / union`. Results are D×G row-major `Float64Array`s.
 *
 * @module
 */

import type { Rle, UncompressedRle } from "../types.ts";
import { parseRle, type RleRuns } from "./rle.ts";
import { countsArea, countsToBbox } from "./rle_ops.ts";
import { describe } from "../describe.ts";

/**
 * pycocotools' `bbIou` on `[x, y, w, h]` boxes, doubles throughout, written into `out`
 * as D×G row-major (`out[d * G + g]`). Boxes that do not overlap give 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const out = new Float64Array(2);
 * bboxIouInto([0, 0, 10, 10], 1, [5, 0, 10, 10, 5, 0, 10, 10], 2, [0, 1], out);
 * assert.deepEqual([...out], [50 / 150, 50 / 100]);
 * ```
 */
export function bboxIouInto(
  dt: ArrayLike<number>,
  numDt: number,
  gt: ArrayLike<number>,
  numGt: number,
  crowd: ArrayLike<number | boolean>,
  out: Float64Array,
): void {
  for (let g = 0; g < numGt; g++) {
    const gx = gt[g * 4], gy = gt[g * 4 + 1], gw = gt[g * 4 + 2], gh = gt[g * 4 + 3];
    const ga = gw * gh;
    const isCrowd = !!crowd[g];
    for (let d = 0; d < numDt; d++) {
      const dx = dt[d * 4], dy = dt[d * 4 + 1], dw = dt[d * 4 + 2], dh = dt[d * 4 + 3];
      const da = dw * dh;
      const o = d * numGt + g;
      out[o] = 0;
      const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (w <= 0) continue;
      const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
      if (h <= 0) continue;
      const i = w * h;
      const u = isCrowd ? da : da + ga - i;
      out[o] = i / u;
    }
  }
}

/**
 * Exact IoU of two run sequences of one size (the inner loop of pycocotools'
 * `rleIou`): `intersection / union`, or `intersection / area(dt)` when `crowd`; 0 when
 * they do not intersect.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const a = new Uint32Array([0, 2, 2]); // 1×4, pixels 0..1
 * const b = new Uint32Array([1, 2, 1]); // pixels 1..2
 * assert.equal(countsIou(a, b, false), 1 / 3);
 * assert.equal(countsIou(a, b, true), 1 / 2);
 * ```
 */
export function countsIou(dt: Uint32Array, gt: Uint32Array, crowd: boolean): number {
  const ka = dt.length;
  const kb = gt.length;
  let ca = ka > 0 ? dt[0] : 0;
  let cb = kb > 0 ? gt[0] : 0;
  let va = 0;
  let vb = 0;
  let a = 1;
  let b = 1;
  let inter = 0;
  let union = 0;
  let ct = 1;
  while (ct > 0) {
    const c = ca < cb ? ca : cb;
    if (va | vb) {
      union += c;
      if (va & vb) inter += c;
    }
    ct = 0;
    ca -= c;
    if (ca === 0 && a < ka) {
      ca = dt[a++];
      va ^= 1;
    }
    ct += ca;
    cb -= c;
    if (cb === 0 && b < kb) {
      cb = gt[b++];
      vb ^= 1;
    }
    ct += cb;
  }
  if (inter === 0) union = 1;
  else if (crowd) union = countsArea(dt);
  return inter / union;
}

/**
 * pycocotools' `rleIou` on parsed runs whose boxes are already known
 * (`countsToBbox`): box IoU first, then the exact mask IoU where the boxes overlap.
 * All runs must have one size. Returns D×G row-major.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const a = { height: 1, width: 4, counts: new Uint32Array([0, 2, 2]) };
 * const b = { height: 1, width: 4, counts: new Uint32Array([1, 2, 1]) };
 * const boxes = new Float64Array([0, 0, 2, 1, 1, 0, 2, 1]);
 * const iou = runsIou([a], boxes.subarray(0, 4), [b], boxes.subarray(4), [0]);
 * assert.deepEqual([...iou], [1 / 3]);
 * ```
 */
export function runsIou(
  dt: RleRuns[],
  dtBoxes: Float64Array,
  gt: RleRuns[],
  gtBoxes: Float64Array,
  crowd: ArrayLike<number | boolean>,
): Float64Array {
  const numDt = dt.length;
  const numGt = gt.length;
  const out = new Float64Array(numDt * numGt);
  bboxIouInto(dtBoxes, numDt, gtBoxes, numGt, crowd, out);
  for (let d = 0; d < numDt; d++) {
    for (let g = 0; g < numGt; g++) {
      const o = d * numGt + g;
      if (out[o] > 0) out[o] = countsIou(dt[d].counts, gt[g].counts, !!crowd[g]);
    }
  }
  return out;
}

function checkCrowd(fn: string, isCrowd: unknown, n: number): ArrayLike<number | boolean> {
  const expected = `an array of ${n} crowd flags (booleans or numbers, one per ground truth)`;
  if (
    isCrowd === null || typeof isCrowd !== "object" ||
    typeof (isCrowd as { length?: unknown }).length !== "number"
  ) {
    throw new TypeError(`${fn}(): isCrowd: expected ${expected}, found ${describe(isCrowd)}`);
  }
  const flags = isCrowd as ArrayLike<unknown>;
  if (flags.length !== n) {
    throw new RangeError(`${fn}(): isCrowd: expected ${expected}, found length ${flags.length}`);
  }
  for (let i = 0; i < n; i++) {
    const f = flags[i];
    if (typeof f !== "boolean" && (typeof f !== "number" || Number.isNaN(f))) {
      throw new TypeError(
        `${fn}(): isCrowd[${i}]: expected a boolean or a number, found ${describe(f)}`,
      );
    }
  }
  return flags as ArrayLike<number | boolean>;
}

/**
 * IoU of every detection mask with every ground-truth mask, as
 * `pycocotools.mask.iou(detections, groundTruth, isCrowd)`: D×G row-major
 * (`out[d * G + g]`); for a crowd ground truth, `intersection / area(detection)`.
 * Masks of different sizes are a `RangeError` (pycocotools gives -1 for them, or 0
 * when their boxes do not overlap). Either list empty gives an empty array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const dt = [{ size: [1, 4] as [number, number], counts: [0, 2, 2] }];
 * const gt = [
 *   { size: [1, 4] as [number, number], counts: [1, 2, 1] },
 *   { size: [1, 4] as [number, number], counts: [1, 2, 1] },
 * ];
 * assert.deepEqual([...rleIou(dt, gt, [false, true])], [1 / 3, 1 / 2]);
 * ```
 */
export function rleIou(
  detections: (Rle | UncompressedRle)[],
  groundTruth: (Rle | UncompressedRle)[],
  isCrowd: ArrayLike<boolean | number>,
): Float64Array {
  for (const [name, list] of [["detections", detections], ["groundTruth", groundTruth]]) {
    if (!Array.isArray(list)) {
      throw new TypeError(
        `rleIou(): ${name}: expected an Array of RLE objects, found ${describe(list)}`,
      );
    }
  }
  const crowd = checkCrowd("rleIou", isCrowd, groundTruth.length);
  const dt = detections.map((r, i) => parseRle("rleIou", `detections[${i}]`, r));
  const gt = groundTruth.map((r, i) => parseRle("rleIou", `groundTruth[${i}]`, r));
  const all = [...dt, ...gt];
  for (let i = 1; i < all.length; i++) {
    if (all[i].height !== all[0].height || all[i].width !== all[0].width) {
      const name = i < dt.length ? `detections[${i}]` : `groundTruth[${i - dt.length}]`;
      const first = dt.length > 0 ? "detections[0]" : "groundTruth[0]";
      throw new RangeError(
        `rleIou(): ${name}.size: expected [${all[0].height}, ${all[0].width}] as ${first}, ` +
          `found [${all[i].height}, ${all[i].width}]`,
      );
    }
  }
  const boxes = new Float64Array(all.length * 4);
  for (let i = 0; i < all.length; i++) {
    countsToBbox(all[i].counts, all[i].height, all[i].width, boxes, i * 4);
  }
  const split = dt.length * 4;
  return runsIou(dt, boxes.subarray(0, split), gt, boxes.subarray(split), crowd);
}

function checkBoxList(name: string, boxes: unknown): number {
  const expected = "an array of N×4 numbers (x, y, w, h)";
  if (
    boxes === null || typeof boxes !== "object" ||
    typeof (boxes as { length?: unknown }).length !== "number"
  ) {
    throw new TypeError(`bboxIou(): ${name}: expected ${expected}, found ${describe(boxes)}`);
  }
  const list = boxes as ArrayLike<unknown>;
  if (list.length % 4 !== 0) {
    throw new RangeError(
      `bboxIou(): ${name}: expected ${expected}, found length ${list.length}, not a multiple of 4`,
    );
  }
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new TypeError(
        `bboxIou(): ${name}[${i}]: expected a finite number, found ${describe(v)}`,
      );
    }
  }
  return list.length / 4;
}

/**
 * IoU of every detection box with every ground-truth box, as
 * `pycocotools.mask.iou(dt_boxes, gt_boxes, iscrowd)` (`bbIou`): boxes are COCO
 * `[x, y, w, h]` (no +1), flattened N×4; doubles throughout; a crowd ground truth
 * gives `intersection / area(detection)`. Returns D×G row-major (`out[d * G + g]`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const iou = bboxIou([0, 0, 10, 10], [5, 0, 10, 10, 5, 0, 10, 10], [0, 1]);
 * assert.deepEqual([...iou], [50 / 150, 0.5]);
 * ```
 */
export function bboxIou(
  detections: ArrayLike<number>,
  groundTruth: ArrayLike<number>,
  isCrowd: ArrayLike<boolean | number>,
): Float64Array {
  const numDt = checkBoxList("detections", detections);
  const numGt = checkBoxList("groundTruth", groundTruth);
  const crowd = checkCrowd("bboxIou", isCrowd, numGt);
  const out = new Float64Array(numDt * numGt);
  bboxIouInto(detections, numDt, groundTruth, numGt, crowd, out);
  return out;
}
