/**
 * The execution providers a model can run on, by the names onnxruntime-node uses: the
 * list a pipeline configuration's `providers` is checked against.
 *
 * @module
 */

/**
 * Every {@link ProviderName}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(PROVIDERS[0], "cpu");
 * assert.ok(Object.isFrozen(PROVIDERS));
 * ```
 */
export const PROVIDERS = Object.freeze(
  ["cpu", "webgpu", "cuda", "tensorrt", "dml", "coreml"] as const,
);

/** Execution providers, by the names onnxruntime-node uses. */
export type ProviderName = typeof PROVIDERS[number];
