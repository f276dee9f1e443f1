import assert from "node:assert/strict";
import {
  type Normalization,
  normalizationCoefficients,
  preprocess,
} from "../../src/inference/preprocess.ts";
import type { PixelFormat } from "../../src/types.ts";
import { random } from "../_helpers/random.ts";

const IMAGENET: Normalization = {
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  colorOrder: "RGB",
};

function randomFrame(rand: () => number, width: number, height: number): Uint8Array {
  return Uint8Array.from({ length: width * height * 3 }, () => Math.floor(rand() * 256));
}

/**
 * The model input the slow way: for each frame, model channel, row and column, the byte
 * of that channel (by name: R, G or B) normalised as `fround(p * (scale / std) + (-mean / std))`.
 */
function reference(
  frames: Uint8Array[],
  width: number,
  height: number,
  format: PixelFormat,
  norm: Normalization,
): Float32Array {
  const order = format === "rgb24" ? "RGB" : "BGR";
  const out = new Float32Array(frames.length * 3 * width * height);
  let k = 0;
  for (const frame of frames) {
    for (let c = 0; c < 3; c++) {
      const byte = order.indexOf(norm.colorOrder[c]);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const p = frame[(y * width + x) * 3 + byte];
          out[k++] = Math.fround(p * (norm.scale / norm.std[c]) + (-norm.mean[c] / norm.std[c]));
        }
      }
    }
  }
  return out;
}

Deno.test("normalizationCoefficients() gives scale / std and -mean / std per channel", () => {
  const { a, b } = normalizationCoefficients(IMAGENET);
  for (let c = 0; c < 3; c++) {
    assert.equal(a[c], IMAGENET.scale / IMAGENET.std[c]);
    assert.equal(b[c], -IMAGENET.mean[c] / IMAGENET.std[c]);
  }
});

Deno.test("preprocess() equals the per-pixel formula for a batch of two random RGB frames, N×3×H×W", () => {
  const rand = random(11);
  const width = 7, height = 5;
  const frames = [randomFrame(rand, width, height), randomFrame(rand, width, height)];
  const out = preprocess(frames, width, height, "rgb24", IMAGENET);
  assert.equal(out.length, 2 * 3 * height * width);
  assert.deepEqual(out, reference(frames, width, height, "rgb24", IMAGENET));
  // Spot-check the layout by hand: frame 1, channel G (1), row 3, column 4.
  const p = frames[1][(3 * width + 4) * 3 + 1];
  assert.equal(
    out[((1 * 3 + 1) * height + 3) * width + 4],
    Math.fround(p * (IMAGENET.scale / IMAGENET.std[1]) - IMAGENET.mean[1] / IMAGENET.std[1]),
  );
});

Deno.test("preprocess() matches the formula for every format and model colour order", () => {
  const rand = random(12);
  for (const format of ["rgb24", "bgr24"] as const) {
    for (const colorOrder of ["RGB", "BGR"] as const) {
      const norm = { ...IMAGENET, colorOrder };
      const frames = [randomFrame(rand, 4, 3), randomFrame(rand, 4, 3), randomFrame(rand, 4, 3)];
      assert.deepEqual(
        preprocess(frames, 4, 3, format, norm),
        reference(frames, 4, 3, format, norm),
        `${format} into ${colorOrder}`,
      );
    }
  }
});

Deno.test("preprocess() swaps channels for BGR frames into an RGB model and RGB frames into a BGR one", () => {
  const norm = { scale: 1, mean: [0, 0, 0], std: [1, 1, 1], colorOrder: "RGB" as const };
  const pixel = new Uint8Array([10, 20, 30]); // one pixel, bytes b0 b1 b2
  assert.deepEqual([...preprocess([pixel], 1, 1, "rgb24", norm)], [10, 20, 30]);
  assert.deepEqual([...preprocess([pixel], 1, 1, "bgr24", norm)], [30, 20, 10]);
  const bgrModel = { ...norm, colorOrder: "BGR" as const };
  assert.deepEqual([...preprocess([pixel], 1, 1, "rgb24", bgrModel)], [30, 20, 10]);
  assert.deepEqual([...preprocess([pixel], 1, 1, "bgr24", bgrModel)], [10, 20, 30]);
  // The same picture in both byte orders gives the same model input.
  const rand = random(13);
  const rgb = randomFrame(rand, 3, 2);
  const bgr = rgb.slice();
  for (let i = 0; i < bgr.length; i += 3) [bgr[i], bgr[i + 2]] = [rgb[i + 2], rgb[i]];
  assert.deepEqual(
    preprocess([bgr], 3, 2, "bgr24", IMAGENET),
    preprocess([rgb], 3, 2, "rgb24", IMAGENET),
  );
});

Deno.test("preprocess() reuses a large enough out buffer and allocates when it is too small", () => {
  const rand = random(14);
  const frames = [randomFrame(rand, 4, 4), randomFrame(rand, 4, 4)];
  const size = 2 * 3 * 16;
  const big = new Float32Array(size + 10).fill(-7);
  const out = preprocess(frames, 4, 4, "rgb24", IMAGENET, big);
  assert.equal(out.buffer, big.buffer);
  assert.equal(out.byteOffset, big.byteOffset);
  assert.equal(out.length, size);
  assert.deepEqual(out, reference(frames, 4, 4, "rgb24", IMAGENET));
  assert.equal(big[size], -7, "values past the batch are left alone");
  // Passing the previous result back in reuses it again.
  const again = preprocess([frames[1], frames[0]], 4, 4, "rgb24", IMAGENET, out);
  assert.equal(again.buffer, big.buffer);
  assert.deepEqual(again, reference([frames[1], frames[0]], 4, 4, "rgb24", IMAGENET));
  const small = new Float32Array(size - 1);
  const fresh = preprocess(frames, 4, 4, "rgb24", IMAGENET, small);
  assert.notEqual(fresh.buffer, small.buffer);
  assert.equal(fresh.length, size);
  assert.deepEqual(fresh, reference(frames, 4, 4, "rgb24", IMAGENET));
  assert.ok(small.every((v) => v === 0), "a too-small buffer is not written");
});

Deno.test("preprocess() throws a RangeError naming the frame and the expected byte count", () => {
  const good = new Uint8Array(4 * 3 * 3), bad = new Uint8Array(4 * 3 * 3 - 1);
  assert.throws(() => preprocess([good, bad], 4, 3, "rgb24", IMAGENET), (error: unknown) => {
    assert.ok(error instanceof RangeError);
    assert.match(error.message, /frames\[1\]/);
    assert.match(error.message, /3×4×3 = 36 bytes/);
    assert.match(error.message, /length 35/);
    return true;
  });
  assert.throws(
    () => preprocess([good, [] as unknown as Uint8Array], 4, 3, "rgb24", IMAGENET),
    /frames\[1\]: expected a Uint8Array/,
  );
  assert.throws(() => preprocess([good], 0, 3, "rgb24", IMAGENET), RangeError);
  assert.throws(() => preprocess([good], 4, 2.5, "rgb24", IMAGENET), RangeError);
});

Deno.test("preprocess() of no frames is an empty input", () => {
  assert.equal(preprocess([], 4, 3, "rgb24", IMAGENET).length, 0);
});
