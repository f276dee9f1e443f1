/**
 * Where a detect job writes each input's outputs: `<out>/<name>.jsonl`, `.coco.json` and
 * `.annotated.mp4`, with names that stay apart when inputs share one and that depend only
 * on the inputs themselves, so a re-run finds its own outputs.
 *
 * @module
 */

import { basename, dirname, extname, join, relative } from "node:path";
import { inputNamePath } from "./expand_inputs.ts";

/** What decides the output paths (the part of `DetectOptions` about them). */
export interface OutputPathOptions {
  /** Folder of the outputs. */
  outDir: string;
  /** Outputs per input: `<name>.jsonl` and/or `<name>.coco.json` (names: see
   * {@link outputPaths}). */
  formats: ("jsonl" | "coco")[];
  /** Also write `<name>.annotated.mp4` (or this path, for a single input). */
  annotate?: boolean | string;
  /** Inputs are tracked: also write `<name>.mot.txt` (tracks) and `<name>.counts.json`. */
  track?: boolean;
}

/** Where an input's outputs go. */
export interface OutputPaths {
  /** JSON Lines of result messages. */
  jsonl?: string;
  /** COCO results JSON. */
  coco?: string;
  /** The annotated video. */
  video?: string;
  /** Tracks in MOTChallenge text (tracked inputs). */
  mot?: string;
  /** Tracks, line and zone counts of the whole input (tracked inputs). */
  counts?: string;
}

/**
 * The output paths of each input: `<out>/<name>.jsonl`, `.coco.json`, `.annotated.mp4`,
 * and for tracked inputs `.mot.txt` and `.counts.json`.
 * `<name>` is the input's file name without its extension (an image folder's name; an
 * image glob's folder name, see `inputNamePath`). Inputs of one run that share
 * a name keep the folders that tell them apart, below the folder they have in common
 * (`a/clip.mp4` and `b/clip.mp4` write `<out>/a/clip.jsonl` and `<out>/b/clip.jsonl`),
 * and their extension too when that is what differs (`clip.mp4.jsonl`, `clip.mkv.jsonl`).
 * A name depends only on the input's own path and on which inputs of the run share its
 * name, never on their order, so a run given the same inputs again finds its own outputs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const options = { outDir: "/out", formats: ["jsonl" as const] };
 * const paths = outputPaths(["/v/b/clip.mp4", "/v/a/clip.mkv", "/v/x.mp4"], options);
 * assert.deepEqual([...paths.values()].map((p) => p.jsonl), [
 *   "/out/b/clip.jsonl",
 *   "/out/a/clip.jsonl",
 *   "/out/x.jsonl",
 * ]);
 * ```
 */
export function outputPaths(
  inputs: readonly string[],
  options: OutputPathOptions,
): Map<string, OutputPaths> {
  const names = outputNames(inputs);
  const out = new Map<string, OutputPaths>();
  for (const input of inputs) {
    const name = names.get(input)!;
    const paths: OutputPaths = {};
    if (options.formats.includes("jsonl")) paths.jsonl = join(options.outDir, `${name}.jsonl`);
    if (options.formats.includes("coco")) paths.coco = join(options.outDir, `${name}.coco.json`);
    if (options.track) {
      paths.mot = join(options.outDir, `${name}.mot.txt`);
      paths.counts = join(options.outDir, `${name}.counts.json`);
    }
    if (options.annotate) {
      paths.video = typeof options.annotate === "string" && inputs.length === 1
        ? options.annotate
        : join(options.outDir, `${name}.annotated.mp4`);
    }
    out.set(input, paths);
  }
  return out;
}

/**
 * The paths of `paths` as a list: JSON Lines, COCO results, annotated video, those set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(outputList({ jsonl: "/out/a.jsonl", video: "/out/a.annotated.mp4" }), [
 *   "/out/a.jsonl",
 *   "/out/a.annotated.mp4",
 * ]);
 * ```
 */
export function outputList(paths: OutputPaths): string[] {
  return Object.values(paths) as string[];
}

/**
 * Whether every output of `paths` exists as a file (true when there is none): such an
 * input is done already.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.jsonl`, "");
 * assert.equal(await outputsExist({ jsonl: `${dir}/a.jsonl` }), true);
 * assert.equal(await outputsExist({ jsonl: `${dir}/a.jsonl`, coco: `${dir}/a.coco.json` }), false);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function outputsExist(paths: OutputPaths): Promise<boolean> {
  return (await Promise.all(outputList(paths).map(isFile))).every(Boolean);
}

/** Each input's output name (see {@link outputPaths}); names compared without case, as a
 * case-insensitive file system would. */
function outputNames(inputs: readonly string[]): Map<string, string> {
  // Image folders and globs are named after their folder (see `inputNamePath`).
  const at = new Map(inputs.map((input) => [input, inputNamePath(input)]));
  const path = (input: string) => at.get(input)!;
  const groups = new Map<string, string[]>();
  for (const input of inputs) {
    const key = stem(path(input)).toLowerCase();
    groups.set(key, [...groups.get(key) ?? [], input]);
  }
  const names = new Map<string, string>();
  for (const group of groups.values()) {
    if (group.length === 1) {
      names.set(group[0], stem(path(group[0])));
      continue;
    }
    const common = commonFolder(group.map((i) => dirname(path(i))));
    const named = (file: (input: string) => string) =>
      group.map((i) => join(relative(common, dirname(path(i))), file(path(i))));
    let candidates = named(stem);
    if (clashes(candidates).size > 0) candidates = named((i) => basename(i));
    group.forEach((input, i) => names.set(input, candidates[i]));
  }
  // What is left (a kept extension equal to another input's name, names that differ only
  // in case within one folder) gets a short hash of the input's path.
  const clashing = clashes(names.values());
  for (const [input, name] of names) {
    if (clashing.has(name.toLowerCase())) names.set(input, `${name}-${fnv1a(input)}`);
  }
  return names;
}

/** A file name without its extension. */
function stem(path: string): string {
  return basename(path, extname(path));
}

/** The names (lower case) that occur more than once, case ignored. */
function clashes(names: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key)) twice.add(key);
    seen.add(key);
  }
  return twice;
}

/** The deepest folder that holds every one of `folders` (absolute paths). */
function commonFolder(folders: string[]): string {
  const parts = folders.map((f) => f.split("/"));
  let n = 0;
  while (parts.every((p) => n < p.length && p[n] === parts[0][n])) n++;
  return parts[0].slice(0, n).join("/") || "/";
}

/** FNV-1a of a string, 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
