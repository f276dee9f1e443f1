/**
 * FCOS and RetinaNet graphs between the graph and the detections: their per-level head
 * outputs split per image and checked against the manifest's `singleStage` block, and
 * decoded as torchvision's `postprocess_detections` with anchors made once per model.
 *
 * @module
 */

import { ManifestError } from "../errors.ts";
import type { ModelManifest } from "./manifest.ts";
import type { TensorLike } from "./raw_outputs.ts";
import { anchorsForLevel } from "../geometry/anchors.ts";
import { decodeFcos } from "../geometry/fcos_decode.ts";
import { decodeRetinaNet } from "../geometry/retinanet_decode.ts";
import type { SingleStageDetections } from "../geometry/single_stage.ts";
import { anchorsPerLocation, type SingleStageSpec } from "../wire/single_stage_spec.ts";

/** One image's head outputs of a single-stage graph, per level (see `decodeFcos`). */
export interface SingleStageRaw {
  kind: "fcos" | "retinanet";
  spec: SingleStageSpec;
  /** The model input's size: boxes are clipped to it. */
  image: { height: number; width: number };
  /** Per level, HWA×C class logits. */
  clsLogits: Float32Array[];
  /** Per level, HWA×4 box regression. */
  bboxRegression: Float32Array[];
  /** FCOS: per level, HW centerness logits. */
  bboxCtrness?: Float32Array[];
}

type Fields = Pick<ModelManifest, "kind" | "outputs" | "singleStage" | "input">;

/**
 * Splits a batch's single-stage outputs (by tensor name) into per-image head outputs,
 * checking each tensor against its level: `[N, H·W·A, C]` class logits, `[N, H·W·A, 4]`
 * regression, `[N, H·W]` (or `[N, H·W, 1]`) centerness. A graph that disagrees with its
 * manifest is a `ManifestError` naming the output and both sizes.
 *
 * @example One level of 2×3 locations, one class column, a batch of one
 * ```ts
 * import assert from "node:assert/strict";
 * const singleStage = { levels: [{ stride: 8, height: 2, width: 3 }], anchorSizes: [[8]], aspectRatios: [[1]],
 *   numClasses: 1, scoreThreshold: 0.2, nmsThreshold: 0.6, topkCandidates: 1000, detectionsPerImage: 100 };
 * const manifest = { kind: "fcos", singleStage, input: { height: 16, width: 24 }, outputs: [
 *   { name: "c", role: "cls_logits", level: 0 }, { name: "r", role: "bbox_regression", level: 0 },
 *   { name: "t", role: "bbox_ctrness", level: 0 }] } as never;
 * const outputs = {
 *   c: { data: new Float32Array(6), dims: [1, 6, 1] },
 *   r: { data: new Float32Array(24), dims: [1, 6, 4] },
 *   t: { data: new Float32Array(6), dims: [1, 6] },
 * };
 * const [image] = splitSingleStage(outputs, 1, manifest);
 * assert.equal(image.clsLogits[0].length, 6);
 * assert.throws(() => splitSingleStage({ ...outputs, t: { data: new Float32Array(5), dims: [1, 5] } }, 1, manifest),
 *   /output "t" \(bbox_ctrness, level 0\): expected \[1, 6\] \(2×3 locations × 1 anchors\), found \[1, 5\]/);
 * ```
 */
export function splitSingleStage(
  outputs: Record<string, TensorLike>,
  batchSize: number,
  manifest: Fields,
): SingleStageRaw[] {
  const spec = manifest.singleStage!;
  const kind = manifest.kind as "fcos" | "retinanet";
  const levels = spec.levels.length;
  const per = (role: string) => {
    const out: Float32Array[][] = Array.from({ length: batchSize }, () => new Array(levels));
    for (let l = 0; l < levels; l++) {
      const o = manifest.outputs.find((o) => o.role === role && o.level === l)!;
      const t = outputs[o.name];
      const level = spec.levels[l];
      const a = anchorsPerLocation(spec, l);
      const rows = level.height * level.width * a;
      const columns = role === "cls_logits" ? spec.numClasses : role === "bbox_regression" ? 4 : 1;
      const expected = role === "bbox_ctrness" ? [batchSize, rows] : [batchSize, rows, columns];
      const data = t?.data as Float32Array | undefined;
      const dims = t ? [...t.dims] : [];
      if (role === "bbox_ctrness" && dims.length === 3 && dims[2] === 1) dims.pop();
      const good = data instanceof Float32Array && dims.length === expected.length &&
        dims.every((d, i) => d === expected[i]) && data.length === batchSize * rows * columns;
      if (!good) {
        throw new ManifestError(
          `splitRawOutputs(): output "${o.name}" (${role}, level ${l}): expected [${
            expected.join(", ")
          }] (${level.height}×${level.width} locations × ${a} anchors${
            role === "cls_logits" ? ` × ${columns} classes` : ""
          }), found ${t ? `[${t.dims.join(", ")}]` : "no such output"}`,
        );
      }
      const size = rows * columns;
      for (let b = 0; b < batchSize; b++) out[b][l] = data!.subarray(b * size, (b + 1) * size);
    }
    return out;
  };
  const cls = per("cls_logits"), reg = per("bbox_regression");
  const ctr = kind === "fcos" ? per("bbox_ctrness") : undefined;
  const image = { height: manifest.input.height, width: manifest.input.width };
  return cls.map((clsLogits, b) => ({
    kind,
    spec,
    image,
    clsLogits,
    bboxRegression: reg[b],
    ...(ctr ? { bboxCtrness: ctr[b] } : {}),
  }));
}

const anchorCache = new WeakMap<SingleStageSpec, Float32Array[]>();

/** The anchors of every level of `spec`, made once per spec. */
export function singleStageAnchors(spec: SingleStageSpec): Float32Array[] {
  let anchors = anchorCache.get(spec);
  if (!anchors) {
    anchors = spec.levels.map((level, l) =>
      anchorsForLevel(
        spec.anchorSizes[l],
        spec.aspectRatios[l],
        level.stride,
        level.height,
        level.width,
      )
    );
    anchorCache.set(spec, anchors);
  }
  return anchors;
}

/**
 * Decodes one image's head outputs as torchvision does (`decodeFcos` / `decodeRetinaNet`
 * with the block's settings), the class-aware NMS at `nmsThreshold` (default the block's),
 * keeping candidates scoring above `scoreThreshold` (default the block's: torchvision's
 * `score_thresh`). Boxes are in input pixels; `classIds` are the logits' columns, which
 * are the manifest's class ids.
 *
 * @example
 * ```ts ignore
 * const detections = decodeSingleStage(raw.singleStage!, 0.6);
 * ```
 */
export function decodeSingleStage(
  raw: SingleStageRaw,
  nmsThreshold: number = raw.spec.nmsThreshold,
  scoreThreshold: number = raw.spec.scoreThreshold,
): SingleStageDetections {
  const { spec } = raw;
  const anchors = singleStageAnchors(spec);
  const options = {
    scoreThreshold,
    nmsThreshold,
    topkCandidates: spec.topkCandidates,
    detectionsPerImage: spec.detectionsPerImage,
  };
  return raw.kind === "fcos"
    ? decodeFcos(
      {
        numClasses: spec.numClasses,
        clsLogits: raw.clsLogits,
        bboxRegression: raw.bboxRegression,
        bboxCtrness: raw.bboxCtrness!,
      },
      anchors,
      raw.image,
      options,
    )
    : decodeRetinaNet(
      { numClasses: spec.numClasses, clsLogits: raw.clsLogits, bboxRegression: raw.bboxRegression },
      anchors,
      raw.image,
      options,
    );
}
