import assert from "node:assert/strict";
import {
  boxesToSource,
  type SemanticLogits,
  semanticToSource,
} from "../../src/inference/to_source.ts";
import { frameGeometry } from "../../src/video/ffmpeg_args.ts";
import type { FrameGeometry } from "../../src/types.ts";
import { random } from "../_helpers/random.ts";

/** A geometry where source pixels are input pixels shifted by the padding. */
function shifted(W: number, H: number, width: number, height: number): FrameGeometry {
  const padX = Math.floor((width - W) / 2), padY = Math.floor((height - H) / 2);
  return {
    sourceWidth: W,
    sourceHeight: H,
    width,
    height,
    scaledWidth: W,
    scaledHeight: H,
    scaleX: 1,
    scaleY: 1,
    padX,
    padY,
  };
}

const GEOMETRIES: [string, FrameGeometry][] = [
  [
    "1280×720 letterboxed into 512×288",
    frameGeometry(1280, 720, { fit: "letterbox", width: 512, height: 288, format: "rgb24" }),
  ],
  [
    "640×480 letterboxed into 512×288 (side bars)",
    frameGeometry(640, 480, { fit: "letterbox", width: 512, height: 288, format: "rgb24" }),
  ],
  [
    "1920×1080 resized to 640×640",
    frameGeometry(1920, 1080, { fit: "resize", width: 640, height: 640, format: "rgb24" }),
  ],
  [
    "1920×1080 letterboxed into 640×640",
    frameGeometry(1920, 1080, { fit: "letterbox", width: 640, height: 640, format: "rgb24" }),
  ],
  [
    "333×517 letterboxed into 512×288",
    frameGeometry(333, 517, { fit: "letterbox", width: 512, height: 288, format: "bgr24" }),
  ],
];

Deno.test("frameGeometry() gives the letterbox bars these tests rely on", () => {
  const [, wide] = GEOMETRIES[0], [, narrow] = GEOMETRIES[1];
  assert.deepEqual([wide.scaledWidth, wide.scaledHeight, wide.padX, wide.padY], [512, 288, 0, 0]);
  assert.deepEqual(
    [narrow.scaledWidth, narrow.scaledHeight, narrow.padX, narrow.padY],
    [384, 288, 64, 0],
  );
});

Deno.test("boxesToSource() undoes the forward mapping of random source boxes for letterbox and resize", () => {
  const rand = random(41);
  for (const [what, g] of GEOMETRIES) {
    const n = 200;
    const source = new Float32Array(4 * n), input = new Float32Array(4 * n);
    for (let i = 0; i < n; i++) {
      const x1 = rand() * g.sourceWidth, x2 = x1 + rand() * (g.sourceWidth - x1);
      const y1 = rand() * g.sourceHeight, y2 = y1 + rand() * (g.sourceHeight - y1);
      source.set([x1, y1, x2, y2], 4 * i);
      input.set([
        x1 * g.scaleX + g.padX,
        y1 * g.scaleY + g.padY,
        x2 * g.scaleX + g.padX,
        y2 * g.scaleY + g.padY,
      ], 4 * i);
    }
    const back = boxesToSource(input, g);
    assert.equal(back.length, source.length);
    for (let k = 0; k < source.length; k++) {
      assert.ok(
        Math.abs(back[k] - source[k]) <= 1e-3,
        `${what}: value ${k}: ${back[k]} vs ${source[k]}`,
      );
    }
  }
});

Deno.test("boxesToSource() clips boxes reaching into the bars or past the frame to the source frame", () => {
  for (const [what, g] of GEOMETRIES) {
    // The whole input frame, and a box well outside it on every side.
    const boxes = new Float32Array([
      0,
      0,
      g.width,
      g.height,
      -50,
      -50,
      g.width + 50,
      g.height + 50,
    ]);
    const out = boxesToSource(boxes, g);
    assert.deepEqual(
      [...out],
      [0, 0, g.sourceWidth, g.sourceHeight, 0, 0, g.sourceWidth, g.sourceHeight],
      what,
    );
  }
  // 640×480 → 512×288: bars of 64 px left and right; a box in the left bar collapses to x = 0.
  const [, narrow] = GEOMETRIES[1];
  const out = boxesToSource(new Float32Array([10, 30, 60, 90, 64 + 30, 30, 600, 90]), narrow);
  assert.deepEqual([...out], [0, 50, 0, 150, 50, 50, 640, 150]);
  assert.equal(boxesToSource(new Float32Array(0), narrow).length, 0);
});

/** Plain argmax of each cell of `classes × h × w` logits, through `labels`. */
function argmaxLabels(logits: SemanticLogits, labels: number[]): number[] {
  const { data, classes, height, width } = logits;
  const out: number[] = [];
  for (let p = 0; p < height * width; p++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (data[c * height * width + p] > data[best * height * width + p]) best = c;
    }
    out.push(labels[best]);
  }
  return out;
}

function randomLogits(
  rand: () => number,
  classes: number,
  height: number,
  width: number,
  stride: number,
): SemanticLogits {
  const data = Float32Array.from({ length: classes * height * width }, () => 8 * rand() - 4);
  return { data, classes, height, width, stride };
}

/**
 * PyTorch's `F.interpolate(logits, scale_factor=stride, mode="bilinear",
 * align_corners=False)`, written out: each output pixel `o` reads source coordinate
 * `max(0, (o + 0.5) / stride - 0.5)` between cells `i0` and `min(i0 + 1, n - 1)`.
 */
function upsample(logits: SemanticLogits): Float64Array {
  const { data, classes, height: h, width: w, stride } = logits;
  const H = h * stride, W = w * stride;
  const out = new Float64Array(classes * H * W);
  const axis = (o: number, n: number) => {
    const src = Math.max(0, (o + 0.5) / stride - 0.5);
    const i0 = Math.min(Math.floor(src), n - 1);
    const i1 = Math.min(i0 + 1, n - 1);
    const l1 = Math.min(src - i0, 1);
    return { i0, i1, l0: 1 - l1, l1 };
  };
  for (let c = 0; c < classes; c++) {
    const plane = data.subarray(c * h * w, (c + 1) * h * w);
    for (let y = 0; y < H; y++) {
      const ty = axis(y, h);
      for (let x = 0; x < W; x++) {
        const tx = axis(x, w);
        const at = (r: number, q: number) => plane[r * w + q];
        out[(c * H + y) * W + x] = ty.l0 * (tx.l0 * at(ty.i0, tx.i0) + tx.l1 * at(ty.i0, tx.i1)) +
          ty.l1 * (tx.l0 * at(ty.i1, tx.i0) + tx.l1 * at(ty.i1, tx.i1));
      }
    }
  }
  return out;
}

/** The reference: upsample to the input size, then argmax at each source pixel's input pixel. */
function referenceSemantic(logits: SemanticLogits, g: FrameGeometry, labels: number[]): number[] {
  assert.equal(g.scaleX, 1);
  assert.equal(g.scaleY, 1);
  const up = upsample(logits);
  const H = logits.height * logits.stride, W = logits.width * logits.stride;
  const out: number[] = [];
  for (let y = 0; y < g.sourceHeight; y++) {
    for (let x = 0; x < g.sourceWidth; x++) {
      const p = (y + g.padY) * W + x + g.padX;
      let best = 0;
      for (let c = 1; c < logits.classes; c++) {
        if (up[c * H * W + p] > up[best * H * W + p]) best = c;
      }
      out.push(labels[best]);
    }
  }
  return out;
}

Deno.test("semanticToSource() with stride 1, scale 1 and no padding is the per-pixel argmax through labels", () => {
  const rand = random(42);
  const labels = [0, 5, 6, 7, 8];
  for (const [h, w] of [[1, 1], [3, 7], [16, 9]]) {
    const logits = randomLogits(rand, labels.length, h, w, 1);
    const g = shifted(w, h, w, h);
    assert.deepEqual([...semanticToSource(logits, g, labels)], argmaxLabels(logits, labels));
  }
});

Deno.test("semanticToSource() with stride 4 matches bilinear upsampling (align_corners=False) then sampling", () => {
  const rand = random(43);
  const labels = [0, 5, 6, 7, 8, 200];
  for (const [h, w] of [[1, 1], [2, 3], [9, 13], [18, 32]]) {
    const logits = randomLogits(rand, labels.length, h, w, 4);
    const g = shifted(4 * w, 4 * h, 4 * w, 4 * h);
    const got = semanticToSource(logits, g, labels);
    assert.equal(got.length, 16 * h * w);
    assert.deepEqual([...got], referenceSemantic(logits, g, labels), `${w}×${h} cells`);
  }
});

Deno.test("semanticToSource() gives the reference's labels in smooth regions, at exact ties and at ties a rounding apart", () => {
  const rand = random(45);
  const labels = [0, 3, 4, 9];
  const [h, w] = [12, 20];
  const cells = h * w;
  const data = new Float32Array(labels.length * cells);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      // Large regions of one winner, as a trained head gives (the shortcut's case)...
      data[p] = 1;
      data[cells + p] = x < 7 ? 5 : -5;
      data[2 * cells + p] = y < 5 ? 6 : -6;
      data[3 * cells + p] = rand() < 0.1 ? 8 : -8;
    }
  }
  // ... exact ties (the first class wins) and runners-up one float32 step below.
  for (let k = 0; k < 40; k++) {
    const p = Math.floor(rand() * cells), a = Math.floor(rand() * 4), b = (a + 1) % 4;
    data[b * cells + p] = data[a * cells + p];
    if (k % 2) {
      data[b * cells + p] = Math.fround(data[a * cells + p] * (1 - 2 ** -23));
    }
  }
  const logits = { data, classes: labels.length, height: h, width: w, stride: 4 };
  const g = shifted(4 * w - 6, 4 * h - 2, 4 * w, 4 * h);
  assert.deepEqual([...semanticToSource(logits, g, labels)], referenceSemantic(logits, g, labels));
});

Deno.test("semanticToSource() with stride 4 samples the letterboxed picture, not the bars", () => {
  const rand = random(44);
  const labels = [0, 1, 2, 3];
  // A 40×24 source centred in a 48×32 input (pads of 4), logits of 12×8 cells.
  const logits = randomLogits(rand, labels.length, 8, 12, 4);
  const g = shifted(40, 24, 48, 32);
  assert.deepEqual([...semanticToSource(logits, g, labels)], referenceSemantic(logits, g, labels));
});

Deno.test("semanticToSource() finds well-separated classes at the right source pixels after a 2× downscale", () => {
  // 64×32 source letterboxed into 32×32 (scale 0.5, 8 px bars above and below); stride 4
  // logits of 8×8 cells: class 1 strongly in the left half of the picture, class 2 in the right.
  const g = frameGeometry(64, 32, { fit: "letterbox", width: 32, height: 32, format: "rgb24" });
  assert.deepEqual([g.scaleX, g.padY], [0.5, 8]);
  const data = new Float32Array(3 * 64);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      data[64 + y * 8 + x] = x < 4 ? 10 : -10;
      data[128 + y * 8 + x] = x < 4 ? -10 : 10;
    }
  }
  const out = semanticToSource({ data, classes: 3, height: 8, width: 8, stride: 4 }, g, [
    0,
    11,
    22,
  ]);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 64; x++) {
      // Near the boundary (source x = 32) the interpolation mixes both; elsewhere it is clear.
      if (Math.abs(x + 0.5 - 32) < 8) continue;
      assert.equal(out[y * 64 + x], x < 32 ? 11 : 22, `(${x}, ${y})`);
    }
  }
});

Deno.test("semanticToSource() throws a RangeError for logits or labels of the wrong length", () => {
  const g = shifted(2, 2, 2, 2);
  const logits = { data: new Float32Array(7), classes: 2, height: 2, width: 2, stride: 1 };
  assert.throws(() => semanticToSource(logits, g, [0, 1]), (error: unknown) => {
    assert.ok(error instanceof RangeError);
    assert.match(error.message, /expected 2×2×2 logits/);
    assert.match(error.message, /found 7 values/);
    return true;
  });
  const ok = { ...logits, data: new Float32Array(8) };
  assert.throws(() => semanticToSource(ok, g, [0]), RangeError);
});
