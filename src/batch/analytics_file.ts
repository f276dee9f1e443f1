/**
 * The tracking, lines and zones of a detect job (`deno task detect --analytics FILE`): a
 * JSON file with the stream fields `tracking`, `lines` and `zones` of a pipeline
 * configuration, checked as a configuration is.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { parseWire, wireMessage } from "../wire/parse.ts";
import { strictObject } from "../wire/strict_object.ts";
import { StreamConfigSchema } from "../wire/stream_config.ts";
import {
  analyticsConfigIssues,
  type AnalyticsFields,
} from "../pipeline/stream_analytics_config.ts";

const { tracking, lines, zones } = StreamConfigSchema.shape;

/** The file's shape: the three stream fields, nothing else. */
const AnalyticsFileSchema = strictObject({ tracking, lines, zones });

/**
 * Checks the parsed content of an analytics file (`where` names it in errors); tracking
 * is on in the result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const a = parseAnalyticsFile({ lines: [{ name: "door", points: [[0, 50], [100, 50]] }] }, "a.json");
 * assert.equal(a.lines![0].minFrames, 2);
 * assert.equal(a.tracking, true);
 * assert.throws(() => parseAnalyticsFile({ zones: [{ name: "z", points: [[0, 0], [1, 1]] }] }, "a.json"),
 *   { message: "a.json: zones[0].points: expected at least 3 points, found an array of 2 items" });
 * ```
 */
export function parseAnalyticsFile(input: unknown, where: string): AnalyticsFields {
  const file = parseWire(AnalyticsFileSchema, input, where, ConfigError);
  const issues = analyticsConfigIssues(file);
  if (issues.length > 0) throw new ConfigError(wireMessage(where, issues), { issues });
  return { ...file, tracking: file.tracking === undefined ? true : file.tracking };
}

/** Reads and checks an analytics file (see {@link parseAnalyticsFile}). */
export async function loadAnalyticsFile(path: string): Promise<AnalyticsFields> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ConfigError(`${path}: cannot read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  return parseAnalyticsFile(value, path);
}
