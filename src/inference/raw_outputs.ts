/**
 * A raw graph's batch outputs, split into one {@link RawCandidates} per image.
 *
 * @module
 */

import { ManifestError } from "../errors.ts";
import type { ModelManifest, OutputRole } from "./manifest.ts";
import type { RawCandidates } from "./postprocess.ts";
import { splitSingleStage } from "./single_stage_outputs.ts";
import { splitSolov2 } from "./solov2_outputs.ts";

/** The part of an ONNX Runtime tensor that is read (`ort.Tensor` fits). */
export interface TensorLike {
  data: unknown;
  dims: readonly number[];
}

/**
 * Splits a batch's outputs (by tensor name, as `session.run` returns them) into
 * per-image candidates using the `batch_index` output (graphs without one hold one
 * image). int64 labels become `Int32Array`. A single-stage graph (a manifest with a
 * `singleStage` block) gives each image its per-level head outputs instead
 * (`splitSingleStage`), and a SOLOv2 graph its category scores and cell masks
 * (`splitSolov2`), decoded by `postprocess`.
 *
 * @example Two images, three candidates
 * ```ts
 * import assert from "node:assert/strict";
 * const manifest = { outputs: [
 *   { name: "b", role: "boxes" }, { name: "s", role: "scores" }, { name: "l", role: "labels" },
 *   { name: "i", role: "batch_index" },
 * ] } as never;
 * const outputs = {
 *   b: { data: new Float32Array(12), dims: [3, 4] },
 *   s: { data: new Float32Array([0.9, 0.8, 0.7]), dims: [3] },
 *   l: { data: new BigInt64Array([1n, 2n, 1n]), dims: [3] },
 *   i: { data: new BigInt64Array([0n, 1n, 1n]), dims: [3] },
 * };
 * const [a, b] = splitRawOutputs(outputs, 2, manifest);
 * assert.deepEqual([...a.labels], [1]);
 * assert.deepEqual([...b.scores], [0.800000011920929, 0.699999988079071]);
 * ```
 */
export function splitRawOutputs(
  outputs: Record<string, TensorLike>,
  batchSize: number,
  manifest:
    & Pick<ModelManifest, "outputs" | "semantic" | "keypoints">
    & Partial<Pick<ModelManifest, "kind" | "singleStage" | "solov2" | "input">>,
): RawCandidates[] {
  if (manifest.solov2 && manifest.input) {
    const empty = { boxes: new Float32Array(0), scores: new Float32Array(0) };
    return splitSolov2(outputs, batchSize, {
      outputs: manifest.outputs,
      solov2: manifest.solov2,
      input: manifest.input,
    }).map((solov2) => ({ ...empty, labels: new Int32Array(0), solov2 }));
  }
  if (manifest.singleStage && manifest.kind && manifest.input) {
    const empty = { boxes: new Float32Array(0), scores: new Float32Array(0) };
    return splitSingleStage(outputs, batchSize, {
      kind: manifest.kind,
      outputs: manifest.outputs,
      singleStage: manifest.singleStage,
      input: manifest.input,
    }).map((singleStage) => ({ ...empty, labels: new Int32Array(0), singleStage }));
  }
  const byRole = (role: OutputRole): TensorLike | undefined => {
    const spec = manifest.outputs.find((o) => o.role === role);
    if (spec && !(spec.name in outputs)) {
      throw new ManifestError(
        `splitRawOutputs(): outputs: expected the graph's output "${spec.name}" (role ${role}), found ${
          JSON.stringify(Object.keys(outputs))
        }`,
      );
    }
    return spec ? outputs[spec.name] : undefined;
  };
  const boxes = byRole("boxes")!, scores = byRole("scores")!, labels = byRole("labels")!;
  const index = byRole("batch_index"), masks = byRole("mask_logits");
  const semantic = byRole("semantic_logits");
  const pasted = byRole("masks");
  const heatmaps = byRole("keypoint_logits"), coords = byRole("keypoints");
  const keypointCount = checkKeypointTensor(heatmaps ?? coords, manifest);
  const n = (scores.data as Float32Array).length;
  const image = index ? toInt32(index.data) : new Int32Array(n);
  const label = toInt32(labels.data);
  const maskSize = masks ? masks.dims[masks.dims.length - 1] : 0;
  const cells = maskSize * maskSize;
  const out: RawCandidates[] = [];
  for (let b = 0; b < batchSize; b++) {
    const picks: number[] = [];
    for (let i = 0; i < n; i++) if (image[i] === b) picks.push(i);
    const c: RawCandidates = {
      boxes: gather(boxes.data as Float32Array, picks, 4),
      scores: gather(scores.data as Float32Array, picks, 1),
      labels: Int32Array.from(picks, (i) => label[i]),
    };
    if (masks) {
      c.maskLogits = gather(masks.data as Float32Array, picks, cells);
      c.maskSize = maskSize;
    }
    if (heatmaps) {
      const size = heatmaps.dims[3];
      c.keypointLogits = gather(heatmaps.data as Float32Array, picks, keypointCount * size * size);
      c.keypointCount = keypointCount;
      c.heatmapSize = size;
    } else if (coords) {
      c.keypointCoords = gather(coords.data as Float32Array, picks, keypointCount * 2);
      c.keypointCount = keypointCount;
    }
    if (pasted) {
      const [h, w] = pasted.dims.slice(-2);
      c.inputMasks = {
        data: gather(pasted.data as Float32Array, picks, h * w),
        height: h,
        width: w,
      };
    }
    if (semantic && manifest.semantic) {
      const [, classes, height, width] = semantic.dims;
      const plane = classes * height * width;
      c.semantic = {
        data: (semantic.data as Float32Array).subarray(b * plane, (b + 1) * plane),
        classes,
        height,
        width,
        stride: manifest.semantic.stride,
      };
    }
    out.push(c);
  }
  return out;
}

/** The keypoint count of a keypoint output, checked against the manifest's names (and its
 * heatmap size): a graph that disagrees with its manifest is a `ManifestError`. */
function checkKeypointTensor(
  tensor: TensorLike | undefined,
  manifest: Pick<ModelManifest, "outputs" | "keypoints">,
): number {
  if (!tensor) return 0;
  const spec = manifest.keypoints;
  const heatmap = spec?.encoding === "heatmap";
  const k = spec?.names.length ?? tensor.dims[1];
  const size = spec?.heatmapSize;
  const rank = heatmap ? 4 : 3;
  const expected = heatmap ? `[detections, ${k}, ${size}, ${size}]` : `[detections, ${k}, 2]`;
  const dims = tensor.dims;
  const bad = dims.length !== rank || dims[1] !== k ||
    (heatmap ? dims[2] !== size || dims[3] !== size : dims[2] !== 2);
  const length = (tensor.data as Float32Array).length;
  if (bad || length !== dims.reduce((a, b) => a * b, 1)) {
    throw new ManifestError(
      `splitRawOutputs(): keypoint output: expected ${expected} as the manifest's keypoints block says (${k} names${
        heatmap ? `, heatmapSize ${size}` : ""
      }), found [${dims.join(", ")}] holding ${length} values`,
    );
  }
  return k;
}

function gather(data: Float32Array, picks: number[], width: number): Float32Array {
  // Consecutive rows (every image's candidates come in order): a view, not a copy (a
  // keypoint graph's heatmaps are 17×56×56 floats per candidate, megabytes per frame).
  if (picks.every((p, r) => p === picks[0] + r)) {
    const from = (picks[0] ?? 0) * width;
    return data.subarray(from, from + picks.length * width);
  }
  const out = new Float32Array(picks.length * width);
  for (let r = 0; r < picks.length; r++) {
    out.set(data.subarray(picks[r] * width, (picks[r] + 1) * width), r * width);
  }
  return out;
}

/**
 * An index or label output as `Int32Array` (ONNX Runtime gives int64 as `BigInt64Array`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...toInt32(new BigInt64Array([3n, 1n]))], [3, 1]);
 * ```
 */
export function toInt32(data: unknown): Int32Array {
  if (data instanceof Int32Array) return data;
  if (data instanceof BigInt64Array) return Int32Array.from(data, (v) => Number(v));
  return Int32Array.from(data as ArrayLike<number>);
}
