/**
 * The `solov2` block of a `solov2` manifest: the grids of the category branch and their
 * strides, the mask features' stride, and SOLO's `test_cfg` that the runtime's
 * post-processing (`solov2Postprocess`) follows; and the rules tying it to the outputs.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";

/**
 * The `solov2` block. Grid cells are numbered over all levels (level 0's S₀×S₀ cells
 * row-major, then level 1's...): G = Σ Sᵢ² rows of `category_scores`.
 *
 * @example Strides for two levels where there are three grids
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * const spec = { grids: [40, 36, 24], strides: [8, 8], maskStride: 4, numClasses: 4 };
 * assert.deepEqual(checkWire(Solov2SpecSchema, spec), [
 *   { path: ["strides"], expected: "3 strides, one per grid", found: "an array of 2 items" },
 * ]);
 * ```
 */
export const Solov2SpecSchema = strictObject({
  grids: z.array(z.int().min(1)).min(1).describe("S of each level's S×S grid."),
  strides: z.array(z.number().positive()).describe(
    "The stride of each level's cells (maskness rescoring reads it).",
  ),
  maskStride: z.int().min(1).describe("Input pixels per cell of the masks (4)."),
  numClasses: z.int().min(1).describe(
    "Columns of the category scores; column c is class id c + 1.",
  ),
  scoreThreshold: z.number().default(0.1).describe("SOLO's score_thr (0.1)."),
  maskThreshold: z.number().default(0.5).describe("SOLO's mask_thr (0.5)."),
  nmsPre: z.int().min(0).default(500).describe(
    "SOLO's nms_pre: the best candidates that enter Matrix NMS.",
  ),
  updateThreshold: z.number().default(0.05).describe("SOLO's update_thr (0.05)."),
  kernel: z.enum(["gaussian", "linear"]).default("gaussian").describe("Matrix NMS's kernel."),
  sigma: z.number().min(0).default(2).describe("Matrix NMS's Gaussian sigma (2.0)."),
  maxPerImage: z.int().min(0).default(100).describe("SOLO's max_per_img (100)."),
}, { description: "The grids and post-processing of a solov2 model." }).superRefine((spec, ctx) => {
  if (spec.strides.length !== spec.grids.length) {
    ctx.addIssue({
      code: "custom",
      path: ["strides"],
      message: `${spec.grids.length} strides, one per grid`,
      input: spec.strides,
    });
  }
});

/** The `solov2` block of a manifest, as parsed. */
export type Solov2Spec = z.output<typeof Solov2SpecSchema>;

/** The roles of a SOLOv2 graph. */
export const SOLOV2_ROLES: readonly string[] = Object.freeze([
  "category_scores",
  "cell_masks",
  "mask_cells",
  "batch_index",
]);

/** One problem found by {@link solov2ManifestIssues}. */
export interface Solov2Issue {
  path: (string | number)[];
  message: string;
  input: unknown;
}

/**
 * The problems of a manifest's SOLOv2 fields (none when they agree): the block missing from
 * a `solov2` manifest or present in another kind; an output role missing; category scores
 * that are not `[batch, G, numClasses]`; masks that are not `[cells, H/maskStride,
 * W/maskStride]` of the input.
 *
 * @example Category scores for another grid
 * ```ts
 * import assert from "node:assert/strict";
 * const solov2 = { grids: [2, 1], strides: [8, 16], maskStride: 4, numClasses: 3, scoreThreshold: 0.1,
 *   maskThreshold: 0.5, nmsPre: 500, updateThreshold: 0.05, kernel: "gaussian" as const, sigma: 2, maxPerImage: 100 };
 * const outputs = [
 *   { role: "category_scores", shape: ["batch", 4, 3] },
 *   { role: "cell_masks", shape: ["cells", 8, 8] },
 *   { role: "mask_cells", shape: ["cells"] },
 *   { role: "batch_index", shape: ["cells"] },
 * ];
 * assert.deepEqual(solov2ManifestIssues({ kind: "solov2", outputs, solov2, input: { height: 32, width: 32 } }), [{
 *   path: ["outputs", 0, "shape"],
 *   message: "[batch, 5, 3] (grids 2², 1²; 3 classes)",
 *   input: ["batch", 4, 3],
 * }]);
 * ```
 */
export function solov2ManifestIssues(m: {
  kind: string;
  outputs: readonly { role: string; shape: readonly (number | string)[] }[];
  solov2?: Solov2Spec;
  input: { height: number; width: number };
}): Solov2Issue[] {
  const issues: Solov2Issue[] = [];
  const spec = m.solov2;
  if (m.kind !== "solov2") {
    if (spec) {
      issues.push({
        path: ["solov2"],
        message: `no solov2 block for kind "${m.kind}" (only solov2 models have one)`,
        input: spec,
      });
    }
    m.outputs.forEach((o, i) => {
      if (o.role === "category_scores" || o.role === "cell_masks" || o.role === "mask_cells") {
        issues.push({
          path: ["outputs", i, "role"],
          message: `no "${o.role}" output for kind "${m.kind}" (a role of solov2 graphs)`,
          input: o.role,
        });
      }
    });
    return issues;
  }
  if (!spec) {
    issues.push({
      path: ["solov2"],
      message: "the solov2 block of a solov2 model (grids, strides, post-processing)",
      input: undefined,
    });
    return issues;
  }
  for (const role of SOLOV2_ROLES) {
    if (!m.outputs.some((o) => o.role === role)) {
      issues.push({
        path: ["outputs"],
        message: `an output with role "${role}" (solov2 needs ${SOLOV2_ROLES.join(", ")})`,
        input: m.outputs.map((o) => o.role),
      });
    }
  }
  const g = spec.grids.reduce((a, s) => a + s * s, 0);
  const hm = m.input.height / spec.maskStride, wm = m.input.width / spec.maskStride;
  m.outputs.forEach((o, i) => {
    const s = o.shape;
    const bad = (d: number, want: number) => typeof s[d] === "number" && s[d] !== want;
    if (o.role === "category_scores" && (s.length !== 3 || bad(1, g) || bad(2, spec.numClasses))) {
      issues.push({
        path: ["outputs", i, "shape"],
        message: `[batch, ${g}, ${spec.numClasses}] (grids ${
          spec.grids.map((x) => `${x}²`).join(", ")
        }; ${spec.numClasses} classes)`,
        input: s,
      });
    }
    if (o.role === "cell_masks" && (s.length !== 3 || bad(1, hm) || bad(2, wm))) {
      issues.push({
        path: ["outputs", i, "shape"],
        message:
          `[cells, ${hm}, ${wm}] (the input's ${m.input.height}×${m.input.width} / maskStride ${spec.maskStride})`,
        input: s,
      });
    }
  });
  return issues;
}
