/**
 * The viewer's COCO RLE decoder is the server's: `src/server/viewer/rle.js` is
 * `src/geometry/rle.ts` (with the modules it imports) bundled for the browser by
 * `deno bundle`, which needs no download. `deno task generate` runs this file: run it after
 * changing those modules.
 *
 * A test fails while the committed `rle.js` differs from what this makes.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The repository root (commands run there, so that the bundle names paths from it). */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The module bundled, from the repository root. */
export const RLE_ENTRY = "src/geometry/rle.ts";

/** The bundle's path, from the repository root. */
export const RLE_BUNDLE = "src/server/viewer/rle.js";

const BANNER =
  `// Generated from ${RLE_ENTRY} by \`deno bundle\`: the server's own COCO RLE code, for the
// viewer. Do not edit: run "deno task generate" (a test checks it is current).
// deno-lint-ignore-file

`;

/**
 * The text of `rle.js`: {@link RLE_ENTRY} and its imports as one ES module for browsers,
 * formatted by `deno fmt`. Runs `deno` (`Deno.execPath()` unless given).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const text = await rleBundle();
 * assert.match(text, /^export \{[^}]*\bdecodeRle\b/m);
 * ```
 */
export async function rleBundle(deno: string = Deno.execPath()): Promise<string> {
  const bundled = await run(deno, [
    "bundle",
    "--quiet",
    "--platform=browser",
    "--format=esm",
    RLE_ENTRY,
  ]);
  return await run(deno, ["fmt", "--quiet", "--ext=js", "-"], BANNER + bundled);
}

async function run(deno: string, args: string[], input?: string): Promise<string> {
  const child = new Deno.Command(deno, {
    args,
    cwd: ROOT,
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  if (code !== 0) {
    throw new Error(`deno ${args[0]} exited with ${code}: ${decoder.decode(stderr).trim()}`);
  }
  return decoder.decode(stdout);
}

if (import.meta.main) {
  await Deno.writeTextFile(`${ROOT}${RLE_BUNDLE}`, await rleBundle());
  console.log(RLE_BUNDLE);
}
