/**
 * What `deno task detect` was given, as video files: files as they are, folders as the
 * videos in them, and globs (`*`, `?` in the last path component) as their matches.
 *
 * @module
 */

import { basename, dirname, extname, join, resolve } from "node:path";

/** File extensions taken from folders and globs. */
export const VIDEO_EXTENSIONS: readonly string[] = Object.freeze([
  ".mp4",
  ".mkv",
  ".mov",
  ".avi",
  ".webm",
  ".ts",
  ".m4v",
  ".mpg",
  ".mpeg",
  ".flv",
]);

/**
 * Expands the arguments into absolute file paths, in argument order (folder and glob
 * matches sorted by name), each once. Throws a `TypeError` naming an argument that
 * matches nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const files = await expandInputs(["models/demo"]);
 * assert.ok(files[0].endsWith("models/demo/street.mp4"));
 * await assert.rejects(expandInputs(["models/demo/*.mkv"]), /matches no file/);
 * ```
 */
export async function expandInputs(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    const path = resolve(arg);
    let found: string[];
    if (/[*?]/.test(basename(path))) {
      const pattern = globRegExp(basename(path));
      found = (await listFiles(dirname(path))).filter((f) => pattern.test(basename(f)));
    } else {
      const info = await Deno.stat(path).catch(() => undefined);
      if (!info) {
        throw new TypeError(`${arg}: expected a video file, folder or glob, found nothing there`);
      }
      found = info.isDirectory
        ? (await listFiles(path)).filter((f) => VIDEO_EXTENSIONS.includes(extname(f).toLowerCase()))
        : [path];
    }
    if (found.length === 0) throw new TypeError(`${arg}: matches no file`);
    for (const f of found) if (!out.includes(f)) out.push(f);
  }
  return out;
}

async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile || entry.isSymlink) files.push(join(dir, entry.name));
    }
  } catch {
    // a missing folder matches nothing
  }
  return files.sort();
}

function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(
    /\?/g,
    "[^/]",
  );
  return new RegExp(`^${body}$`);
}
