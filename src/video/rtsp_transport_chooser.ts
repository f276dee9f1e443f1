/**
 * Which transport an RTSP source asks for at each connect attempt. A camera offers RTP
 * over TCP, over UDP, or both, and answers `461 Unsupported transport` to a SETUP that
 * asks for another: with a fixed transport that answer fails the source at once (it
 * will not change by retrying), with `auto` the next attempt asks for the other one.
 *
 * `auto` asks for TCP first (one connection, no packet loss, through NAT and firewalls),
 * then UDP. It remembers the transport that last delivered frames, for as long as the
 * source lives: reconnects ask for it first, and only a refusal or a silence over it
 * makes the source try the other again.
 *
 * @module
 */

import type { RtspLowerTransport } from "./url_input_args.ts";

/** `rtspTransport` of a source: a fixed transport, or `auto` (TCP, then UDP). */
export type RtspTransport = "auto" | RtspLowerTransport;

/** What the source does after an attempt, as {@link RtspTransportChooser.after} says. */
export interface TransportVerdict {
  /** Why the attempt ended, in terms of the transport when it was the transport's fault. */
  reason: string | undefined;
  /** No transport is left to try: the source fails with `reason`. */
  fatal: boolean;
  /** The server refused the transport and another one is to be tried: retry at once
   * (even without reconnects: it is part of connecting). */
  retryNow: boolean;
}

const NAMES: Record<RtspLowerTransport, string> = {
  tcp: "TCP",
  udp: "UDP",
  http: "TCP tunnelled over HTTP",
};

/** A SETUP answered "461 Unsupported transport" (or a reply for another transport). */
const REFUSED = /\b461\b|unsupported transport|nonmatching transport/i;
/** The session was set up but no packet came (the frame source's and ffmpeg's words). */
const SILENT = /^no video stream after|^no frame for|udp timeout/i;

/**
 * The transport of each attempt of one source, and the verdict on each failure.
 *
 * @example `auto` against a camera that offers only UDP
 * ```ts
 * import assert from "node:assert/strict";
 * const chooser = new RtspTransportChooser("auto");
 * assert.equal(chooser.current, "tcp");
 * const refused = "[rtsp @ 0x1] method SETUP failed: 461 Unsupported transport";
 * assert.deepEqual(chooser.after(0, refused), {
 *   reason: "the RTSP server refused RTP over TCP (461 Unsupported transport): trying UDP",
 *   fatal: false,
 *   retryNow: true,
 * });
 * assert.equal(chooser.current, "udp");
 * chooser.after(120, "the camera stopped answering"); // UDP worked: kept for reconnects
 * assert.equal(chooser.current, "udp");
 * ```
 *
 * @example A fixed transport the camera refuses fails with the reason
 * ```ts
 * import assert from "node:assert/strict";
 * const chooser = new RtspTransportChooser("tcp");
 * const verdict = chooser.after(0, "method SETUP failed: 461 Unsupported transport");
 * assert.equal(verdict.fatal, true);
 * assert.match(verdict.reason!, /refused RTP over TCP \(461 Unsupported transport\): rtspTransport "auto"/);
 * ```
 */
export class RtspTransportChooser {
  readonly setting: RtspTransport | undefined;
  #current: RtspLowerTransport | undefined;
  /** Transports refused since the last attempt that was not a refusal. */
  #refused = new Set<RtspLowerTransport>();

  /** `setting` is the source's `rtspTransport`; undefined for a source that is not RTSP. */
  constructor(setting: RtspTransport | undefined) {
    this.setting = setting;
    this.#current = setting === "auto" ? "tcp" : setting;
  }

  /** The transport of the next attempt; undefined for a source that is not RTSP. */
  get current(): RtspLowerTransport | undefined {
    return this.#current;
  }

  /**
   * Takes the end of an attempt: the frames it delivered and ffmpeg's or the source's
   * reason. A refused transport fails a fixed setting, and switches `auto` to the other
   * one at once (fails it when both were refused); a silence over a transport switches
   * `auto` too, after the usual backoff. Other failures keep the transport.
   */
  after(frames: number, reason: string | undefined): TransportVerdict {
    const current = this.#current;
    const keep = { reason, fatal: false, retryNow: false };
    if (current === undefined || frames > 0 || reason === undefined) {
      this.#refused.clear();
      return keep;
    }
    const name = NAMES[current];
    if (REFUSED.test(reason)) {
      this.#refused.add(current);
      const why = /\b461\b/.test(reason) ? "461 Unsupported transport" : "Nonmatching transport";
      if (this.setting !== "auto") {
        return {
          reason: `the RTSP server refused RTP over ${name} (${why}): rtspTransport "auto" ` +
            `tries TCP, then UDP`,
          fatal: true,
          retryNow: false,
        };
      }
      const other = current === "tcp" ? "udp" : "tcp";
      if (this.#refused.has(other)) {
        return {
          reason: `the RTSP server refused RTP over TCP and over UDP (${why})`,
          fatal: true,
          retryNow: false,
        };
      }
      this.#current = other;
      return {
        reason: `the RTSP server refused RTP over ${name} (${why}): trying ${NAMES[other]}`,
        fatal: false,
        retryNow: true,
      };
    }
    this.#refused.clear();
    if (this.setting === "auto" && SILENT.test(reason)) {
      const other = current === "tcp" ? "udp" : "tcp";
      this.#current = other;
      return { ...keep, reason: `${reason} over ${name}: trying ${NAMES[other]}` };
    }
    return keep;
  }
}
