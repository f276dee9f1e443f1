/**
 * The `singleStage` block of an `fcos` or `retinanet` manifest: the pyramid levels whose head
 * outputs the graph returns (stride and feature size each), the anchors torchvision's
 * `AnchorGenerator` puts on them, and the settings of torchvision's `postprocess_detections`
 * that the runtime's decoding (`decodeFcos`, `decodeRetinaNet`) follows.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";

const stride = z.union([
  z.int().min(1),
  z.tuple([z.int().min(1), z.int().min(1)], { error: "a stride or [strideH, strideW]" }),
]);

/** One pyramid level: its stride in input pixels and the size of its feature map. */
export const SingleStageLevelSchema = strictObject({
  stride: stride.describe(
    "Input pixels between locations: a number, or [strideH, strideW] (torchvision: padded size // feature size).",
  ),
  height: z.int().min(1).describe("Rows of the level's feature map."),
  width: z.int().min(1).describe("Columns of the level's feature map."),
});

/**
 * The `singleStage` block: levels (in the order of the outputs' `level`), anchor sizes and
 * aspect ratios per level (A = sizes × ratios anchors per location), the class columns of
 * the logits, and torchvision's post-processing settings.
 *
 * @example Anchor sizes for two levels where the block has three
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * const level = { stride: 8, height: 36, width: 64 };
 * const spec = { levels: [level, level, level], anchorSizes: [[32], [64]], aspectRatios: [[1], [1], [1]], numClasses: 5 };
 * assert.deepEqual(checkWire(SingleStageSpecSchema, spec), [
 *   { path: ["anchorSizes"], expected: "3 lists, one per level", found: "an array of 2 items" },
 * ]);
 * ```
 */
export const SingleStageSpecSchema = strictObject({
  levels: z.array(SingleStageLevelSchema).min(1).describe(
    "The pyramid levels, in the order of the outputs' level numbers.",
  ),
  anchorSizes: z.array(z.array(z.number().positive()).min(1)).describe(
    "Anchor sizes per level (FCOS: one, the level's stride × a scale; RetinaNet: three octaves).",
  ),
  aspectRatios: z.array(z.array(z.number().positive()).min(1)).describe(
    "Height / width ratios per level.",
  ),
  numClasses: z.int().min(1).describe(
    "Columns of the class logits; column c is class id c (torchvision's labels; column 0 is background and never trained).",
  ),
  scoreThreshold: z.number().default(0.05).describe(
    "Per level, candidates need a score above this (torchvision's score_thresh).",
  ),
  nmsThreshold: z.number().min(0).default(0.5).describe(
    "IoU of the class-aware NMS over all levels (torchvision's nms_thresh).",
  ),
  topkCandidates: z.int().min(0).default(1000).describe(
    "Per level, at most this many candidates (torchvision's topk_candidates).",
  ),
  detectionsPerImage: z.int().min(0).default(100).describe(
    "At most this many detections after the NMS (torchvision's detections_per_img).",
  ),
}, { description: "The levels, anchors and decoding of an fcos or retinanet model." })
  .superRefine((spec, ctx) => {
    const n = spec.levels.length;
    for (const field of ["anchorSizes", "aspectRatios"] as const) {
      if (spec[field].length !== n) {
        ctx.addIssue({
          code: "custom",
          path: [field],
          message: `${n} lists, one per level`,
          input: spec[field],
        });
      }
    }
  });

/** The `singleStage` block of a manifest, as parsed. */
export type SingleStageSpec = z.output<typeof SingleStageSpecSchema>;

/**
 * Anchors per location of level `l`: its sizes × its aspect ratios.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const spec = { anchorSizes: [[32, 40, 50]], aspectRatios: [[0.5, 1, 2]] };
 * assert.equal(anchorsPerLocation(spec, 0), 9);
 * ```
 */
export function anchorsPerLocation(
  spec: Pick<SingleStageSpec, "anchorSizes" | "aspectRatios">,
  l: number,
): number {
  return (spec.anchorSizes[l]?.length ?? 0) * (spec.aspectRatios[l]?.length ?? 0);
}
