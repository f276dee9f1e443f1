/**
 * Checks a stream's source the way its ffmpeg would be started, without starting it: an
 * accepted URL scheme, a lavfi graph of one synthetic source, a file inside the allowed
 * roots, an image folder or glob whose every image (symbolic links followed) is inside
 * them.
 *
 * @module
 */

import { SourceError } from "../errors.ts";
import { listImages } from "../video/image_input.ts";
import { confineToRoots, parseSourceInput, protocolWhitelist } from "../video/source_spec.ts";

/**
 * Resolves when `source` would be accepted; rejects with a {@link SourceError} that says
 * why not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * await checkSource("rtsp://10.0.0.2/live", ["/srv"]);
 * await assert.rejects(checkSource("file:///etc/passwd", ["/srv"]), /accepted schemes/);
 * await assert.rejects(checkSource("/etc/passwd", [Deno.cwd()]), /outside/);
 * ```
 */
export async function checkSource(source: string, roots: string[]): Promise<void> {
  try {
    const input = parseSourceInput(source);
    protocolWhitelist(input);
    if (input.kind === "file") await confineToRoots(input.path, roots);
    if (input.kind === "images") await listImages(input.path, roots);
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new SourceError((error as Error).message, { cause: error });
  }
}
