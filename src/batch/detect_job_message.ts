/**
 * The payload of a distributed detect job (`deno task detect --queue`): one input and
 * everything a worker needs to write exactly what a single-machine `detect` of the same
 * run writes for it: the input, its stream id in the run, its output paths, the model and
 * the options. Paths are absolute and must mean the same files on every worker (a shared
 * mount). The run and job ids travel in the queue's subject, not here.
 *
 * ```json
 * {"v":1,"input":"/shared/in/c3.mp4","streamId":"input-3","outDir":"/shared/out",
 *  "paths":{"jsonl":"/shared/out/c3.jsonl","coco":"/shared/out/c3.coco.json"},
 *  "manifest":"/shared/models/street-fasterrcnn/manifest.json","postprocess":{"scoreThreshold":0.5}}
 * ```
 *
 * @module
 */

import { z } from "zod";
import { StreamdetError } from "../errors.ts";
import { parseWire } from "../wire/parse.ts";
import { strictObject } from "../wire/strict_object.ts";
import { STREAM_ID } from "../wire/ids.ts";
import { numberIn } from "../wire/ranges.ts";
import type { PostprocessOptions } from "../inference/postprocess.ts";
import type { AnalyticsFields } from "../pipeline/stream_analytics_config.ts";
import type { OutputPaths } from "./output_paths.ts";

/** The payload's version. */
export const DETECT_JOB_VERSION = 1;

/** One input of a distributed detect run. */
export interface DetectJobMessage {
  /** {@link DETECT_JOB_VERSION}. */
  v: 1;
  /** The input: a video file, an image folder (ending with `/`) or glob, absolute. */
  input: string;
  /** Its stream id, as the single-machine run numbers it (`input-<k>`): it is in every
   * result message. */
  streamId: string;
  /** The run's output folder (the submitter creates it). */
  outDir: string;
  /** Where the input's outputs go. */
  paths: OutputPaths;
  /** The model's manifest. */
  manifest: string;
  /** Overrides of the manifest's post-processing defaults (checked when the model loads). */
  postprocess: Partial<PostprocessOptions>;
  /** Frames per second of an image folder or glob. */
  imageRate?: number;
  /** Tracking, lines and zones of the input (checked when its stream starts). */
  analytics?: AnalyticsFields;
  /** Write the run's timings as zeros (see `ResultFilesOptions.reproducible`). */
  reproducible?: boolean;
}

const absolute = z.string().regex(/^\//, { error: "an absolute path" });

const DetectJobSchema = strictObject({
  v: z.literal(DETECT_JOB_VERSION),
  input: absolute,
  streamId: z.string().regex(STREAM_ID, { error: "a stream id" }),
  outDir: absolute,
  paths: strictObject({
    jsonl: absolute.optional(),
    coco: absolute.optional(),
    video: absolute.optional(),
    mot: absolute.optional(),
    counts: absolute.optional(),
  }).refine((p) => p.jsonl !== undefined || p.coco !== undefined, {
    error: "a jsonl or coco path",
  }),
  manifest: absolute,
  postprocess: z.record(z.string(), z.unknown()),
  imageRate: numberIn(0.001, 1000).optional(),
  analytics: z.record(z.string(), z.unknown()).optional(),
  reproducible: z.boolean().optional(),
});

/**
 * Checks a received payload; throws a `StreamdetError` naming `where` and the first
 * issue.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const job = parseDetectJob({
 *   v: 1, input: "/in/a.mp4", streamId: "input-0", outDir: "/out",
 *   paths: { jsonl: "/out/a.jsonl" }, manifest: "/m/manifest.json", postprocess: {},
 * }, "job r1.0");
 * assert.equal(job.streamId, "input-0");
 * assert.throws(() => parseDetectJob({ ...job, input: "a.mp4" }, "job r1.0"), {
 *   message: 'job r1.0: input: expected an absolute path, found the string "a.mp4"',
 * });
 * ```
 */
export function parseDetectJob(value: unknown, where: string): DetectJobMessage {
  return parseWire(DetectJobSchema, value, where, StreamdetError) as DetectJobMessage;
}
