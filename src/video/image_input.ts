/**
 * Image folders and globs as one video: which files a folder or a glob names, in natural
 * name order (`img2` before `img10`), each one checked against the root folders as the
 * file it really is (symbolic links resolved), before ffmpeg is given anything.
 *
 * The expansion happens here, not in ffmpeg: ffmpeg's image reader expands a glob itself
 * and follows every link it meets, so it is given only the checked files (see
 * `prepareImages`).
 *
 * @module
 */

import { SourceError } from "../errors.ts";
import { confineToRoots } from "./source_spec.ts";

/** File extensions read as images (lower case), each with its codec family. */
const IMAGE_TYPES: Readonly<Record<string, string>> = Object.freeze({
  jpg: "jpeg",
  jpeg: "jpeg",
  png: "png",
  bmp: "bmp",
  webp: "webp",
  tif: "tiff",
  tiff: "tiff",
});

/** File extensions read as images, lower case. */
export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze(Object.keys(IMAGE_TYPES));

/** The images of a folder or glob, checked. */
export interface ImageList {
  /** The folder or glob as given. */
  path: string;
  /** Resolved paths of the images (symbolic links resolved), in natural name order. */
  files: string[];
  /** The extension of the first image's name, lower case (`jpg`): what ffmpeg decodes them as. */
  extension: string;
}

/**
 * Whether a file name has an image extension ({@link IMAGE_EXTENSIONS}, any case).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isImageName("a/IMG_0001.JPG"), true);
 * assert.equal(isImageName("clip.mp4"), false);
 * ```
 */
export function isImageName(name: string): boolean {
  return imageType(name) !== undefined;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot < 0 || name.lastIndexOf("/") > dot ? "" : name.slice(dot + 1).toLowerCase();
}

function imageType(name: string): string | undefined {
  return Object.hasOwn(IMAGE_TYPES, extensionOf(name)) ? IMAGE_TYPES[extensionOf(name)] : undefined;
}

/**
 * Compares two names as people sort them: runs of digits by their value (`img2` before
 * `img10`), the rest by character code; names equal that way (`img01`, `img1`) by
 * character code, so the order is total and the same everywhere.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(["img10.jpg", "img2.jpg", "img1.jpg"].sort(naturalCompare), ["img1.jpg", "img2.jpg", "img10.jpg"]);
 * ```
 */
export function naturalCompare(a: string, b: string): number {
  const x = a.match(/\d+|\D+/g) ?? [], y = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i], q = y[i];
    if (/^\d/.test(p) && /^\d/.test(q)) {
      const m = p.replace(/^0+/, ""), n = q.replace(/^0+/, "");
      if (m.length !== n.length) return m.length - n.length;
      if (m !== n) return m < n ? -1 : 1;
    } else if (p !== q) {
      return p < q ? -1 : 1;
    }
  }
  if (x.length !== y.length) return x.length - y.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Splits an images path into its folder and, for a glob, the pattern of its last
 * component (`*`, `?` and `[...]`); globs in other components are not expanded. A path
 * that is an existing folder is that folder, whatever its name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(await splitImagesPath("shots/*.png"), { folder: "shots", pattern: "*.png" });
 * assert.deepEqual(await splitImagesPath("shots/img[02].png"), { folder: "shots", pattern: "img[02].png" });
 * assert.deepEqual(await splitImagesPath("shots"), { folder: "shots" });
 * ```
 */
export async function splitImagesPath(path: string): Promise<{ folder: string; pattern?: string }> {
  const slash = path.lastIndexOf("/");
  const last = path.slice(slash + 1);
  if (!/[*?[]/.test(last)) return { folder: path };
  const folder = await Deno.stat(path).then((info) => info.isDirectory, () => false);
  if (folder) return { folder: path };
  return { folder: slash >= 0 ? path.slice(0, slash) || "/" : ".", pattern: last };
}

/**
 * A glob component as a regular expression: `*` any run of characters, `?` one, `[...]`
 * one of a set (`[!...]` or `[^...]`: not in it); everything else literal. Like the
 * shell, a name that starts with `.` matches only a pattern that does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(globRegExp("img[02]?.png").test("img2a.png"));
 * assert.ok(!globRegExp("*.png").test(".hidden.png"));
 * assert.ok(globRegExp(".*.png").test(".hidden.png"));
 * ```
 */
export function globRegExp(glob: string): RegExp {
  let body = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    const close = c === "[" ? glob.indexOf("]", i + 2) : -1;
    if (c === "*") body += "[^/]*";
    else if (c === "?") body += "[^/]";
    else if (close > 0) {
      let set = glob.slice(i + 1, close);
      const negate = set[0] === "!" || set[0] === "^";
      if (negate) set = set.slice(1);
      body += `[${negate ? "^" : ""}${set.replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else body += c.replace(/[.+^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${glob.startsWith(".") ? "" : "(?!\\.)"}${body}$`);
}

/**
 * The images that `path` names, checked: a folder's image files (those with an image
 * extension; hidden files and subfolders left out), or the files matching a glob in the
 * last path component (`shots/*.png`, `cam1_??.jpg`), in natural name order
 * ({@link naturalCompare}). The folder is confined to `roots`, and so is every image:
 * a symbolic link is followed here and its target checked, and one that leads out of
 * the roots (or nowhere) refuses the whole source with a {@link SourceError} that names
 * it. Images of several types (`jpg` and `png`), or none, are refused too: ffmpeg
 * decodes one sequence with one decoder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const root = await Deno.realPath(await Deno.makeTempDir());
 * for (const name of ["img10.jpg", "img2.jpg", "notes.txt"]) await Deno.writeFile(`${root}/${name}`, new Uint8Array());
 * const list = await listImages(root, [root]);
 * assert.deepEqual(list.files, [`${root}/img2.jpg`, `${root}/img10.jpg`]);
 * assert.equal(list.extension, "jpg");
 * await assert.rejects(listImages(`${root}/*.png`, [root]), /expected images matching \*\.png, found none/);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function listImages(path: string, roots: string[]): Promise<ImageList> {
  const { folder, pattern } = await splitImagesPath(path);
  const real = await confineToRoots(folder, roots);
  const match = pattern === undefined ? undefined : globRegExp(pattern);
  const entries: Deno.DirEntry[] = [];
  try {
    for await (const entry of Deno.readDir(real)) {
      if (match ? match.test(entry.name) : !entry.name.startsWith(".")) entries.push(entry);
    }
  } catch (error) {
    throw new SourceError(`${path}: expected a folder of images, found none readable`, {
      cause: error,
    });
  }
  entries.sort((a, b) => naturalCompare(a.name, b.name));
  const files: string[] = [];
  const types = new Map<string, string>();
  for (const entry of entries) {
    if (entry.isDirectory || !isImageName(entry.name)) continue;
    const file = `${real === "/" ? "" : real}/${entry.name}`;
    // A plain file in a resolved folder is where it says; a link is followed and checked.
    let target = file;
    if (!entry.isFile) {
      try {
        target = await confineToRoots(file, roots);
      } catch (error) {
        throw new SourceError(`${path}: ${(error as Error).message}`, { cause: error });
      }
      const info = await Deno.stat(target);
      if (!info.isFile) continue;
    }
    files.push(target);
    const type = imageType(entry.name)!;
    if (!types.has(type)) types.set(type, entry.name);
  }
  if (files.length === 0) {
    throw new SourceError(
      pattern === undefined
        ? `${path}: expected images (${IMAGE_EXTENSIONS.join(", ")}), found none`
        : `${path}: expected images matching ${pattern}, found none`,
    );
  }
  if (types.size > 1) {
    const found = [...types.values()].map(extensionOf);
    throw new SourceError(
      `${path}: expected images of one type, found ${found.join(" and ")} ` +
        `(${[...types.values()].join(", ")}); give a glob such as ${folder}/*.${found[0]}`,
    );
  }
  return { path, files, extension: extensionOf([...types.values()][0]) };
}
