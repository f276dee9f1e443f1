/**
 * The schema of a COCO panoptic ground truth with RLE segments (`src/wire/panoptic.ts`):
 * the demo's file passes it and its committed JSON Schema (read by ajv); a broken copy is
 * rejected by both, naming the field.
 */

import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { PanopticRleJsonSchema } from "../../src/wire/panoptic.ts";
import { checkWire } from "../../src/wire/parse.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const demo = () => JSON.parse(Deno.readTextFileSync(`${ROOT}models/demo/panoptic.json`));

function ajvErrors(value: unknown): string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  const schema = JSON.parse(
    Deno.readTextFileSync(`${ROOT}schemas/panoptic-ground-truth.schema.json`),
  );
  const validate = ajv.compile(schema);
  validate(value);
  return (validate.errors ?? []).map((e) => {
    const property = e.params.missingProperty ?? e.params.additionalProperty;
    return `${e.instancePath}${property === undefined ? "" : `/${property}`} ${e.keyword}`;
  });
}

Deno.test("PanopticRleJsonSchema accepts the demo's panoptic.json, with its extra fields", () => {
  const pan = demo();
  assert.ok(pan.info !== undefined && pan.categories[0].supercategory !== undefined);
  assert.deepEqual(checkWire(PanopticRleJsonSchema, pan), []);
  assert.deepEqual(ajvErrors(pan), []);
});

Deno.test("PanopticRleJsonSchema rejects a bad isthing, a void segment id and a plain RLE, naming each field", () => {
  const pan = demo();
  pan.categories[0].isthing = "yes";
  pan.annotations[0].segments_info[1].id = 0;
  pan.annotations[1].segments_info[0].segmentation.counts = [0, 4];
  assert.deepEqual(checkWire(PanopticRleJsonSchema, pan), [
    {
      path: ["categories", 0, "isthing"],
      expected: "one of 0, 1, false, true",
      found: 'the string "yes"',
    },
    {
      path: ["annotations", 0, "segments_info", 1, "id"],
      expected: "an integer >= 1",
      found: "the number 0",
    },
    {
      path: ["annotations", 1, "segments_info", 0, "segmentation", "counts"],
      expected: "a string",
      found: "an array of 2 items",
    },
  ]);
  assert.deepEqual(ajvErrors(pan).sort(), [
    "/annotations/0/segments_info/1/id minimum",
    "/annotations/1/segments_info/0/segmentation/counts type",
    "/categories/0/isthing enum",
  ]);
});
