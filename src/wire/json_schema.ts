/**
 * JSON Schema files of the wire formats, made from their zod schemas: what editors use to
 * help users write a pipeline config or a manifest (through its `$schema` key), and what
 * outside tools validate our messages with. `deno task generate` writes them under
 * `schemas/`; a test checks that the committed files are what the schemas make.
 *
 * @module
 */

import { z } from "zod";

/** One wire format with a committed JSON Schema file. */
export interface WireFormat {
  /** File name under `schemas/`, e.g. `pipeline.schema.json`. */
  file: string;
  /** Title of the JSON Schema. */
  title: string;
  /** What the format is, for the JSON Schema's description. */
  description: string;
  /** The zod schema of the format, as it is parsed (its input side: defaults optional). */
  schema: z.ZodType;
}

/**
 * The JSON Schema (draft 2020-12) of a wire format: the input side of its zod schema, so
 * that fields with defaults are optional, with its title and description.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * const json = jsonSchemaOf({
 *   file: "x.schema.json",
 *   title: "X",
 *   description: "An example.",
 *   schema: z.strictObject({ port: z.int().default(8080) }),
 * });
 * assert.equal(json.title, "X");
 * assert.deepEqual(json.required, undefined); // port has a default
 * assert.equal(json.additionalProperties, false);
 * ```
 */
export function jsonSchemaOf(format: WireFormat): Record<string, unknown> {
  const json = z.toJSONSchema(format.schema, {
    io: "input",
    target: "draft-2020-12",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  const { $schema, ...rest } = json;
  return { $schema, title: format.title, description: format.description, ...rest };
}

/**
 * The text of a format's schema file: 2-space JSON and a final newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * const text = jsonSchemaText({ file: "x.schema.json", title: "X", description: "", schema: z.string() });
 * assert.ok(text.endsWith("}\n"));
 * ```
 */
export function jsonSchemaText(format: WireFormat): string {
  return JSON.stringify(jsonSchemaOf(format), null, 2) + "\n";
}
