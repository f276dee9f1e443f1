/**
 * What a model's input layout means: whether the graph takes a batch or one image, and
 * the shape of its input tensor for a batch of frames.
 *
 * @module
 */

import type { ModelManifest } from "./manifest.ts";

/** The part of a manifest's input that fixes its tensor's shape. */
export type InputShapeSpec = Pick<ModelManifest["input"], "layout" | "height" | "width">;

/**
 * Whether the graph's input has a batch dimension (`NCHW`, `NHWC`) rather than being one
 * image (`CHW`, `HWC`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isBatched("NHWC"), true);
 * assert.equal(isBatched("CHW"), false);
 * ```
 */
export function isBatched(layout: InputShapeSpec["layout"]): boolean {
  return layout === "NCHW" || layout === "NHWC";
}

/**
 * The input tensor's shape for `batch` frames (`batch` is ignored by a single-image
 * layout), with `batchName` in place of the batch size when given (a graph's symbolic
 * dimension, for messages).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(inputShape({ layout: "NHWC", height: 2, width: 3 }, 4), [4, 2, 3, 3]);
 * assert.deepEqual(inputShape({ layout: "CHW", height: 2, width: 3 }, 1), [3, 2, 3]);
 * ```
 */
export function inputShape<B extends number | string>(
  input: InputShapeSpec,
  batch: B,
): (number | B)[] {
  const { height: h, width: w } = input;
  switch (input.layout) {
    case "NCHW":
      return [batch, 3, h, w];
    case "NHWC":
      return [batch, h, w, 3];
    case "CHW":
      return [3, h, w];
    case "HWC":
      return [h, w, 3];
  }
}
