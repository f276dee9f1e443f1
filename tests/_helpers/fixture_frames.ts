/**
 * The three demo frames of tests/fixtures/models (512×288 PNGs), decoded by the test
 * ffmpeg into RGB bytes (`height × width × 3`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { testFfmpeg } from "./media.ts";
import type { Frame } from "../../src/types.ts";
import { frameGeometry } from "../../src/video/ffmpeg_args.ts";

const FIXTURES = new URL("../fixtures/models", import.meta.url).pathname;

/** File names of the frames, in order. */
export const FRAME_FILES = ["frame0.png", "frame1.png", "frame2.png"];

/** Decodes one PNG of tests/fixtures/models to RGB bytes. */
export async function decodePng(name: string): Promise<Uint8Array> {
  const ffmpeg = await testFfmpeg();
  const { success, stdout, stderr } = await new Deno.Command(ffmpeg.path, {
    args: ["-v", "error", "-i", `${FIXTURES}/${name}`, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
  return stdout;
}

/** The three frames, decoded. */
export function fixtureFrames(): Promise<Uint8Array[]> {
  return Promise.all(FRAME_FILES.map(decodePng));
}

/** A frame of stream "s" holding `data` (`height × width × 3` RGB bytes), at its native
 * size, `index` × 40 ms into the stream. */
export function frameOf(data: Uint8Array, width = 512, height = 288, index = 0): Frame {
  const geometry = frameGeometry(width, height, { fit: "native", width, height, format: "rgb24" });
  return {
    streamId: "s",
    index,
    ptsMs: index * 40,
    capturedAt: 0,
    width,
    height,
    format: "rgb24",
    data,
    geometry,
  };
}
