/**
 * The rules that tie an `fcos` / `retinanet` manifest's `singleStage` block to its outputs:
 * one output per role and level (class logits, box regression, and FCOS's centerness), each
 * of the size its level's feature map and anchors give.
 *
 * @module
 */

import { anchorsPerLocation, type SingleStageSpec } from "./single_stage_spec.ts";

/** The kinds whose graphs return per-level head outputs. */
export const SINGLE_STAGE_KINDS: readonly string[] = Object.freeze(["fcos", "retinanet"]);

/** The per-level roles of single-stage graphs. */
export const SINGLE_STAGE_ROLES: readonly string[] = Object.freeze([
  "cls_logits",
  "bbox_regression",
  "bbox_ctrness",
]);

/** One problem found by {@link singleStageManifestIssues}. */
export interface SingleStageIssue {
  path: (string | number)[];
  message: string;
  input: unknown;
}

/** The manifest fields the rules read. */
export interface SingleStageManifestFields {
  kind: string;
  outputs: readonly { role: string; level?: number; shape: readonly (number | string)[] }[];
  singleStage?: SingleStageSpec;
  /** The model input's size: each level's stride must be torchvision's for it. */
  input?: { height: number; width: number };
}

/** The roles a kind needs at every level. */
function rolesOf(kind: string): string[] {
  return kind === "fcos" ? ["cls_logits", "bbox_regression", "bbox_ctrness"] : [
    "cls_logits",
    "bbox_regression",
  ];
}

/**
 * The problems of `m`'s single-stage fields (none when they agree): the block missing from
 * an `fcos` / `retinanet` manifest or present in another kind; a per-level output without a
 * level, of a level the block lacks, or twice; a level without one of its kind's roles
 * (FCOS: centerness too); an output whose size is not its level's `height × width × A`
 * rows of `numClasses`, 4 or 1 columns; an FCOS level with more than one anchor; a level
 * whose stride is not the one torchvision's `AnchorGenerator` computes for it (the input
 * size divided by the level's size, floored, per axis; raw graphs take sizes torchvision
 * neither resizes nor pads): anchors would sit in the wrong places.
 *
 * @example An FCOS manifest without the centerness of its only level
 * ```ts
 * import assert from "node:assert/strict";
 * const singleStage = { levels: [{ stride: 8, height: 2, width: 3 }], anchorSizes: [[8]], aspectRatios: [[1]],
 *   numClasses: 5, scoreThreshold: 0.2, nmsThreshold: 0.6, topkCandidates: 1000, detectionsPerImage: 100 };
 * const outputs = [
 *   { role: "cls_logits", level: 0, shape: ["batch", 6, 5] },
 *   { role: "bbox_regression", level: 0, shape: ["batch", 6, 4] },
 * ];
 * assert.deepEqual(singleStageManifestIssues({ kind: "fcos", outputs, singleStage }), [{
 *   path: ["outputs"],
 *   message: 'an output with role "bbox_ctrness" and level 0 (fcos needs cls_logits, bbox_regression, bbox_ctrness at every level)',
 *   input: ["cls_logits", "bbox_regression"],
 * }]);
 * ```
 */
export function singleStageManifestIssues(m: SingleStageManifestFields): SingleStageIssue[] {
  const issues: SingleStageIssue[] = [];
  const single = SINGLE_STAGE_KINDS.includes(m.kind);
  const spec = m.singleStage;
  if (!single) {
    if (spec) {
      issues.push({
        path: ["singleStage"],
        message: `no singleStage block for kind "${m.kind}" (only ${
          SINGLE_STAGE_KINDS.join(" and ")
        } models have one)`,
        input: spec,
      });
    }
    m.outputs.forEach((o, i) => {
      if (SINGLE_STAGE_ROLES.includes(o.role)) {
        issues.push({
          path: ["outputs", i, "role"],
          message: `no "${o.role}" output for kind "${m.kind}" (a role of ${
            SINGLE_STAGE_KINDS.join(" and ")
          } graphs)`,
          input: o.role,
        });
      }
    });
    return issues;
  }
  if (!spec) {
    issues.push({
      path: ["singleStage"],
      message: `the singleStage block of a ${m.kind} model (levels, anchors, decoding)`,
      input: undefined,
    });
    return issues;
  }
  const roles = rolesOf(m.kind);
  const levels = spec.levels.length;
  const seen = new Map<string, number>();
  m.outputs.forEach((o, i) => {
    if (!SINGLE_STAGE_ROLES.includes(o.role)) return;
    if (!roles.includes(o.role)) {
      issues.push({
        path: ["outputs", i, "role"],
        message: `one of ${roles.join(", ")} (the per-level roles of ${m.kind})`,
        input: o.role,
      });
      return;
    }
    if (o.level === undefined || o.level >= levels) {
      issues.push({
        path: ["outputs", i, "level"],
        message: `a level from 0 to ${levels - 1} (singleStage.levels has ${levels})`,
        input: o.level,
      });
      return;
    }
    const key = `${o.role}@${o.level}`;
    if (seen.has(key)) {
      issues.push({
        path: ["outputs", i, "level"],
        message: `one "${o.role}" output per level (outputs[${seen.get(key)}] is level ${o.level})`,
        input: o.level,
      });
      return;
    }
    seen.set(key, i);
    const level = spec.levels[o.level];
    const a = anchorsPerLocation(spec, o.level);
    const rows = level.height * level.width * a;
    const columns = o.role === "cls_logits"
      ? spec.numClasses
      : o.role === "bbox_regression"
      ? 4
      : 1;
    const what = `[batch, ${rows}${
      o.role === "bbox_ctrness" ? "" : `, ${columns}`
    }] (level ${o.level}: ${level.height}×${level.width} locations × ${a} anchors${
      o.role === "cls_logits" ? ` × ${columns} classes` : ""
    })`;
    const shape = o.shape;
    const rankOk = o.role === "bbox_ctrness"
      ? shape.length === 2 ||
        (shape.length === 3 && (shape[2] === 1 || typeof shape[2] === "string"))
      : shape.length === 3;
    const fixed = (d: number, want: number) => typeof shape[d] === "number" && shape[d] !== want;
    if (!rankOk || fixed(1, rows) || (o.role !== "bbox_ctrness" && fixed(2, columns))) {
      issues.push({ path: ["outputs", i, "shape"], message: what, input: shape });
    }
  });
  for (let l = 0; l < levels; l++) {
    for (const role of roles) {
      if (!seen.has(`${role}@${l}`)) {
        issues.push({
          path: ["outputs"],
          message: `an output with role "${role}" and level ${l} (${m.kind} needs ${
            roles.join(", ")
          } at every level)`,
          input: m.outputs.map((o) => o.role),
        });
      }
    }
    if (m.input) {
      const level = spec.levels[l];
      const sy = Math.floor(m.input.height / level.height);
      const sx = Math.floor(m.input.width / level.width);
      const [gy, gx] = typeof level.stride === "number"
        ? [level.stride, level.stride]
        : level.stride;
      if (gy !== sy || gx !== sx) {
        issues.push({
          path: ["singleStage", "levels", l, "stride"],
          message: `${
            sy === sx ? sy : `[${sy}, ${sx}]`
          } (the ${m.input.height}×${m.input.width} input over the level's ${level.height}×${level.width} locations, as torchvision's AnchorGenerator computes it)`,
          input: level.stride,
        });
      }
    }
    if (m.kind === "fcos" && anchorsPerLocation(spec, l) !== 1) {
      issues.push({
        path: ["singleStage", "anchorSizes", l],
        message: "one anchor per location at every FCOS level (one size, one ratio)",
        input: spec.anchorSizes[l],
      });
    }
  }
  return issues;
}
