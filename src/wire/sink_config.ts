/**
 * The `sinks` of a pipeline configuration: where results go besides WebSocket
 * subscribers. One schema per sink type, told apart by `type`.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";

/**
 * A file sink: every result of the chosen streams as JSON Lines, one result message per
 * line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(JsonlSinkSchema, { type: "jsonl", path: "../out/r.jsonl" }), []);
 * ```
 */
export const JsonlSinkSchema = strictObject({
  type: z.literal("jsonl"),
  path: z.string().min(1).describe(
    "The output file (relative paths are relative to the configuration file).",
  ),
  streams: z.array(z.string().min(1)).optional().describe(
    "Ids of the streams written (default: all).",
  ),
}, { description: "Result messages of the chosen streams as JSON Lines, one per line." });

/**
 * One sink, by its `type`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(SinkConfigSchema, { type: "csv", path: "x" }), [
 *   { path: ["type"], expected: 'one of "jsonl"', found: 'the string "csv"' },
 * ]);
 * ```
 */
export const SinkConfigSchema = z.discriminatedUnion("type", [
  JsonlSinkSchema,
  // Later: the MQTT, NATS and webhook sinks are one schema each here.
]).describe("A destination of result messages, by type.");
