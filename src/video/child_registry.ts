/**
 * Every ffmpeg child the process started (each `FfmpegProcess` registers its own), so that
 * none outlives it: on SIGINT / SIGTERM the children are killed before the process exits,
 * and on a normal exit (`unload`) too.
 *
 * The signal listeners are installed with the first child. Once installed they decide
 * the process's fate on those signals, so after killing the children they exit with the
 * conventional status (130, 143). A layer with its own graceful shutdown (the server)
 * calls {@link handOverSignals} and stops its sources itself.
 *
 * @module
 */

const children = new Set<Deno.ChildProcess>();
let installed = false;
let exitOnSignal = true;

function killAll(signal: Deno.Signal): void {
  for (const child of children) {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function onSignal(signal: "SIGINT" | "SIGTERM"): () => void {
  return () => {
    killAll("SIGKILL");
    if (exitOnSignal) Deno.exit(signal === "SIGINT" ? 130 : 143);
  };
}

/**
 * Installs the signal listeners now rather than with the first child (a test file calls
 * it at its top level, so the listeners do not count as a test's leak).
 *
 * @example
 * ```ts ignore
 * installSignalListeners();
 * ```
 */
export function installSignalListeners(): void {
  install();
}

function install(): void {
  if (installed) return;
  installed = true;
  try {
    Deno.addSignalListener("SIGINT", onSignal("SIGINT"));
    Deno.addSignalListener("SIGTERM", onSignal("SIGTERM"));
  } catch {
    // signals not supported here (e.g. in a Worker): unload still applies
  }
  globalThis.addEventListener("unload", () => killAll("SIGKILL"));
}

/**
 * Tracks a child until it exits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const child = new Deno.Command("true").spawn();
 * track(child);
 * await child.status;
 * await new Promise((r) => setTimeout(r, 0));
 * assert.equal(runningChildren(), 0);
 * ```
 */
export function track(child: Deno.ChildProcess): void {
  install();
  children.add(child);
  child.status.finally(() => children.delete(child));
}

/**
 * Children started and not yet exited.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(typeof runningChildren(), "number");
 * ```
 */
export function runningChildren(): number {
  return children.size;
}

/**
 * For a layer that handles SIGINT / SIGTERM itself: the registry still kills the
 * children on those signals but no longer exits the process.
 *
 * @example (not run: it changes how the whole process answers signals)
 * ```ts ignore
 * handOverSignals();
 * Deno.addSignalListener("SIGINT", () => server.shutdown());
 * ```
 */
export function handOverSignals(): void {
  exitOnSignal = false;
}
