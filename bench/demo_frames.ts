/**
 * Frames of the bundled demo video for the model benchmarks: every `every`-th frame
 * (different scenes, not near-identical neighbours), letterboxed to the model's input.
 *
 * @module
 */

import type { Frame } from "../src/types.ts";
import type { FrameGeometry } from "../src/types.ts";
import { resolveFfmpeg } from "../src/video/ffmpeg_binary.ts";
import { FrameSource } from "../src/video/frame_source.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/**
 * `count` frames of models/demo/street.mp4, one in `every`, at `width × height` RGB.
 *
 * @example
 * ```ts ignore
 * const { frames, geometry } = await demoFrames(20, 15, 512, 288);
 * ```
 */
export async function demoFrames(
  count: number,
  every: number,
  width: number,
  height: number,
  video = "street.mp4",
): Promise<{ frames: Frame[]; geometry: FrameGeometry }> {
  const source = new FrameSource({
    streamId: "bench",
    input: `${ROOT}models/demo/${video}`,
    ffmpeg: await resolveFfmpeg(),
    output: { fit: "letterbox", width, height, format: "rgb24" },
    roots: [ROOT],
  });
  const { geometry } = await source.start();
  const frames: Frame[] = [];
  for await (const f of source.frames()) {
    if (f.index % every === 0) frames.push(f);
    if (frames.length === count) break;
  }
  await source.stop();
  return { frames, geometry };
}
