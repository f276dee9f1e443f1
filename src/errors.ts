/**
 * Domain errors. Bad arguments throw `TypeError` / `RangeError`; faults of the outside
 * world (a decoder that cannot open an input, a model that cannot load) throw a subclass
 * of {@link StreamdetError}, with the underlying error as `cause` and a message that says
 * what was expected and what was found.
 *
 * @module
 */

/**
 * One thing wrong with a value that came from outside (a file, a request, a message):
 * the field's path, what its format expects there and what the value held.
 */
export interface FieldIssue {
  /** The field's path in the value: `["streams", 0, "source"]` (empty: the value itself). */
  path: (string | number)[];
  /** What the format wanted: `a non-empty string`, `one of "hard", "matrix"`. */
  expected: string;
  /** What the value held there: `the number 3`, `nothing`, `an unknown field "prot"`. */
  found: string;
}

/** Options of a {@link StreamdetError}: `cause`, and the issues of a rejected value. */
export interface StreamdetErrorOptions extends ErrorOptions {
  /** Every issue found in a value that does not fit its wire format (the message names
   * the first). */
  issues?: FieldIssue[];
}

/**
 * Base of the runtime's domain errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const error = new SourceError("cam1: could not open rtsp://cam/stream", { cause: new Error("timeout") });
 * assert.ok(error instanceof StreamdetError);
 * assert.equal(error.name, "SourceError");
 * assert.deepEqual(error.issues, []);
 * ```
 */
export class StreamdetError extends Error {
  /** For a value from outside that does not fit its format: every issue, in order. */
  readonly issues: readonly FieldIssue[];

  constructor(message: string, options?: StreamdetErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.issues = options?.issues ?? [];
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

/**
 * A request that conflicts with the runtime's state: a stream id that exists already.
 * The server answers it with HTTP 409.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const e = new ConflictError('POST /streams: id: expected a new stream id, found "cam1", which exists already');
 * assert.ok(e instanceof ConfigError);
 * ```
 */
export class ConflictError extends ConfigError {}

/** What a {@link LimitError} says besides its message: which limit, asked and allowed. */
export interface LimitErrorOptions extends StreamdetErrorOptions {
  /** The limit's path in the configuration: `limits.maxPixelRate`. */
  limit: string;
  /** What the request would have taken (pixels per second, or streams). */
  requested: number;
  /** What the limit allows. */
  allowed: number;
}

/**
 * A request over a configured limit of its own (a stream whose input alone is larger
 * than `limits.maxPixelRate`): the server answers it with HTTP 400. The message names
 * the limit, what was asked and what is allowed; so do `limit`, `requested` and `allowed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const e = new LimitError("POST /streams: limits.maxPixelRate: expected ...", {
 *   limit: "limits.maxPixelRate",
 *   requested: 7680 * 4320 * 60,
 *   allowed: 250e6,
 * });
 * assert.ok(e instanceof StreamdetError);
 * assert.deepEqual([e.name, e.limit, e.allowed], ["LimitError", "limits.maxPixelRate", 250e6]);
 * ```
 */
export class LimitError extends StreamdetError {
  readonly limit: string;
  readonly requested: number;
  readonly allowed: number;

  constructor(message: string, options: LimitErrorOptions) {
    super(message, options);
    this.limit = options.limit;
    this.requested = options.requested;
    this.allowed = options.allowed;
  }
}

/**
 * A request the runtime has no room for now: too many streams (`limits.maxStreams`), or
 * the total budget (`limits.maxTotalPixelRate`) used up. The server answers it with HTTP
 * 429; it may succeed once other streams are gone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const e = new CapacityError("POST /streams: limits.maxStreams: expected ...", {
 *   limit: "limits.maxStreams",
 *   requested: 17,
 *   allowed: 16,
 * });
 * assert.ok(e instanceof LimitError);
 * assert.equal(e.name, "CapacityError");
 * ```
 */
export class CapacityError extends LimitError {}

/**
 * A WebSocket client sent a message that is not protocol: the message names the field,
 * what was expected and what was found. The server answers with an `error` message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const e = new ProtocolError('message: type: expected one of "subscribe", "unsubscribe", "ping", found the string "sub"');
 * assert.ok(e instanceof StreamdetError);
 * ```
 */
export class ProtocolError extends StreamdetError {}

/**
 * An input file of the evaluation (`deno task eval`) is missing, malformed, or does not
 * match the ground truth. The message names the file (and line or index).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const error = new EvalInputError("results.json: expected a JSON array, found the number 3");
 * assert.equal(error.name, "EvalInputError");
 * ```
 */
export class EvalInputError extends StreamdetError {}
