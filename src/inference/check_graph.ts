/**
 * Checking a manifest against the graph it names: input and output names, element types,
 * ranks, fixed sizes and batch.
 *
 * @module
 */

import { ManifestError } from "../errors.ts";
import type { ModelManifest } from "./manifest.ts";
import { inputShape, isBatched } from "./input_layout.ts";

/** What ONNX Runtime says about one graph input or output (`session.inputMetadata[i]`). */
export interface GraphValue {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}

/**
 * Throws a `ManifestError` naming both sides when the manifest and the graph disagree:
 * a name the graph lacks, another element type or rank, a fixed size that differs, or a
 * batch the graph cannot take.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const manifest = {
 *   input: { name: "images", layout: "NCHW", dtype: "float32", height: 288, width: 512, batch: "dynamic" },
 *   outputs: [{ name: "boxes", role: "boxes", dtype: "float32", shape: ["detections", 4] }],
 * } as never;
 * const inputs = [{ name: "images", isTensor: true, type: "float32", shape: ["batch", 3, 288, 512] }];
 * const outputs = [{ name: "boxes", isTensor: true, type: "float32", shape: ["n", 5] }];
 * assert.throws(() => checkGraph(manifest, inputs, outputs, "m.onnx"), /expected dimension 1 of 4, the graph has 5/);
 * ```
 */
export function checkGraph(
  manifest: Pick<ModelManifest, "input" | "outputs">,
  inputs: readonly GraphValue[],
  outputs: readonly GraphValue[],
  graphPath: string,
): void {
  const fail = (what: string, manifestSide: string, graphSide: string): never => {
    throw new ManifestError(
      `${graphPath}: ${what}: the manifest says ${manifestSide}, the graph has ${graphSide}`,
    );
  };
  const { input } = manifest;
  const graphInput = inputs.find((v) => v.name === input.name);
  if (!graphInput) {
    fail("input", `"${input.name}"`, `inputs ${JSON.stringify(inputs.map((v) => v.name))}`);
  }
  const gi = graphInput!;
  if (gi.type !== undefined && gi.type !== input.dtype) {
    fail(`input "${input.name}" type`, input.dtype, String(gi.type));
  }
  const expected = inputShape(input, "batch");
  if (gi.shape) {
    if (gi.shape.length !== expected.length) {
      fail(
        `input "${input.name}" rank`,
        `${expected.length} (${input.layout})`,
        `${gi.shape.length} ([${gi.shape.join(", ")}])`,
      );
    }
    for (let d = 0; d < expected.length; d++) {
      const want = expected[d], got = gi.shape[d];
      if (typeof want === "number" && typeof got === "number" && want !== got) {
        fail(`input "${input.name}" dimension ${d}`, String(want), String(got));
      }
    }
    if (isBatched(input.layout) && typeof gi.shape[0] === "number") {
      const fixed = gi.shape[0];
      if (input.batch === "dynamic" || input.batch.some((b) => b !== fixed)) {
        fail(
          `input "${input.name}" batch`,
          JSON.stringify(input.batch),
          `a fixed batch of ${fixed}`,
        );
      }
    }
  }
  for (const spec of manifest.outputs) {
    const out = outputs.find((v) => v.name === spec.name);
    if (!out) {
      fail(
        `output "${spec.name}" (${spec.role})`,
        `"${spec.name}"`,
        `outputs ${JSON.stringify(outputs.map((v) => v.name))}`,
      );
    }
    const o = out!;
    if (o.type !== undefined && o.type !== spec.dtype) {
      fail(`output "${spec.name}" type`, spec.dtype, String(o.type));
    }
    if (o.shape) {
      if (o.shape.length !== spec.shape.length) {
        fail(
          `output "${spec.name}" rank`,
          `${spec.shape.length} ([${spec.shape.join(", ")}])`,
          `${o.shape.length} ([${o.shape.join(", ")}])`,
        );
      }
      for (let d = 0; d < spec.shape.length; d++) {
        const want = spec.shape[d], got = o.shape[d];
        if (typeof want === "number" && typeof got === "number" && want !== got) {
          throw new ManifestError(
            `${graphPath}: output "${spec.name}": the manifest expected dimension ${d} of ${want}, the graph has ${got}`,
          );
        }
      }
    }
  }
}
