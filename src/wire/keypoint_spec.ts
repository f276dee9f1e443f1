/**
 * The `keypoints` block of a `keypointrcnn` manifest: the names of the keypoints in the
 * graph's order, the skeleton the viewer and the overlay draw, the left/right flip, the OKS
 * sigmas `deno task eval` scores with, and how the graph encodes them (heatmap logits that
 * `heatmapsToKeypoints` decodes, or coordinates regressed directly).
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";

/** How a keypoint graph gives its keypoints: `heatmap` (output role `keypoint_logits`,
 * D×K×M×M) or `regression` (output role `keypoints`, D×K×2 in input pixels). */
export const KEYPOINT_ENCODINGS = Object.freeze(["heatmap", "regression"] as const);

/** The 17 COCO person keypoints, in COCO's order. */
export const COCO_KEYPOINT_NAMES: readonly string[] = Object.freeze([
  "nose",
  "left_eye",
  "right_eye",
  "left_ear",
  "right_ear",
  "left_shoulder",
  "right_shoulder",
  "left_elbow",
  "right_elbow",
  "left_wrist",
  "right_wrist",
  "left_hip",
  "right_hip",
  "left_knee",
  "right_knee",
  "left_ankle",
  "right_ankle",
]);

/** COCO's person skeleton: 19 pairs of 1-based keypoint numbers (the `skeleton` of COCO's
 * person category). */
export const COCO_SKELETON: readonly (readonly [number, number])[] = Object.freeze(
  [
    [16, 14],
    [14, 12],
    [17, 15],
    [15, 13],
    [12, 13],
    [6, 12],
    [7, 13],
    [6, 7],
    [6, 8],
    [7, 9],
    [8, 10],
    [9, 11],
    [2, 3],
    [1, 2],
    [1, 3],
    [2, 4],
    [3, 5],
    [4, 6],
    [5, 7],
  ].map((p) => Object.freeze(p as [number, number])),
);

const keypointNumber = z.int().min(1);

/**
 * The `keypoints` block: names (K of them, the graph's keypoint dimension), skeleton pairs
 * (1-based, as COCO writes them), optional flip permutation (0-based) and OKS sigmas (one
 * per keypoint), the encoding, and for heatmaps their size and decoding.
 *
 * @example A skeleton pair naming a keypoint that does not exist
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * const spec = { names: ["head", "foot"], skeleton: [[1, 3]], encoding: "heatmap", heatmapSize: 56 };
 * assert.deepEqual(checkWire(KeypointSpecSchema, spec), [
 *   { path: ["skeleton", 0, 1], expected: "a keypoint number from 1 to 2 (names)", found: "the number 3" },
 * ]);
 * ```
 */
export const KeypointSpecSchema = strictObject({
  names: z.array(z.string().min(1)).min(1).describe(
    "The keypoints in the graph's order (K names: the size of the graph's keypoint dimension).",
  ),
  skeleton: z.array(z.tuple([keypointNumber, keypointNumber], {
    error: "a pair of keypoint numbers",
  })).default([]).describe(
    "Pairs of 1-based keypoint numbers joined when drawn (COCO's `skeleton`).",
  ),
  flip: z.array(z.int().min(0)).optional().describe(
    "The keypoint each one becomes when the image is mirrored (0-based), e.g. left_eye <-> right_eye.",
  ),
  sigmas: z.array(z.number().positive()).optional().describe(
    "OKS sigmas per keypoint for keypoint AP (default: COCO's, for 17 keypoints).",
  ),
  encoding: z.enum(KEYPOINT_ENCODINGS).describe(
    "heatmap: a keypoint_logits output (D×K×M×M) decoded as torchvision does; regression: a keypoints output (D×K×2, input pixels).",
  ),
  heatmapSize: z.int().min(1).optional().describe(
    "M, the heatmaps' size (heatmap encoding; 56 for torchvision's head).",
  ),
  decode: z.literal("torchvision").default("torchvision").describe(
    "How heatmaps become keypoints: torchvision's heatmaps_to_keypoints (the only one).",
  ),
}, { description: "The keypoints of a keypointrcnn model." }).superRefine((spec, ctx) => {
  const k = spec.names.length;
  spec.skeleton.forEach((pair, i) =>
    pair.forEach((v, j) => {
      if (v > k) {
        ctx.addIssue({
          code: "custom",
          path: ["skeleton", i, j],
          message: `a keypoint number from 1 to ${k} (names)`,
          input: v,
        });
      }
    })
  );
  for (const field of ["flip", "sigmas"] as const) {
    const list = spec[field];
    if (list && list.length !== k) {
      ctx.addIssue({
        code: "custom",
        path: [field],
        message: `${k} entries, one per keypoint name`,
        input: list,
      });
    }
  }
  spec.flip?.forEach((v, i) => {
    if (v >= k) {
      ctx.addIssue({
        code: "custom",
        path: ["flip", i],
        message: `a keypoint index from 0 to ${k - 1}`,
        input: v,
      });
    }
  });
  if (spec.encoding === "heatmap" && spec.heatmapSize === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["heatmapSize"],
      message: "the heatmaps' size M (heatmap encoding)",
      input: undefined,
    });
  }
});

/** The `keypoints` block of a manifest, as parsed. */
export type KeypointSpec = z.output<typeof KeypointSpecSchema>;
