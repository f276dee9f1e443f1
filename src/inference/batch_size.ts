/**
 * The batch sizes a graph accepts, from its manifest, and the batch size a model runs
 * with (the one asked for, checked against the graph, or the default).
 *
 * @module
 */

import { checkInteger } from "../geometry/validate.ts";
import type { ModelManifest } from "./manifest.ts";
import { isBatched } from "./input_layout.ts";

/** The largest batch a model runs unless told otherwise (fewer when its graph accepts fewer). */
export const DEFAULT_MAX_BATCH = 4;

/** What a manifest's input says of the batches its graph accepts. */
export interface GraphBatch {
  layout: ModelManifest["input"]["layout"];
  batch: readonly number[] | "dynamic";
}

/**
 * The largest batch a graph's input accepts, from its manifest: 1 for a single-image
 * (CHW) graph, the largest of the fixed sizes it was exported with, or `Infinity` for a
 * dynamic batch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(graphMaxBatch({ layout: "CHW", batch: [1] }), 1);
 * assert.equal(graphMaxBatch({ layout: "NCHW", batch: [1, 2, 4] }), 4);
 * assert.equal(graphMaxBatch({ layout: "NCHW", batch: "dynamic" }), Infinity);
 * ```
 */
export function graphMaxBatch(input: GraphBatch): number {
  if (!isBatched(input.layout)) return 1;
  return input.batch === "dynamic" ? Infinity : Math.max(...input.batch);
}

/**
 * The batch size a model runs with: `requested` when its graph accepts it, else a
 * `RangeError` that names both (`fn(): options.maxBatch: expected at most 1, ... found
 * 4`); with nothing requested, the largest the graph accepts, at most
 * {@link DEFAULT_MAX_BATCH}. `graph` names the graph in the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const single = { layout: "CHW", batch: [1] } as const;
 * assert.equal(resolveMaxBatch({ layout: "NCHW", batch: "dynamic" }, undefined, "f"), 4);
 * assert.equal(resolveMaxBatch(single, undefined, "f"), 1);
 * assert.throws(() => resolveMaxBatch(single, 4, "f", "m/model.onnx"), {
 *   message:
 *     "f(): options.maxBatch: expected at most 1, the largest batch m/model.onnx accepts (one CHW image), found 4",
 * });
 * ```
 */
export function resolveMaxBatch(
  input: GraphBatch,
  requested: number | undefined,
  fn: string,
  graph = "the graph",
): number {
  const largest = graphMaxBatch(input);
  const maxBatch = requested ?? Math.min(DEFAULT_MAX_BATCH, largest);
  checkInteger(fn, "options.maxBatch", maxBatch, 1);
  if (maxBatch > largest) {
    const accepts = !isBatched(input.layout)
      ? `one ${input.layout} image`
      : `fixed batch sizes ${(input.batch as readonly number[]).join(", ")}`;
    throw new RangeError(
      `${fn}(): options.maxBatch: expected at most ${largest}, the largest batch ${graph} accepts (${accepts}), found ${maxBatch}`,
    );
  }
  return maxBatch;
}
