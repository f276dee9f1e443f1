/**
 * What ffmpeg's filter graph (see `ffmpegArgs`) makes of a picture of each size: the
 * geometry of the output frame, which `FfmpegSession` reads each frame's byte size from
 * and each frame carries (an input may change size from one frame to the next).
 *
 * @module
 */

import type { FrameGeometry } from "../types.ts";
import { frameGeometry, isFfmpeg44, type OutputSpec } from "./ffmpeg_args.ts";
import type { FfmpegBinary } from "./ffmpeg_binary.ts";
import type { FrameLayout } from "./ffmpeg_session.ts";

/**
 * The layout of one ffmpeg session: one geometry object per picture size, the same
 * object each time that size comes again. ffmpeg before 4.4 scales every frame of a
 * native output to the size of its first frame: a picture of another size is then
 * stretched to it. Make a new one for each session (the first size is the session's).
 *
 * @example Native frames keep their size with ffmpeg 5.1, are stretched with 4.1
 * ```ts
 * import assert from "node:assert/strict";
 * const output = { fit: "native" as const, width: 0, height: 0, format: "rgb24" as const };
 * const recent = frameLayout(output, { libavformat: [59, 27] });
 * recent(64, 48);
 * assert.deepEqual([recent(32, 24).width, recent(32, 24).height], [32, 24]);
 * assert.equal(recent(32, 24), recent(32, 24)); // one object per size
 * const old = frameLayout(output, { libavformat: [58, 20] });
 * old(64, 48);
 * const stretched = old(32, 24);
 * assert.deepEqual([stretched.width, stretched.height, stretched.scaleX], [64, 48, 2]);
 * ```
 */
export function frameLayout(
  output: OutputSpec,
  binary: Pick<FfmpegBinary, "libavformat">,
): FrameLayout {
  const stretch = output.fit === "native" && !isFfmpeg44(binary);
  const known = new Map<string, FrameGeometry>();
  let first: [number, number] | undefined;
  return (width, height) => {
    const key = `${width}x${height}`;
    let geometry = known.get(key);
    if (geometry === undefined) {
      first ??= [width, height];
      geometry = stretch && (width !== first[0] || height !== first[1])
        ? frameGeometry(width, height, {
          ...output,
          fit: "resize",
          width: first[0],
          height: first[1],
        })
        : frameGeometry(width, height, output);
      known.set(key, geometry);
    }
    return geometry;
  };
}
