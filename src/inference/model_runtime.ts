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
import type { SettingMeasurement } from "./engine_measure.ts";
import {
  type Auto,
  chooseSetting,
  type EngineChoice,
  tuneEngine,
  type Workload,
} from "./engine_tuning.ts";
import { readManifest } from "./load_model.ts";

/** Options of {@link startModel}. */
export interface ModelRuntimeOptions
  extends Omit<LoadModelOptions, "onWarning" | "intraOpThreads" | "cpuMemArena"> {
  /** Worker sessions of this model (default 1), or `"auto"`: measured (see `tune`). */
  sessions?: Auto<number>;
  /** Threads of each session (default `cores / sessions`), or `"auto"`. */
  intraOpThreads?: Auto<number>;
  /** Batch closes at this many frames (default: the largest batch the graph accepts, at
   * most 4: 1 for a single-image graph), or `"auto"`. More than the graph accepts (a
   * single-image graph, or the largest of its fixed sizes) is refused: a `RangeError`
   * naming both. */
  maxBatch?: Auto<number>;
  /** ORT's CPU memory arena (default true: without it, batches of 4 cost up to twice as
   * much per image; see bench/RESULTS.md). */
  cpuMemArena?: boolean;
  /** What the streams ask of the model at load, for an `"auto"` choice (default: one
   * lossless stream); `setWorkload` changes it later. */
  workload?: Workload;
  /** Milliseconds each candidate setting is measured when tuning (default 600). */
  tuneMs?: number;
  /** A file that keeps the tuning's measurements between runs (default none; the CLI
   * passes `defaultTuningCache()`). */
  tuningCache?: string;
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
  /** Intra-op threads of each session. */
  threads: number;
  /** Whether the sessions' idle threads spin (the latency setting of one live stream). */
  spinning: boolean;
  maxBatch: number;
  maxWaitMs: number;
  /** Whether the engine tuned itself (some setting `"auto"`): what it measured and chose. */
  tuning?: TuningStatus;
  /** Frames waiting for a batch. */
  queued: number;
  /** Batches run so far, by size (index = frames). */
  batchSizes: number[];
}

/** What the engine measured at load and what it runs now. */
export interface TuningStatus {
  mode: EngineChoice["mode"];
  reason: string;
  /** The workload the choice was made for. */
  workload: Workload;
  /** Every candidate measured at load, on warm-up images. */
  measurements: SettingMeasurement[];
  /** Times the choice changed since load (streams added or removed). */
  retunes: number;
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
  /** The streams changed: with a tuned engine, re-chooses from the measurements and, if
   * the choice changes, applies it (a new batch size at once; new sessions replace the
   * old ones once they are started). Resolves when applied. */
  setWorkload(workload: Workload): Promise<void>;
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
  const tuning = await tuneIfAuto(manifestPath, options);
  const first = tuning?.choice.setting;
  const count = first?.sessions ?? options.sessions as number | undefined ?? 1;
  checkInteger("startModel", "options.sessions", count, 1);
  const threads = first?.threads ?? options.intraOpThreads as number | undefined ??
    Math.max(1, Math.floor(navigator.hardwareConcurrency / count));
  const arena = options.cpuMemArena ?? true;
  const start = async (n: number, t: number, spinning: boolean): Promise<WorkerSession[]> => {
    const started: WorkerSession[] = [];
    try {
      for (let i = 0; i < n; i++) {
        started.push(
          await WorkerSession.start(manifestPath, {
            providers: options.providers,
            intraOpThreads: t,
            cpuMemArena: arena,
            graphOptimization: options.graphOptimization,
            spinning,
          }),
        );
      }
    } catch (error) {
      await Promise.all(started.map((s) => s.close()));
      throw error;
    }
    return started;
  };
  let spinning = first?.spinning ?? options.spinning ?? false;
  let sessions = await start(count, threads, spinning);
  let sessionThreads = threads;
  const { manifest, provider, warnings } = sessions[0];
  const warn = options.onWarning ?? ((m: string) => console.warn(m));
  for (const w of warnings) warn(w);
  const postprocess = postprocessOptions(manifest, options.postprocess);
  let batcher: Batcher;
  try {
    batcher = new Batcher(sessions, {
      maxBatch: resolveMaxBatch(
        manifest.input,
        first?.batch ?? options.maxBatch as number | undefined,
        "startModel",
        manifest.file,
      ),
      maxWaitMs: options.maxWaitMs,
      postprocess,
    });
  } catch (error) {
    await Promise.all(sessions.map((s) => s.close()));
    throw error;
  }
  let status: TuningStatus | undefined = tuning && {
    mode: tuning.choice.mode,
    reason: tuning.choice.reason,
    workload: tuning.workload,
    measurements: tuning.measured,
    retunes: 0,
  };
  // Re-tunes run one after the other.
  let retuning: Promise<void> = Promise.resolve();
  let closed = false;
  const retune = async (workload: Workload) => {
    if (!tuning || !status || closed) return;
    const choice = chooseSetting(tuning.measured, workload);
    const { setting } = choice;
    const sameSessions = setting.sessions === sessions.length &&
      setting.threads === sessionThreads && (setting.spinning ?? false) === spinning;
    if (sameSessions && setting.batch === batcher.maxBatch) {
      status = { ...status, workload, mode: choice.mode, reason: choice.reason };
      return;
    }
    if (!sameSessions) {
      const fresh = await start(setting.sessions, setting.threads, setting.spinning ?? false);
      if (closed) {
        await Promise.all(fresh.map((s) => s.close()));
        return;
      }
      const old = await batcher.replaceSessions(fresh);
      sessions = fresh;
      sessionThreads = setting.threads;
      spinning = setting.spinning ?? false;
      await Promise.all(old.map((s) => s.close()));
    }
    batcher.maxBatch = setting.batch;
    status = {
      ...status,
      workload,
      mode: choice.mode,
      reason: choice.reason,
      retunes: status.retunes + 1,
    };
  };
  return {
    manifest,
    postprocess,
    detect: (frame, geometry, options) => batcher.submit(frame, geometry, options),
    setExpectedFrames: (n) => batcher.expected = n > 0 ? n : Infinity,
    setWorkload: (workload) => retuning = retuning.then(() => retune(workload)),
    status: () => ({
      name: manifest.name,
      kind: manifest.kind,
      provider,
      warnings: [...warnings],
      sessions: sessions.length,
      threads: sessionThreads,
      spinning,
      maxBatch: batcher.maxBatch,
      maxWaitMs: batcher.maxWaitMs,
      queued: batcher.queued,
      batchSizes: [...batcher.batchSizes],
      ...(status ? { tuning: status } : {}),
    }),
    close: async () => {
      closed = true;
      batcher.close();
      await retuning.catch(() => {});
      await Promise.all(sessions.map((s) => s.close()));
    },
  };
}

/** Measures the candidate settings when some setting is `"auto"` (absent ones are then
 * measured too; given numbers stay as given). */
async function tuneIfAuto(
  manifestPath: string,
  options: ModelRuntimeOptions,
): Promise<
  { measured: SettingMeasurement[]; choice: EngineChoice; workload: Workload } | undefined
> {
  const auto = [options.sessions, options.intraOpThreads, options.maxBatch].includes("auto");
  if (!auto) return undefined;
  const manifest = await readManifest(manifestPath);
  const measured = await tuneEngine(manifestPath, manifest, {
    providers: options.providers,
    sessions: options.sessions,
    threads: options.intraOpThreads,
    maxBatch: options.maxBatch,
    arena: options.cpuMemArena ?? true,
    optimization: options.graphOptimization,
    durationMs: options.tuneMs,
    diskCache: options.tuningCache,
  });
  const workload = options.workload ?? { live: 0, lossless: 1 };
  return { measured, choice: chooseSetting(measured, workload), workload };
}
