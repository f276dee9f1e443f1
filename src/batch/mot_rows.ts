/**
 * A frame's tracks as rows of MOTChallenge text: `frame,id,x,y,w,h,score,-1,-1,-1`, frame
 * numbers from 1 (the stream's frame index + 1), boxes `x, y, w, h` in source pixels with
 * two decimals: the detection each track was updated by this frame (detections without a
 * track are left out).
 *
 * @module
 */

import type { StreamResult } from "../pipeline/events.ts";

/**
 * The MOTChallenge rows of a result's tracked detections (empty without tracking).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const rows = motRows({
 *   index: 4, trackIds: new Int32Array([7, 0]),
 *   detections: { boxes: new Float32Array([10, 20, 50, 80, 0, 0, 5, 5]),
 *     scores: new Float32Array([0.91, 0.2]), classIds: new Int32Array([1, 1]) },
 * });
 * assert.equal(rows, "5,7,10,20,40,60,0.91,-1,-1,-1\n");
 * ```
 */
export function motRows(r: Pick<StreamResult, "index" | "trackIds" | "detections">): string {
  const ids = r.trackIds;
  if (!ids) return "";
  const b = r.detections.boxes, s = r.detections.scores;
  const order = [...ids.keys()].filter((i) => ids[i] > 0).sort((i, j) => ids[i] - ids[j]);
  let text = "";
  for (const i of order) {
    const x = b[4 * i], y = b[4 * i + 1];
    text += `${r.index + 1},${ids[i]},${r2(x)},${r2(y)},${r2(b[4 * i + 2] - x)},${
      r2(b[4 * i + 3] - y)
    },${r4(s[i])},-1,-1,-1\n`;
  }
  return text;
}

const r2 = (v: number) => Math.round(v * 100) / 100;
const r4 = (v: number) => Math.round(v * 10000) / 10000;
