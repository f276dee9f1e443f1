/**
 * One model of a pipeline configuration (an entry of its `models`, keyed by id): its
 * manifest, where it runs, how frames are batched, and overrides of the manifest's
 * post-processing defaults.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";
import { intIn, numberIn } from "./ranges.ts";
import { NMS_KINDS } from "./nms_kinds.ts";
import { PROVIDERS } from "./providers.ts";

const fraction = () => numberIn(0, 1).optional();
const nonNegative = () => z.number().min(0).optional();

/**
 * Overrides of the panoptic fusion settings of a manifest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(PanopticOverridesSchema, { stuffAreaThreshold: 1024 }), []);
 * ```
 */
export const PanopticOverridesSchema = strictObject({
  overlapThreshold: nonNegative().describe(
    "Skip an instance when more than this fraction of it is already taken.",
  ),
  stuffAreaThreshold: nonNegative().describe(
    "Keep a stuff region only with at least this many free pixels.",
  ),
  instanceScoreThreshold: nonNegative().describe(
    "Stop at the first instance scoring below this.",
  ),
}, { description: "Panoptic fusion settings." });

/**
 * Overrides of a manifest's post-processing defaults (each field optional).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(PostprocessOverridesSchema, { iouThreshold: 2 }), [
 *   { path: ["iouThreshold"], expected: "a number in [0, 1]", found: "the number 2" },
 * ]);
 * ```
 */
export const PostprocessOverridesSchema = strictObject({
  nms: z.enum(NMS_KINDS).optional().describe("The final NMS."),
  iouThreshold: fraction().describe("IoU threshold of hard and linear Soft-NMS."),
  sigma: z.number().min(1e-6).optional().describe("Gaussian sigma of Soft-NMS and Matrix NMS."),
  scoreThreshold: fraction().describe("Detections scoring below this after NMS are dropped."),
  maxDetections: z.int().min(0).optional().describe(
    "At most this many detections per frame, the highest scores.",
  ),
  maskThreshold: fraction().describe("Mask probability threshold when pasting."),
  panoptic: z.union([z.literal(false), PanopticOverridesSchema]).optional().describe(
    "Panoptic fusion settings, or false: no panoptic map.",
  ),
}, { description: "Overrides of the manifest's post-processing defaults." });

/**
 * One model, as a configuration gives it (defaults filled; its id is its key in
 * `models`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWire } from "./parse.ts";
 * const m = parseWire(ModelConfigSchema, { manifest: "m/manifest.json" }, "p.json: models.m");
 * // maxBatch: resolved when the model loads (the largest batch its graph accepts, at most 4).
 * assert.deepEqual([m.providers, m.sessions, m.maxBatch, m.maxWaitMs], [["cpu"], 1, undefined, 10]);
 * assert.throws(
 *   () => parseWire(ModelConfigSchema, { manifest: "m", maxBatch: 0 }, "p.json: models.m"),
 *   { message: "p.json: models.m: maxBatch: expected an integer in [1, 256], found the number 0" },
 * );
 * ```
 */
export const ModelConfigSchema = strictObject({
  manifest: z.string().min(1).describe(
    "The model's manifest.json (relative paths are relative to the configuration file).",
  ),
  providers: z.array(z.enum(PROVIDERS)).default(() => ["cpu" as const]).describe(
    'Execution providers in order of preference: the first that starts is used, the others are skipped with a warning (default ["cpu"]).',
  ),
  sessions: z.union([intIn(1, 64), z.literal("auto")]).default(1).describe(
    'Worker sessions (default 1), or "auto": measured at load with threads and maxBatch (see docs/engine-tuning.md).',
  ),
  intraOpThreads: z.union([intIn(1, 256), z.literal("auto")]).optional().describe(
    'Threads of each session (default: cores / sessions), or "auto".',
  ),
  maxBatch: z.union([intIn(1, 256), z.literal("auto")]).optional().describe(
    "A batch closes at this many frames (default: the largest batch the model's graph accepts, at most 4; 1 for a single-image graph; more than the graph accepts fails the model's loading), or \"auto\"...",
  ),
  maxWaitMs: numberIn(0, 10_000).default(10).describe(
    "...or this long after its first frame, ms (default 10), or when every frame its streams may have in flight is queued.",
  ),
  arena: z.boolean().default(true).describe(
    "ONNX Runtime's CPU memory arena (default true: batches cost no more per frame than single frames).",
  ),
  tuneMs: intIn(50, 10_000).default(600).describe(
    'Milliseconds each candidate setting is measured when some setting is "auto" (default 600).',
  ),
  postprocess: PostprocessOverridesSchema.default(() => ({})),
}, { description: "One model: its manifest, where it runs, how frames are batched." });
