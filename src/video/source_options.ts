/**
 * Options of a frame source, checked and resolved once with every default filled: what
 * a {@link FrameSource} runs on.
 *
 * @module
 */

import type { DropPolicy } from "../types.ts";
import { DEFAULT_RECONNECT, type ReconnectOptions } from "./backoff.ts";
import type { OutputSpec, ReadMode } from "./ffmpeg_args.ts";
import type { FfmpegBinary } from "./ffmpeg_binary.ts";
import { isLiveKind, type SourceInput, type SourceKind } from "./source_spec.ts";
import type { RtspTransport } from "./rtsp_transport_chooser.ts";
import { isRtspUrl } from "./url_input_args.ts";
import { checkChoice, checkInteger, checkNumber } from "../geometry/validate.ts";
import { describe } from "../describe.ts";
import { type Hwaccel, HWACCELS } from "./hwaccel.ts";

/** Options of a `FrameSource`. */
export interface FrameSourceOptions {
  /** Id carried by every frame and status event. */
  streamId: string;
  /** The index of the first frame (default 0): a stream that moved between cluster nodes
   * continues its numbering. */
  firstIndex?: number;
  /** What to read: a {@link SourceInput} or a string for `parseSourceInput`. */
  input: SourceInput | string;
  /** The ffmpeg to run (see `resolveFfmpeg`). */
  ffmpeg: FfmpegBinary;
  /**
   * Frame size and pixel format: `{ width, height }` letterboxes by default; without a
   * size, frames keep the native size. RGB unless `format: "bgr24"`.
   */
  output?: Partial<OutputSpec>;
  /** `"lossless"`, or a {@link DropPolicy} for a live queue (default: files and image folders lossless, the rest `"drop-oldest"`). */
  policy?: "lossless" | DropPolicy;
  /** Live queue length (default 2). */
  queueSize?: number;
  /** Read at the input's own rate (default: lavfi patterns and looping files). */
  realtime?: boolean;
  /** Loop a file or image folder forever, as a live stream (default false). */
  loop?: boolean;
  /** Reconnect settings of a live source, or false to never reconnect. */
  reconnect?: Partial<ReconnectOptions> | false;
  /** A live source with no frame for this long is restarted (default 10 000 ms). */
  stallTimeoutMs?: number;
  /** A live source whose input has not opened after this long is restarted (default 10 000 ms). */
  connectTimeoutMs?: number;
  /** Folders that file and image inputs must lie in (default: the working folder). */
  roots?: string[];
  /** How long ffmpeg gets after SIGTERM before SIGKILL (default 2 000 ms). */
  stopGraceMs?: number;
  /**
   * RTSP inputs only: how RTP packets travel, `"tcp"`, `"udp"`, `"http"` (tunnelled;
   * `rtsp://` only), or `"auto"` (the default: TCP, then UDP when the camera refuses TCP;
   * see `RtspTransportChooser`).
   */
  rtspTransport?: RtspTransport;
  /**
   * Decode with this hardware method (ffmpeg's `-hwaccel`; see `HWACCELS`), checked
   * against `ffmpeg -hwaccels` when the source starts. Software when absent.
   */
  hwaccel?: Hwaccel;
}

/** The options with every default filled. */
export interface ResolvedSourceOptions {
  ffmpeg: FfmpegBinary;
  output: OutputSpec;
  live: boolean;
  dropPolicy: DropPolicy;
  queueSize: number;
  mode: ReadMode;
  reconnect: ReconnectOptions | null;
  stallTimeoutMs: number;
  connectTimeoutMs: number;
  roots: string[];
  stopGraceMs: number;
  /** The transport setting of an RTSP input (default `"auto"`); undefined for others. */
  rtspTransport: RtspTransport | undefined;
  /** The hardware decoding method, also in `mode`; undefined for software decoding. */
  hwaccel: Hwaccel | undefined;
}

/**
 * Checks the options (a `TypeError` / `RangeError` naming the option otherwise) and fills
 * the defaults for an input of kind `kind`.
 *
 * @example A file is lossless by default, a URL live with reconnects
 * ```ts
 * import assert from "node:assert/strict";
 * const ffmpeg = { path: "ffmpeg", origin: "PATH" as const, version: "", libavformat: [59, 27] as [number, number] };
 * const file = resolveSourceOptions({ streamId: "a", input: "a.mp4", ffmpeg }, "file");
 * assert.equal(file.live, false);
 * assert.equal(file.dropPolicy, "wait");
 * const cam = resolveSourceOptions({ streamId: "b", input: "rtsp://cam/1", ffmpeg, output: { width: 640, height: 640 } }, "url");
 * assert.equal(cam.dropPolicy, "drop-oldest");
 * assert.equal(cam.output.fit, "letterbox");
 * assert.equal(cam.reconnect?.initialDelayMs, 500);
 * assert.equal(cam.rtspTransport, "auto");
 * assert.throws(
 *   () => resolveSourceOptions({ streamId: "c", input: "http://cam/1.ts", ffmpeg, rtspTransport: "udp" }, "url"),
 *   { message: 'FrameSource: rtspTransport: expected no value for a source that is not an rtsp:// or rtsps:// URL, found the string "udp"' },
 * );
 * ```
 */
export function resolveSourceOptions(
  o: FrameSourceOptions,
  kind: SourceKind,
): ResolvedSourceOptions {
  const fn = "FrameSource";
  if (typeof o.streamId !== "string" || o.streamId.length === 0) {
    throw new TypeError(
      `${fn}: streamId: expected a non-empty string, found ${describe(o.streamId)}`,
    );
  }
  if (o.ffmpeg === null || typeof o.ffmpeg !== "object" || typeof o.ffmpeg.path !== "string") {
    throw new TypeError(
      `${fn}: ffmpeg: expected a resolved ffmpeg (see resolveFfmpeg), found ${describe(o.ffmpeg)}`,
    );
  }
  const out = o.output ?? {};
  const sized = out.width !== undefined || out.height !== undefined;
  const fit = out.fit ?? (sized ? "letterbox" : "native");
  checkChoice(fn, "output.fit", fit, ["letterbox", "resize", "native"]);
  const format = out.format ?? "rgb24";
  checkChoice(fn, "output.format", format, ["rgb24", "bgr24"]);
  if (fit !== "native") {
    checkInteger(fn, "output.width", out.width, 1, 16384);
    checkInteger(fn, "output.height", out.height, 1, 16384);
  }
  if (out.fps !== undefined) checkNumber(fn, "output.fps", out.fps, 1e-3);
  const loop = o.loop ?? false;
  const policy = o.policy;
  if (policy !== undefined) {
    checkChoice(fn, "policy", policy, ["lossless", "wait", "drop-oldest", "drop-latest"]);
  }
  const live = policy === undefined ? isLiveKind(kind) || loop : policy !== "lossless";
  const dropPolicy: DropPolicy = !live || policy === "lossless" ? "wait" : policy ?? "drop-oldest";
  if (o.queueSize !== undefined) checkInteger(fn, "queueSize", o.queueSize, 1, 10_000);
  const stallTimeoutMs = o.stallTimeoutMs ?? 10_000;
  checkNumber(fn, "stallTimeoutMs", stallTimeoutMs, 1);
  const connectTimeoutMs = o.connectTimeoutMs ?? 10_000;
  checkNumber(fn, "connectTimeoutMs", connectTimeoutMs, 1);
  const stopGraceMs = o.stopGraceMs ?? 2000;
  checkNumber(fn, "stopGraceMs", stopGraceMs, 0);
  const roots = o.roots ?? [Deno.cwd()];
  if (!Array.isArray(roots) || roots.some((r) => typeof r !== "string")) {
    throw new TypeError(
      `${fn}: roots: expected an array of folder paths, found ${describe(roots)}`,
    );
  }
  let reconnect: ReconnectOptions | null = null;
  if (live && o.reconnect !== false) {
    reconnect = { ...DEFAULT_RECONNECT, ...o.reconnect };
    checkNumber(fn, "reconnect.initialDelayMs", reconnect.initialDelayMs, 0);
    checkNumber(fn, "reconnect.maxDelayMs", reconnect.maxDelayMs, 0);
    checkNumber(fn, "reconnect.factor", reconnect.factor, 1);
    checkNumber(fn, "reconnect.jitter", reconnect.jitter, 0, 1);
    if (reconnect.maxAttempts !== Infinity) {
      checkInteger(fn, "reconnect.maxAttempts", reconnect.maxAttempts, 0);
    }
  }
  const rtspTransport = resolveRtspTransport(fn, o, kind);
  const hwaccel = o.hwaccel;
  if (hwaccel !== undefined) checkChoice(fn, "hwaccel", hwaccel, HWACCELS);
  const realtime = o.realtime ??
    (kind === "lavfi" || (loop && (kind === "file" || kind === "images")));
  return {
    ffmpeg: o.ffmpeg,
    output: {
      fit,
      width: out.width ?? 0,
      height: out.height ?? 0,
      format,
      ...(out.fps ? { fps: out.fps } : {}),
    },
    live,
    dropPolicy,
    queueSize: live ? o.queueSize ?? 2 : 2,
    mode: { realtime, loop, ...(hwaccel ? { hwaccel } : {}) },
    reconnect,
    stallTimeoutMs,
    connectTimeoutMs,
    roots,
    stopGraceMs,
    rtspTransport,
    hwaccel,
  };
}

/** The `rtspTransport` of an RTSP input (default `"auto"`); a `RangeError` when one is
 * given for another input, or `"http"` (unencrypted) for an `rtsps://` one. */
function resolveRtspTransport(
  fn: string,
  o: FrameSourceOptions,
  kind: SourceKind,
): RtspTransport | undefined {
  const url = typeof o.input === "string" ? o.input : o.input.kind === "url" ? o.input.url : "";
  const rtsp = kind === "url" && isRtspUrl(url);
  if (o.rtspTransport === undefined) return rtsp ? "auto" : undefined;
  if (!rtsp) {
    throw new RangeError(
      `${fn}: rtspTransport: expected no value for a source that is not an rtsp:// or ` +
        `rtsps:// URL, found ${describe(o.rtspTransport)}`,
    );
  }
  const secure = /^rtsps:/i.test(url);
  const choices = secure ? ["auto", "tcp", "udp"] : ["auto", "tcp", "udp", "http"];
  if (!choices.includes(o.rtspTransport)) {
    throw new RangeError(
      `${fn}: rtspTransport: expected ${choices.map((c) => `"${c}"`).join(", ")}${
        secure ? " for an rtsps:// URL (HTTP tunnelling would not be encrypted)" : ""
      }, found ${describe(o.rtspTransport)}`,
    );
  }
  return o.rtspTransport;
}
