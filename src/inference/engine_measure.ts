/**
 * Measuring one engine setting (sessions × intra-op threads × batch × arena × graph
 * optimisation): inference alone, in worker sessions as the runtime runs them, on
 * images prepared beforehand, for a fixed time. The limit benchmark and the engine's
 * self-tuning both measure with it.
 *
 * @module
 */

import { checkInteger, checkNumber } from "../geometry/validate.ts";
import { median } from "../stats.ts";
import type { GraphOptimization, ProviderName } from "./load_model.ts";
import type { InputArray } from "./input_parts.ts";
import { WorkerSession } from "./worker_session.ts";
import type { ModelManifest } from "./manifest.ts";
import { type Normalization, preprocess } from "./preprocess.ts";
import type { PixelFormat } from "../types.ts";

/** How the engine runs a model. */
export interface EngineSetting {
  /** Worker sessions, each running its own batches. */
  sessions: number;
  /** Intra-op threads of each session. */
  threads: number;
  /** Images per run. */
  batch: number;
  /** ONNX Runtime's CPU memory arena. */
  arena: boolean;
  /** ONNX Runtime's graph optimisation level. */
  optimization: GraphOptimization;
  /** Intra-op threads spin while waiting (default false: they sleep). */
  spinning?: boolean;
}

/** What {@link measureSetting} found. */
export interface SettingMeasurement {
  setting: EngineSetting;
  /** Images inferred per second, all sessions together. */
  framesPerSecond: number;
  /** Median milliseconds of one run (one batch in one session). */
  runMs: number;
  /** Images inferred while measuring. */
  frames: number;
  /** Median milliseconds of one run started after the session idled for as long as a
   * run takes, as a live stream's frames arrive ({@link measurePaced}); measured for
   * one-session batch-1 settings, the candidates of one live stream alone. */
  pacedRunMs?: number;
}

/** Options of {@link measureSetting}. */
export interface MeasureOptions {
  /** Providers in order of preference (default `["cpu"]`). */
  providers?: readonly ProviderName[];
  /** How long to measure, after the warm-up (default 1500 ms). */
  durationMs?: number;
  /** Runs per session before measuring (default 2). */
  warmupRuns?: number;
}

/**
 * A compact name of a setting, as benchmarks and status print it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const s = { sessions: 1, threads: 2, batch: 4, arena: true, optimization: "all" } as const;
 * assert.equal(settingName(s), "1 session × 2 threads, batch 4, arena on, optimisation all");
 * ```
 */
export function settingName(s: EngineSetting): string {
  return `${s.sessions} session${s.sessions === 1 ? "" : "s"} × ${s.threads} thread${
    s.threads === 1 ? "" : "s"
  }, batch ${s.batch}, arena ${s.arena ? "on" : "off"}, optimisation ${s.optimization}${
    s.spinning ? ", spinning" : ""
  }`;
}

/**
 * Starts `setting.sessions` worker sessions of the model at `manifestPath`, runs batches
 * of `setting.batch` images taken in turn from `images` (each one image as the graph
 * takes it: the frame's bytes for a uint8 graph, normalised floats for a float32 one),
 * every session kept busy with one run queued behind the one running, and reports the
 * throughput over `durationMs` after a warm-up. Inputs are joined before measuring, so
 * the figure is inference alone (and the transfer to and from the workers).
 *
 * @example
 * ```ts ignore
 * const m = await measureSetting("models/street-maskrcnn/manifest.json",
 *   { sessions: 1, threads: 2, batch: 1, arena: true, optimization: "all" }, images);
 * console.log(m.framesPerSecond);
 * ```
 */
export async function measureSetting(
  manifestPath: string,
  setting: EngineSetting,
  images: readonly InputArray[],
  options: MeasureOptions = {},
): Promise<SettingMeasurement> {
  const fn = "measureSetting";
  checkInteger(fn, "setting.sessions", setting.sessions, 1);
  checkInteger(fn, "setting.threads", setting.threads, 1);
  checkInteger(fn, "setting.batch", setting.batch, 1);
  const durationMs = options.durationMs ?? 1500;
  checkNumber(fn, "options.durationMs", durationMs, 1);
  if (images.length === 0) {
    throw new RangeError(`${fn}(): images: expected at least one image, found none`);
  }
  const sessions: WorkerSession[] = [];
  try {
    for (let i = 0; i < setting.sessions; i++) {
      sessions.push(
        await WorkerSession.start(manifestPath, {
          providers: options.providers,
          intraOpThreads: setting.threads,
          cpuMemArena: setting.arena,
          graphOptimization: setting.optimization,
          spinning: setting.spinning,
        }),
      );
    }
    const m = await measureSessions(sessions, setting.batch, images, options);
    return { setting, ...m };
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
}

/**
 * Measures running sessions (started by the caller and left running): batches of
 * `batch` images taken in turn from `images`, each session kept busy with one run
 * queued behind the one running, for `options.durationMs` after `options.warmupRuns`
 * runs per session. See {@link measureSetting}.
 *
 * @example
 * ```ts ignore
 * const sessions = [await WorkerSession.start("models/street-maskrcnn/manifest.json")];
 * const { framesPerSecond } = await measureSessions(sessions, 2, images, { durationMs: 500 });
 * ```
 */
export async function measureSessions(
  sessions: readonly WorkerSession[],
  batch: number,
  images: readonly InputArray[],
  options: Pick<MeasureOptions, "durationMs" | "warmupRuns"> = {},
): Promise<Omit<SettingMeasurement, "setting">> {
  const durationMs = options.durationMs ?? 1500;
  let next = 0;
  const batchOf = (): InputArray => {
    const parts = Array.from({ length: batch }, () => images[next++ % images.length]);
    return concatImages(parts);
  };
  const warmup = options.warmupRuns ?? 2;
  await Promise.all(sessions.map(async (s) => {
    for (let i = 0; i < warmup; i++) await s.run(batchOf(), batch);
  }));
  const runs: number[] = [];
  let frames = 0;
  const started = performance.now();
  const end = started + durationMs;
  // Two runs in flight per session: the next one is queued in the worker while the
  // current one runs, as the batcher keeps it.
  const loop = async (s: WorkerSession) => {
    let input = batchOf();
    while (performance.now() < end) {
      const r = await s.run(input, batch);
      runs.push(r.runMs);
      frames += batch;
      input = r.input;
    }
  };
  await Promise.all(sessions.flatMap((s) => [loop(s), loop(s)]));
  const elapsed = (performance.now() - started) / 1000;
  return { framesPerSecond: frames / elapsed, runMs: median(runs), frames };
}

/**
 * Measures one running session as a live stream uses it: one image at a time, each run
 * started after the session idled for as long as the run before took (a 15 fps stream
 * of a model that runs in 35 ms leaves about that much idle between frames), for
 * `options.durationMs` (at least 4 runs) after `options.warmupRuns` runs. Between frames,
 * sleeping intra-op threads are woken and caches refilled for every run, which back-to-back
 * runs ({@link measureSessions}) do not see; this is the figure that chooses the setting of
 * one live stream alone. Returns the median run in milliseconds.
 *
 * @example
 * ```ts ignore
 * const session = await WorkerSession.start("models/street-maskrcnn/manifest.json");
 * const ms = await measurePaced(session, images, { durationMs: 600 });
 * ```
 */
export async function measurePaced(
  session: WorkerSession,
  images: readonly InputArray[],
  options: Pick<MeasureOptions, "durationMs" | "warmupRuns"> = {},
): Promise<number> {
  const durationMs = options.durationMs ?? 1500;
  let next = 0;
  // A copy per run: the run transfers its input to the worker.
  const image = () => concatImages([images[next++ % images.length]]);
  for (let i = 0; i < (options.warmupRuns ?? 1); i++) await session.run(image(), 1);
  const runs: number[] = [];
  const end = performance.now() + durationMs;
  while (runs.length < 4 || performance.now() < end) {
    const r = await session.run(image(), 1);
    runs.push(r.runMs);
    await new Promise((resolve) => setTimeout(resolve, r.runMs));
  }
  return median(runs);
}

/**
 * One input made of images as a graph takes them (all of one element type), in order:
 * a batch prepared before a measurement.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const batch = concatImages([new Uint8Array([1, 2]), new Uint8Array([3, 4])]);
 * assert.deepEqual([...batch], [1, 2, 3, 4]);
 * ```
 */
export function concatImages(parts: readonly InputArray[]): InputArray {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const out = parts[0] instanceof Float32Array ? new Float32Array(length) : new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * One image as a graph takes it, from a decoded frame's bytes (`height × width × 3` in
 * `format`): the bytes themselves for a uint8 graph (in its channel order), normalised
 * planar floats for a float32 graph.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const input = { dtype: "uint8", layout: "NHWC", width: 1, height: 1, scale: 1, mean: [0, 0, 0], std: [1, 1, 1], colorOrder: "RGB" } as const;
 * assert.deepEqual([...graphImage(input, new Uint8Array([1, 2, 3]), "rgb24")], [1, 2, 3]);
 * ```
 */
export function graphImage(
  input: Pick<ModelManifest["input"], "dtype" | "width" | "height"> & Normalization,
  frame: Uint8Array,
  format: PixelFormat,
): InputArray {
  if (input.dtype === "uint8") {
    const want = input.colorOrder === "BGR" ? "bgr24" : "rgb24";
    if (format !== want) {
      throw new RangeError(
        `graphImage(): format: expected ${want} (the graph takes the bytes as they are), found ${format}`,
      );
    }
    return frame.slice();
  }
  return preprocess([frame], input.width, input.height, format, input);
}
