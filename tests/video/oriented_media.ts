/**
 * Phone-like clips for the orientation tests: the same picture coded turned or mirrored,
 * with a display matrix that turns it back, as phones write them. The matrix is written
 * into the MP4's `tkhd` box here, not by ffmpeg: ffmpeg 4.1 (the npm package) writes a
 * rotation only from a `rotate` tag, with its sign reversed in stream copies, and no
 * ffmpeg before 7 writes a mirror.
 *
 * @module
 */

import { runFfmpeg } from "../_helpers/media.ts";

/** A display orientation: the matrix a phone writes, and how the picture is coded for it. */
export interface OrientedCase {
  name: string;
  /** `[a, b, c, d]`: a coded point `(x, y)` is shown at `(a·x + c·y, b·x + d·y)`. */
  matrix: [number, number, number, number];
  /** The filter that makes the coded picture from the upright one (the matrix's inverse). */
  coded: string;
}

/** Quarter turns 0–270° clockwise, and mirrors. */
export const ORIENTED_CASES: OrientedCase[] = [
  { name: "rotation 0", matrix: [1, 0, 0, 1], coded: "null" },
  { name: "rotation 90", matrix: [0, 1, -1, 0], coded: "transpose=cclock" },
  { name: "rotation 180", matrix: [-1, 0, 0, -1], coded: "hflip,vflip" },
  { name: "rotation 270", matrix: [0, -1, 1, 0], coded: "transpose=clock" },
  { name: "mirrored", matrix: [-1, 0, 0, 1], coded: "hflip" },
  { name: "mirrored, rotation 90", matrix: [0, -1, -1, 0], coded: "transpose=clock_flip" },
];

/**
 * Writes `matrix` into the `tkhd` box of the MP4 at `path` (its only track, version 0),
 * with the translation a player expects for a picture of `width × height` coded pixels.
 */
export async function setDisplayMatrix(
  path: string,
  [a, b, c, d]: readonly number[],
  width: number,
  height: number,
): Promise<void> {
  const bytes = await Deno.readFile(path);
  const at = findBox(bytes, "tkhd");
  if (bytes[at + 4] !== 0) throw new Error(`${path}: expected a version 0 tkhd box`);
  // Shown corners must land in the positive quadrant: translate by what goes negative.
  const xs = [0, a * width, c * height, a * width + c * height];
  const ys = [0, b * width, d * height, b * width + d * height];
  const tx = -Math.min(...xs), ty = -Math.min(...ys);
  const view = new DataView(bytes.buffer);
  const matrix = [a, b, 0, c, d, 0, tx, ty, 1];
  const shifts = [16, 16, 30, 16, 16, 30, 16, 16, 30];
  matrix.forEach((v, i) => view.setInt32(at + 4 + 40 + 4 * i, v * 2 ** shifts[i]));
  await Deno.writeFile(path, bytes);
}

function findBox(bytes: Uint8Array, type: string): number {
  const code = [...type].map((ch) => ch.charCodeAt(0));
  for (let i = 4; i + 4 <= bytes.length; i++) {
    if (code.every((ch, k) => bytes[i + k] === ch)) return i; // the payload starts 4 bytes on
  }
  throw new Error(`no ${type} box`);
}

/**
 * Writes the upright clip (`frames` frames of the demo video at `width × height`, coded
 * losslessly so that every variant decodes to the same pixels) and one clip per case.
 */
export async function makeOrientedClips(
  dir: string,
  { frames, width, height }: { frames: number; width: number; height: number },
): Promise<{ upright: string; clips: { case: OrientedCase; path: string }[] }> {
  const demo = new URL("../../models/demo/street.mp4", import.meta.url).pathname;
  const lossless = ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv444p"];
  const upright = `${dir}/upright.mp4`;
  await runFfmpeg([
    "-i",
    demo,
    "-frames:v",
    String(frames),
    "-vf",
    `scale=${width}:${height}`,
    ...lossless,
    upright,
  ]);
  const clips = [];
  for (const [i, c] of ORIENTED_CASES.entries()) {
    const path = `${dir}/oriented-${i}.mp4`;
    await runFfmpeg(["-i", upright, "-vf", c.coded, ...lossless, path]);
    const quarter = c.matrix[0] === 0;
    await setDisplayMatrix(path, c.matrix, quarter ? height : width, quarter ? width : height);
    clips.push({ case: c, path });
  }
  return { upright, clips };
}
