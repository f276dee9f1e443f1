/**
 * The model manifest (`models/<name>/manifest.json`, DESIGN.md "Model contract"): its
 * type and a parser that checks every field and fills defaults.
 *
 * @module
 */

import { ManifestError } from "../errors.ts";
import { NMS_KINDS, type NmsKind } from "./select_detections.ts";

/** Roles a graph output can play. */
export type OutputRole =
  | "boxes"
  | "scores"
  | "labels"
  | "batch_index"
  | "mask_logits"
  | "masks"
  | "semantic_logits";

/** Every {@link OutputRole}. */
export const OUTPUT_ROLES: readonly OutputRole[] = Object.freeze([
  "boxes",
  "scores",
  "labels",
  "batch_index",
  "mask_logits",
  "masks",
  "semantic_logits",
]);

/** One graph output: its tensor name, role, element type and shape (symbolic dims as text). */
export interface ModelOutputSpec {
  name: string;
  role: OutputRole;
  dtype: "float32" | "int64" | "int32" | "uint8";
  shape: (number | string)[];
}

/** A class the model predicts (things) or segments (stuff). */
export interface ClassSpec {
  id: number;
  name: string;
  isThing: boolean;
  /** RGB for drawing. */
  color: [number, number, number];
}

/** A checked manifest with every default filled. */
export interface ModelManifest {
  format: "streamdet-model/1";
  name: string;
  kind: "maskrcnn" | "fasterrcnn";
  /** Absolute path of the graph (the manifest's `file`, resolved against its folder). */
  file: string;
  input: {
    name: string;
    /** `NCHW` (raw graphs: a batch) or `CHW` (torchvision's standard export: one image). */
    layout: "NCHW" | "CHW";
    dtype: "float32";
    height: number;
    width: number;
    /** `"dynamic"` or the batch sizes the graph accepts. */
    batch: "dynamic" | number[];
    colorOrder: "RGB" | "BGR";
    scale: number;
    mean: [number, number, number];
    std: [number, number, number];
  };
  outputs: ModelOutputSpec[];
  postprocess: { nmsInGraph: boolean; maskActivation: "sigmoid" | "none" };
  classes: ClassSpec[];
  /** Category id of each semantic channel (0 = things) and the logits' stride. */
  semantic?: { classes: number[]; stride: number };
  defaults: {
    scoreThreshold: number;
    nms: { kind: NmsKind; iouThreshold: number; sigma: number };
    maxDetections: number;
    maskThreshold: number;
    panoptic: {
      overlapThreshold: number;
      stuffAreaThreshold: number;
      instanceScoreThreshold: number;
    };
  };
}

type Json = Record<string, unknown>;

/**
 * Checks a parsed `manifest.json` (from `path`, used in messages and to resolve `file`)
 * and returns it typed, with defaults filled. Anything malformed is a `ManifestError`
 * naming the field, what was expected and what was found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManifestError } from "../errors.ts";
 * assert.throws(() => parseManifest({ format: "x" }, "/m/manifest.json"), ManifestError);
 * ```
 */
export function parseManifest(json: unknown, path: string): ModelManifest {
  const at = (field: string) => `${path}: ${field}`;
  const fail = (field: string, expected: string, found: unknown): never => {
    throw new ManifestError(`${at(field)}: expected ${expected}, found ${show(found)}`);
  };
  const obj = (v: unknown, field: string): Json =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? v as Json
      : fail(field, "an object", v);
  const str = (v: unknown, field: string): string =>
    typeof v === "string" && v.length > 0 ? v : fail(field, "a non-empty string", v);
  const num = (v: unknown, field: string, min = -Infinity): number =>
    typeof v === "number" && Number.isFinite(v) && v >= min
      ? v
      : fail(field, `a number ≥ ${min}`, v);
  const positive = (v: unknown, field: string): number =>
    typeof v === "number" && Number.isFinite(v) && v > 0 ? v : fail(field, "a number > 0", v);
  const int = (v: unknown, field: string, min = 0): number =>
    Number.isInteger(v) && (v as number) >= min
      ? v as number
      : fail(field, `an integer ≥ ${min}`, v);
  const oneOf = <T extends string>(v: unknown, field: string, choices: readonly T[]): T =>
    choices.includes(v as T) ? v as T : fail(field, `one of ${choices.join(", ")}`, v);
  const triple = (v: unknown, field: string): [number, number, number] =>
    Array.isArray(v) && v.length === 3 &&
      v.every((x) => typeof x === "number" && Number.isFinite(x))
      ? v as [number, number, number]
      : fail(field, "3 numbers", v);

  const m = obj(json, "manifest");
  if (m.format !== "streamdet-model/1") fail("format", '"streamdet-model/1"', m.format);
  const input = obj(m.input, "input");
  const batch = input.batch === "dynamic"
    ? "dynamic" as const
    : Array.isArray(input.batch) && input.batch.length > 0 &&
        input.batch.every((b) => Number.isInteger(b) && b > 0)
    ? input.batch as number[]
    : fail("input.batch", '"dynamic" or a list of batch sizes', input.batch);
  const std = triple(input.std, "input.std");
  if (std.some((s) => s === 0)) fail("input.std", "non-zero values", std);
  if (!Array.isArray(m.outputs) || m.outputs.length === 0) {
    fail("outputs", "a list of outputs", m.outputs);
  }
  const outputs = (m.outputs as unknown[]).map((o, i): ModelOutputSpec => {
    const spec = obj(o, `outputs[${i}]`);
    const shape = Array.isArray(spec.shape) &&
        spec.shape.every((d) => typeof d === "string" || (Number.isInteger(d) && d >= 0))
      ? spec.shape as (number | string)[]
      : fail(`outputs[${i}].shape`, "a list of sizes and names", spec.shape);
    return {
      name: str(spec.name, `outputs[${i}].name`),
      role: oneOf(spec.role, `outputs[${i}].role`, OUTPUT_ROLES),
      dtype: oneOf(spec.dtype, `outputs[${i}].dtype`, ["float32", "int64", "int32", "uint8"]),
      shape,
    };
  });
  const roles = new Set(outputs.map((o) => o.role));
  for (const need of ["boxes", "scores", "labels"] as const) {
    if (!roles.has(need)) fail("outputs", `an output with role "${need}"`, [...roles]);
  }
  const post = obj(m.postprocess ?? {}, "postprocess");
  const nmsInGraph = typeof post.nmsInGraph === "boolean"
    ? post.nmsInGraph
    : fail("postprocess.nmsInGraph", "true or false", post.nmsInGraph);
  if (!Array.isArray(m.classes) || m.classes.length === 0) {
    fail("classes", "a list of classes", m.classes);
  }
  const classes = (m.classes as unknown[]).map((c, i): ClassSpec => {
    const spec = obj(c, `classes[${i}]`);
    return {
      id: int(spec.id, `classes[${i}].id`, 1),
      name: str(spec.name, `classes[${i}].name`),
      isThing: typeof spec.isThing === "boolean"
        ? spec.isThing
        : fail(`classes[${i}].isThing`, "true or false", spec.isThing),
      color: spec.color === undefined ? [255, 255, 255] : triple(spec.color, `classes[${i}].color`),
    };
  });
  let semantic: ModelManifest["semantic"];
  if (m.semantic !== undefined) {
    const s = obj(m.semantic, "semantic");
    if (
      !Array.isArray(s.classes) || s.classes.length === 0 ||
      !s.classes.every((c) => Number.isInteger(c) && c >= 0 && c < 256)
    ) {
      fail("semantic.classes", "category ids 0..255 per channel", s.classes);
    }
    semantic = { classes: s.classes as number[], stride: int(s.stride, "semantic.stride", 1) };
  }
  if (roles.has("semantic_logits") && semantic === undefined) {
    fail("semantic", "the category ids and stride of the semantic_logits output", m.semantic);
  }
  const d = obj(m.defaults ?? {}, "defaults");
  const nms = obj(d.nms ?? {}, "defaults.nms");
  const pan = obj(d.panoptic ?? {}, "defaults.panoptic");
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "./";
  const file = str(m.file ?? "model.onnx", "file");
  return {
    format: "streamdet-model/1",
    name: str(m.name, "name"),
    kind: oneOf(m.kind, "kind", ["maskrcnn", "fasterrcnn"]),
    file: file.startsWith("/") ? file : dir + file,
    input: {
      name: str(input.name, "input.name"),
      layout: oneOf(input.layout, "input.layout", ["NCHW", "CHW"]),
      dtype: oneOf(input.dtype, "input.dtype", ["float32"]),
      height: int(input.height, "input.height", 1),
      width: int(input.width, "input.width", 1),
      batch,
      colorOrder: oneOf(input.colorOrder ?? "RGB", "input.colorOrder", ["RGB", "BGR"]),
      scale: num(input.scale ?? 1 / 255, "input.scale"),
      mean: triple(input.mean ?? [0, 0, 0], "input.mean"),
      std,
    },
    outputs,
    postprocess: {
      nmsInGraph,
      maskActivation: oneOf(post.maskActivation ?? "sigmoid", "postprocess.maskActivation", [
        "sigmoid",
        "none",
      ]),
    },
    classes,
    semantic,
    defaults: {
      scoreThreshold: num(d.scoreThreshold ?? 0.5, "defaults.scoreThreshold"),
      nms: {
        kind: oneOf(nms.kind ?? "hard", "defaults.nms.kind", NMS_KINDS),
        iouThreshold: num(nms.iouThreshold ?? 0.5, "defaults.nms.iouThreshold", 0),
        // Soft-NMS divides by sigma; Matrix NMS multiplies by it (0: no decay).
        sigma: nms.kind === "matrix"
          ? num(nms.sigma ?? 2, "defaults.nms.sigma", 0)
          : positive(nms.sigma ?? 0.5, "defaults.nms.sigma"),
      },
      maxDetections: int(d.maxDetections ?? 100, "defaults.maxDetections", 1),
      maskThreshold: num(d.maskThreshold ?? 0.5, "defaults.maskThreshold", 0),
      panoptic: {
        overlapThreshold: num(pan.overlapThreshold ?? 0.5, "defaults.panoptic.overlapThreshold", 0),
        stuffAreaThreshold: num(
          pan.stuffAreaThreshold ?? 4096,
          "defaults.panoptic.stuffAreaThreshold",
          0,
        ),
        instanceScoreThreshold: num(
          pan.instanceScoreThreshold ?? 0.5,
          "defaults.panoptic.instanceScoreThreshold",
        ),
      },
    },
  };
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 80 ? text.slice(0, 77) + "..." : text;
}
