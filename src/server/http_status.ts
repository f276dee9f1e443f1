/**
 * The HTTP status of an error a route got from the pipeline: told by the error's type,
 * never by its message.
 *
 * @module
 */

import { CapacityError, ConfigError, ConflictError, LimitError, SourceError } from "../errors.ts";

/**
 * The status a request that failed with `error` gets: 409 for a conflict with the
 * runtime's state (a stream id that exists already), 429 when the runtime has no room
 * for it now (too many streams, the total pixel budget used up), 400 for a request that
 * cannot be used (a bad stream, a refused source, an input over the per-stream limit);
 * `undefined` for anything else (a fault of the server, which the caller rethrows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CapacityError, ConfigError, ConflictError, LimitError } from "../errors.ts";
 * assert.equal(httpStatusOf(new ConflictError('POST /streams: id: expected a new stream id, found the string "a", which exists already')), 409);
 * assert.equal(httpStatusOf(new ConfigError("POST /streams: fps: expected a number >= 0.001, found the number -1")), 400);
 * const limit = { limit: "limits.maxStreams", requested: 17, allowed: 16 };
 * assert.equal(httpStatusOf(new CapacityError("POST /streams: limits.maxStreams: ...", limit)), 429);
 * assert.equal(httpStatusOf(new LimitError("POST /streams: limits.maxPixelRate: ...", limit)), 400);
 * assert.equal(httpStatusOf(new Error("disk full")), undefined);
 * ```
 */
export function httpStatusOf(error: unknown): 400 | 409 | 429 | undefined {
  if (error instanceof ConflictError) return 409;
  if (error instanceof CapacityError) return 429;
  if (error instanceof ConfigError || error instanceof SourceError) return 400;
  if (error instanceof LimitError) return 400;
  return undefined;
}
