/**
 * One stream of a pipeline configuration (an entry of its `streams`, or the body of
 * `POST /streams`): the source, the model it runs on, its queue policy, live-input
 * settings. Rules that need the rest of the configuration (which models exist, ids used
 * twice, paths relative to the file) are `resolveStreamConfig`'s, in
 * `src/pipeline/config.ts`.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";
import { intIn } from "./ranges.ts";
import { idPhrase, STREAM_ID } from "./ids.ts";
import { LineConfigSchema, TrackingConfigSchema, ZoneConfigSchema } from "./analytics_config.ts";

export { idPhrase, STREAM_ID, STREAM_ID_PHRASE } from "./ids.ts";

/**
 * How a stream's frames wait for the model: `lossless` (every frame, in order) or a drop
 * policy of a live queue (`wait`, `drop-oldest`, `drop-latest`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(STREAM_POLICIES[0], "lossless");
 * ```
 */
export const STREAM_POLICIES = Object.freeze(
  ["lossless", "wait", "drop-oldest", "drop-latest"] as const,
);

const delay = z.number().min(0);

/**
 * How a live input reconnects: the backoff between attempts (each field defaults to the
 * video layer's `DEFAULT_RECONNECT`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire } from "./parse.ts";
 * assert.deepEqual(checkWire(ReconnectConfigSchema, { maxDelayMs: -1 }), [
 *   { path: ["maxDelayMs"], expected: "a number >= 0", found: "the number -1" },
 * ]);
 * ```
 */
export const ReconnectConfigSchema = strictObject({
  initialDelayMs: delay.optional().describe("Delay before the first retry, ms (default 500)."),
  maxDelayMs: delay.optional().describe("Longest delay between retries, ms (default 30000)."),
  maxAttempts: delay.optional().describe(
    "Consecutive failed attempts before giving up (default: no limit).",
  ),
}, { description: "The backoff of a live input's reconnects." });

/**
 * How an RTSP source's RTP packets travel (`rtspTransport`): `auto` (TCP, then UDP when the
 * camera refuses TCP), `tcp`, `udp`, or `http` (TCP tunnelled over HTTP).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(RTSP_TRANSPORTS[0], "auto");
 * ```
 */
export const RTSP_TRANSPORTS = Object.freeze(["auto", "tcp", "udp", "http"] as const);

/**
 * ffmpeg's hardware decoding methods a stream may ask for (`hwaccel`, ffmpeg's
 * `-hwaccel`): `auto` lets ffmpeg pick one it has (software when none works), the others
 * name one. The ffmpeg in use must list it in `ffmpeg -hwaccels`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(HWACCELS.includes("cuda"));
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
 * One stream, as a configuration file or `POST /streams` gives it (defaults filled).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWire } from "./parse.ts";
 * const s = parseWire(StreamConfigSchema, { id: "cam1", source: "rtsp://10.0.0.2/live" }, "p.json");
 * assert.deepEqual([s.queueSize, s.loop, s.reconnect, s.stallTimeoutMs], [1, false, {}, 10_000]);
 * assert.throws(
 *   () => parseWire(StreamConfigSchema, { id: "a b", source: "x.mp4" }, "p.json"),
 *   { message: 'p.json: id: expected letters, digits, "_", "." or "-" (at most 64), found the string "a b"' },
 * );
 * ```
 */
export const StreamConfigSchema = strictObject({
  id: z.string().regex(STREAM_ID, { error: (issue) => idPhrase(issue.input) }).describe(
    'Id in results, status events, metrics and URLs: letters, digits, "_", "." or "-", up to 64; not "." or "..".',
  ),
  source: z.string().min(1).describe(
    "What to read: a file, a folder or glob of images, an rtsp/rtmp/http(s)/udp/srt URL, /dev/videoN, or lavfi:<pattern>. Relative paths are relative to the configuration file.",
  ),
  model: z.string().regex(STREAM_ID, { error: (issue) => idPhrase(issue.input, "a model id") })
    .optional().describe(
      "The id of the model it runs on (default: the only model).",
    ),
  policy: z.enum(STREAM_POLICIES).optional().describe(
    'How frames wait for the model: "lossless" (every frame; the default of files) or a drop policy of a live queue ("drop-oldest": the default of live inputs, "drop-latest", "wait").',
  ),
  queueSize: intIn(1, 1000).default(1).describe(
    "Live queue length (default 1: the freshest frame waits, older ones are dropped).",
  ),
  loop: z.boolean().default(false).describe("Loop a file as a live stream (default false)."),
  realtime: z.boolean().optional().describe(
    "Read at the input's own rate (default: live inputs and looping files).",
  ),
  fps: z.number().min(0.001).optional().describe("Resample to this frame rate in ffmpeg."),
  imageRate: z.number().min(0.001).max(1000).optional().describe(
    "Image folders and globs only: the frames per second their images are timed at (default 25).",
  ),
  reconnect: z.union([z.literal(false), ReconnectConfigSchema]).default(() => ({})).describe(
    "Reconnect a live input, with this backoff (default {}: the default backoff); false: never.",
  ),
  stallTimeoutMs: z.number().min(1).default(10_000).describe(
    "A live input with no frame for this long is restarted, ms (default 10000).",
  ),
  maxInFlight: intIn(1, 256).optional().describe(
    "Frames of this stream in the model at once (default: 2 × maxBatch × sessions lossless; live 1, or sessions × maxBatch for a live stream alone on an engine that tuned itself for throughput because the stream outruns its single-frame setting).",
  ),
  rtspTransport: z.enum(RTSP_TRANSPORTS).optional().describe(
    'rtsp:// and rtsps:// sources only: how RTP packets travel: "tcp" (in the RTSP connection), "udp", "http" (tunnelled over HTTP; rtsp:// only) or "auto" (the default: TCP, then UDP when the camera refuses TCP; the transport that worked is kept for reconnects). A fixed transport the camera refuses fails the stream.',
  ),
  hwaccel: z.enum(HWACCELS).optional().describe(
    'Decode on this hardware (ffmpeg\'s -hwaccel: "auto", "cuda", "vaapi", "qsv", "videotoolbox", "vdpau", "d3d11va", "dxva2", "drm", "opencl", "vulkan"); decoded pictures come back to system memory for scaling. Default: software decoding. The ffmpeg in use (FFMPEG_PATH, else PATH, else npm) must list the method in `ffmpeg -hwaccels`, else the stream fails saying which it has: hardware decoding needs a system ffmpeg built with it. Not for lavfi: patterns.',
  ),
  readyWithoutFrames: z.boolean().optional().describe(
    "GET /ready does not wait for this stream's first frame (default false: the server is ready once every stream has delivered a frame). A failed stream makes it not ready all the same.",
  ),
  tracking: z.union([z.boolean(), TrackingConfigSchema]).optional().describe(
    "Track objects with ByteTrack: true (default parameters), an object of parameters, or false. Default: on when the stream has lines or zones, off otherwise.",
  ),
  lines: z.array(LineConfigSchema).optional().describe(
    "Counting lines (they turn tracking on): crossings in and out per class.",
  ),
  zones: z.array(ZoneConfigSchema).optional().describe(
    "Zones (they turn tracking on): objects inside per class, entries, exits, dwell times.",
  ),
}, { description: "One stream: a source and the model it runs on." });
