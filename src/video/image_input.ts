/**
 * Image folders and globs as video: the folder is checked against the root folders and
 * turned into the glob that ffmpeg's image2 demuxer reads, in name order.
 *
 * @module
 */

import { SourceError } from "../errors.ts";
import { confineToRoots } from "./source_spec.ts";

const IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff"];

/** A glob's last path component as a regular expression (`*`, `?` and `[...]`). */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** Escapes glob characters of a literal path for ffmpeg's glob(). */
function escapeGlob(path: string): string {
  return path.replace(/[[\]*?{}\\]/g, "\\$&");
}

/**
 * Resolves `path` (a folder, or a glob in the last component such as `shots/*.png`)
 * to the glob ffmpeg reads. A folder takes its images of one type; a folder with several
 * image types, or a pattern that matches nothing, is a {@link SourceError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const root = await Deno.makeTempDir();
 * await Deno.writeFile(`${root}/a.jpg`, new Uint8Array());
 * assert.equal(await resolveImages(root, [root]), `${await Deno.realPath(root)}/*.jpg`);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function resolveImages(path: string, roots: string[]): Promise<string> {
  const slash = path.lastIndexOf("/");
  const hasGlob = /[*?[]/.test(path.slice(slash + 1));
  const folder = hasGlob ? (slash >= 0 ? path.slice(0, slash) || "/" : ".") : path;
  const real = await confineToRoots(folder, roots);
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(real)) if (entry.isFile) names.push(entry.name);
  } catch (error) {
    throw new SourceError(`${path}: expected a folder of images, found none readable`, {
      cause: error,
    });
  }
  let pattern: string;
  if (hasGlob) {
    pattern = path.slice(slash + 1);
    const re = globToRegExp(pattern);
    if (!names.some((n) => re.test(n))) {
      throw new SourceError(`${path}: expected images matching ${pattern}, found none`);
    }
  } else {
    const types = new Set(
      names.map((n) => n.split(".").pop()!.toLowerCase()).filter((e) =>
        IMAGE_EXTENSIONS.includes(e)
      ),
    );
    if (types.size === 0) {
      throw new SourceError(
        `${path}: expected images (${IMAGE_EXTENSIONS.join(", ")}), found none`,
      );
    }
    if (types.size > 1) {
      throw new SourceError(
        `${path}: expected images of one type, found ${[...types].join(" and ")}; ` +
          `give a glob such as ${path}/*.${[...types][0]}`,
      );
    }
    const ext = [...types][0];
    pattern = `*.${names.find((n) => n.toLowerCase().endsWith(`.${ext}`))!.split(".").pop()}`;
  }
  return `${escapeGlob(real)}/${pattern}`;
}
