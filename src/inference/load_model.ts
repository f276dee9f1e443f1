/**
 * Loading a model: its manifest read and checked, an ONNX Runtime session created on the
 * first execution provider that starts, and the manifest checked against the graph.
 *
 * @module
 */

import * as ort from "onnxruntime-node";
import { ManifestError, ModelLoadError } from "../errors.ts";
import { type ModelManifest, parseManifest } from "./manifest.ts";
import { checkGraph } from "./check_graph.ts";
import { gpuProvidersInstalled, providerHint } from "./provider_hint.ts";
import { type ProviderName, PROVIDERS } from "../wire/providers.ts";

// The list lives in the wire layer (a pipeline configuration's `providers` names it).
export { type ProviderName, PROVIDERS };

/** ONNX Runtime's graph optimisation levels, from none to all. */
export const GRAPH_OPTIMIZATIONS = Object.freeze(["disabled", "basic", "extended", "all"] as const);
/** One of {@link GRAPH_OPTIMIZATIONS}. */
export type GraphOptimization = typeof GRAPH_OPTIMIZATIONS[number];

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Providers in order of preference; each that cannot start is skipped (default `["cpu"]`). */
  providers?: readonly ProviderName[];
  /** Threads of one inference (default: the machine's cores). */
  intraOpThreads?: number;
  /**
   * ORT's CPU memory arena (default true). Without it every run allocates its tensors
   * afresh, and a batch's large blocks come from the system each time (page faults on
   * fresh pages): a batch of 4 then cost twice as much per image as a batch of 1 on a
   * 2-core EPYC (issue 15). With it the arena keeps the blocks it needed; it grows while
   * new batch sizes and candidate counts come, then stays (the soak test checks the
   * server's RSS).
   */
  cpuMemArena?: boolean;
  /** ONNX Runtime's graph optimisation level (default `"all"`). */
  graphOptimization?: GraphOptimization;
  /**
   * Let the intra-op threads spin while they wait for work (default false: they sleep).
   * Spinning cuts a single session's latency by about a tenth here (their wake-ups cost
   * more than the work of small operators), but several sessions, or the decoder and the
   * post-processing, then lose the cores the idle threads spin on: the engine turns it on
   * only for one session serving one live stream.
   */
  spinning?: boolean;
  /** Called with each warning, e.g. a provider that could not start (default `console.warn`). */
  onWarning?: (message: string) => void;
  /**
   * ONNX Runtime's own log level, process-wide and fixed by the first session created
   * (default `"fatal"`: provider failures come back as errors and warnings from here, so
   * ORT's duplicate log lines are kept off stderr).
   */
  ortLogLevel?: "verbose" | "info" | "warning" | "error" | "fatal";
}

/** A loaded model. */
export interface LoadedModel {
  manifest: ModelManifest;
  session: ort.InferenceSession;
  /** The provider the session runs on. */
  provider: ProviderName;
  /** Why preferred providers were skipped, in order. */
  warnings: string[];
}

/**
 * Reads `manifestPath`, checks it, creates a session on the first of `options.providers`
 * that starts (warning about each that does not, and why), and checks the manifest
 * against the graph. A missing or malformed manifest, or one that disagrees with its
 * graph, is a `ManifestError`; a missing or broken `.onnx`, or no provider that starts,
 * a `ModelLoadError`.
 *
 * @example
 * ```ts ignore
 * const model = await loadModel("models/street-maskrcnn/manifest.json", { providers: ["cuda", "cpu"] });
 * console.log(model.provider); // "cpu" here: cuda is skipped with a warning
 * ```
 */
export async function loadModel(
  manifestPath: string,
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  const providers = options.providers ?? ["cpu"];
  if (providers.length === 0 || providers.some((p) => !PROVIDERS.includes(p))) {
    throw new RangeError(
      `loadModel(): options.providers: expected a non-empty list of ${
        PROVIDERS.join(", ")
      }, found ${JSON.stringify(providers)}`,
    );
  }
  const warn = options.onWarning ?? ((m: string) => console.warn(m));
  ort.env.logLevel = options.ortLogLevel ?? "fatal";
  const manifest = await readManifest(manifestPath);
  await checkGraphFile(manifest.file);
  const warnings: string[] = [];
  const failures: string[] = [];
  for (const provider of providers) {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(manifest.file, {
        executionProviders: [provider],
        intraOpNumThreads: options.intraOpThreads ?? navigator.hardwareConcurrency,
        graphOptimizationLevel: options.graphOptimization ?? "all",
        enableCpuMemArena: options.cpuMemArena ?? true,
        // Failures come back as errors and are reported above; keep ORT's own log quiet.
        logSeverityLevel: 4,
        // Idle worker threads sleep instead of spinning: several sessions (one per worker)
        // share the cores, and a spinning idle pool steals them from the busy one.
        extra: { session: { intra_op: { allow_spinning: options.spinning ? "1" : "0" } } },
      });
    } catch (error) {
      let reason = firstLine(error);
      const gpu = provider === "cuda" || provider === "tensorrt";
      const hint = gpu ? providerHint(provider, reason, await gpuProvidersInstalled()) : "";
      if (hint) reason += `; ${hint}`;
      failures.push(`${provider}: ${reason}`);
      const next = providers[providers.indexOf(provider) + 1];
      if (next) {
        const message =
          `${manifest.name}: execution provider "${provider}" could not start (${reason}); trying "${next}"`;
        warnings.push(message);
        warn(message);
      }
      continue;
    }
    try {
      checkGraph(manifest, session.inputMetadata, session.outputMetadata, manifest.file);
    } catch (error) {
      await session.release();
      throw error;
    }
    return { manifest, session, provider, warnings };
  }
  throw new ModelLoadError(
    `${manifest.file}: expected an ONNX graph that one of the providers ${
      JSON.stringify(providers)
    } can run, found none that could: ${failures.join("; ")}`,
  );
}

/**
 * Reads and checks the manifest at `path` (a `ManifestError` naming the file when it is
 * missing, not JSON or malformed).
 *
 * @example
 * ```ts ignore
 * const manifest = await readManifest("models/street-maskrcnn/manifest.json");
 * ```
 */
export async function readManifest(path: string): Promise<ModelManifest> {
  return parseManifest(await readJson(path), path);
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ManifestError(`${path}: expected a manifest.json, found ${firstLine(error)}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${path}: expected JSON, found a syntax error (${firstLine(error)})`, {
      cause: error,
    });
  }
}

/** The smallest ONNX graph is well over 16 bytes; anything missing or empty is refused here. */
async function checkGraphFile(path: string): Promise<void> {
  let size: number;
  try {
    size = (await Deno.stat(path)).size;
  } catch (error) {
    throw new ModelLoadError(
      `${path}: expected the ONNX graph the manifest names, found ${firstLine(error)}`,
      { cause: error },
    );
  }
  if (size < 16) {
    throw new ModelLoadError(`${path}: expected an ONNX graph, found a file of ${size} bytes`);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // ORT prefixes its messages with source locations; keep the part that says what failed.
  const line = text.split("\n").find((l) => l.trim().length > 0) ?? text;
  return line.replace(/^\s*\[?[^\]]*onnxruntime[^\]]*\]\s*/i, "").trim().slice(0, 300);
}
