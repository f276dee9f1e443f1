/**
 * The model manifest (`models/<name>/manifest.json`, models/README.md): what the graph
 * takes and returns, how its outputs are post-processed, its classes, and the defaults a
 * pipeline may override. This schema is the file's format: its TypeScript types, its
 * defaults, its JSON Schema (`schemas/manifest.schema.json`, which editors use through
 * the file's `$schema` key). `parseManifest` (src/inference/manifest.ts) parses with it
 * and resolves `file` against the manifest's folder.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";
import { ManifestDefaultsSchema } from "./manifest_defaults.ts";
import { KeypointSpecSchema } from "./keypoint_spec.ts";
import { keypointManifestIssues } from "./keypoint_manifest.ts";
import { SingleStageSpecSchema } from "./single_stage_spec.ts";
import { singleStageManifestIssues } from "./single_stage_manifest.ts";
import { solov2ManifestIssues, Solov2SpecSchema } from "./solov2_spec.ts";

/** The `format` every manifest of this version carries. */
export const MANIFEST_FORMAT = "streamdet-model/1";

/**
 * The architectures a manifest may declare: each is one entry here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...MODEL_KINDS], ["maskrcnn", "fasterrcnn", "keypointrcnn", "fcos", "retinanet", "solov2"]);
 * ```
 */
export const MODEL_KINDS = Object.freeze(
  ["maskrcnn", "fasterrcnn", "keypointrcnn", "fcos", "retinanet", "solov2"] as const,
);

/** The kinds whose graphs return candidates (boxes, scores, labels): the R-CNN family. */
export const CANDIDATE_KINDS: readonly ModelKind[] = Object.freeze([
  "maskrcnn",
  "fasterrcnn",
  "keypointrcnn",
]);

/** One of {@link MODEL_KINDS}. */
export type ModelKind = typeof MODEL_KINDS[number];

/**
 * The roles a graph output can play: each is one entry here (models/README.md, "The raw
 * graph", says what each holds).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(OUTPUT_ROLES.includes("mask_logits"));
 * assert.ok(Object.isFrozen(OUTPUT_ROLES));
 * ```
 */
export const OUTPUT_ROLES = Object.freeze(
  [
    "boxes",
    "scores",
    "labels",
    "batch_index",
    "mask_logits",
    "masks",
    "semantic_logits",
    "keypoint_logits",
    "keypoints",
    "cls_logits",
    "bbox_regression",
    "bbox_ctrness",
    "category_scores",
    "cell_masks",
    "mask_cells",
  ] as const,
);

/** Roles a graph output can play: one of {@link OUTPUT_ROLES}. */
export type OutputRole = typeof OUTPUT_ROLES[number];

/** The roles every R-CNN model ({@link CANDIDATE_KINDS}) has an output for. */
export const REQUIRED_ROLES: readonly OutputRole[] = Object.freeze(["boxes", "scores", "labels"]);

/** Element types of graph outputs. */
export const OUTPUT_DTYPES = Object.freeze(["float32", "int64", "int32", "uint8"] as const);

/** Input layouts: a batch (`NCHW`, `NHWC`) or one image (`CHW`, `HWC`); planar for
 * float32 inputs, interleaved (as ffmpeg writes frames) for uint8 inputs. */
export const INPUT_LAYOUTS = Object.freeze(["NCHW", "CHW", "NHWC", "HWC"] as const);

const triple = () =>
  z.tuple([z.number(), z.number(), z.number()], { error: "an array of 3 numbers" });

/**
 * The graph's input and how frames are turned into it:
 * `pixel × scale / std[c] − mean[c] / std[c]`, per channel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * const input = { name: "images", layout: "NCHW", dtype: "float32", height: 288, width: 512, batch: "dynamic", std: [1, 0, 1] };
 * assert.deepEqual(checkWire(ManifestInputSchema, input), [
 *   { path: ["std", 1], expected: "a non-zero number", found: "the number 0" },
 * ]);
 * ```
 */
export const ManifestInputSchema = strictObject({
  name: z.string().min(1).describe("The graph's input name."),
  layout: z.enum(INPUT_LAYOUTS).describe(
    "NCHW / NHWC (a batch) or CHW / HWC (one image, e.g. torchvision's standard export); " +
      "float32 inputs are planar (NCHW, CHW), uint8 inputs interleaved (NHWC, HWC).",
  ),
  dtype: z.enum(["float32", "uint8"]).describe(
    "float32: normalised planar floats, made by the runtime; uint8: the decoded frame's " +
      "bytes as ffmpeg writes them (in colorOrder), normalised inside the graph.",
  ),
  height: z.int().min(1).describe("Input height in pixels: frames are letterboxed into it."),
  width: z.int().min(1).describe("Input width in pixels."),
  batch: z.union([z.literal("dynamic"), z.array(z.int().min(1)).min(1)]).describe(
    '"dynamic", or the batch sizes the graph accepts, e.g. [1].',
  ),
  colorOrder: z.enum(["RGB", "BGR"]).default("RGB").describe("Channel order (default RGB)."),
  scale: z.number().default(1 / 255).describe("Pixel (0..255) scale (default 1/255)."),
  mean: triple().default((): [number, number, number] => [0, 0, 0]).describe(
    "Per-channel mean, after scaling (default [0, 0, 0]).",
  ),
  std: z.tuple(
    [0, 1, 2].map(() =>
      z.number().refine((v) => v !== 0, "a non-zero number").meta({ not: { const: 0 } })
    ) as [z.ZodNumber, z.ZodNumber, z.ZodNumber],
    { error: "an array of 3 numbers" },
  ).describe("Per-channel standard deviation, after scaling (non-zero)."),
}, { description: "The graph's input and its normalisation." }).superRefine((input, ctx) => {
  const interleaved = input.layout === "NHWC" || input.layout === "HWC";
  if ((input.dtype === "uint8") !== interleaved) {
    ctx.addIssue({
      code: "custom",
      path: ["layout"],
      message: input.dtype === "uint8"
        ? "NHWC or HWC for a uint8 input (the frame's bytes as ffmpeg writes them)"
        : "NCHW or CHW for a float32 input (planar floats)",
      input: input.layout,
    });
  }
}).meta({
  if: { properties: { dtype: { const: "uint8" } }, required: ["dtype"] },
  then: { properties: { layout: { enum: ["NHWC", "HWC"] } } },
  else: { properties: { layout: { enum: ["NCHW", "CHW"] } } },
});
/**
 * One graph output: its tensor name, role, element type and shape (sizes, and names of
 * symbolic dimensions).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * const output = { name: "boxes", role: "boxes", dtype: "float32", shape: ["detections", 4] };
 * assert.deepEqual(checkWire(ModelOutputSchema, output), []);
 * ```
 */
export const ModelOutputSchema = strictObject({
  name: z.string().min(1).describe("The graph's output name."),
  role: z.enum(OUTPUT_ROLES).describe("What the output holds."),
  dtype: z.enum(OUTPUT_DTYPES),
  shape: z.array(z.union([z.int().min(0), z.string()])).describe(
    'Sizes, and names of symbolic dimensions, e.g. ["detections", 4].',
  ),
  level: z.int().min(0).optional().describe(
    "The pyramid level of a per-level output (fcos, retinanet): an index into singleStage.levels.",
  ),
});

const OutputsSchema = z.array(ModelOutputSchema).min(1, { abort: true }).describe(
  `The graph's outputs; an R-CNN kind has one with each role ${REQUIRED_ROLES.join(", ")}.`,
);

/**
 * A class the model predicts (things) or segments (stuff).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWire } from "./parse.ts";
 * const c = parseWire(ClassSpecSchema, { id: 1, name: "car", isThing: true }, "m.json");
 * assert.deepEqual(c.color, [255, 255, 255]);
 * ```
 */
export const ClassSpecSchema = strictObject({
  id: z.int().min(1).describe("Category id: the label the graph gives it (1, 2, ...)."),
  name: z.string().min(1),
  isThing: z.boolean().describe("A countable object (true) or a stuff region (false)."),
  color: triple().default((): [number, number, number] => [255, 255, 255]).describe(
    "RGB for drawing (default [255, 255, 255]).",
  ),
});

/**
 * What the semantic head's channels are: the category id of each (0 = things) and the
 * logits' stride.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(SemanticSpecSchema, { classes: [0, 5, 300], stride: 4 }), [
 *   { path: ["classes", 2], expected: "an integer <= 255", found: "the number 300" },
 * ]);
 * ```
 */
export const SemanticSpecSchema = strictObject({
  classes: z.array(z.int().min(0).max(255)).min(1).describe(
    "The category id of each channel (0 = things).",
  ),
  stride: z.int().min(1).describe("Input pixels per logit."),
}, { description: "The semantic_logits output's channels; needed when there is one." });

/**
 * A whole `manifest.json`, as written (defaults filled when parsed; `file` not yet
 * resolved). `training` and `source` say where the graph came from; nothing reads them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * const manifest = JSON.parse(await Deno.readTextFile("models/street-fasterrcnn/manifest.json"));
 * assert.deepEqual(checkWire(ManifestSchema, manifest), []);
 * assert.deepEqual(checkWire(ManifestSchema, { ...manifest, kind: "yolo" }), [
 *   { path: ["kind"], expected: 'one of "maskrcnn", "fasterrcnn", "keypointrcnn", "fcos", "retinanet", "solov2"', found: 'the string "yolo"' },
 * ]);
 * ```
 */
export const ManifestSchema = strictObject({
  $schema: z.string().optional().describe(
    "The JSON Schema of this file, for editors: ../../schemas/manifest.schema.json.",
  ),
  format: z.literal(MANIFEST_FORMAT).describe("The manifest's format and version."),
  name: z.string().min(1).describe("The model's name."),
  kind: z.enum(MODEL_KINDS).describe("The architecture."),
  file: z.string().min(1).default("model.onnx").describe(
    "The ONNX graph, relative to the manifest's folder (default model.onnx).",
  ),
  input: ManifestInputSchema,
  outputs: OutputsSchema,
  postprocess: strictObject({
    nmsInGraph: z.boolean().describe(
      "Whether the graph applies the final NMS itself (torchvision's standard export).",
    ),
    boxesIn: z.literal("input").optional().describe(
      "The space of the boxes output: input pixels (the only one).",
    ),
    maskActivation: z.enum(["sigmoid", "none"]).default("sigmoid").describe(
      "What turns mask outputs into probabilities (default sigmoid).",
    ),
  }, { description: "What the graph does itself, and what is left to the runtime." }),
  classes: z.array(ClassSpecSchema).min(1).describe("The classes, things and stuff."),
  semantic: SemanticSpecSchema.optional(),
  keypoints: KeypointSpecSchema.optional().describe(
    "The keypoints (kind keypointrcnn): names, skeleton, sigmas, encoding.",
  ),
  singleStage: SingleStageSpecSchema.optional().describe(
    "The pyramid levels, anchors and decoding (kinds fcos, retinanet).",
  ),
  solov2: Solov2SpecSchema.optional().describe(
    "The grids and SOLO's post-processing settings (kind solov2).",
  ),
  defaults: ManifestDefaultsSchema.prefault(() => ({})),
  training: strictObject({
    steps: z.int().min(0).optional(),
    minutes: z.number().min(0).optional(),
    script: z.string().optional(),
  }, { description: "How the weights were trained (not read by the runtime)." }).optional(),
  source: strictObject({
    torchvision: z.string().optional().describe("torchvision's version."),
    arch: z.string().optional().describe("The torchvision architecture."),
    weights: z.string().optional().describe("The weights exported."),
  }, { description: "What export_torchvision.py exported (not read by the runtime)." })
    .optional(),
}, { description: "A streamdet model: its graph, input, outputs, classes and defaults." })
  .superRefine((m, ctx) => {
    if (m.semantic === undefined && m.outputs.some((o) => o.role === "semantic_logits")) {
      ctx.addIssue({
        code: "custom",
        message: "the category ids and stride of the semantic_logits output",
        path: ["semantic"],
        input: undefined,
      });
    }
    if (CANDIDATE_KINDS.includes(m.kind)) {
      for (const role of REQUIRED_ROLES) {
        if (!m.outputs.some((o) => o.role === role)) {
          ctx.addIssue({
            code: "custom",
            path: ["outputs"],
            message: `an output with role "${role}"`,
            input: m.outputs,
          });
        }
      }
    }
    for (const issue of keypointManifestIssues(m)) ctx.addIssue({ code: "custom", ...issue });
    for (const issue of singleStageManifestIssues(m)) ctx.addIssue({ code: "custom", ...issue });
    for (const issue of solov2ManifestIssues(m)) ctx.addIssue({ code: "custom", ...issue });
  }).meta({
    allOf: [
      {
        if: {
          properties: {
            outputs: {
              type: "array",
              contains: {
                type: "object",
                properties: { role: { const: "semantic_logits" } },
                required: ["role"],
              },
            },
          },
          required: ["outputs"],
        },
        then: { properties: { semantic: { type: "object" } }, required: ["semantic"] },
      },
      {
        if: { properties: { kind: { enum: [...CANDIDATE_KINDS] } }, required: ["kind"] },
        then: {
          properties: {
            outputs: {
              allOf: REQUIRED_ROLES.map((role) => ({
                type: "array",
                contains: {
                  type: "object",
                  properties: { role: { const: role } },
                  required: ["role"],
                },
              })),
            },
          },
        },
      },
      {
        if: { properties: { kind: { enum: ["fcos", "retinanet"] } }, required: ["kind"] },
        then: { properties: { singleStage: { type: "object" } }, required: ["singleStage"] },
      },
      {
        if: { properties: { kind: { const: "solov2" } }, required: ["kind"] },
        then: { properties: { solov2: { type: "object" } }, required: ["solov2"] },
      },
      {
        if: { properties: { kind: { const: "keypointrcnn" } }, required: ["kind"] },
        then: { properties: { keypoints: { type: "object" } }, required: ["keypoints"] },
      },
    ],
  });

/** A manifest as parsed: defaults filled, `file` as written. */
export type ManifestFile = z.output<typeof ManifestSchema>;
/** One graph output of a manifest. */
export type ModelOutputSpec = z.output<typeof ModelOutputSchema>;
/** A class the model predicts (things) or segments (stuff). */
export type ClassSpec = z.output<typeof ClassSpecSchema>;
