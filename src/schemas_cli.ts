/**
 * `deno task generate`: writes the JSON Schema file of every wire format under
 * `schemas/` (run it after changing a schema; a test fails while the files are stale).
 *
 * @module
 */

import { WIRE_FORMATS } from "./wire/formats.ts";
import { jsonSchemaText } from "./wire/json_schema.ts";

if (import.meta.main) {
  const dir = new URL("../schemas/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  for (const format of WIRE_FORMATS) {
    await Deno.writeTextFile(new URL(format.file, dir), jsonSchemaText(format));
    console.log(`schemas/${format.file}`);
  }
}
