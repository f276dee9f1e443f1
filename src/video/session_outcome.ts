/**
 * How one ffmpeg session of a source ended, and why, in the words of the source's status
 * events: an input that did not open (no video stream, ffmpeg's error), a silence (no
 * frame in time, a camera that stopped answering), an input cut short (with the frames
 * read). A picture ffmpeg finds damaged is only warned of; data that ends early ends the
 * input early.
 *
 * @module
 */

import type { FfmpegLog, InputInfo } from "./ffmpeg_log.ts";
import type { SourceInput, SourceKind } from "./source_spec.ts";

/** How one session of a source ended. */
export interface SessionOutcome {
  /** How the session ended. */
  end: "eof" | "error" | "stall" | "stopped";
  /** ffmpeg exited with status 0. */
  ok: boolean;
  reason?: string;
  /** Frames read in this session. */
  frames: number;
}

/**
 * Whether an input is a camera (a network stream or a local camera): one that stops
 * sending after it sent frames "stopped answering".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isCamera("url"), true);
 * assert.equal(isCamera("lavfi"), false);
 * ```
 */
export function isCamera(kind: SourceKind): boolean {
  return kind === "url" || kind === "v4l2";
}

/**
 * The input, as a message names it: a URL without its credentials.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(inputName({ kind: "url", url: "rtsp://admin:secret@cam/1" }), "rtsp://cam/1");
 * assert.equal(inputName({ kind: "file", path: "clips/a.mp4" }), "clips/a.mp4");
 * ```
 */
export function inputName(input: SourceInput): string {
  switch (input.kind) {
    case "file":
    case "images":
      return input.path;
    case "url":
      return input.url.replace(/\/\/[^/@]*@/, "//"); // no credentials in messages
    case "v4l2":
      return input.device;
    case "lavfi":
      return input.graph;
  }
}

/**
 * Why ffmpeg failed: the last lines of its log that look like errors, else its exit code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(exitReason({ errorSummary: () => "" }, { code: 1 }), "ffmpeg exited with code 1");
 * ```
 */
export function exitReason(
  log: Pick<FfmpegLog, "errorSummary">,
  status: Pick<Deno.CommandStatus, "code">,
): string {
  return log.errorSummary() || `ffmpeg exited with code ${status.code}`;
}

/**
 * Why an input did not open: no video stream within the connect timeout (`timeoutMs`,
 * when it ran out), none in the input, or ffmpeg's error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const log = { noVideo: true, errorSummary: () => "" };
 * const input = { kind: "file" as const, path: "sound.m4a" };
 * assert.equal(notOpenedReason(log, { code: 1 }, input), "no video stream in sound.m4a");
 * assert.equal(notOpenedReason(log, { code: 255 }, input, 5000), "no video stream after 5000 ms");
 * ```
 */
export function notOpenedReason(
  log: Pick<FfmpegLog, "noVideo" | "errorSummary">,
  status: Pick<Deno.CommandStatus, "code">,
  input: SourceInput,
  timeoutMs?: number,
): string {
  return timeoutMs !== undefined
    ? `no video stream after ${timeoutMs} ms`
    : log.noVideo
    ? `no video stream in ${inputName(input)}`
    : exitReason(log, status);
}

/**
 * Why a live input is restarted when no frame came for `limitMs`: a camera that sent
 * frames and went silent "stopped answering".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(stallReason(true, 25, 10_000), "the camera stopped answering: no frame for 10000 ms");
 * assert.equal(stallReason(true, 0, 10_000), "no frame for 10000 ms");
 * ```
 */
export function stallReason(camera: boolean, frames: number, limitMs: number): string {
  return `${camera && frames > 0 ? "the camera stopped answering: " : ""}` +
    `no frame for ${limitMs} ms`;
}

/** What {@link endReason} reads of a session whose output ended. */
export interface SessionEnd {
  /** The input is a camera (see {@link isCamera}). */
  camera: boolean;
  /** The source is live (a file cut short is then not told apart). */
  live: boolean;
  /** Frames read in the session. */
  frames: number;
  /** How ffmpeg exited. */
  status: Pick<Deno.CommandStatus, "success" | "code">;
  /** The session's log. */
  log: Pick<FfmpegLog, "errorSummary" | "cutShort">;
  /** The input's header, for the number of frames expected. */
  input: Pick<InputInfo, "durationMs" | "fps"> | undefined;
}

/**
 * Why a session's output ended, when that is worth saying: ffmpeg's error, a camera
 * that stopped answering, or a damaged or cut-short file (with the frames read).
 *
 * @example A file whose data ends early
 * ```ts
 * import assert from "node:assert/strict";
 * const reason = endReason({
 *   camera: false,
 *   live: false,
 *   frames: 12,
 *   status: { success: true, code: 0 },
 *   log: { errorSummary: () => "", cutShort: "mov: stream 0, offset 0x2f1: partial file" },
 *   input: { durationMs: 2000, fps: 25 },
 * });
 * assert.equal(
 *   reason,
 *   "the input is truncated or damaged: 12 of about 50 frames read, then ffmpeg said: " +
 *     "mov: stream 0, offset 0x2f1: partial file",
 * );
 * ```
 */
export function endReason(end: SessionEnd): string | undefined {
  const { camera, live, frames, status, log, input } = end;
  const error = status.success ? undefined : exitReason(log, status);
  if (camera && frames > 0) {
    return `the camera stopped answering: ${error ?? "its stream ended"}`;
  }
  // A damaged picture is only warned of; data that ends early ends the input early.
  const cut = live ? undefined : log.cutShort;
  if (cut === undefined || frames === 0) return error;
  const total = input?.durationMs && input.fps
    ? Math.round((input.durationMs / 1000) * input.fps)
    : 0;
  const expected = total > frames ? ` of about ${total}` : "";
  return `the input is truncated or damaged: ${frames}${expected} frames read, then ` +
    `ffmpeg said: ${cut}`;
}
