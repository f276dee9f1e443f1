/**
 * The COCO files' schemas (`src/wire/coco.ts`): what they accept (the demo's ground
 * truth, other tools' fields, every segmentation form), what they reject and how they
 * say it, their committed JSON Schema files read by another validator (ajv), and the cost
 * of checking a large results file.
 */

import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { EvalInputError } from "../../src/errors.ts";
import { CocoGroundTruthSchema, CocoResultsSchema } from "../../src/wire/coco.ts";
import { checkWire, parseWire } from "../../src/wire/parse.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

function readJson(path: string): unknown {
  return JSON.parse(Deno.readTextFileSync(`${ROOT}${path}`));
}

/** ajv's errors of `value` against the committed `schemas/<file>`, as `<path> <keyword>`. */
function ajvErrors(file: string, value: unknown): string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(readJson(`schemas/${file}`) as object);
  validate(value);
  return (validate.errors ?? []).map((e) => {
    const property = e.params.missingProperty ?? e.params.additionalProperty;
    return `${e.instancePath}${property === undefined ? "" : `/${property}`} ${e.keyword}`;
  });
}

const gt = () => ({
  info: { year: 2026 },
  licenses: [],
  images: [{ id: 1, height: 4, width: 4, file_name: "a.jpg" }, { id: 2 }],
  categories: [{ id: 1, name: "person", supercategory: "person", keypoints: ["nose"] }],
  annotations: [
    {
      id: 1,
      image_id: 1,
      category_id: 1,
      area: 4,
      iscrowd: 0,
      bbox: [0, 0, 2, 2],
      num_keypoints: 1,
    },
    {
      id: 2,
      image_id: 1,
      category_id: 1,
      area: 4,
      iscrowd: 1,
      segmentation: { size: [4, 4], counts: [0, 2, 2, 2, 10] },
    },
    {
      id: 3,
      image_id: 2,
      category_id: 1,
      area: 4,
      iscrowd: false,
      segmentation: [[0, 0, 0, 2, 2, 2]],
    },
    {
      id: 4,
      image_id: 2,
      category_id: 1,
      area: 4,
      iscrowd: 0,
      segmentation: { size: [4, 4], counts: "04" },
    },
  ],
});

Deno.test("CocoGroundTruthSchema accepts the demo's instances.json, keeping other tools' fields", () => {
  const demo = readJson("models/demo/instances.json");
  assert.deepEqual(checkWire(CocoGroundTruthSchema, demo), []);
  assert.deepEqual(ajvErrors("coco-ground-truth.schema.json", demo), []);
  const parsed = parseWire(CocoGroundTruthSchema, gt(), "gt.json");
  assert.deepEqual(parsed.info, { year: 2026 });
  assert.equal(parsed.categories[0].supercategory, "person");
  assert.equal(parsed.annotations[0].num_keypoints, 1);
});

Deno.test("CocoGroundTruthSchema reads polygons, plain and compressed RLE, and rejects a number as neither", () => {
  assert.deepEqual(checkWire(CocoGroundTruthSchema, gt()), []);
  const bad = gt();
  (bad.annotations[0] as Record<string, unknown>).segmentation = 7;
  assert.deepEqual(checkWire(CocoGroundTruthSchema, bad), [{
    path: ["annotations", 0, "segmentation"],
    expected: "polygons [[x0, y0, ...]] or an RLE {size, counts}",
    found: "the number 7",
  }]);
  const deep = gt();
  deep.annotations[1].segmentation = { size: [4, 4], counts: [0, 2, -2, 2, 10] };
  assert.deepEqual(checkWire(CocoGroundTruthSchema, deep), [{
    path: ["annotations", 1, "segmentation", "counts", 2],
    expected: "an integer >= 0",
    found: "the number -2",
  }]);
});

Deno.test("A broken ground truth is rejected by ajv and by our parse, both naming the field", () => {
  const bad = gt();
  delete (bad.annotations[2] as Record<string, unknown>).area;
  (bad.images[0] as Record<string, unknown>).height = 4.5;
  assert.deepEqual(ajvErrors("coco-ground-truth.schema.json", bad).sort(), [
    "/annotations/2/area required",
    "/images/0/height type",
  ]);
  assert.throws(() => parseWire(CocoGroundTruthSchema, bad, "gt.json", EvalInputError), {
    name: "EvalInputError",
    message:
      "gt.json: images[0].height: expected an integer, found the number 4.5 (and 1 more issue)",
  });
});

Deno.test("CocoGroundTruthSchema rejects a repeated id, naming where it came first", () => {
  const twice = gt();
  twice.images[1].id = 1;
  twice.annotations[3].id = 2;
  assert.deepEqual(checkWire(CocoGroundTruthSchema, twice), [
    {
      path: ["images", 1, "id"],
      expected: "a unique id (images[0] has it too)",
      found: "the number 1",
    },
    {
      path: ["annotations", 3, "id"],
      expected: "a unique id (annotations[1] has it too)",
      found: "the number 2",
    },
  ]);
});

Deno.test("CocoResultsSchema names the bad number of a box, and reads [] as no box", () => {
  const results = [
    { image_id: 1, category_id: 1, score: 0.9, bbox: [0, 0, 2, 2], id: 5 },
    {
      image_id: 1,
      category_id: 1,
      score: 0.8,
      bbox: [],
      segmentation: { size: [4, 4], counts: "04" },
    },
  ];
  assert.deepEqual(checkWire(CocoResultsSchema, results), []);
  assert.deepEqual(ajvErrors("coco-results.schema.json", results), []);
  const bad = [{ ...results[0], bbox: [0, "0", 2, 2] }, { ...results[0], bbox: [0, 0, 2] }];
  assert.deepEqual(checkWire(CocoResultsSchema, bad), [
    { path: [0, "bbox", 1], expected: "a finite number", found: 'the string "0"' },
    {
      path: [1, "bbox"],
      expected: "a box [x, y, w, h] of 4 finite numbers",
      found: "an array of 3 items",
    },
  ]);
  assert.deepEqual(ajvErrors("coco-results.schema.json", bad).sort(), [
    "/0/bbox/1 type",
    "/1/bbox anyOf",
    "/1/bbox maxItems",
    "/1/bbox minItems",
  ]);
});

Deno.test("CocoResultsSchema checks 100,000 results and names the one bad box among them", () => {
  const results = Array.from({ length: 100_000 }, (_, i) => ({
    image_id: 1 + (i % 5000),
    category_id: 1 + (i % 80),
    score: (i % 1000) / 1000,
    bbox: [i % 600, i % 400, 10 + (i % 90), 10 + (i % 70)],
  }));
  // How fast: about 40 ms on 2 cores (measured when this schema was written; speed is
  // a benchmark's business, not a test's).
  assert.deepEqual(checkWire(CocoResultsSchema, results), []);
  results[77_777].bbox = [1, 2, 3];
  assert.deepEqual(checkWire(CocoResultsSchema, results).map((i) => i.path), [[77_777, "bbox"]]);
});
