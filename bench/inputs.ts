/**
 * Seeded inputs that look like real model output, for the benchmarks.
 *
 * @module
 */

import { gauss, random as rng } from "../tests/_helpers/random.ts";

/** Candidate boxes as a detector's box head emits them before NMS. */
export interface Candidates {
  boxes: Float32Array;
  scores: Float32Array;
  classIds: Int32Array;
}

/**
 * `n` candidates in a 1280×720 frame: clusters of jittered boxes around `n / 15`
 * objects of log-uniform size (8 to 400 px), 20% scattered low-scoring background,
 * 10 classes (a tenth of each cluster's boxes take another class).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(detectorCandidates(100, 1).boxes.length, 400);
 * ```
 */
export function detectorCandidates(n: number, seed: number, classes = 10): Candidates {
  const rand = rng(seed);
  const objects = Math.max(1, Math.round(n / 15));
  const obj = Array.from({ length: objects }, () => {
    const size = Math.exp(Math.log(8) + rand() * Math.log(400 / 8));
    return {
      cx: rand() * 1280,
      cy: rand() * 720,
      w: size * (0.5 + rand()),
      h: size * (0.5 + rand()),
      score: 0.3 + 0.7 * rand(),
      cls: Math.floor(rand() * classes),
    };
  });
  const boxes = new Float32Array(n * 4), scores = new Float32Array(n), classIds = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let cx, cy, w, h;
    if (rand() < 0.2) {
      [cx, cy] = [rand() * 1280, rand() * 720];
      [w, h] = [Math.exp(Math.log(4) + rand() * 4), Math.exp(Math.log(4) + rand() * 4)];
      scores[i] = 0.4 * rand();
      classIds[i] = Math.floor(rand() * classes);
    } else {
      const o = obj[Math.floor(rand() * objects)];
      w = o.w * Math.exp(0.12 * gauss(rand));
      h = o.h * Math.exp(0.12 * gauss(rand));
      cx = o.cx + 0.08 * o.w * gauss(rand);
      cy = o.cy + 0.08 * o.h * gauss(rand);
      scores[i] = o.score * (0.2 + 0.8 * rand());
      classIds[i] = rand() < 0.9 ? o.cls : Math.floor(rand() * classes);
    }
    boxes.set([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], i * 4);
  }
  return { boxes, scores, classIds };
}

/** SOLOv2-style mask candidates: N binary masks of `size × size`. */
export interface MaskCandidates {
  masks: Uint8Array;
  labels: Int32Array;
  scores: Float32Array;
  size: number;
}

/**
 * `n` SOLO-like mask candidates on a `size × size` grid: around 25 objects (elliptic
 * blobs, 4 to 60 px radius), each predicted by ~`n / 25` grid cells as slightly
 * different masks, mostly with the object's class among 10.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(soloCandidates(10, 32, 1).masks.length, 10 * 32 * 32);
 * ```
 */
export function soloCandidates(n: number, size: number, seed: number): MaskCandidates {
  const rand = rng(seed);
  const objects = Array.from({ length: 25 }, () => ({
    cx: rand() * size,
    cy: rand() * size,
    rx: 4 + rand() * 56,
    ry: 4 + rand() * 56,
    cls: Math.floor(rand() * 10),
    score: 0.2 + 0.8 * rand(),
  }));
  const masks = new Uint8Array(n * size * size);
  const labels = new Int32Array(n), scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = objects[Math.floor(rand() * objects.length)];
    const cx = o.cx + 0.1 * o.rx * gauss(rand), cy = o.cy + 0.1 * o.ry * gauss(rand);
    const rx = o.rx * Math.exp(0.1 * gauss(rand)), ry = o.ry * Math.exp(0.1 * gauss(rand));
    const base = i * size * size;
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(size, Math.ceil(cy + ry)); y++) {
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(size, Math.ceil(cx + rx)); x++) {
        if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) masks[base + y * size + x] = 1;
      }
    }
    labels[i] = rand() < 0.8 ? o.cls : Math.floor(rand() * 10);
    scores[i] = o.score * (0.1 + 0.9 * rand());
  }
  return { masks, labels, scores, size };
}

/** Mask R-CNN-style instances and a semantic map for one frame. */
export interface FrameOutput {
  height: number;
  width: number;
  maskSize: number;
  masks: Float32Array;
  boxes: Float32Array;
  scores: Float32Array;
  classIds: Int32Array;
  semantic: Uint8Array;
}

/**
 * `n` instances in a `width × height` frame: boxes of log-uniform size (16 to 400 px),
 * smooth M×M RoI mask probabilities (sigmoid of a noisy ellipse), scores, and a semantic
 * map of `stuff` bands (labels 1..stuff) with blobs of label 0 ("things").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const f = maskRcnnFrame(3, 28, 64, 48, 2, 1);
 * assert.equal(f.masks.length, 3 * 28 * 28);
 * assert.equal(f.semantic.length, 64 * 48);
 * ```
 */
export function maskRcnnFrame(
  n: number,
  maskSize: number,
  width: number,
  height: number,
  stuff: number,
  seed: number,
): FrameOutput {
  const rand = rng(seed);
  const m = maskSize;
  const masks = new Float32Array(n * m * m), boxes = new Float32Array(n * 4);
  const scores = new Float32Array(n), classIds = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const size = Math.exp(Math.log(16) + rand() * Math.log(400 / 16));
    const w = size * (0.6 + 0.8 * rand()), h = size * (0.6 + 0.8 * rand());
    const x = rand() * (width - w * 0.5), y = rand() * (height - h * 0.5);
    boxes.set([x, y, x + w, y + h], i * 4);
    scores[i] = 0.3 + 0.7 * rand();
    classIds[i] = 1 + Math.floor(rand() * 8);
    const cx = 0.3 + 0.4 * rand(), cy = 0.3 + 0.4 * rand();
    const rx = 0.25 + 0.35 * rand(), ry = 0.25 + 0.35 * rand();
    for (let yy = 0; yy < m; yy++) {
      for (let xx = 0; xx < m; xx++) {
        const d = ((xx / (m - 1) - cx) / rx) ** 2 + ((yy / (m - 1) - cy) / ry) ** 2;
        masks[i * m * m + yy * m + xx] = 1 / (1 + Math.exp(-(6 * (1 - d) + 0.8 * gauss(rand))));
      }
    }
  }
  const semantic = new Uint8Array(width * height);
  const bands = Array.from({ length: stuff - 1 }, () => Math.floor(rand() * height)).sort((a, b) =>
    a - b
  );
  for (let y = 0; y < height; y++) {
    let label = 1;
    for (const top of bands) if (y >= top) label++;
    semantic.fill(label, y * width, (y + 1) * width);
  }
  for (let b = 0; b < 30; b++) {
    const cx = rand() * width, cy = rand() * height, r = 10 + rand() * 60;
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(height, cy + r); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(width, cx + r); x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) semantic[y * width + x] = 0;
      }
    }
  }
  return { height, width, maskSize: m, masks, boxes, scores, classIds, semantic };
}
