/**
 * What a source reads, and the rules that keep user-given inputs safe: one protocol
 * whitelist per input kind (ffmpeg's `-protocol_whitelist`), no `concat:` / `subfile:`
 * or other protocol tricks, file inputs confined to root folders, and lavfi graphs
 * limited to test-pattern sources (a `movie=` filter would open any file or URL).
 *
 * @module
 */

import { SourceError } from "../errors.ts";

/** A video file (batch work; lossless by default). */
export interface FileInput {
  kind: "file";
  path: string;
}

/** A network stream: rtsp(s), rtmp(s), http(s) (incl. HLS), udp, srt (live by default). */
export interface UrlInput {
  kind: "url";
  url: string;
}

/** A local camera through video4linux2 (live). */
export interface V4l2Input {
  kind: "v4l2";
  /** `/dev/videoN`. */
  device: string;
  /** Capture size, e.g. `[1280, 720]`; the camera's default when absent. */
  size?: [number, number];
  /** Capture frame rate; the camera's default when absent. */
  fps?: number;
  /** Camera pixel format, e.g. `"mjpeg"` or `"yuyv422"`. */
  inputFormat?: string;
}

/**
 * A folder of images, or a glob like `shots/*.jpg`, as one video whose frames are the
 * images in natural name order (lossless; see `listImages`).
 */
export interface ImagesInput {
  kind: "images";
  path: string;
  /** Frames per second to time the images at (default 25). */
  fps?: number;
}

/** A synthetic test pattern: an ffmpeg lavfi source such as `testsrc2=size=640x360:rate=30`. */
export interface LavfiInput {
  kind: "lavfi";
  graph: string;
}

/** Any input a source can read. */
export type SourceInput = FileInput | UrlInput | V4l2Input | ImagesInput | LavfiInput;

/** The input kinds. */
export type SourceKind = SourceInput["kind"];

/** URL schemes accepted, with the protocols each may use. */
const URL_PROTOCOLS: Record<string, string> = {
  rtsp: "rtsp,rtp,udp,tcp",
  rtsps: "rtsp,rtsps,rtp,udp,tcp,tls",
  rtmp: "rtmp,tcp",
  rtmps: "rtmps,tcp,tls",
  http: "http,tcp,crypto",
  https: "https,http,tcp,tls,crypto",
  udp: "udp,rtp",
  srt: "srt,udp",
};

/** lavfi source filters a graph may start with (all synthetic). */
const LAVFI_SOURCES = new Set([
  "testsrc",
  "testsrc2",
  "smptebars",
  "smptehdbars",
  "rgbtestsrc",
  "yuvtestsrc",
  "color",
  "mandelbrot",
  "life",
  "cellauto",
  "allrgb",
  "allyuv",
  "pal75bars",
  "pal100bars",
]);

/** How {@link parseSourceInput} reads a path. */
export interface ParseSourceOptions {
  /**
   * Whether the path is a folder (of images); default: when it ends with `/` or is an
   * existing folder.
   */
  isFolder?: boolean;
  /** Frames per second of an image folder or glob (`ImagesInput.fps`). */
  imageRate?: number;
}

/**
 * Reads a source from the string a user wrote: `lavfi:<graph>`, a URL with one of the
 * accepted schemes, `/dev/videoN`, a path with `*` or `?` in its last component (images),
 * a folder (images), or a file path. `options` may be `true` for `{ isFolder: true }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseSourceInput("rtsp://cam.local/stream"), { kind: "url", url: "rtsp://cam.local/stream" });
 * assert.deepEqual(parseSourceInput("lavfi:testsrc2=size=320x240:rate=30"), {
 *   kind: "lavfi",
 *   graph: "testsrc2=size=320x240:rate=30",
 * });
 * assert.equal(parseSourceInput("/dev/video0").kind, "v4l2");
 * assert.equal(parseSourceInput("frames/*.jpg").kind, "images");
 * assert.deepEqual(parseSourceInput("frames/", { imageRate: 5 }), { kind: "images", path: "frames/", fps: 5 });
 * assert.equal(parseSourceInput("clip.mp4").kind, "file");
 * ```
 */
export function parseSourceInput(
  text: string,
  options: ParseSourceOptions | boolean = {},
): SourceInput {
  if (typeof text !== "string" || text.length === 0) {
    throw new TypeError(`source: expected a non-empty string, found ${JSON.stringify(text)}`);
  }
  const { isFolder, imageRate } = typeof options === "boolean" ? { isFolder: options } : options;
  if (text.startsWith("lavfi:")) return { kind: "lavfi", graph: text.slice(6) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { kind: "url", url: text };
  if (/^\/dev\/video\d+$/.test(text)) return { kind: "v4l2", device: text };
  if (/[*?]/.test(text.slice(text.lastIndexOf("/") + 1)) || (isFolder ?? isFolderPath(text))) {
    return { kind: "images", path: text, ...(imageRate === undefined ? {} : { fps: imageRate }) };
  }
  return { kind: "file", path: text };
}

/** Whether a path names a folder: it ends with `/`, or is one (false when it cannot be read). */
function isFolderPath(path: string): boolean {
  if (path.endsWith("/")) return true;
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false; // missing or not readable: the file check says why
  }
}

/**
 * The `-protocol_whitelist` for an input, after checking that it is allowed: a URL with
 * an accepted scheme and no protocol nesting (`concat:`, `subfile:`, `pipe:`...), a v4l2
 * device path, a lavfi graph made of one synthetic source. File paths are checked by
 * {@link confineToRoots}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(protocolWhitelist({ kind: "url", url: "rtmp://host/live/key" }), "rtmp,tcp");
 * assert.throws(() => protocolWhitelist({ kind: "url", url: "concat:a.mp4|b.mp4" }), /accepted schemes/);
 * assert.throws(() => protocolWhitelist({ kind: "lavfi", graph: "movie=/etc/passwd" }), /lavfi/);
 * ```
 */
export function protocolWhitelist(input: SourceInput): string {
  switch (input.kind) {
    case "url": {
      const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(input.url)?.[1]?.toLowerCase();
      const protocols = scheme === undefined ? undefined : URL_PROTOCOLS[scheme];
      if (
        protocols === undefined ||
        /\b(concat|subfile|pipe|file|data|tee|async|cache):/i.test(
          input.url.slice(scheme!.length + 3),
        )
      ) {
        throw new SourceError(
          `url: expected a URL with one of the accepted schemes (${
            Object.keys(URL_PROTOCOLS).join(", ")
          }) and no nested protocol, found ${JSON.stringify(input.url)}`,
        );
      }
      return protocols;
    }
    case "v4l2":
      if (!/^\/dev\/video\d+$/.test(input.device)) {
        throw new SourceError(
          `v4l2 device: expected /dev/videoN, found ${JSON.stringify(input.device)}`,
        );
      }
      return "file";
    case "lavfi": {
      const name = /^([a-z0-9_]+)(=|$)/.exec(input.graph)?.[1];
      if (name === undefined || !LAVFI_SOURCES.has(name) || /[;,[\]]/.test(input.graph)) {
        throw new SourceError(
          `lavfi: expected one synthetic source filter (${[...LAVFI_SOURCES].join(", ")}) ` +
            `with its options, found ${JSON.stringify(input.graph)}`,
        );
      }
      return "file";
    }
    case "file":
    case "images":
      return "file";
  }
}

/**
 * Resolves a file or folder path (symbolic links included) and checks that it lies in
 * one of `roots`; returns the resolved path. Outside every root, or missing, is a
 * {@link SourceError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/clip.mp4`, "");
 * assert.equal(await confineToRoots(`${root}/clip.mp4`, [root]), await Deno.realPath(`${root}/clip.mp4`));
 * await assert.rejects(() => confineToRoots(`${root}/../`, [root]), /confined to the root folders/);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function confineToRoots(path: string, roots: string[]): Promise<string> {
  let real: string;
  try {
    real = await Deno.realPath(path);
  } catch (error) {
    throw new SourceError(`${path}: expected an existing file or folder, found none`, {
      cause: error,
    });
  }
  for (const root of roots) {
    let realRoot: string;
    try {
      realRoot = await Deno.realPath(root);
    } catch {
      continue;
    }
    if (real === realRoot || real.startsWith(realRoot.endsWith("/") ? realRoot : realRoot + "/")) {
      return real;
    }
  }
  throw new SourceError(
    `${path}: file inputs are confined to the root folders ${
      roots.map((r) => JSON.stringify(r)).join(", ")
    }; it resolves to ${real}, outside them`,
  );
}

/**
 * Whether a kind is live by default (network streams, cameras, test patterns); files and
 * image folders are lossless.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isLiveKind("url"), true);
 * assert.equal(isLiveKind("file"), false);
 * ```
 */
export function isLiveKind(kind: SourceKind): boolean {
  return kind === "url" || kind === "v4l2" || kind === "lavfi";
}
