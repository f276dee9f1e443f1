import assert from "node:assert/strict";
import { type ModelManifest, parseManifest } from "../../src/inference/manifest.ts";
import { ManifestError, StreamdetError } from "../../src/errors.ts";

const PATH = "/models/street-maskrcnn/manifest.json";

/** A manifest as the exporter writes it for a raw Mask R-CNN graph with a semantic head. */
function shipped(): Record<string, unknown> {
  return {
    format: "streamdet-model/1",
    name: "street-maskrcnn",
    kind: "maskrcnn",
    file: "model.onnx",
    input: {
      name: "images",
      layout: "NCHW",
      dtype: "float32",
      height: 288,
      width: 512,
      batch: "dynamic",
      colorOrder: "RGB",
      scale: 1 / 255,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    },
    outputs: [
      { name: "boxes", role: "boxes", dtype: "float32", shape: ["detections", 4] },
      { name: "scores", role: "scores", dtype: "float32", shape: ["detections"] },
      { name: "labels", role: "labels", dtype: "int64", shape: ["detections"] },
      { name: "batch_index", role: "batch_index", dtype: "int64", shape: ["detections"] },
      { name: "mask_logits", role: "mask_logits", dtype: "float32", shape: ["detections", 28, 28] },
      {
        name: "semantic_logits",
        role: "semantic_logits",
        dtype: "float32",
        shape: ["batch", 5, "height/4", "width/4"],
      },
    ],
    postprocess: { nmsInGraph: false, boxesIn: "input", maskActivation: "sigmoid" },
    classes: [
      { id: 1, name: "person", isThing: true, color: [220, 20, 60] },
      { id: 2, name: "car", isThing: true, color: [0, 0, 142] },
      { id: 5, name: "road", isThing: false, color: [128, 64, 128] },
      { id: 6, name: "sidewalk", isThing: false, color: [244, 35, 232] },
      { id: 7, name: "building", isThing: false, color: [70, 70, 70] },
      { id: 8, name: "sky", isThing: false, color: [70, 130, 180] },
    ],
    semantic: { classes: [0, 5, 6, 7, 8], stride: 4 },
    defaults: {
      scoreThreshold: 0.4,
      nms: { kind: "soft-gaussian", iouThreshold: 0.6, sigma: 0.3 },
      maxDetections: 50,
      maskThreshold: 0.45,
      panoptic: { overlapThreshold: 0.6, stuffAreaThreshold: 1024, instanceScoreThreshold: 0.55 },
    },
    training: { steps: 1000, minutes: 12.5, script: "models/training/train.py" },
  };
}

/** A change to a manifest (free-form, to break it). */
// deno-lint-ignore no-explicit-any
type Edit = (m: Record<string, any>) => void;

/** The shipped manifest with one change made by `edit`. */
function edited(edit: Edit): Record<string, unknown> {
  const m = shipped();
  edit(m);
  return m;
}

/** Asserts that parsing throws a ManifestError whose message is `PATH: <message>`. */
function assertManifestError(json: unknown, message: string) {
  assert.throws(() => parseManifest(json, PATH), (error: unknown) => {
    assert.ok(error instanceof ManifestError, `not a ManifestError: ${error}`);
    assert.ok(error instanceof StreamdetError);
    assert.equal(error.name, "ManifestError");
    assert.equal(error.message, `${PATH}: ${message}`);
    assert.ok(error.issues.length > 0);
    return true;
  });
}

Deno.test("parseManifest() reads the shipped manifest and resolves file against its folder", () => {
  const m: ModelManifest = parseManifest(shipped(), PATH);
  assert.equal(m.format, "streamdet-model/1");
  assert.equal(m.name, "street-maskrcnn");
  assert.equal(m.kind, "maskrcnn");
  assert.equal(m.file, "/models/street-maskrcnn/model.onnx");
  assert.deepEqual(m.input, {
    name: "images",
    layout: "NCHW",
    dtype: "float32",
    height: 288,
    width: 512,
    batch: "dynamic",
    colorOrder: "RGB",
    scale: 1 / 255,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
  });
  assert.deepEqual(m.outputs.map((o) => o.role), [
    "boxes",
    "scores",
    "labels",
    "batch_index",
    "mask_logits",
    "semantic_logits",
  ]);
  assert.deepEqual(m.outputs[4], {
    name: "mask_logits",
    role: "mask_logits",
    dtype: "float32",
    shape: ["detections", 28, 28],
  });
  assert.deepEqual(m.postprocess, { nmsInGraph: false, maskActivation: "sigmoid" });
  assert.equal(m.classes.length, 6);
  assert.deepEqual(m.classes[2], { id: 5, name: "road", isThing: false, color: [128, 64, 128] });
  assert.deepEqual(m.semantic, { classes: [0, 5, 6, 7, 8], stride: 4 });
  assert.deepEqual(m.defaults, {
    scoreThreshold: 0.4,
    nms: { kind: "soft-gaussian", iouThreshold: 0.6, sigma: 0.3 },
    maxDetections: 50,
    maskThreshold: 0.45,
    panoptic: { overlapThreshold: 0.6, stuffAreaThreshold: 1024, instanceScoreThreshold: 0.55 },
  });
});

Deno.test("parseManifest() resolves file for relative manifest paths and keeps absolute files", () => {
  assert.equal(parseManifest(shipped(), "models/a/manifest.json").file, "models/a/model.onnx");
  assert.equal(parseManifest(shipped(), "manifest.json").file, "./model.onnx");
  const absolute = edited((m) => (m.file = "/opt/graphs/street.onnx"));
  assert.equal(parseManifest(absolute, PATH).file, "/opt/graphs/street.onnx");
  const missing = edited((m) => delete m.file);
  assert.equal(parseManifest(missing, PATH).file, "/models/street-maskrcnn/model.onnx");
});

Deno.test("parseManifest() fills every default when defaults and optional input fields are absent", () => {
  const m = parseManifest(
    edited((m) => {
      delete m.defaults;
      delete m.input.colorOrder;
      delete m.input.scale;
      delete m.input.mean;
      delete m.classes[0].color;
    }),
    PATH,
  );
  assert.deepEqual(m.defaults, {
    scoreThreshold: 0.5,
    nms: { kind: "hard", iouThreshold: 0.5, sigma: 0.5 },
    maxDetections: 100,
    maskThreshold: 0.5,
    panoptic: { overlapThreshold: 0.5, stuffAreaThreshold: 4096, instanceScoreThreshold: 0.5 },
  });
  assert.equal(m.input.colorOrder, "RGB");
  assert.equal(m.input.scale, 1 / 255);
  assert.deepEqual(m.input.mean, [0, 0, 0]);
  assert.deepEqual(m.classes[0].color, [255, 255, 255]);
  // Partial defaults keep what is given; Matrix NMS's sigma defaults to 2.
  const partial = parseManifest(
    edited((m) => (m.defaults = { nms: { kind: "matrix" }, maxDetections: 7 })),
    PATH,
  );
  assert.deepEqual(partial.defaults.nms, { kind: "matrix", iouThreshold: 0.5, sigma: 2 });
  assert.equal(partial.defaults.maxDetections, 7);
  assert.equal(partial.defaults.scoreThreshold, 0.5);
});

Deno.test("parseManifest() reads a standard torchvision export without a semantic head", () => {
  const m = parseManifest(
    edited((m) => {
      m.input.layout = "CHW";
      m.input.name = "image";
      m.input.batch = [1];
      m.outputs = [
        { name: "boxes", role: "boxes", dtype: "float32", shape: ["detections", 4] },
        { name: "labels", role: "labels", dtype: "int64", shape: ["detections"] },
        { name: "scores", role: "scores", dtype: "float32", shape: ["detections"] },
        { name: "masks", role: "masks", dtype: "float32", shape: ["detections", 1, "h", "w"] },
      ];
      m.postprocess = { nmsInGraph: true };
      delete m.semantic;
    }),
    PATH,
  );
  assert.deepEqual(m.input.batch, [1]);
  assert.equal(m.input.layout, "CHW");
  assert.equal(m.semantic, undefined);
  assert.deepEqual(m.postprocess, { nmsInGraph: true, maskActivation: "sigmoid" });
});

Deno.test("parseManifest() names the field, what it expected and what it found for each malformed field", () => {
  const cases: [Edit, string][] = [
    [
      (m) => (m.format = "streamdet-model/2"),
      'format: expected "streamdet-model/1", found the string "streamdet-model/2"',
    ],
    [
      (m) => (m.outputs[4].role = "mask"),
      'outputs[4].role: expected one of "boxes", "scores", "labels", "batch_index", "mask_logits", "masks", "semantic_logits", "keypoint_logits", "keypoints", "cls_logits", "bbox_regression", "bbox_ctrness", "category_scores", "cell_masks", "mask_cells", found the string "mask"',
    ],
    [
      (m) => m.outputs.shift(),
      'outputs: expected an output with role "boxes", found an array of 5 items',
    ],
    [(m) => (m.input.height = "288"), 'input.height: expected an integer, found the string "288"'],
    [
      (m) => (m.input.std = [0.229, 0, 0.225]),
      "input.std[1]: expected a non-zero number, found the number 0",
    ],
    [
      (m) => (m.input.batch = []),
      "input.batch: expected a non-empty array, found an array of 0 items",
    ],
    [
      (m) => delete m.classes[3].isThing,
      "classes[3].isThing: expected true or false, found nothing",
    ],
    [
      (m) => (m.semantic.classes = [0, 5, 6, 7, 300]),
      "semantic.classes[4]: expected an integer <= 255, found the number 300",
    ],
    [(m) => delete m.input, "input: expected an object, found nothing"],
    [(m) => (m.input.width = 0), "input.width: expected an integer >= 1, found the number 0"],
    [
      (m) => (m.input.batch = [1, 0]),
      "input.batch[1]: expected an integer >= 1, found the number 0",
    ],
    [
      (m) => (m.input.batch = "fixed"),
      'input.batch: expected "dynamic" or an array, found the string "fixed"',
    ],
    [
      (m) => (m.input.mean = [0, 0]),
      "input.mean: expected an array of 3 numbers, found an array of 2 items",
    ],
    [
      (m) => (m.input.dtype = "uint8"),
      'input.layout: expected NHWC or HWC for a uint8 input (the frame\'s bytes as ffmpeg writes them), found the string "NCHW"',
    ],
    [
      (m) => (m.input.layout = "NHWC"),
      'input.layout: expected NCHW or CHW for a float32 input (planar floats), found the string "NHWC"',
    ],
    [
      (m) => (m.input.dtype = "float16"),
      'input.dtype: expected one of "float32", "uint8", found the string "float16"',
    ],
    [
      (m) => (m.input.colorOrder = "rgb"),
      'input.colorOrder: expected one of "RGB", "BGR", found the string "rgb"',
    ],
    [
      (m) => (m.kind = "yolo"),
      'kind: expected one of "maskrcnn", "fasterrcnn", "keypointrcnn", "fcos", "retinanet", "solov2", found the string "yolo"',
    ],
    [(m) => (m.outputs = []), "outputs: expected a non-empty array, found an array of 0 items"],
    [
      (m) => (m.outputs[0].shape = [-1, 4]),
      "outputs[0].shape[0]: expected an integer >= 0, found the number -1",
    ],
    [
      (m) => (m.outputs[2].dtype = "int8"),
      'outputs[2].dtype: expected one of "float32", "int64", "int32", "uint8", found the string "int8"',
    ],
    [(m) => (m.classes = []), "classes: expected a non-empty array, found an array of 0 items"],
    [(m) => (m.classes[1].id = 0), "classes[1].id: expected an integer >= 1, found the number 0"],
    [
      (m) => (m.classes[0].color = [1, 2, "x"]),
      'classes[0].color[2]: expected a number, found the string "x"',
    ],
    [
      (m) => (m.semantic.stride = 0),
      "semantic.stride: expected an integer >= 1, found the number 0",
    ],
    [
      (m) => (m.semantic.classes = []),
      "semantic.classes: expected a non-empty array, found an array of 0 items",
    ],
    [
      (m) => delete m.semantic,
      "semantic: expected the category ids and stride of the semantic_logits output, found nothing",
    ],
    [(m) => (m.postprocess = {}), "postprocess.nmsInGraph: expected true or false, found nothing"],
    [
      (m) => (m.defaults.nms.kind = "soft"),
      'defaults.nms.kind: expected one of "hard", "soft-linear", "soft-gaussian", "matrix", "none", found the string "soft"',
    ],
    [
      (m) => (m.defaults.nms.sigma = 0),
      "defaults.nms.sigma: expected a number > 0, found the number 0",
    ],
    [
      (m) => (m.defaults.maxDetections = 2.5),
      "defaults.maxDetections: expected an integer, found the number 2.5",
    ],
    [
      (m) => (m.defaults.maskThreshold = -1),
      "defaults.maskThreshold: expected a number >= 0, found the number -1",
    ],
  ];
  for (const [edit, message] of cases) assertManifestError(edited(edit), message);
  // Matrix NMS accepts sigma 0 (no decay).
  const matrix = edited((m) => (m.defaults.nms = { kind: "matrix", sigma: 0 }));
  assert.equal(parseManifest(matrix, PATH).defaults.nms.sigma, 0);
});

Deno.test("parseManifest() rejects an unknown field, naming it and listing the known ones", () => {
  assertManifestError(
    edited((m) => (m.extra = 1)),
    'extra: expected only the fields $schema, format, name, kind, file, input, outputs, postprocess, classes, semantic, keypoints, singleStage, solov2, defaults, training, source, found an unknown field "extra"',
  );
  assertManifestError(
    edited((m) => (m.defaults.nms.iou = 0.5)),
    'defaults.nms.iou: expected only the fields kind, iouThreshold, sigma, found an unknown field "iou"',
  );
});

Deno.test("parseManifest() rejects a missing required field", () => {
  assertManifestError(edited((m) => delete m.name), "name: expected a string, found nothing");
  assertManifestError(
    edited((m) => delete m.input.std),
    "input.std: expected an array of 3 numbers, found nothing",
  );
});

Deno.test("parseManifest() accepts the $schema key and the provenance of a torchvision export", () => {
  const m = parseManifest(
    edited((m) => {
      m.$schema = "../../schemas/manifest.schema.json";
      m.source = { torchvision: "0.20", arch: "maskrcnn_resnet50_fpn", weights: "none" };
    }),
    PATH,
  );
  assert.equal(m.name, "street-maskrcnn");
  assert.ok(!("$schema" in m) && !("source" in m) && !("training" in m));
});

Deno.test("parseManifest() throws a ManifestError for JSON that is not an object", () => {
  for (const json of [[], null, "x", 3, true, undefined]) {
    assert.throws(() => parseManifest(json, PATH), ManifestError);
  }
  assertManifestError([], "expected an object, found an array of 0 items");
  assertManifestError(null, "expected an object, found null");
  assertManifestError("x", 'expected an object, found the string "x"');
});
