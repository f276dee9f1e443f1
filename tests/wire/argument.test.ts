/**
 * Wire schemas on library arguments (`src/wire/argument.ts`) and arrays of numbers
 * checked in one pass (`src/wire/number_array.ts`): the error class follows the issue
 * (wrong kind: TypeError, wrong value: RangeError), the path starts at the argument.
 */

import assert from "node:assert/strict";
import { z } from "zod";
import { parseArgument } from "../../src/wire/argument.ts";
import { numberArray } from "../../src/wire/number_array.ts";
import { jsonSchemaOf } from "../../src/wire/json_schema.ts";

const box = numberArray({ expected: "a box [x, y, w, h] of 4 finite numbers", lengths: [4] });
const size = numberArray({ expected: "[height, width]", lengths: [2], integer: true, min: 0 });
const schema = z.object({
  box,
  size: size.optional(),
  mask: z.union([z.array(z.number()), z.object({ counts: z.string() })]).optional(),
});

function throwsWith(value: unknown, kind: ErrorConstructor, message: string): void {
  assert.throws(() => parseArgument(schema, value, "draw", "shape"), (e: Error) => {
    assert.equal(e.message, message);
    assert.equal(e.name, kind.name);
    return true;
  });
}

Deno.test("parseArgument() throws a TypeError for a value of the wrong kind, naming the argument's path", () => {
  assert.deepEqual(parseArgument(schema, { box: [1, 2, 3, 4] }, "draw", "shape"), {
    box: [1, 2, 3, 4],
  });
  throwsWith(null, TypeError, "draw(): shape: expected an object, found null");
  throwsWith(
    { box: "1,2,3,4" },
    TypeError,
    'draw(): shape.box: expected a box [x, y, w, h] of 4 finite numbers, found the string "1,2,3,4"',
  );
  throwsWith(
    { box: [1, 2, NaN, 4] },
    TypeError,
    "draw(): shape.box[2]: expected a finite number, found the number NaN",
  );
  // a union the value went into: judged by that form's issue
  throwsWith(
    { box: [1, 2, 3, 4], mask: { counts: 3 } },
    TypeError,
    "draw(): shape.mask.counts: expected a string, found the number 3",
  );
});

Deno.test("parseArgument() throws a RangeError for a value of the right kind but a wrong value", () => {
  throwsWith(
    { box: [1, 2, 3] },
    RangeError,
    "draw(): shape.box: expected a box [x, y, w, h] of 4 finite numbers, found an array of 3 items",
  );
  throwsWith(
    { box: [1, 2, 3, 4, 5] },
    RangeError,
    "draw(): shape.box: expected a box [x, y, w, h] of 4 finite numbers, found an array of 5 items",
  );
  throwsWith(
    { box: [1, 2, 3, 4], size: [2, 2.5] },
    RangeError,
    "draw(): shape.size[1]: expected an integer >= 0, found the number 2.5",
  );
  throwsWith(
    { box: [1, 2, 3, 4], size: [-1, 2] },
    RangeError,
    "draw(): shape.size[0]: expected an integer >= 0, found the number -1",
  );
});

Deno.test("numberArray() writes its JSON Schema by hand: items, and the lengths allowed", () => {
  const json = (s: z.ZodType) => {
    const { $schema: _, title: _t, description: _d, ...rest } = jsonSchemaOf({
      file: "x",
      title: "x",
      description: "",
      schema: s,
    });
    return rest;
  };
  assert.deepEqual(json(size), {
    type: "array",
    items: { type: "integer", minimum: 0 },
    minItems: 2,
    maxItems: 2,
  });
  assert.deepEqual(json(numberArray({ expected: "x", lengths: [4, 0] })), {
    type: "array",
    items: { type: "number" },
    anyOf: [{ minItems: 4, maxItems: 4 }, { minItems: 0, maxItems: 0 }],
  });
});
