/**
 * Drawing people's keypoints into an RGBA layer: each skeleton pair as a line in the
 * detection's colour, each keypoint as a dot with a dark rim, so poses read over any
 * background. Used by the overlay (`drawOverlay`) for keypoint models.
 *
 * @module
 */

/** How {@link drawSkeletons} draws. */
export interface SkeletonStyle {
  /** Pairs of 1-based keypoint numbers to join (COCO's `skeleton`). */
  skeleton: readonly (readonly [number, number])[];
  /** Line thickness in pixels (default 2). */
  lineWidth?: number;
  /** Dot radius in pixels (default 2). */
  dotRadius?: number;
  /** Keypoints scoring below this are not drawn, nor their limbs (default: all drawn). */
  minKeypointScore?: number;
}

/**
 * Draws the keypoints of detections `order` (N×K×3 `x, y, score` in layer pixels) into
 * `out` (`width × height` RGBA), limbs first then dots, opaque; `colorOf(i)` gives each
 * detection's colour. Points outside the layer are clipped.
 *
 * @example One limb between two keypoints
 * ```ts
 * import assert from "node:assert/strict";
 * const out = new Uint8Array(20 * 10 * 4);
 * const keypoints = new Float32Array([2, 5, 1, 17, 5, 1]); // one person, K = 2
 * drawSkeletons(out, 20, 10, keypoints, 2, [0], () => [255, 0, 0], { skeleton: [[1, 2]] });
 * const at = (x: number, y: number) => [...out.subarray((y * 20 + x) * 4, (y * 20 + x) * 4 + 4)];
 * assert.deepEqual(at(10, 5), [255, 0, 0, 255]); // on the limb
 * assert.deepEqual(at(10, 1), [0, 0, 0, 0]); // away from it
 * ```
 */
export function drawSkeletons(
  out: Uint8Array,
  width: number,
  height: number,
  keypoints: Float32Array,
  numKeypoints: number,
  order: readonly number[],
  colorOf: (i: number) => readonly [number, number, number],
  style: SkeletonStyle,
): void {
  const K = numKeypoints;
  const lineWidth = style.lineWidth ?? 2, radius = style.dotRadius ?? 2;
  const min = style.minKeypointScore ?? -Infinity;
  const shown = (base: number, k: number) =>
    k >= 0 && k < K && keypoints[base + 3 * k + 2] >= min &&
    Number.isFinite(keypoints[base + 3 * k]) && Number.isFinite(keypoints[base + 3 * k + 1]);
  const dot = (cx: number, cy: number, r: number, c: readonly number[]) => {
    const x0 = Math.max(0, Math.floor(cx - r)), x1 = Math.min(width - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r)), y1 = Math.min(height - 1, Math.ceil(cy + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > r * r) continue;
        const o = (y * width + x) * 4;
        out[o] = c[0];
        out[o + 1] = c[1];
        out[o + 2] = c[2];
        out[o + 3] = 255;
      }
    }
  };
  for (const i of order) {
    const base = i * K * 3;
    const color = colorOf(i);
    for (const [a, b] of style.skeleton) {
      if (!shown(base, a - 1) || !shown(base, b - 1)) continue;
      const ax = keypoints[base + 3 * (a - 1)], ay = keypoints[base + 3 * (a - 1) + 1];
      const bx = keypoints[base + 3 * (b - 1)], by = keypoints[base + 3 * (b - 1) + 1];
      const steps = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay)));
      if (steps > 4 * (width + height)) continue; // a runaway point: not a limb
      for (let s = 0; s <= steps; s++) {
        const t = s / steps;
        dot(ax + (bx - ax) * t, ay + (by - ay) * t, lineWidth / 2 + 0.25, color);
      }
    }
    for (let k = 0; k < K; k++) {
      if (!shown(base, k)) continue;
      const x = keypoints[base + 3 * k], y = keypoints[base + 3 * k + 1];
      dot(x, y, radius + 1, [0, 0, 0]);
      dot(x, y, radius, [255, 255, 255]);
    }
  }
}
