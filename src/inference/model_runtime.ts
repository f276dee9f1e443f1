/**
 * A model ready to serve streams: worker sessions on the preferred execution provider,
 * a cross-stream batcher in front of them, and post-processing settings resolved from
 * the manifest's defaults and the caller's overrides.
 *
 * @module
 */

import type { Frame } from "../types.ts";
import type { FrameGeometry } from "../types.ts";
import { checkInteger } from "../geometry/validate.ts";
import { Batcher, type BatchResult, resolveMaxBatch, type SubmitOptions } from "./batcher.ts";
import type { LoadModelOptions, ProviderName } from "./load_model.ts";
import type { ModelManifest } from "./manifest.ts";
import { type PostprocessOptions, postprocessOptions } from "./postprocess.ts";
import { WorkerSession } from "./worker_session.ts";

/** Options of {@link startModel}. */
export interface ModelRuntimeOptions extends Omit<LoadModelOptions, "onWarning"> {
  /** Worker sessions of this model (default 1); each gets `cores / sessions` threads. */
  sessions?: number;
  /** Batch closes at this many frames (default: the largest batch the graph accepts, at
   * most 4: 1 for a single-image CHW graph). More than the graph accepts (a CHW graph, or
   * the largest of its fixed sizes) is refused: a `RangeError` naming both. */
  maxBatch?: number;
  /** Batch closes this long after its first frame (default 10 ms). */
  maxWaitMs?: number;
  /** Overrides of the manifest's post-processing defaults. */
  postprocess?: Partial<PostprocessOptions>;
  /** Called with each warning (default `console.warn`). */
  onWarning?: (message: string) => void;
}

/** What a running model reports about itself. */
export interface ModelStatus {
  name: string;
  kind: ModelManifest["kind"];
  /** The execution provider actually used. */
  provider: ProviderName;
  /** Providers skipped, and why. */
  warnings: string[];
  sessions: number;
  maxBatch: number;
  maxWaitMs: number;
  /** Frames waiting for a batch. */
  queued: number;
  /** Batches run so far, by size (index = frames). */
  batchSizes: number[];
}

/** A started model; see {@link startModel}. */
export interface ModelRuntime {
  readonly manifest: ModelManifest;
  readonly postprocess: PostprocessOptions;
  /** Queues a frame (at the model's input size) and resolves with its detections. */
  detect(frame: Frame, geometry: FrameGeometry, options?: SubmitOptions): Promise<BatchResult>;
  status(): ModelStatus;
  /** Tells the batcher how many frames can be waiting at most (see `Batcher.expected`). */
  setExpectedFrames(n: number): void;
  /** Stops the batcher and the workers. */
  close(): Promise<void>;
}

/**
 * Starts `options.sessions` worker sessions of the model at `manifestPath` and a batcher
 * in front of them. Post-processing defaults come from the manifest (`defaults`, its
 * semantic classes) and can be overridden per field. The batch size comes from the
 * graph: `maxBatch` defaults to the largest batch it accepts (at most 4), and more than
 * that is refused.
 *
 * @example
 * ```ts ignore
 * const model = await startModel("models/street-maskrcnn/manifest.json", { providers: ["webgpu", "cpu"] });
 * const { detections, timing } = await model.detect(frame, geometry);
 * console.log(model.status().provider);
 * await model.close();
 * ```
 */
export async function startModel(
  manifestPath: string,
  options: ModelRuntimeOptions = {},
): Promise<ModelRuntime> {
  const count = options.sessions ?? 1;
  checkInteger("startModel", "options.sessions", count, 1);
  const threads = options.intraOpThreads ??
    Math.max(1, Math.floor(navigator.hardwareConcurrency / count));
  const loadOptions = { providers: options.providers, intraOpThreads: threads };
  const sessions: WorkerSession[] = [];
  try {
    for (let i = 0; i < count; i++) {
      sessions.push(await WorkerSession.start(manifestPath, loadOptions));
    }
  } catch (error) {
    await Promise.all(sessions.map((s) => s.close()));
    throw error;
  }
  const { manifest, provider, warnings } = sessions[0];
  const warn = options.onWarning ?? ((m: string) => console.warn(m));
  for (const w of warnings) warn(w);
  const postprocess = postprocessOptions(manifest, options.postprocess);
  let batcher: Batcher;
  try {
    batcher = new Batcher(sessions, {
      maxBatch: resolveMaxBatch(manifest.input, options.maxBatch, "startModel", manifest.file),
      maxWaitMs: options.maxWaitMs,
      postprocess,
    });
  } catch (error) {
    await Promise.all(sessions.map((s) => s.close()));
    throw error;
  }
  return {
    manifest,
    postprocess,
    detect: (frame, geometry, options) => batcher.submit(frame, geometry, options),
    setExpectedFrames: (n) => batcher.expected = n > 0 ? n : Infinity,
    status: () => ({
      name: manifest.name,
      kind: manifest.kind,
      provider,
      warnings: [...warnings],
      sessions: sessions.length,
      maxBatch: batcher.maxBatch,
      maxWaitMs: batcher.maxWaitMs,
      queued: batcher.queued,
      batchSizes: [...batcher.batchSizes],
    }),
    close: async () => {
      batcher.close();
      await Promise.all(sessions.map((s) => s.close()));
    },
  };
}
