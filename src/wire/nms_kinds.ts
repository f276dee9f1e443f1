/**
 * The kinds of final NMS a model's detections can get: a list shared by the manifest's
 * defaults, a pipeline's post-processing overrides and the NMS code that runs them.
 *
 * @module
 */

/**
 * Every {@link NmsKind}, in the order of the docs: hard NMS (torchvision), linear and
 * Gaussian Soft-NMS (mmcv), Matrix NMS on boxes, none (the graph did it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(NMS_KINDS.includes("soft-gaussian"));
 * assert.ok(Object.isFrozen(NMS_KINDS));
 * ```
 */
export const NMS_KINDS = Object.freeze(
  ["hard", "soft-linear", "soft-gaussian", "matrix", "none"] as const,
);

/** The final NMS: hard (torchvision), Soft-NMS (mmcv), Matrix NMS on boxes, or none. */
export type NmsKind = typeof NMS_KINDS[number];
