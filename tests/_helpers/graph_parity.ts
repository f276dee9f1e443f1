/**
 * What the ONNX parity tests of the shipped models share: the fixture's base64 PNG frames
 * decoded by the test ffmpeg, the uint8 batch they make, the graph run once in
 * onnxruntime-node, and the largest difference between two arrays.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { testFfmpeg } from "./media.ts";
import type { FrameGeometry } from "../../src/types.ts";

/**
 * A base64 PNG decoded to RGB bytes (`height × width × 3`) by the test ffmpeg.
 *
 * @example
 * ```ts ignore
 * const rgb = await decodePngBase64(fixture.frames[0]);
 * ```
 */
export async function decodePngBase64(png: string): Promise<Uint8Array> {
  const ffmpeg = await testFfmpeg();
  const child = new Deno.Command(ffmpeg.path, {
    args: ["-v", "error", "-f", "png_pipe", "-i", "-", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(Uint8Array.from(atob(png), (c) => c.charCodeAt(0)));
  await writer.close();
  const { success, stdout, stderr } = await child.output();
  assert.ok(success, new TextDecoder().decode(stderr));
  return stdout;
}

/**
 * The largest |a[i] − b[i]|; the lengths must agree.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(maxAbsDiff([1, 2], [1.5, 2]), 0.5);
 * ```
 */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "lengths");
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/**
 * An int64 output tensor's values as int32.
 *
 * @example
 * ```ts ignore
 * const labels = int32Of(out.labels);
 * ```
 */
export const int32Of = (t: ort.Tensor): Int32Array =>
  Int32Array.from(t.data as BigInt64Array, (v) => Number(v));

/**
 * Runs the uint8 NHWC graph at `file` once on `frames` (RGB bytes, `height × width × 3`
 * each) as a batch, with two intra-op threads, and releases the session.
 *
 * @example
 * ```ts ignore
 * const out = await runUint8Batch(manifest.file, manifest.input.name, frames, 288, 512);
 * ```
 */
export async function runUint8Batch(
  file: string,
  inputName: string,
  frames: Uint8Array[],
  height: number,
  width: number,
): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 2 });
  try {
    const input = new Uint8Array(frames.length * height * width * 3);
    frames.forEach((f, i) => input.set(f, i * f.length));
    return await session.run({
      [inputName]: new ort.Tensor("uint8", input, [frames.length, height, width, 3]),
    });
  } finally {
    await session.release();
  }
}

/**
 * The geometry of a frame that is the model input itself (no scaling, no bars): what the
 * parity tests post-process the fixtures' frames with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const g = identityGeometry(512, 288);
 * assert.deepEqual([g.scaleX, g.padX, g.sourceWidth, g.scaledHeight], [1, 0, 512, 288]);
 * ```
 */
export function identityGeometry(width: number, height: number): FrameGeometry {
  return {
    sourceWidth: width,
    sourceHeight: height,
    width,
    height,
    scaledWidth: width,
    scaledHeight: height,
    scaleX: 1,
    scaleY: 1,
    padX: 0,
    padY: 0,
  };
}
