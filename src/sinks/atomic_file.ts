/**
 * Outputs that appear whole or not at all: everything is written to a hidden temporary
 * file in the destination's own folder, `<dir>/.<name>.<random>.tmp`, which is renamed
 * onto the final path once complete. A rename within one folder is atomic, so readers
 * see either the previous file or the complete new one; a process killed half-way
 * leaves only a `.tmp` file behind, never a complete-looking final file.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The temporary path for `path`: a hidden file beside it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(tempPathFor("/out/video.mp4"), /^\/out\/\.video\.mp4\.[0-9a-f]{12}\.tmp$/);
 * ```
 */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomSuffix()}.tmp`);
}

/** Options of {@link AtomicOutput.create}. */
export interface AtomicOutputOptions {
  /** Create the destination's folder (and its parents) when missing (default true). */
  mkdir?: boolean;
}

/**
 * A file produced at a temporary path (by this process or another one, e.g. ffmpeg
 * writing `tempPath`), then moved onto `path` by {@link AtomicOutput.commit}, or
 * removed by {@link AtomicOutput.abort}. The temporary file is created empty (and
 * exclusively) so that its name is reserved.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const output = await AtomicOutput.create(`${dir}/result.txt`);
 * await Deno.writeTextFile(output.tempPath, "done");
 * await assert.rejects(Deno.stat(`${dir}/result.txt`)); // nothing at the final path yet
 * await output.commit();
 * assert.equal(await Deno.readTextFile(`${dir}/result.txt`), "done");
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["result.txt"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class AtomicOutput {
  /** The final path. */
  readonly path: string;
  /** Where the content is written until {@link commit}. */
  readonly tempPath: string;
  #state: "open" | "committed" | "aborted" = "open";

  private constructor(path: string, tempPath: string) {
    this.path = path;
    this.tempPath = tempPath;
  }

  /** Reserves a temporary file beside `path` (creating the folder unless told not to). */
  static async create(path: string, options: AtomicOutputOptions = {}): Promise<AtomicOutput> {
    if (typeof path !== "string" || path === "" || path.endsWith("/")) {
      throw new TypeError(`AtomicOutput: expected a file path, found ${JSON.stringify(path)}`);
    }
    if (options.mkdir ?? true) await Deno.mkdir(dirname(path), { recursive: true });
    for (let attempt = 0;; attempt++) {
      const tempPath = tempPathFor(path);
      try {
        (await Deno.open(tempPath, { write: true, createNew: true })).close();
        return new AtomicOutput(path, tempPath);
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists) || attempt >= 3) throw error;
      }
    }
  }

  /** `"open"` until committed or aborted. */
  get state(): "open" | "committed" | "aborted" {
    return this.#state;
  }

  /**
   * Flushes the temporary file to disk and moves it onto the final path (replacing any
   * file there). Throws if the output was aborted or the temporary file is gone.
   */
  async commit(): Promise<void> {
    if (this.#state !== "open") {
      throw new Error(
        `AtomicOutput ${this.path}: expected an open output to commit, found it ${this.#state}`,
      );
    }
    // Data on disk before the name: a crash right after the rename cannot leave the final
    // path pointing at a file whose blocks were never written.
    const file = await Deno.open(this.tempPath, { read: true });
    try {
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(this.tempPath, this.path);
    this.#state = "committed";
  }

  /** Removes the temporary file; the final path is left untouched. Safe to call twice. */
  async abort(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    await Deno.remove(this.tempPath).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
}

/**
 * Writes `text` to `path` atomically: readers never see a partial file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await atomicWriteText(`${dir}/summary.json`, '{"frames":30}');
 * assert.equal(await Deno.readTextFile(`${dir}/summary.json`), '{"frames":30}');
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function atomicWriteText(path: string, text: string): Promise<void> {
  await atomicWriteFile(path, new TextEncoder().encode(text));
}

/**
 * Writes `data` to `path` atomically (see {@link atomicWriteText}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await atomicWriteFile(`${dir}/a.bin`, new Uint8Array([1, 2, 3]));
 * assert.deepEqual([...await Deno.readFile(`${dir}/a.bin`)], [1, 2, 3]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function atomicWriteFile(path: string, data: Uint8Array): Promise<void> {
  const output = await AtomicOutput.create(path);
  try {
    await Deno.writeFile(output.tempPath, data);
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
}
