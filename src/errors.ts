/**
 * Domain errors. Bad arguments throw `TypeError` / `RangeError`; faults of the outside
 * world (a decoder that cannot open an input, a model that cannot load) throw a subclass
 * of {@link StreamdetError}, with the underlying error as `cause` and a message that says
 * what was expected and what was found.
 *
 * @module
 */

/**
 * Base of the runtime's domain errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const error = new SourceError("cam1: could not open rtsp://cam/stream", { cause: new Error("timeout") });
 * assert.ok(error instanceof StreamdetError);
 * assert.equal(error.name, "SourceError");
 * ```
 */
export class StreamdetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A video source failed: ffmpeg is missing, an input is refused (protocol, root folder)
 * or cannot be decoded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(new SourceError("no such file").name, "SourceError");
 * ```
 */
export class SourceError extends StreamdetError {}

/**
 * A model's manifest is malformed, or disagrees with its graph (names, ranks, dtypes,
 * batch sizes): the message names both sides.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const error = new ManifestError("manifest.json: input.height: expected a positive integer, found \"288\"");
 * assert.ok(error instanceof StreamdetError);
 * ```
 */
export class ManifestError extends StreamdetError {}

/**
 * A model could not be loaded: a missing or truncated `.onnx`, or an execution provider
 * that fails to create the session.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(new ModelLoadError("model.onnx: truncated").name, "ModelLoadError");
 * ```
 */
export class ModelLoadError extends StreamdetError {}

/**
 * A pipeline configuration (a file in `pipelines/`, or a stream added at runtime) that
 * cannot be used: the message names the field, what was expected and what was found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const e = new ConfigError("pipelines/a.json: streams[0].source: expected a string, found 3");
 * assert.ok(e instanceof StreamdetError);
 * assert.equal(e.name, "ConfigError");
 * ```
 */
export class ConfigError extends StreamdetError {}
