/**
 * The model manifest (`models/<name>/manifest.json`, models/README.md "manifest.json"):
 * its type and its parser. The format itself (fields, defaults, ranges) is the wire
 * schema `ManifestSchema` in src/wire/manifest.ts.
 *
 * @module
 */

import type { z } from "zod";
import { ManifestError } from "../errors.ts";
import { parseWire } from "../wire/parse.ts";
import {
  type ClassSpec,
  type MANIFEST_FORMAT,
  type ManifestInputSchema,
  ManifestSchema,
  type ModelKind,
  type ModelOutputSpec,
  type SemanticSpecSchema,
} from "../wire/manifest.ts";
import type { ManifestDefaultsSchema } from "../wire/manifest_defaults.ts";
import type { KeypointSpec } from "../wire/keypoint_spec.ts";
import type { SingleStageSpec } from "../wire/single_stage_spec.ts";
import type { Solov2Spec } from "../wire/solov2_spec.ts";

export { OUTPUT_ROLES, type OutputRole } from "../wire/manifest.ts";
export type { ClassSpec, ModelOutputSpec };

/** A checked manifest with every default filled. */
export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  name: string;
  kind: ModelKind;
  /** Absolute path of the graph (the manifest's `file`, resolved against its folder). */
  file: string;
  /** The graph's input: name, layout (`NCHW`: a batch; `CHW`: one image), size, the batch
   * sizes it accepts (`"dynamic"` or a list), and the normalisation of pixels. */
  input: z.output<typeof ManifestInputSchema>;
  outputs: ModelOutputSpec[];
  postprocess: { nmsInGraph: boolean; maskActivation: "sigmoid" | "none" };
  classes: ClassSpec[];
  /** Category id of each semantic channel (0 = things) and the logits' stride. */
  semantic?: z.output<typeof SemanticSpecSchema>;
  /** The keypoints of a `keypointrcnn` model: names, skeleton, sigmas, encoding. */
  keypoints?: KeypointSpec;
  /** The pyramid levels, anchors and decoding of an `fcos` / `retinanet` model. */
  singleStage?: SingleStageSpec;
  /** The grids and post-processing of a `solov2` model. */
  solov2?: Solov2Spec;
  defaults: z.output<typeof ManifestDefaultsSchema>;
}

/**
 * Checks a parsed `manifest.json` (from `path`, used in messages and to resolve `file`)
 * and returns it typed, with defaults filled. Anything malformed is a `ManifestError`
 * whose message names the file and the field, what was expected and what was found, and
 * whose `issues` list every problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManifestError } from "../errors.ts";
 * assert.throws(() => parseManifest({ format: "x" }, "/m/manifest.json"), ManifestError);
 * assert.throws(
 *   () => parseManifest({ format: "x" }, "/m/manifest.json"),
 *   /ManifestError: \/m\/manifest\.json: format: expected "streamdet-model\/1", found the string "x"/,
 * );
 * ```
 */
export function parseManifest(json: unknown, path: string): ModelManifest {
  const m = parseWire(ManifestSchema, json, path, ManifestError);
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "./";
  return {
    format: m.format,
    name: m.name,
    kind: m.kind,
    file: m.file.startsWith("/") ? m.file : dir + m.file,
    input: m.input,
    outputs: m.outputs,
    postprocess: {
      nmsInGraph: m.postprocess.nmsInGraph,
      maskActivation: m.postprocess.maskActivation,
    },
    classes: m.classes,
    semantic: m.semantic,
    ...(m.keypoints ? { keypoints: m.keypoints } : {}),
    ...(m.singleStage ? { singleStage: m.singleStage } : {}),
    ...(m.solov2 ? { solov2: m.solov2 } : {}),
    defaults: m.defaults,
  };
}
