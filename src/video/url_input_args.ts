/**
 * The ffmpeg input options of a network stream (`rtsp://`, `rtmp://`, `http(s)://`,
 * `udp://`, `srt://`): the protocol whitelist, no demuxer buffering, a short probe
 * ({@link LIVE_PROBE}), and for RTSP the transport
 * its RTP packets travel over (`-rtsp_transport`).
 *
 * @module
 */

/**
 * How an RTSP session carries its RTP packets, as ffmpeg's `-rtsp_transport` says it:
 * interleaved in the RTSP connection (`tcp`), on UDP ports of their own (`udp`), or
 * interleaved and tunnelled through HTTP (`http`, for networks that pass only HTTP; the
 * npm ffmpeg 4.1 offers `udp`, `tcp`, `udp_multicast` and `http`, not `https`).
 */
export type RtspLowerTransport = "tcp" | "udp" | "http";

/**
 * Whether a URL is an RTSP one (`rtsp://` or `rtsps://`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(isRtspUrl("RTSP://cam/1"));
 * assert.ok(!isRtspUrl("http://cam/1.ts"));
 * ```
 */
export function isRtspUrl(url: string): boolean {
  return /^rtsps?:/i.test(url);
}

/** How much of a live URL ffmpeg reads to learn its streams before decoding. */
export const LIVE_PROBE = Object.freeze({ analyzeDurationUs: 500_000, probeSizeBytes: 500_000 });

/**
 * The input options of `url`, up to and including `-i`. `whitelist` is the input's
 * `-protocol_whitelist` (from `protocolWhitelist`); tunnelling over HTTP adds `http` to
 * it. An RTSP URL without `rtspTransport` uses TCP.
 *
 * @example UDP for a camera that refuses TCP
 * ```ts
 * import assert from "node:assert/strict";
 * const args = urlInputArgs("rtsp://cam/1", "rtsp,rtp,udp,tcp", "udp");
 * assert.deepEqual(args.slice(-4), ["-rtsp_transport", "udp", "-i", "rtsp://cam/1"]);
 * assert.equal(urlInputArgs("rtsp://cam/1", "rtsp,rtp,udp,tcp", "http")[1], "rtsp,rtp,udp,tcp,http");
 * assert.ok(!urlInputArgs("rtmp://host/live", "rtmp,tcp").includes("-rtsp_transport"));
 * ```
 */
export function urlInputArgs(
  url: string,
  whitelist: string,
  rtspTransport?: RtspLowerTransport,
): string[] {
  const rtsp = isRtspUrl(url);
  const transport = rtsp ? rtspTransport ?? "tcp" : undefined;
  // Probe 0.5 s (or 500 kB) of a live stream, not ffmpeg's default 5 s / 5 MB: enough
  // for the stream's parameters, and the latency users feel at every (re)connect (the
  // RTSP test server's header came 0.65 s sooner than with the default probe, 0.33 s
  // sooner than with 1 s / 1 MB; docs/decode-latency.md). No demuxer buffering either.
  const args = [
    "-protocol_whitelist",
    transport === "http" ? `${whitelist},http` : whitelist,
    "-fflags",
    "nobuffer",
    "-analyzeduration",
    String(LIVE_PROBE.analyzeDurationUs),
    "-probesize",
    String(LIVE_PROBE.probeSizeBytes),
  ];
  if (transport) args.push("-rtsp_transport", transport);
  args.push("-i", url);
  return args;
}
