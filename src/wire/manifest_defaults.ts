/**
 * The post-processing defaults of a model manifest (its `defaults`): score threshold, the
 * final NMS and its parameters, detections per image, mask threshold, panoptic fusion. A
 * pipeline's `postprocess` overrides them per model.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";
import { NMS_KINDS } from "./nms_kinds.ts";

/**
 * The default final NMS. Soft-NMS divides by `sigma` (so it must be > 0); Matrix NMS
 * multiplies by it (0: no decay). `sigma` defaults to 0.5, or 2 for Matrix NMS.
 */
const NmsDefaultsSchema = strictObject({
  kind: z.enum(NMS_KINDS).default("hard").describe("The final NMS (default hard)."),
  iouThreshold: z.number().min(0).default(0.5).describe(
    "IoU threshold of hard and linear Soft-NMS (default 0.5).",
  ),
  sigma: z.number().min(0).optional().describe(
    "Gaussian sigma: > 0 for Soft-NMS (default 0.5), >= 0 for Matrix NMS (default 2; 0: no decay).",
  ),
}).superRefine((nms, ctx) => {
  if (nms.kind !== "matrix" && nms.sigma === 0) {
    ctx.addIssue({ code: "custom", message: "a number > 0", path: ["sigma"], input: nms.sigma });
  }
}).meta({
  if: { properties: { kind: { const: "matrix" } }, required: ["kind"] },
  else: { properties: { sigma: { type: "number", exclusiveMinimum: 0 } } },
}).transform((nms) => ({
  kind: nms.kind,
  iouThreshold: nms.iouThreshold,
  sigma: nms.sigma ?? (nms.kind === "matrix" ? 2 : 0.5),
}));

/**
 * The post-processing defaults of a model (every field optional; a pipeline overrides
 * them per model).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWire } from "./parse.ts";
 * const d = parseWire(ManifestDefaultsSchema, { nms: { kind: "matrix" } }, "m.json: defaults");
 * assert.deepEqual(d.nms, { kind: "matrix", iouThreshold: 0.5, sigma: 2 });
 * assert.equal(d.panoptic.stuffAreaThreshold, 4096);
 * ```
 */
export const ManifestDefaultsSchema = strictObject({
  scoreThreshold: z.number().default(0.5).describe(
    "Detections scoring below this after NMS are dropped (default 0.5).",
  ),
  nms: NmsDefaultsSchema.prefault(() => ({})),
  maxDetections: z.int().min(1).default(100).describe(
    "At most this many detections per image (default 100).",
  ),
  maskThreshold: z.number().min(0).default(0.5).describe(
    "Mask probability threshold when pasting (default 0.5).",
  ),
  panoptic: strictObject({
    overlapThreshold: z.number().min(0).default(0.5).describe(
      "Skip an instance when more than this fraction of it is already taken (default 0.5).",
    ),
    stuffAreaThreshold: z.number().min(0).default(4096).describe(
      "Keep a stuff region only with at least this many free pixels (default 4096).",
    ),
    instanceScoreThreshold: z.number().default(0.5).describe(
      "Stop at the first instance scoring below this (default 0.5).",
    ),
  }, { description: "Panoptic fusion settings." }).prefault(() => ({})),
}, { description: "Post-processing defaults; a pipeline's postprocess overrides them." });
