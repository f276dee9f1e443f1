/**
 * The engine's measurements kept on disk between runs, so that a model loaded again on
 * the same machine (the next `deno task detect`, a restarted server) starts without
 * measuring: one JSON file of entries keyed by the graph (path, size, modification
 * time), the candidates, the providers, the measuring time and the machine's cores and
 * architecture, each valid for a week.
 *
 * @module
 */

import type { SettingMeasurement } from "./engine_measure.ts";

/** How long measurements stay valid (the machine's load and software change). */
export const TUNING_TTL_MS = 7 * 24 * 3600 * 1000;

interface Entry {
  measuredAt: number;
  measurements: SettingMeasurement[];
}

/**
 * The default cache file: `$STREAMDET_TUNING_CACHE` (`"off"`: none), else
 * `$XDG_CACHE_HOME/streamdet/tuning.json`, else `~/.cache/streamdet/tuning.json`;
 * `undefined` when none can be named (no permission to read the environment, no home).
 *
 * @example
 * ```ts ignore
 * console.log(defaultTuningCache()); // "/root/.cache/streamdet/tuning.json"
 * ```
 */
export function defaultTuningCache(): string | undefined {
  try {
    const set = Deno.env.get("STREAMDET_TUNING_CACHE");
    if (set === "off" || set === "0") return undefined;
    if (set) return set;
    const base = Deno.env.get("XDG_CACHE_HOME") ??
      (Deno.env.get("HOME") ? `${Deno.env.get("HOME")}/.cache` : undefined);
    return base ? `${base}/streamdet/tuning.json` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The key of a model's measurements: what they depend on, as one string.
 *
 * @example
 * ```ts ignore
 * const key = await tuningKey("models/street-maskrcnn/model.onnx", [candidates, ["cpu"], 600]);
 * ```
 */
export async function tuningKey(graph: string, rest: unknown): Promise<string | undefined> {
  try {
    const info = await Deno.stat(graph);
    return JSON.stringify([
      graph,
      info.size,
      info.mtime?.getTime() ?? 0,
      navigator.hardwareConcurrency,
      Deno.build.arch,
      rest,
    ]);
  } catch {
    return undefined;
  }
}

/**
 * The measurements stored under `key` in the cache file at `path`, if there are any and
 * they are younger than {@link TUNING_TTL_MS}; `undefined` otherwise (also when the file
 * cannot be read or is not ours).
 *
 * @example
 * ```ts ignore
 * const measured = await readTuning("/tmp/tuning.json", key);
 * ```
 */
export async function readTuning(
  path: string,
  key: string,
  now = Date.now(),
): Promise<SettingMeasurement[] | undefined> {
  const entries = await readEntries(path);
  const entry = entries[key];
  if (!entry || !Array.isArray(entry.measurements) || now - entry.measuredAt > TUNING_TTL_MS) {
    return undefined;
  }
  return entry.measurements;
}

/**
 * Stores measurements under `key` (dropping expired entries), writing the file
 * atomically (a temporary file renamed onto it); a cache that cannot be written is
 * skipped silently: it only saves time.
 *
 * @example
 * ```ts ignore
 * await writeTuning("/tmp/tuning.json", key, measured);
 * ```
 */
export async function writeTuning(
  path: string,
  key: string,
  measurements: SettingMeasurement[],
  now = Date.now(),
): Promise<void> {
  try {
    const entries = await readEntries(path);
    for (const [k, e] of Object.entries(entries)) {
      if (now - e.measuredAt > TUNING_TTL_MS) delete entries[k];
    }
    entries[key] = { measuredAt: now, measurements };
    const dir = path.slice(0, path.lastIndexOf("/"));
    if (dir) await Deno.mkdir(dir, { recursive: true });
    const temp = `${path}.${Deno.pid}.tmp`;
    await Deno.writeTextFile(temp, JSON.stringify(entries));
    await Deno.rename(temp, path);
  } catch {
    // no permission or no room: the next load measures again
  }
}

async function readEntries(path: string): Promise<Record<string, Entry>> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(path));
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}
