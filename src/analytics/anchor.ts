/**
 * The point of a box that lines and zones follow.
 *
 * @module
 */

import { describe } from "../describe.ts";
import type { Anchor } from "./analytics_types.ts";

/**
 * Every {@link Anchor}, the default first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(ANCHORS[0], "bottom_center");
 * assert.equal(ANCHORS.length, 7);
 * ```
 */
export const ANCHORS: readonly Anchor[] = Object.freeze(
  [
    "bottom_center",
    "center",
    "top_center",
    "top_left",
    "top_right",
    "bottom_left",
    "bottom_right",
  ] as const,
);

/**
 * The anchor point of box `index` of an N×4 `x1, y1, x2, y2` array, in float64 (a centre
 * is the exact half-sum of two float32 coordinates).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const boxes = new Float32Array([0, 0, 4, 2, 10, 20, 30, 60]);
 * assert.deepEqual(anchorPoint(boxes, 1, "bottom_center"), [20, 60]);
 * assert.deepEqual(anchorPoint(boxes, 1, "center"), [20, 40]);
 * assert.deepEqual(anchorPoint(boxes, 0, "top_right"), [4, 0]);
 * ```
 */
export function anchorPoint(boxes: Float32Array, index: number, anchor: Anchor): [number, number] {
  if (!Number.isInteger(index) || index < 0 || index >= boxes.length >> 2) {
    throw new RangeError(
      `anchorPoint(): index: expected an integer in [0, ${boxes.length >> 2}), found ${
        describe(index)
      }`,
    );
  }
  const out = new Float64Array(2);
  anchorsInto(boxes, index, index + 1, anchor, out, 0);
  return [out[0], out[1]];
}

/**
 * Writes the anchors of boxes `from` to `to − 1` into `out` as `x, y` pairs starting at
 * `out[at]` (the hot path: no allocation). An unknown anchor is a `RangeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const out = new Float64Array(4);
 * anchorsInto(new Float32Array([0, 0, 4, 2, 10, 20, 30, 60]), 0, 2, "top_center", out, 0);
 * assert.deepEqual([...out], [2, 0, 20, 20]);
 * ```
 */
export function anchorsInto(
  boxes: Float32Array,
  from: number,
  to: number,
  anchor: Anchor,
  out: Float64Array,
  at: number,
): void {
  // x: 0 = x1, 1 = centre, 2 = x2; y likewise.
  let fx: number, fy: number;
  switch (anchor) {
    case "bottom_center":
      fx = 1, fy = 2;
      break;
    case "center":
      fx = 1, fy = 1;
      break;
    case "top_center":
      fx = 1, fy = 0;
      break;
    case "top_left":
      fx = 0, fy = 0;
      break;
    case "top_right":
      fx = 2, fy = 0;
      break;
    case "bottom_left":
      fx = 0, fy = 2;
      break;
    case "bottom_right":
      fx = 2, fy = 2;
      break;
    default:
      throw new RangeError(
        `anchor: expected one of ${ANCHORS.map((a) => `"${a}"`).join(", ")}, found ${
          describe(anchor)
        }`,
      );
  }
  for (let i = from, o = at; i < to; i++, o += 2) {
    const x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3];
    out[o] = fx === 0 ? x1 : fx === 2 ? x2 : (x1 + x2) / 2;
    out[o + 1] = fy === 0 ? y1 : fy === 2 ? y2 : (y1 + y2) / 2;
  }
}
