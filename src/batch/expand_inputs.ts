/**
 * What `deno task detect` was given, as inputs: video files as they are, folders as the
 * videos in them, globs (`*`, `?` in the last path component) as the videos they match;
 * and the images of a folder or glob as one more input, a sequence (see `listImages`).
 *
 * @module
 */

import { basename, dirname, extname, join, resolve } from "node:path";
import { globRegExp, IMAGE_EXTENSIONS, isImageName } from "../video/image_input.ts";

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
 * Expands the arguments into absolute paths of inputs, in argument order, each once:
 * a file as it is; a folder as its videos (by name), and as itself, ending with `/`,
 * when it holds images: all of them are one input, a sequence in natural name order; a
 * glob as the videos it matches (by name) and as itself when it matches images (one
 * sequence). Throws a `TypeError` naming an argument that matches nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const files = await expandInputs(["models/demo"]);
 * assert.ok(files.some((f) => f.endsWith("models/demo/street.mp4")));
 * await assert.rejects(expandInputs(["models/demo/*.mkv"]), /matches no file/);
 * ```
 */
export async function expandInputs(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    const path = resolve(arg);
    let found: string[];
    let images = false;
    if (/[*?]/.test(basename(path))) {
      const pattern = globRegExp(basename(path));
      const files = (await listFiles(dirname(path))).filter((f) => pattern.test(basename(f)));
      found = files.filter(isVideo);
      images = files.some((f) => isImageName(f));
      if (images) found.push(path);
    } else {
      const info = await Deno.stat(path).catch(() => undefined);
      if (!info) {
        throw new TypeError(
          `${arg}: expected a video file, folder or glob, found nothing there`,
        );
      }
      if (info.isDirectory) {
        const files = await listFiles(path);
        found = files.filter(isVideo);
        images = files.some((f) => isImageName(f) && !basename(f).startsWith("."));
        if (images) found.push(`${path}/`);
      } else {
        found = [path];
      }
    }
    if (found.length === 0) {
      throw new TypeError(
        `${arg}: matches no file (videos: ${VIDEO_EXTENSIONS.join(", ")}; images: .${
          IMAGE_EXTENSIONS.join(", .")
        })`,
      );
    }
    for (const f of found) if (!out.includes(f)) out.push(f);
  }
  return out;
}

/**
 * The path an input's outputs are named after (see `outputPaths`): a file's own path, a
 * folder's without its final `/`, and for a glob, its folder's path followed by what the
 * pattern says besides its wildcards, and the pattern's extension (`a/shots/*.jpg`:
 * `a/shots.jpg`, so outputs `shots.jsonl`; `a/shots/cam1_*.jpg`: `a/shots-cam1_.jpg`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(inputNamePath("/v/clip.mp4"), "/v/clip.mp4");
 * assert.equal(inputNamePath("/v/shots/"), "/v/shots");
 * assert.equal(inputNamePath("/v/shots/*.jpg"), "/v/shots.jpg");
 * assert.equal(inputNamePath("/v/shots/cam1_??.png"), "/v/shots-cam1_.png");
 * ```
 */
export function inputNamePath(input: string): string {
  if (input.endsWith("/") && input.length > 1) return input.slice(0, -1);
  const name = basename(input);
  if (!/[*?]/.test(name)) return input;
  const ext = /[*?[]/.test(extname(name)) ? "" : extname(name);
  const rest = name.slice(0, name.length - ext.length).replace(/[*?]|\[[^\]]*\]/g, "");
  const folder = dirname(input);
  return join(dirname(folder), basename(folder) + (rest ? `-${rest}` : "") + ext);
}

function isVideo(file: string): boolean {
  return VIDEO_EXTENSIONS.includes(extname(file).toLowerCase());
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
