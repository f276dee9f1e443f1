/**
 * How long ffmpeg's decoder held each frame, read from the lines `-debug_ts` logs (the
 * source asks for them on low-delay inputs: see `isLowDelay`): each packet that leaves
 * the demuxer (`demuxer+ffmpeg -> ... type:video pkt_pts:N`) and each picture that leaves
 * the decoder (`decoder -> ... frame_pts:N`, `decoder -> pts:N` from ffmpeg 7). A picture's
 * hold is the time from its own packet (same pts) to its output; its delay in frames is
 * how many packets the decoder had taken beyond the pictures it had given back: 0 for a
 * stream without B-frames decoded with `low_delay`, the reordering depth (`has_b_frames`)
 * for one with them. See docs/decode-latency.md.
 *
 * @module
 */

import type { Frame } from "../types.ts";

/** What the decoder did with one frame. */
export interface DecoderTiming {
  /** Packets the decoder had taken beyond this picture when it gave it back. */
  delayFrames: number;
  /** Milliseconds from the picture's packet leaving the demuxer to the picture leaving the
   * decoder (as read from ffmpeg's log); NaN when its packet was not seen. */
  holdMs: number;
}

/** A frame of a source, with what the decoder did with it when the source measured it. */
export type TimedFrame = Frame & { decoder?: DecoderTiming };

const PACKET = /demuxer\+ffmpeg -> ist_index:([\d:]+) type:video pkt_pts:(-?\d+|NOPTS)\b/;
const PICTURE = /decoder -> (?:ist_index:([\d:]+) type:video )?(?:frame_pts|pts):(-?\d+|NOPTS)\b/;
/** Every `-debug_ts` line, so that the log's error summary can skip them. */
export const DEBUG_TS_LINE =
  /(?:^|\] )(?:demuxer|demuxer\+ffmpeg|decoder|filter|encoder|muxer) (?:->|<-) /;

/** At most this many packets and pictures are remembered (a stream that never matches). */
const KEEP = 256;

/**
 * Reads `-debug_ts` lines and says, per picture pts, what the decoder did.
 *
 * @example A stream with B-frames: the first picture comes after 3 packets
 * ```ts
 * import assert from "node:assert/strict";
 * const delay = new DecoderDelay();
 * delay.line("demuxer+ffmpeg -> ist_index:0 type:video pkt_pts:0 pkt_pts_time:0 pkt_dts:-2048", 1000);
 * delay.line("demuxer+ffmpeg -> ist_index:0 type:video pkt_pts:4096 pkt_pts_time:0.266667", 1000);
 * delay.line("demuxer+ffmpeg -> ist_index:0 type:video pkt_pts:2048 pkt_pts_time:0.133333", 1133);
 * delay.line("decoder -> ist_index:0 type:video frame_pts:0 frame_pts_time:0 best_effort_ts:0", 1135);
 * assert.deepEqual(delay.take(0), { delayFrames: 2, holdMs: 135 });
 * assert.equal(delay.take(0), undefined); // taken
 * ```
 */
export class DecoderDelay {
  /** Demuxer time of each packet not yet given back, by pts. */
  #packets = new Map<number, number>();
  #pictures = new Map<number, DecoderTiming>();
  #stream: string | undefined;
  #demuxed = 0;
  #decoded = 0;

  /** Takes one line of stderr read at `at` (ms); whether it was a line of this reader's. */
  line(text: string, at: number): boolean {
    const packet = PACKET.exec(text);
    if (packet) {
      this.#stream ??= packet[1];
      if (packet[1] !== this.#stream) return true;
      this.#demuxed++;
      if (packet[2] !== "NOPTS") remember(this.#packets, Number(packet[2]), at);
      return true;
    }
    const picture = PICTURE.exec(text);
    if (picture) {
      if (picture[1] !== undefined && this.#stream !== undefined && picture[1] !== this.#stream) {
        return true;
      }
      this.#decoded++;
      if (picture[2] === "NOPTS") return true;
      const pts = Number(picture[2]);
      const from = this.#packets.get(pts);
      this.#packets.delete(pts);
      remember(this.#pictures, pts, {
        delayFrames: Math.max(0, this.#demuxed - this.#decoded),
        holdMs: from === undefined ? NaN : Math.round((at - from) * 100) / 100,
      });
      return true;
    }
    return DEBUG_TS_LINE.test(text);
  }

  /** What the decoder did with the picture of pts `pts` (stream time base), once. */
  take(pts: number): DecoderTiming | undefined {
    const timing = this.#pictures.get(pts);
    this.#pictures.delete(pts);
    return timing;
  }
}

function remember<T>(map: Map<number, T>, key: number, value: T): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > KEEP) map.delete(map.keys().next().value!);
}
