/**
 * The JSON Schema files under schemas/: each is what its wire format's zod schema makes
 * (a stale file fails), and they are usable by other tools: every shipped pipeline
 * configuration and model manifest validates against its file with ajv (a JSON Schema
 * validator from npm), and a broken copy is rejected by ajv and by our own parse, both
 * naming the broken field.
 */

import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { ConfigError, ManifestError } from "../../src/errors.ts";
import { parseManifest } from "../../src/inference/manifest.ts";
import { resolvePipelineConfig } from "../../src/pipeline/config.ts";
import { WIRE_FORMATS } from "../../src/wire/formats.ts";
import { jsonSchemaText } from "../../src/wire/json_schema.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

// deno-lint-ignore no-explicit-any
type Json = any;

async function readJson(path: string): Promise<Json> {
  return JSON.parse(await Deno.readTextFile(`${ROOT}${path}`));
}

async function filesIn(dir: string, match: (name: string) => boolean): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
    if (match(entry.name)) names.push(entry.name);
  }
  return names.sort();
}

/** A validator of the committed schema file `file` (ajv, draft 2020-12, strict mode). */
async function validator(file: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  return ajv.compile(await readJson(`schemas/${file}`));
}

/** ajv's errors of `value` against `file`, as `<field> <keyword>`: the error's
 * instancePath, with the missing or unknown property it names appended. */
async function ajvErrors(file: string, value: unknown): Promise<string[]> {
  const validate = await validator(file);
  validate(value);
  return (validate.errors ?? []).map((e) => {
    const property = e.params.missingProperty ?? e.params.additionalProperty;
    return `${e.instancePath}${property === undefined ? "" : `/${property}`} ${e.keyword}`;
  });
}

const SHIPPED_PIPELINES = (await filesIn("pipelines", (n) => n.endsWith(".json")))
  .map((n) => `pipelines/${n}`);
const SHIPPED_MANIFESTS = (await filesIn("models", () => true))
  .filter((n) => {
    try {
      return Deno.statSync(`${ROOT}models/${n}/manifest.json`).isFile;
    } catch {
      return false;
    }
  })
  .map((n) => `models/${n}/manifest.json`);

Deno.test("every committed JSON Schema file is what its wire format's schema makes", async () => {
  for (const format of WIRE_FORMATS) {
    const committed = await Deno.readTextFile(`${ROOT}schemas/${format.file}`).catch(() => "");
    assert.ok(
      committed === jsonSchemaText(format),
      `schemas/${format.file} is stale or missing: run deno task generate`,
    );
  }
  const files = await filesIn("schemas", (n) => n.endsWith(".schema.json"));
  const known = WIRE_FORMATS.map((f) => f.file);
  assert.deepEqual(files.filter((f) => !known.includes(f)), [], "schema files of no format");
});

Deno.test("the pipeline and manifest JSON Schemas compile in ajv's strict mode", async () => {
  await validator("pipeline.schema.json");
  await validator("manifest.schema.json");
});

Deno.test("every shipped pipeline configuration validates against schemas/pipeline.schema.json and names it", async () => {
  assert.ok(SHIPPED_PIPELINES.length >= 4, SHIPPED_PIPELINES.join(", "));
  const validate = await validator("pipeline.schema.json");
  for (const path of SHIPPED_PIPELINES) {
    const config = await readJson(path);
    assert.equal(config.$schema, "../schemas/pipeline.schema.json", path);
    assert.ok(validate(config), `${path}: ${JSON.stringify(validate.errors)}`);
  }
});

Deno.test("every shipped model manifest validates against schemas/manifest.schema.json and names it", async () => {
  assert.ok(SHIPPED_MANIFESTS.length >= 3, SHIPPED_MANIFESTS.join(", "));
  const validate = await validator("manifest.schema.json");
  for (const path of SHIPPED_MANIFESTS) {
    const manifest = await readJson(path);
    assert.equal(manifest.$schema, "../../schemas/manifest.schema.json", path);
    assert.ok(validate(manifest), `${path}: ${JSON.stringify(validate.errors)}`);
  }
});

/** A broken copy of a shipped file: what ajv reports at which path, and our message. */
interface Broken {
  file: string;
  edit: (value: Json) => void;
  ajv: string;
  message: string;
}

const BROKEN_PIPELINES: Broken[] = [
  {
    file: "pipelines/demo.json",
    edit: (c) => (c.models.street.maxBatch = 0),
    ajv: "/models/street/maxBatch minimum",
    message:
      "pipelines/demo.json: models.street.maxBatch: expected an integer in [1, 256], found the number 0",
  },
  {
    file: "pipelines/files.json",
    edit: (c) => (c.streams[1].fps = "5"),
    ajv: "/streams/1/fps type",
    message: 'pipelines/files.json: streams[1].fps: expected a number, found the string "5"',
  },
  {
    file: "pipelines/rtsp-camera.json",
    edit: (c) => (c.streams[0].reconect = c.streams[0].reconnect),
    ajv: "/streams/0/reconect additionalProperties",
    message:
      'pipelines/rtsp-camera.json: streams[0].reconect: expected only the fields id, source, model, policy, queueSize, loop, realtime, fps, imageRate, reconnect, stallTimeoutMs, maxInFlight, rtspTransport, hwaccel, readyWithoutFrames, tracking, lines, zones, found an unknown field "reconect"',
  },
  {
    file: "pipelines/webcam.json",
    edit: (c) => delete c.models.street.manifest,
    ajv: "/models/street/manifest required",
    message: "pipelines/webcam.json: models.street.manifest: expected a string, found nothing",
  },
];

const BROKEN_MANIFESTS: Broken[] = [
  {
    file: "models/street-maskrcnn/manifest.json",
    edit: (m) => (m.input.height = "288"),
    ajv: "/input/height type",
    message:
      'models/street-maskrcnn/manifest.json: input.height: expected an integer, found the string "288"',
  },
  {
    file: "models/street-fasterrcnn/manifest.json",
    edit: (m) => (m.defaults.nms.sigma = 0),
    ajv: "/defaults/nms/sigma exclusiveMinimum",
    message:
      "models/street-fasterrcnn/manifest.json: defaults.nms.sigma: expected a number > 0, found the number 0",
  },
  {
    file: "models/street-maskrcnn/manifest.json",
    edit: (m) => delete m.semantic,
    ajv: "/semantic required",
    message:
      "models/street-maskrcnn/manifest.json: semantic: expected the category ids and stride of the semantic_logits output, found nothing",
  },
  {
    file: "models/street-maskrcnn-standard/manifest.json",
    edit: (m) => (m.outputs = m.outputs.filter((o: Json) => o.role !== "labels")),
    ajv: "/outputs contains",
    message:
      'models/street-maskrcnn-standard/manifest.json: outputs: expected an output with role "labels", found an array of 3 items',
  },
];

Deno.test("ajv and resolvePipelineConfig() both reject a broken copy of a shipped configuration, naming the field", async () => {
  for (const broken of BROKEN_PIPELINES) {
    const config = await readJson(broken.file);
    broken.edit(config);
    const errors = await ajvErrors("pipeline.schema.json", config);
    assert.ok(errors.includes(broken.ajv), `${broken.file}: ${errors.join("; ")}`);
    const origin = { name: broken.file, baseDir: `${ROOT}pipelines` };
    assert.throws(() => resolvePipelineConfig(config, origin), (e) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, broken.message);
      return true;
    });
  }
});

Deno.test("ajv and parseManifest() both reject a broken copy of a shipped manifest, naming the field", async () => {
  for (const broken of BROKEN_MANIFESTS) {
    const manifest = await readJson(broken.file);
    broken.edit(manifest);
    const errors = await ajvErrors("manifest.schema.json", manifest);
    assert.ok(errors.includes(broken.ajv), `${broken.file}: ${errors.join("; ")}`);
    assert.throws(() => parseManifest(manifest, broken.file), (e) => {
      assert.ok(e instanceof ManifestError);
      assert.equal(e.message, broken.message);
      return true;
    });
  }
});

Deno.test("the JSON Schema files describe their fields for editors", async () => {
  const pipeline = await readJson("schemas/pipeline.schema.json");
  assert.equal(pipeline.title, "streamdet pipeline configuration");
  const model = pipeline.properties.models.additionalProperties;
  for (const field of ["manifest", "providers", "sessions", "maxBatch", "maxWaitMs"]) {
    assert.ok(model.properties[field].description, `models.*.${field}`);
  }
  assert.equal(model.properties.maxBatch.default, undefined, "resolved from the graph");
  const stream = pipeline.properties.streams.items;
  for (const [field, schema] of Object.entries(stream.properties)) {
    assert.ok((schema as Json).description, `streams[].${field}`);
  }
  assert.equal(stream.additionalProperties, false);
  assert.equal(
    pipeline.properties.models.propertyNames.pattern,
    "^(?!\\.\\.?$)[A-Za-z0-9_.-]{1,64}$",
    'ids are URL path segments: not "." or ".."',
  );
  const manifest = await readJson("schemas/manifest.schema.json");
  assert.ok(manifest.properties.kind.description);
  assert.deepEqual(manifest.properties.kind.enum, [
    "maskrcnn",
    "fasterrcnn",
    "keypointrcnn",
    "fcos",
    "retinanet",
    "solov2",
  ]);
  assert.equal(manifest.properties.file.default, "model.onnx");
  assert.ok(manifest.properties.input.properties.layout.description);
});
