/**
 * Hardware decoding (`hwaccel` of a stream, ffmpeg's `-hwaccel`): the methods an ffmpeg
 * binary has (`ffmpeg -hwaccels`, asked once per binary), and the check a source makes
 * before its first attempt, so that a stream asking for a method its ffmpeg lacks fails
 * alone with an error that says what to do.
 *
 * @module
 */

import { SourceError } from "../errors.ts";
import type { FfmpegBinary } from "./ffmpeg_binary.ts";

/**
 * ffmpeg's hardware decoding methods a source may ask for: `auto` lets ffmpeg pick one it
 * has, the others name one. The same list as the stream configuration's `HWACCELS`
 * (src/wire/stream_config.ts; a test keeps them equal), without its schema library: the
 * video layer runs without it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(HWACCELS[0], "auto");
 * ```
 */
export const HWACCELS = Object.freeze(
  [
    "auto",
    "cuda",
    "vaapi",
    "qsv",
    "videotoolbox",
    "vdpau",
    "d3d11va",
    "dxva2",
    "drm",
    "opencl",
    "vulkan",
  ] as const,
);

/** One of {@link HWACCELS}. */
export type Hwaccel = typeof HWACCELS[number];

/**
 * The methods of `ffmpeg -hwaccels` output (the lines after its title).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseHwaccels("Hardware acceleration methods:\nvdpau\nvaapi\n\n"), ["vdpau", "vaapi"]);
 * ```
 */
export function parseHwaccels(text: string): string[] {
  return text.split("\n").map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^Hardware acceleration methods/i.test(l));
}

const listed = new Map<string, Promise<string[]>>();

/**
 * The hardware decoding methods `binary` lists in `ffmpeg -hide_banner -hwaccels`, asked
 * once per binary path (none when it cannot say).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveFfmpeg } from "./ffmpeg_binary.ts";
 * const methods = await hwaccelsOf(await resolveFfmpeg({ env: Deno.env.toObject() }));
 * assert.ok(Array.isArray(methods)); // e.g. ["vdpau", "vaapi"]
 * ```
 */
export function hwaccelsOf(binary: Pick<FfmpegBinary, "path">): Promise<string[]> {
  let methods = listed.get(binary.path);
  if (!methods) {
    methods = askHwaccels(binary.path);
    listed.set(binary.path, methods);
  }
  return methods;
}

async function askHwaccels(path: string): Promise<string[]> {
  try {
    const { success, stdout } = await new Deno.Command(path, {
      args: ["-hide_banner", "-hwaccels"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    return success ? parseHwaccels(new TextDecoder().decode(stdout)) : [];
  } catch {
    return []; // it does not run: it has none
  }
}

/**
 * The error of a stream whose `hwaccel` its ffmpeg does not list, or undefined when it
 * does (`auto`: when it lists any method). The source puts its stream's id before it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const binary = { path: "/opt/ffmpeg", version: "ffmpeg version 4.1" };
 * assert.equal(hwaccelError("vaapi", binary, ["vdpau", "vaapi"]), undefined);
 * assert.match(hwaccelError("cuda", binary, ["vdpau", "vaapi"])!.message,
 *   /^hwaccel "cuda": .*\/opt\/ffmpeg .* lists vdpau, vaapi.*FFMPEG_PATH/);
 * ```
 */
export function hwaccelError(
  hwaccel: Hwaccel,
  binary: Pick<FfmpegBinary, "path" | "version">,
  methods: readonly string[],
): SourceError | undefined {
  if (hwaccel === "auto" ? methods.length > 0 : methods.includes(hwaccel)) return undefined;
  const has = methods.length > 0 ? `lists ${methods.join(", ")}` : "lists no method";
  const need = hwaccel === "auto" ? "hardware decoding" : hwaccel;
  return new SourceError(
    `hwaccel "${hwaccel}": expected an ffmpeg that lists ${
      hwaccel === "auto" ? "a method" : `"${hwaccel}"`
    } in \`ffmpeg -hwaccels\`, found ${binary.path} (${binary.version || "version unknown"}), ` +
      `which ${has}; hardware decoding needs a system ffmpeg built with ${need} ` +
      `(set FFMPEG_PATH to it), or remove "hwaccel" to decode in software`,
  );
}

/**
 * Checks that the ffmpeg a stream runs on has its `hwaccel` (see {@link hwaccelError}):
 * throws a `SourceError` otherwise. Nothing to check without one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const binary = { path: "/nonexistent/ffmpeg", version: "" };
 * await checkHwaccel(undefined, binary); // software: nothing to check
 * await assert.rejects(checkHwaccel("cuda", binary), /lists no method/);
 * ```
 */
export async function checkHwaccel(
  hwaccel: Hwaccel | undefined,
  binary: Pick<FfmpegBinary, "path" | "version">,
): Promise<void> {
  if (hwaccel === undefined) return;
  const error = hwaccelError(hwaccel, binary, await hwaccelsOf(binary));
  if (error) throw error;
}
