/**
 * The pyramid level torchvision's `MultiScaleRoIAlign` pools a box from (`LevelMapper`,
 * `torchvision/ops/poolers.py`, after FPN paper eq. 1): k = ⌊k₀ + log₂(√area / 224) + ε⌋
 * clamped to [kMin, kMax], with k₀ = 4, ε = 1e-6, and kMin / kMax the levels of the
 * pooled feature maps (2 to 5 for P2–P5, strides 4 to 32).
 *
 * @module
 */

/**
 * The level k (stride 2^k) of `MultiScaleRoIAlign` for a box of `x1, y1, x2, y2` in
 * model-input pixels.
 *
 * @example A 224×224 box is pooled from P4; a 20×20 one from P2, the finest
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(roiLevel(0, 0, 224, 224), 4);
 * assert.equal(roiLevel(0, 0, 20, 20), 2);
 * assert.equal(roiLevel(0, 0, 2000, 2000), 5);
 * ```
 */
export function roiLevel(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  kMin = 2,
  kMax = 5,
): number {
  const area = (x2 - x1) * (y2 - y1);
  // torchvision computes in float32: sqrt(area), log2(s / 224) + 4 + 1e-6, floor.
  const k = Math.floor(
    Math.fround(4 + Math.log2(Math.fround(Math.sqrt(Math.max(area, 0))) / 224) + 1e-6),
  );
  return Math.min(kMax, Math.max(kMin, Number.isFinite(k) ? k : kMin));
}
