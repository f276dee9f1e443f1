/**
 * Drawing one frame's detections as a transparent RGBA layer, to be composited over the
 * frame's picture (see `AnnotatedVideoWriter`): panoptic stuff regions tinted in their
 * class colour, instance masks tinted more strongly, box outlines, and a `name 0.97`
 * label above each box. Straight (not premultiplied) alpha; alpha 0 is transparent.
 *
 * Pure TypeScript on typed arrays: a 640×360 layer with ten masked detections and a
 * panoptic map takes a few milliseconds, and the output buffer can be reused.
 *
 * @module
 */

import type { Detections } from "../inference/postprocess.ts";
import type { ClassSpec } from "../inference/manifest.ts";
import { drawText, GLYPH_HEIGHT, textWidth } from "./bitmap_font.ts";
import { drawSkeletons } from "./skeleton_draw.ts";

/** Options of {@link drawOverlay}. */
export interface OverlayOptions {
  /** A buffer of `width × height × 4` bytes to draw into (cleared first) instead of a new one. */
  out?: Uint8Array;
  /** Alpha of panoptic stuff regions, 0–255 (default 90). */
  stuffAlpha?: number;
  /** Alpha of instance masks, 0–255 (default 130). */
  maskAlpha?: number;
  /** Box outline thickness in pixels (default 2); 0 draws no boxes. */
  boxThickness?: number;
  /** Draw `name score` labels (default true). */
  labels?: boolean;
  /** Integer scale of the label font (default 1: 7-pixel capitals). */
  fontScale?: number;
  /** Detections scoring below this are not drawn (default 0: all). */
  minScore?: number;
  /** Keypoint models: the skeleton's pairs of 1-based keypoint numbers (the manifest's
   * `keypoints.skeleton`); detections' keypoints are drawn when given. */
  skeleton?: readonly (readonly [number, number])[];
}

/** Colour of a class id no class in the list has: a fixed hue per id. */
function fallbackColor(id: number): [number, number, number] {
  const h = ((id * 0.618033988749895) % 1) * 6, i = Math.floor(h), f = h - i;
  const v = 230, p = 60, q = Math.round(v - (v - p) * f), t = Math.round(p + (v - p) * f);
  return ([[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]] as const)[i % 6]
    .slice() as [number, number, number];
}

interface ClassLook {
  name: string;
  color: [number, number, number];
}

const lookups = new WeakMap<readonly ClassSpec[], Map<number, ClassLook>>();

function classLookup(classes: readonly ClassSpec[]): (id: number) => ClassLook {
  let map = lookups.get(classes);
  if (map === undefined) {
    map = new Map(classes.map((c) => [c.id, { name: c.name, color: c.color }]));
    lookups.set(classes, map);
  }
  const found = map;
  return (id) => {
    let look = found.get(id);
    if (look === undefined) {
      look = { name: `class ${id}`, color: fallbackColor(id) };
      found.set(id, look);
    }
    return look;
  };
}

/** RGBA bytes packed into one little-endian 32-bit word (R first in memory). */
function pack(r: number, g: number, b: number, a: number): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function checkAlpha(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new RangeError(
      `drawOverlay(): options.${name}: expected an integer 0–255, found ${value}`,
    );
  }
  return value;
}

/**
 * Blends `color` at `alpha` over pixel `o` (byte offset) of a straight-alpha RGBA layer:
 * "source over", so a mask over a stuff region shows both.
 */
function blendOver(
  px: Uint8Array,
  o: number,
  r: number,
  g: number,
  b: number,
  alpha: number,
): void {
  const da = px[o + 3];
  if (da === 0) {
    px[o] = r;
    px[o + 1] = g;
    px[o + 2] = b;
    px[o + 3] = alpha;
    return;
  }
  // outA = a + dA (1 - a); outC = (c a + dC dA (1 - a)) / outA, in 0–255 integers.
  const keep = (da * (255 - alpha) + 127) / 255;
  const outA = alpha + keep;
  px[o] = (r * alpha + px[o] * keep) / outA + 0.5;
  px[o + 1] = (g * alpha + px[o + 1] * keep) / outA + 0.5;
  px[o + 2] = (b * alpha + px[o + 2] * keep) / outA + 0.5;
  px[o + 3] = outA + 0.5;
}

function fillRect(
  words: Uint32Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  word: number,
): void {
  x0 = Math.max(0, x0);
  y0 = Math.max(0, y0);
  x1 = Math.min(width, x1);
  y1 = Math.min(height, y1);
  if (x0 >= x1) return;
  for (let y = y0; y < y1; y++) words.fill(word, y * width + x0, y * width + x1);
}

/**
 * Draws `detections` (in source pixels) as a `width × height` RGBA layer: panoptic stuff
 * segments at `stuffAlpha` (90), instance masks at `maskAlpha` (130) in their class
 * colour, opaque `boxThickness`-pixel (2) box outlines, and a label `name 0.97` in a box
 * of the class colour above each box (kept inside the frame), and with `options.skeleton`
 * each detection's keypoints joined by its limbs. Lower-scoring detections
 * are drawn first, so the best one is on top. Without instance masks, the panoptic
 * map's thing segments are tinted like masks. Classes missing from `classes` get a
 * fixed colour per id and the name `class <id>`.
 *
 * @example A box of class 1 (red) and nothing else
 * ```ts
 * import assert from "node:assert/strict";
 * const classes = [{ id: 1, name: "car", isThing: true, color: [255, 0, 0] as [number, number, number] }];
 * const detections = {
 *   boxes: new Float32Array([20, 30, 60, 50]),
 *   scores: new Float32Array([0.97]),
 *   classIds: new Int32Array([1]),
 * };
 * const rgba = drawOverlay(detections, 100, 80, classes);
 * const at = (x: number, y: number) => [...rgba.subarray((y * 100 + x) * 4, (y * 100 + x) * 4 + 4)];
 * assert.deepEqual(at(20, 40), [255, 0, 0, 255]); // the left edge
 * assert.deepEqual(at(40, 40), [0, 0, 0, 0]); // inside: transparent (no mask)
 * assert.deepEqual(at(90, 70), [0, 0, 0, 0]);
 * drawOverlay(detections, 100, 80, classes, { out: rgba }); // reuses the buffer
 * ```
 */
export function drawOverlay(
  detections: Detections,
  width: number,
  height: number,
  classes: readonly ClassSpec[],
  options: OverlayOptions = {},
): Uint8Array {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new RangeError(
      `drawOverlay(): expected a positive integer width and height, found ${width}×${height}`,
    );
  }
  const {
    stuffAlpha = 90,
    maskAlpha = 130,
    boxThickness = 2,
    labels = true,
    fontScale = 1,
    minScore = 0,
  } = options;
  checkAlpha("stuffAlpha", stuffAlpha);
  checkAlpha("maskAlpha", maskAlpha);
  if (!Number.isInteger(boxThickness) || boxThickness < 0) {
    throw new RangeError(
      `drawOverlay(): options.boxThickness: expected a non-negative integer, found ${boxThickness}`,
    );
  }
  const bytes = width * height * 4;
  const out = options.out ?? new Uint8Array(bytes);
  if (out.length !== bytes) {
    throw new RangeError(
      `drawOverlay(): options.out: expected ${width}×${height}×4 = ${bytes} bytes, found ${out.length}`,
    );
  }
  // Whole-pixel writes go through 32-bit words when the buffer allows it.
  const aligned = LITTLE_ENDIAN && out.byteOffset % 4 === 0;
  const words = aligned
    ? new Uint32Array(out.buffer, out.byteOffset, width * height)
    : new Uint32Array(width * height);

  const { boxes, scores, classIds, masks, panoptic } = detections;
  const n = scores.length;
  if (boxes.length !== n * 4 || classIds.length !== n) {
    throw new RangeError(
      `drawOverlay(): expected ${n} boxes (${n * 4} numbers) and ${n} class ids for ${n} scores, ` +
        `found ${boxes.length} numbers and ${classIds.length} class ids`,
    );
  }
  if (masks !== undefined && masks.length !== n) {
    throw new RangeError(
      `drawOverlay(): expected one mask per detection (${n}), found ${masks.length}`,
    );
  }
  const look = classLookup(classes);

  // 1. Clear, and stuff regions (the first layer: written, not blended).
  const tintThings = masks === undefined;
  if (panoptic !== undefined) {
    if (panoptic.width !== width || panoptic.height !== height) {
      throw new RangeError(
        `drawOverlay(): panoptic: expected a ${width}×${height} map (the frame), ` +
          `found ${panoptic.width}×${panoptic.height}`,
      );
    }
    let maxId = 0;
    for (const s of panoptic.segments) maxId = Math.max(maxId, s.id);
    const lut = new Uint32Array(maxId + 1);
    for (const s of panoptic.segments) {
      if (s.id <= 0) continue;
      if (s.isThing && !tintThings) continue;
      if (s.isThing && s.score !== undefined && s.score < minScore) continue;
      const [r, g, b] = look(s.categoryId).color;
      lut[s.id] = pack(r, g, b, s.isThing ? maskAlpha : stuffAlpha);
    }
    const ids = panoptic.segmentIds;
    for (let p = 0, end = width * height; p < end; p++) {
      const id = ids[p];
      words[p] = id > 0 && id <= maxId ? lut[id] : 0;
    }
  } else {
    words.fill(0);
  }
  if (!aligned) out.set(new Uint8Array(words.buffer));

  // Lower scores first: the best detection ends on top.
  const order = Array.from({ length: n }, (_, i) => i)
    .filter((i) => scores[i] >= minScore)
    .sort((a, b) => scores[a] - scores[b]);

  // 2. Instance masks, blended over the stuff.
  if (masks !== undefined && maskAlpha > 0) {
    for (const i of order) {
      const m = masks[i];
      const [r, g, b] = look(classIds[i]).color;
      const x0 = Math.max(0, m.x), x1 = Math.min(width, m.x + m.width);
      const y0 = Math.max(0, m.y), y1 = Math.min(height, m.y + m.height);
      for (let y = y0; y < y1; y++) {
        const row = (y - m.y) * m.width - m.x;
        for (let x = x0; x < x1; x++) {
          if (m.data[row + x] !== 0) blendOver(out, (y * width + x) * 4, r, g, b, maskAlpha);
        }
      }
    }
  }

  // 3. Box outlines, opaque.
  const edges = (i: number) => {
    const x0 = Math.floor(boxes[i * 4]), y0 = Math.floor(boxes[i * 4 + 1]);
    const x1 = Math.max(x0 + 1, Math.ceil(boxes[i * 4 + 2]));
    const y1 = Math.max(y0 + 1, Math.ceil(boxes[i * 4 + 3]));
    return [x0, y0, x1, y1];
  };
  const scratch = aligned ? words : undefined;
  if (boxThickness > 0) {
    for (const i of order) {
      const [x0, y0, x1, y1] = edges(i);
      const [r, g, b] = look(classIds[i]).color;
      const t = boxThickness;
      if (scratch) {
        const word = pack(r, g, b, 255);
        fillRect(scratch, width, height, x0, y0, x1, Math.min(y1, y0 + t), word);
        fillRect(scratch, width, height, x0, Math.max(y0, y1 - t), x1, y1, word);
        fillRect(scratch, width, height, x0, y0, Math.min(x1, x0 + t), y1, word);
        fillRect(scratch, width, height, Math.max(x0, x1 - t), y0, x1, y1, word);
      } else {
        rectBytes(out, width, height, x0, y0, x1, Math.min(y1, y0 + t), r, g, b);
        rectBytes(out, width, height, x0, Math.max(y0, y1 - t), x1, y1, r, g, b);
        rectBytes(out, width, height, x0, y0, Math.min(x1, x0 + t), y1, r, g, b);
        rectBytes(out, width, height, Math.max(x0, x1 - t), y0, x1, y1, r, g, b);
      }
    }
  }

  // 3b. Keypoints and their skeleton, over the boxes.
  const { keypoints } = detections;
  if (keypoints !== undefined && options.skeleton && n > 0) {
    if (keypoints.length % (3 * n) !== 0) {
      throw new RangeError(
        `drawOverlay(): keypoints: expected N×K×3 numbers for ${n} detections, found ${keypoints.length}`,
      );
    }
    const K = keypoints.length / (3 * n);
    drawSkeletons(out, width, height, keypoints, K, order, (i) => look(classIds[i]).color, {
      skeleton: options.skeleton,
    });
  }

  // 4. Labels on top of everything.
  if (labels) {
    const pad = fontScale + 1;
    const labelHeight = GLYPH_HEIGHT * fontScale + 2 * pad;
    for (const i of order) {
      const [x0, y0] = edges(i);
      const { name, color } = look(classIds[i]);
      const text = `${name} ${scores[i].toFixed(2)}`;
      const labelWidth = textWidth(text, fontScale) + 2 * pad;
      const lx = Math.max(0, Math.min(x0, width - labelWidth));
      const ly = Math.max(0, Math.min(y0 - labelHeight, height - labelHeight));
      const [r, g, b] = color;
      rectBytes(out, width, height, lx, ly, lx + labelWidth, ly + labelHeight, r, g, b);
      // Black on light colours, white on dark ones (Rec. 601 luma).
      const ink: [number, number, number] = 0.299 * r + 0.587 * g + 0.114 * b > 140
        ? [0, 0, 0]
        : [255, 255, 255];
      drawText(out, width, height, lx + pad, ly + pad, text, ink, fontScale);
    }
  }
  return out;
}

function rectBytes(
  out: Uint8Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  r: number,
  g: number,
  b: number,
): void {
  x0 = Math.max(0, x0);
  y0 = Math.max(0, y0);
  x1 = Math.min(width, x1);
  y1 = Math.min(height, y1);
  for (let y = y0; y < y1; y++) {
    for (let o = (y * width + x0) * 4, end = (y * width + x1) * 4; o < end; o += 4) {
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = 255;
    }
  }
}
