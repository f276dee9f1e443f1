/**
 * The ffmpeg command line of each attempt of a source to read its input. Each attempt
 * checks the input again before ffmpeg sees it (a protocol whitelist for a URL or a
 * pattern, a file confined to the roots, every image of a folder or glob checked and
 * linked anew, so an image added or removed in the meantime is seen), with the RTSP
 * transport of that attempt and the display orientation of a mirrored file.
 *
 * @module
 */

import { ffmpegArgs } from "./ffmpeg_args.ts";
import { type Orientation, readOrientation } from "./display_orientation.ts";
import { type PreparedImages, prepareImages } from "./image_sequence.ts";
import type { ResolvedSourceOptions } from "./source_options.ts";
import { confineToRoots, protocolWhitelist, type SourceInput } from "./source_spec.ts";
import type { RtspLowerTransport } from "./url_input_args.ts";

/** What {@link AttemptCommand} needs of a source's resolved options. */
export type AttemptCommandOptions = Pick<
  ResolvedSourceOptions,
  "ffmpeg" | "output" | "roots" | "mode"
>;

/**
 * The command lines of one source's attempts. It holds what an attempt leaves for the
 * ffmpeg that runs it: the links to an image input's checked images (removed when the
 * next attempt is built, its ffmpeg having exited, and by {@link AttemptCommand.close}).
 *
 * @example The images of a folder, read through numbered links
 * ```ts
 * import assert from "node:assert/strict";
 * const root = await Deno.realPath(await Deno.makeTempDir());
 * await Deno.writeFile(`${root}/shot.png`, new Uint8Array());
 * const command = new AttemptCommand({ kind: "images", path: root, fps: 5 }, {
 *   ffmpeg: { path: "ffmpeg", origin: "PATH", version: "5.1", libavformat: [59, 27] },
 *   output: { fit: "native", width: 0, height: 0, format: "rgb24" },
 *   roots: [root],
 *   mode: { realtime: false, loop: false },
 * });
 * const args = await command.next();
 * const pattern = args[args.indexOf("-i") + 1];
 * assert.match(pattern, /streamdet-images-.*\/%d\.png$/);
 * assert.equal(args[args.indexOf("-framerate") + 1], "5");
 * await command.close(); // the links are gone, the images stay
 * await assert.rejects(Deno.lstat(pattern.replace("%d", "0")), Deno.errors.NotFound);
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @example A refused input throws before any ffmpeg runs
 * ```ts
 * import assert from "node:assert/strict";
 * const command = new AttemptCommand({ kind: "url", url: "concat:a.mp4|b.mp4" }, {
 *   ffmpeg: { path: "ffmpeg", origin: "PATH", version: "5.1", libavformat: [59, 27] },
 *   output: { fit: "native", width: 0, height: 0, format: "rgb24" },
 *   roots: ["."],
 *   mode: { realtime: false, loop: false },
 * });
 * await assert.rejects(command.next(), /accepted schemes/);
 * ```
 */
export class AttemptCommand {
  readonly #input: SourceInput;
  readonly #options: AttemptCommandOptions;
  #orientation: Orientation | undefined;
  #images: PreparedImages | undefined;

  constructor(input: SourceInput, options: AttemptCommandOptions) {
    this.#input = input;
    this.#options = options;
  }

  /**
   * The display orientation applied with filters (a mirrored MP4: ffmpeg turns rotated
   * pictures upright itself, not mirrored ones, before ffmpeg 7), else undefined. Known
   * once an attempt of a file input has been built; kept for the later ones.
   */
  get orientation(): Orientation | undefined {
    return this.#orientation;
  }

  /**
   * Checks the input (a refused input throws a `SourceError`) and builds ffmpeg's
   * arguments for the next attempt, with its RTSP transport.
   */
  async next(rtspTransport?: RtspLowerTransport): Promise<string[]> {
    const { ffmpeg, output, roots, mode } = this.#options;
    const input = this.#input;
    const whitelist = protocolWhitelist(input);
    let path = "";
    if (input.kind === "file") {
      path = await confineToRoots(input.path, roots);
      const orientation = await readOrientation(path);
      if (orientation?.mirror) this.#orientation = orientation;
    }
    if (input.kind === "images") {
      await this.#images?.close(); // the last attempt's: its ffmpeg has exited
      this.#images = await prepareImages(input.path, roots);
      path = this.#images.pattern;
    }
    return ffmpegArgs(
      ffmpeg,
      input,
      path,
      output,
      { ...mode, rtspTransport },
      whitelist,
      this.#orientation,
    );
  }

  /** Removes what the last attempt left (an image input's links); call once its ffmpeg has exited. */
  async close(): Promise<void> {
    await this.#images?.close();
  }
}
