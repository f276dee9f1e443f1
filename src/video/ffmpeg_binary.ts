/**
 * Finding the ffmpeg binary, in order: `FFMPEG_PATH`, `ffmpeg` on `PATH`, the binary of
 * the npm package `ffmpeg-static` if it is installed, then the npm package
 * `@ffmpeg-installer/ffmpeg` (a dependency of this project: Deno fetches it, binary
 * included, when nothing else is there).
 *
 * @module
 */

import { SourceError } from "../errors.ts";

/** Where the binary was found. */
export type FfmpegOrigin = "FFMPEG_PATH" | "PATH" | "ffmpeg-static" | "@ffmpeg-installer";

/** A usable ffmpeg: its path, where it came from, and its version. */
export interface FfmpegBinary {
  path: string;
  origin: FfmpegOrigin;
  /** The first line of `ffmpeg -version`, e.g. `ffmpeg version 5.1.6-0+deb12u1`. */
  version: string;
  /** libavformat's major and minor version (58 = ffmpeg 4, 59 = 5, 60 = 6, 61 = 7). */
  libavformat: [number, number];
}

/** Options of {@link resolveFfmpeg}. */
export interface ResolveFfmpegOptions {
  /** The environment to read `FFMPEG_PATH` and `PATH` from (the CLI passes its own). */
  env?: Record<string, string | undefined>;
  /** Folders whose `node_modules/ffmpeg-static/ffmpeg` to try (default: the working folder). */
  searchRoots?: string[];
}

const HOW_TO_GET =
  "set FFMPEG_PATH to an ffmpeg binary, install one (Debian/Ubuntu: apt-get install ffmpeg; " +
  "macOS: brew install ffmpeg), or let Deno install the npm package @ffmpeg-installer/ffmpeg " +
  "(needs network access to the npm registry once)";

/**
 * Runs `<path> -version` and reads the version; undefined when it does not run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(await probeBinary("/nonexistent/ffmpeg", "PATH"), undefined);
 * ```
 */
export async function probeBinary(
  path: string,
  origin: FfmpegOrigin,
): Promise<FfmpegBinary | undefined> {
  try {
    const { success, stdout } = await new Deno.Command(path, {
      args: ["-hide_banner", "-version"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!success) return undefined;
    return parseVersion(path, origin, new TextDecoder().decode(stdout));
  } catch {
    return undefined;
  }
}

/**
 * Reads `ffmpeg -version` output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const text = "ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024\nlibavformat    59. 27.100 / 59. 27.100\n";
 * const binary = parseVersion("/usr/bin/ffmpeg", "PATH", text);
 * assert.equal(binary.version, "ffmpeg version 5.1.6-0+deb12u1");
 * assert.deepEqual(binary.libavformat, [59, 27]);
 * ```
 */
export function parseVersion(path: string, origin: FfmpegOrigin, text: string): FfmpegBinary {
  const first = text.split("\n")[0]?.replace(/\s+Copyright.*$/, "").trim() ?? "";
  const lavf = /libavformat\s+(\d+)\.\s*(\d+)/.exec(text);
  return {
    path,
    origin,
    version: first,
    libavformat: lavf ? [Number(lavf[1]), Number(lavf[2])] : [0, 0],
  };
}

/** Whether `path` is a file; "unknown" where this process may not read its folder (a
 * task run with a narrow `--allow-read`): running it may still be allowed. */
async function isFile(path: string): Promise<boolean | "unknown"> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    return e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied
      ? "unknown"
      : false;
  }
}

let cached: Promise<FfmpegBinary> | undefined;
let cachedKey = "";

/**
 * Finds a working ffmpeg (see the module doc for the order) and reports its version.
 * The result is cached per environment. No ffmpeg anywhere is a {@link SourceError}
 * that says how to get one; so is an `FFMPEG_PATH` that does not run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const ffmpeg = await resolveFfmpeg({ env: Deno.env.toObject() });
 * assert.match(ffmpeg.version, /^ffmpeg version/); // and ffmpeg.origin says where it came from
 * ```
 */
export function resolveFfmpeg(options: ResolveFfmpegOptions = {}): Promise<FfmpegBinary> {
  const env = options.env ?? {};
  const roots = options.searchRoots ?? [Deno.cwd()];
  const key = JSON.stringify([env.FFMPEG_PATH, env.PATH, roots]);
  if (cached === undefined || key !== cachedKey) {
    cachedKey = key;
    cached = find(env, roots);
    cached.catch(() => cached = undefined); // a failure is not cached
  }
  return cached;
}

async function find(
  env: Record<string, string | undefined>,
  roots: string[],
): Promise<FfmpegBinary> {
  const explicit = env.FFMPEG_PATH;
  if (explicit) {
    const binary = await probeBinary(explicit, "FFMPEG_PATH");
    if (binary) return binary;
    throw new SourceError(
      `FFMPEG_PATH=${explicit}: expected an ffmpeg binary that runs, found none there; ` +
        `fix it or unset it to use ffmpeg from PATH or npm`,
    );
  }
  for (const dir of (env.PATH ?? "").split(":").filter(Boolean)) {
    const path = `${dir}/ffmpeg`;
    if ((await isFile(path)) === false) continue;
    const binary = await probeBinary(path, "PATH");
    if (binary) return binary;
  }
  for (const root of roots) {
    const path = `${root}/node_modules/ffmpeg-static/ffmpeg`;
    if (!(await isFile(path))) continue;
    const binary = await probeBinary(path, "ffmpeg-static");
    if (binary) return binary;
  }
  let why = "";
  try {
    const { default: installer } = await import("@ffmpeg-installer/ffmpeg");
    const binary = await probeBinary(installer.path, "@ffmpeg-installer");
    if (binary) return binary;
    why = `${installer.path} does not run`;
  } catch (error) {
    // The package throws a string when its binary is not where it expects it.
    why = String(error instanceof Error ? error.message : error).split("\n")[0];
  }
  throw ffmpegNotFound(why);
}

/**
 * The error for a machine without ffmpeg: what was tried, and how to get one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(ffmpegNotFound("offline").message, /FFMPEG_PATH.*apt-get install ffmpeg/);
 * ```
 */
export function ffmpegNotFound(why: string): SourceError {
  return new SourceError(
    `ffmpeg not found: no FFMPEG_PATH, no ffmpeg on PATH, no ffmpeg-static binary, and ` +
      `@ffmpeg-installer/ffmpeg failed (${why}); ${HOW_TO_GET}`,
  );
}
