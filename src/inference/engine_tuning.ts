/**
 * The engine tunes itself: at model load, settings left `"auto"` (sessions, intra-op
 * threads, batch size) are measured on warm-up images for a moment each, and the best
 * for the model's workload is chosen: throughput for lossless streams or several streams
 * sharing the model, the lowest batch-1 latency for one live stream (if it keeps up with
 * the stream's rate). The measurements are kept, so a change of workload (streams added
 * or removed) re-chooses without measuring again.
 *
 * @module
 */

import { checkInteger } from "../geometry/validate.ts";
import type { GraphOptimization, ProviderName } from "./load_model.ts";
import type { ModelManifest } from "./manifest.ts";
import { graphMaxBatch } from "./batcher.ts";
import {
  type EngineSetting,
  graphImage,
  measurePaced,
  measureSessions,
  type SettingMeasurement,
  settingName,
} from "./engine_measure.ts";
import type { InputArray } from "./input_parts.ts";
import type { Normalization } from "./preprocess.ts";
import { WorkerSession } from "./worker_session.ts";
import { readTuning, tuningKey, writeTuning } from "./tuning_cache.ts";

/** A setting of the engine that is measured (`"auto"`) or given. */
export type Auto<T> = T | "auto";

/** What the streams of a model ask of it. */
export interface Workload {
  /** Live streams (read in real time, frames dropped when late). */
  live: number;
  /** Lossless streams (files: every frame, as fast as possible). */
  lossless: number;
  /** The highest frame rate of the live streams, when known (frames/s). */
  liveFps?: number;
}

/** What the engine chose, and why. */
export interface EngineChoice {
  /** `"throughput"`: most frames per second; `"latency"`: fastest single-image run. */
  mode: "throughput" | "latency";
  setting: EngineSetting;
  /** In words: the mode's reason and the figure that decided. */
  reason: string;
}

/** Options of {@link tuneEngine}. */
export interface TuneOptions {
  providers?: readonly ProviderName[];
  /** Given values win; `"auto"` (or absent) values are measured. */
  sessions?: Auto<number>;
  threads?: Auto<number>;
  maxBatch?: Auto<number>;
  /** ORT's CPU memory arena (default true). */
  arena?: boolean;
  optimization?: GraphOptimization;
  /** Milliseconds measured per candidate (default 600). */
  durationMs?: number;
  /** Cores to share (default: the machine's). */
  cores?: number;
  /** Reuse this process's earlier measurements of the same model and candidates
   * (default true). */
  cache?: boolean;
  /** A file that keeps measurements between runs (`tuning_cache.ts`; default none). */
  diskCache?: string;
}

/**
 * The candidate settings for a model: every combination of the sessions and threads
 * that share the cores (one session with all of them, one per two cores, ...) and the
 * batch sizes the graph accepts up to 4, restricted to the values given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const input = { layout: "NHWC", batch: "dynamic" } as const;
 * const c = candidateSettings(input, { cores: 2 });
 * assert.deepEqual(c.map((s) => [s.sessions, s.threads, s.batch, s.spinning ?? false]), [
 *   [1, 2, 1, false], [1, 2, 2, false], [1, 2, 4, false],
 *   [2, 1, 1, false], [2, 1, 2, false], [2, 1, 4, false],
 *   [1, 2, 1, true], // the latency candidate: one session, spinning threads
 * ]);
 * assert.equal(candidateSettings(input, { cores: 2, sessions: 1, maxBatch: 4 }).length, 1);
 * ```
 */
export function candidateSettings(
  input: Pick<ModelManifest["input"], "layout" | "batch">,
  options: Omit<TuneOptions, "providers" | "durationMs" | "cache"> = {},
): EngineSetting[] {
  const cores = options.cores ?? navigator.hardwareConcurrency;
  checkInteger("candidateSettings", "options.cores", cores, 1);
  const largest = graphMaxBatch(input);
  const fixedSizes = input.batch === "dynamic" ? undefined : input.batch;
  const batches = options.maxBatch !== undefined && options.maxBatch !== "auto"
    ? [options.maxBatch]
    : [1, 2, 4].filter((b) => b <= largest && (!fixedSizes || fixedSizes.includes(b)));
  const sessionCounts = options.sessions !== undefined && options.sessions !== "auto"
    ? [options.sessions]
    : [...new Set([1, Math.min(cores, 2)])];
  const out: EngineSetting[] = [];
  for (const sessions of sessionCounts) {
    const threads = options.threads !== undefined && options.threads !== "auto"
      ? options.threads
      : Math.max(1, Math.floor(cores / sessions));
    for (const batch of batches.length > 0 ? batches : [1]) {
      out.push({
        sessions,
        threads,
        batch,
        arena: options.arena ?? true,
        optimization: options.optimization ?? "all",
      });
    }
  }
  // One session at batch 1 with spinning threads: the latency candidate for a live stream.
  const single = out.find((s) => s.sessions === 1 && s.batch === 1 && s.threads > 1);
  if (single) out.push({ ...single, spinning: true });
  return out;
}

/**
 * Deterministic warm-up images at the model's input size, as the graph takes them: a
 * textured street-like picture (gradients, blocks, noise), so that the graph's proposals
 * and heads do about the work of a real frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const input = { dtype: "uint8", width: 8, height: 4, scale: 1, mean: [0, 0, 0],
 *   std: [1, 1, 1], colorOrder: "RGB" } as const;
 * const [a, b] = warmupImages(input, 2);
 * assert.equal(a.length, 8 * 4 * 3);
 * assert.notDeepEqual(a, b);
 * ```
 */
export function warmupImages(
  input: Pick<ModelManifest["input"], "dtype" | "width" | "height"> & Normalization,
  count: number,
): InputArray[] {
  const { width, height } = input;
  const out: InputArray[] = [];
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let n = 0; n < count; n++) {
    const bytes = new Uint8Array(width * height * 3);
    const blocks = Array.from({ length: 12 }, () => ({
      x: random() * width,
      y: random() * height,
      w: 8 + random() * width / 6,
      h: 8 + random() * height / 4,
      c: [random() * 255, random() * 255, random() * 255],
    }));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = 3 * (y * width + x);
        const block = blocks.find((b) => x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h);
        for (let c = 0; c < 3; c++) {
          const base = block ? block.c[c] : (y / height) * 160 + (x / width) * 60;
          bytes[i + c] = Math.max(0, Math.min(255, base + (random() - 0.5) * 30));
        }
      }
    }
    const format = input.colorOrder === "BGR" ? "bgr24" : "rgb24";
    out.push(graphImage(input, bytes, format));
  }
  return out;
}

/**
 * Measures every candidate setting of the model at `manifestPath` (see
 * {@link candidateSettings}) on warm-up images, `options.durationMs` each, starting the
 * sessions of each sessions × threads combination once for all its batch sizes. A
 * process measures the same model and candidates once (`options.cache`); with
 * `options.diskCache`, measurements younger than a week are read from that file instead,
 * and new ones written to it.
 *
 * @example
 * ```ts ignore
 * const measured = await tuneEngine("models/street-maskrcnn/manifest.json", manifest, {});
 * const choice = chooseSetting(measured, { live: 1, lossless: 0, liveFps: 15 });
 * ```
 */
export function tuneEngine(
  manifestPath: string,
  manifest: ModelManifest,
  options: TuneOptions = {},
): Promise<SettingMeasurement[]> {
  const candidates = candidateSettings(manifest.input, options);
  // "paced": measurements from before pacedRunMs existed are not reused.
  const depends = [candidates, options.providers, options.durationMs, "paced"];
  const key = JSON.stringify([manifestPath, depends]);
  const measure = async () => {
    const disk = options.diskCache;
    const diskKey = disk ? await tuningKey(manifest.file, depends) : undefined;
    if (disk && diskKey) {
      const stored = await readTuning(disk, diskKey);
      if (stored) return stored;
    }
    const measured = await measureAll(manifestPath, manifest, candidates, options);
    if (disk && diskKey) await writeTuning(disk, diskKey, measured);
    return measured;
  };
  if (options.cache === false) return measure();
  let measured = CACHE.get(key);
  if (!measured) {
    measured = measure();
    CACHE.set(key, measured);
    measured.catch(() => CACHE.delete(key));
  }
  return measured;
}

/** Measurements by model and candidates: a process measures a model's settings once
 * (another load of the same model, e.g. the next `detect` job of a batch, reuses them). */
const CACHE = new Map<string, Promise<SettingMeasurement[]>>();

async function measureAll(
  manifestPath: string,
  manifest: ModelManifest,
  candidates: EngineSetting[],
  options: TuneOptions,
): Promise<SettingMeasurement[]> {
  const images = warmupImages(manifest.input, 4);
  const out: SettingMeasurement[] = [];
  const groups = new Map<string, EngineSetting[]>();
  for (const c of candidates) {
    const key = `${c.sessions}x${c.threads}${c.spinning ? "s" : ""}`;
    groups.set(key, [...groups.get(key) ?? [], c]);
  }
  for (const settings of groups.values()) {
    const { sessions: count, threads, arena, optimization, spinning } = settings[0];
    const sessions: WorkerSession[] = [];
    try {
      for (let i = 0; i < count; i++) {
        sessions.push(
          await WorkerSession.start(manifestPath, {
            providers: options.providers,
            intraOpThreads: threads,
            cpuMemArena: arena,
            graphOptimization: optimization,
            spinning,
          }),
        );
      }
      for (const setting of settings) {
        const durationMs = options.durationMs ?? 600;
        const m: SettingMeasurement = {
          setting,
          ...await measureSessions(sessions, setting.batch, images, { durationMs, warmupRuns: 1 }),
        };
        if (count === 1 && setting.batch === 1) {
          m.pacedRunMs = await measurePaced(sessions[0], images, { durationMs, warmupRuns: 0 });
        }
        out.push(m);
      }
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  }
  return out;
}

/** The share of a setting's inference-only rate that a stream gets through the whole
 * pipeline on the same cores (decoding, post-processing and publishing take the rest):
 * 0.86–1.1 in the bench's lossless runs (bench/RESULTS.md), so 0.85. */
export const PIPELINE_SHARE = 0.85;

/**
 * The frame rate a live stream can have on a batch-1 setting: one frame per run as a live
 * stream runs it (`pacedRunMs`, between frames; back to back when not measured), times
 * {@link PIPELINE_SHARE}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const setting = { sessions: 1, threads: 2, batch: 1, arena: true, optimization: "all" as const };
 * const paced = { setting, runMs: 25, framesPerSecond: 40, frames: 40, pacedRunMs: 34 };
 * assert.equal(Math.round(keepUpRate(paced)), 25); // 1000 / 34 ms × 0.85
 * assert.equal(Math.round(keepUpRate({ ...paced, pacedRunMs: undefined })), 34); // 40 × 0.85
 * ```
 */
export function keepUpRate(m: SettingMeasurement): number {
  const perSecond = m.pacedRunMs === undefined ? m.framesPerSecond : 1000 / m.pacedRunMs;
  return perSecond * PIPELINE_SHARE;
}

/** How much slower (measured back to back) a spinning batch-1 setting may be and still
 * be chosen for one live stream, where no paced measurement exists: see
 * {@link chooseSetting}. */
export const SPIN_MARGIN = 0.05;

/**
 * The setting for a workload, from measurements: one live stream alone runs at batch 1
 * on the one-session setting whose run was fastest between frames (`pacedRunMs`: sleeping
 * or spinning intra-op threads, measured as a live stream uses them), if that keeps up with
 * its frame rate (`liveFps`, with the margin of {@link keepUpRate}); a stream that outruns
 * it gets the most frames per second instead, and fills the sessions (`streamWindow`).
 * Measurements without paced figures (made elsewhere) fall back to the fastest
 * back-to-back run, the spinning one when within {@link SPIN_MARGIN} of it. Anything
 * else (lossless streams, several streams sharing the model) runs on the setting with the
 * most frames per second, the smaller batch when two are within 3%.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const s = (sessions: number, batch: number) =>
 *   ({ sessions, threads: 2 / sessions, batch, arena: true, optimization: "all" as const });
 * const measured = [
 *   { setting: s(1, 1), framesPerSecond: 25, runMs: 40, frames: 25, pacedRunMs: 43 },
 *   { setting: s(1, 4), framesPerSecond: 30, runMs: 133, frames: 30 },
 *   { setting: s(2, 1), framesPerSecond: 29.5, runMs: 68, frames: 30 },
 * ];
 * assert.equal(chooseSetting(measured, { live: 1, lossless: 0, liveFps: 15 }).setting.batch, 1);
 * assert.equal(chooseSetting(measured, { live: 0, lossless: 1 }).setting.sessions, 2);
 * ```
 */
export function chooseSetting(
  measured: readonly SettingMeasurement[],
  workload: Workload,
): EngineChoice {
  if (measured.length === 0) {
    throw new RangeError(
      "chooseSetting(): measured: expected at least one measurement, found none",
    );
  }
  const alone = workload.live === 1 && workload.lossless === 0;
  if (alone) {
    const single = measured.filter((m) => m.setting.batch === 1);
    const paced = single.filter((m) => m.pacedRunMs !== undefined);
    let fastest: SettingMeasurement | undefined;
    if (paced.length > 0) {
      fastest = paced.reduce((a, b) => (b.pacedRunMs! < a.pacedRunMs! ? b : a));
    } else {
      fastest = single.reduce<SettingMeasurement | undefined>(
        (a, b) => (a === undefined || b.runMs < a.runMs ? b : a),
        undefined,
      );
      // Back to back, spinning threads gain little; between a live stream's frames,
      // sleeping threads are woken (and caches refilled) for every run, and spinning ones
      // ran about a tenth faster (bench/RESULTS.md, throughput round). So spinning wins
      // unless it measured more than SPIN_MARGIN slower.
      const spinning = single.find((m) => m.setting.spinning);
      if (fastest && spinning && spinning.runMs <= (1 + SPIN_MARGIN) * fastest.runMs) {
        fastest = spinning;
      }
    }
    const keepsUp = fastest &&
      (workload.liveFps === undefined || keepUpRate(fastest) >= workload.liveFps);
    if (fastest && keepsUp) {
      return {
        mode: "latency",
        setting: fastest.setting,
        reason: `one live stream: the fastest single-frame run${
          fastest.pacedRunMs === undefined
            ? ` (${fastest.runMs.toFixed(1)} ms`
            : ` between frames (${fastest.pacedRunMs.toFixed(1)} ms; back to back ${
              fastest.runMs.toFixed(1)
            } ms`
        }, ${settingName(fastest.setting)})`,
      };
    }
  }
  // Spinning threads take the cores the decoder and post-processing need: latency only.
  const sleeping = measured.filter((m) => !m.setting.spinning);
  const pool = sleeping.length > 0 ? sleeping : measured;
  const best = pool.reduce((a, b) => (b.framesPerSecond > a.framesPerSecond ? b : a));
  const close = pool.filter((m) => m.framesPerSecond >= 0.97 * best.framesPerSecond);
  const pick = close.reduce((a, b) =>
    b.setting.batch < a.setting.batch ||
      (b.setting.batch === a.setting.batch && b.framesPerSecond > a.framesPerSecond)
      ? b
      : a
  );
  const why = alone
    ? `one live stream faster (${workload.liveFps} fps) than a single-frame run keeps up with`
    : workload.live + workload.lossless > 1
    ? `${workload.live + workload.lossless} streams share the model`
    : workload.lossless === 1
    ? "a lossless stream"
    : "no stream yet";
  return {
    mode: "throughput",
    setting: pick.setting,
    reason: `${why}: the most frames per second (${pick.framesPerSecond.toFixed(1)} frames/s, ${
      settingName(pick.setting)
    })`,
  };
}
