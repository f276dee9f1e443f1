/**
 * Loads resvg's native addon (`@resvg/resvg-js`) under Deno with `--allow-ffi` only.
 *
 * The package's own entry picks the platform's binary package after asking whether
 * Linux runs musl through `process.report.getReport()`, which Deno answers only with
 * `--allow-sys=cpus,hostname,networkInterfaces,osRelease`; this loader picks the binary
 * among the package's `optionalDependencies` instead, the C library being the one this
 * Deno was built for (`Deno.build.env`), and loads it the same way (`require`). The
 * binary's `Resvg` takes its options as JSON text (the package's entry only adds that
 * `JSON.stringify`).
 *
 * @module
 */

import { createRequire } from "node:module";
import process from "node:process";

/** The addon's `Resvg` class: the package's, with the options as JSON text. */
export interface ResvgAddon {
  /** Parses an SVG document; `optionsJson` is `JSON.stringify(ResvgRenderOptions)`. */
  Resvg: new (
    svg: string | Uint8Array,
    optionsJson?: string,
  ) => InstanceType<typeof import("@resvg/resvg-js").Resvg>;
}

let loading: Promise<ResvgAddon> | undefined;

/**
 * The resvg addon for this platform; rejects with an `Error` that says why when it
 * cannot load (no `--allow-ffi`, no binary for the platform).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const { Resvg } = await loadResvg();
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="3" height="2"></svg>';
 * assert.equal(new Resvg(svg, JSON.stringify({ fitTo: { mode: "zoom", value: 2 } })).render().width, 6);
 * ```
 */
export function loadResvg(): Promise<ResvgAddon> {
  loading ??= load();
  // A failed load may succeed later (a permission granted): do not keep the failure.
  loading.catch(() => (loading = undefined));
  return loading;
}

function load(): Promise<ResvgAddon> {
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return Promise.reject(new Error("@resvg/resvg-js is a native addon: it needs --allow-ffi"));
  }
  try {
    const main = createRequire(import.meta.url).resolve("@resvg/resvg-js");
    const require = createRequire(main);
    const manifest = require("./package.json") as { optionalDependencies?: object };
    const prefix = `@resvg/resvg-js-${process.platform}-${process.arch}`;
    const libc = process.platform === "linux" ? (Deno.build.env === "musl" ? "musl" : "gnu") : "";
    const candidates = Object.keys(manifest.optionalDependencies ?? {})
      .filter((name) => name === prefix || name.startsWith(`${prefix}-`))
      .sort((a, b) => Number(b.includes(libc)) - Number(a.includes(libc)));
    if (candidates.length === 0) {
      throw new Error(`no binary package for ${process.platform}-${process.arch}`);
    }
    return Promise.resolve(require(candidates[0]) as ResvgAddon);
  } catch (error) {
    const message = String((error as Error)?.message ?? error).split("\n")[0];
    return Promise.reject(
      new Error(`@resvg/resvg-js could not load: ${message}`, { cause: error }),
    );
  }
}
