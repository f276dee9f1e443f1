/**
 * The rules that tie a manifest's `keypoints` block to its kind and its outputs: a
 * `keypointrcnn` model has the block and the output its encoding needs, and that output's
 * shape agrees with the keypoint names and the heatmap size.
 *
 * @module
 */

import type { KeypointSpec } from "./keypoint_spec.ts";

/** One problem found by {@link keypointManifestIssues}: where, and what was expected. */
export interface KeypointManifestIssue {
  path: (string | number)[];
  message: string;
  input: unknown;
}

/** The manifest fields the rules read. */
export interface KeypointManifestFields {
  kind: string;
  outputs: readonly { role: string; shape: readonly (number | string)[] }[];
  keypoints?: KeypointSpec;
}

/**
 * The problems of `m`'s keypoint fields (none when they agree): the block missing from a
 * `keypointrcnn` manifest or present in another kind, the encoding's output missing or the
 * other encoding's present, or an output shape whose keypoint count or heatmap size differs
 * from the block's.
 *
 * @example A heatmap output for 5 keypoints where the block names 17
 * ```ts
 * import assert from "node:assert/strict";
 * import { COCO_KEYPOINT_NAMES } from "./keypoint_spec.ts";
 * const m = {
 *   kind: "keypointrcnn",
 *   outputs: [{ role: "keypoint_logits", shape: ["detections", 5, 56, 56] }],
 *   keypoints: { names: [...COCO_KEYPOINT_NAMES], skeleton: [], encoding: "heatmap" as const, heatmapSize: 56, decode: "torchvision" as const },
 * };
 * assert.deepEqual(keypointManifestIssues(m), [{
 *   path: ["outputs", 0, "shape", 1],
 *   message: "17 keypoints (keypoints.names has 17)",
 *   input: 5,
 * }]);
 * ```
 */
export function keypointManifestIssues(m: KeypointManifestFields): KeypointManifestIssue[] {
  const issues: KeypointManifestIssue[] = [];
  const spec = m.keypoints;
  if (m.kind !== "keypointrcnn") {
    if (spec) {
      issues.push({
        path: ["keypoints"],
        message:
          `no keypoints block for kind "${m.kind}" (only keypointrcnn models have keypoints)`,
        input: spec,
      });
    }
    return issues;
  }
  if (!spec) {
    issues.push({
      path: ["keypoints"],
      message: "the keypoints block of a keypointrcnn model (names, skeleton, encoding)",
      input: undefined,
    });
    return issues;
  }
  const role = spec.encoding === "heatmap" ? "keypoint_logits" : "keypoints";
  const other = spec.encoding === "heatmap" ? "keypoints" : "keypoint_logits";
  const at = m.outputs.findIndex((o) => o.role === role);
  if (at < 0) {
    issues.push({
      path: ["outputs"],
      message: `an output with role "${role}" (keypoints.encoding is ${spec.encoding})`,
      input: m.outputs.map((o) => o.role),
    });
  }
  const wrong = m.outputs.findIndex((o) => o.role === other);
  if (wrong >= 0) {
    issues.push({
      path: ["outputs", wrong, "role"],
      message:
        `no "${other}" output with keypoints.encoding ${spec.encoding} (that role belongs to the other encoding)`,
      input: other,
    });
  }
  if (at < 0) return issues;
  const shape = m.outputs[at].shape;
  const k = spec.names.length;
  const rank = spec.encoding === "heatmap" ? 4 : 3;
  if (shape.length !== rank) {
    issues.push({
      path: ["outputs", at, "shape"],
      message: spec.encoding === "heatmap"
        ? "4 dimensions [detections, K, M, M]"
        : "3 dimensions [detections, K, 2]",
      input: shape,
    });
    return issues;
  }
  const fixed = (d: number, want: number, message: string) => {
    if (typeof shape[d] === "number" && shape[d] !== want) {
      issues.push({ path: ["outputs", at, "shape", d], message, input: shape[d] });
    }
  };
  fixed(1, k, `${k} keypoints (keypoints.names has ${k})`);
  if (spec.encoding === "heatmap" && spec.heatmapSize !== undefined) {
    const size = spec.heatmapSize;
    fixed(2, size, `${size} (keypoints.heatmapSize)`);
    fixed(3, size, `${size} (keypoints.heatmapSize)`);
  } else if (spec.encoding === "regression") {
    fixed(2, 2, "2 (x, y)");
  }
  return issues;
}
