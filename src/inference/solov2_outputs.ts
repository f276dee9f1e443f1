/**
 * SOLOv2 graphs between the graph and the detections: their outputs split per image and
 * checked against the manifest's `solov2` block, SOLO's post-processing
 * (`solov2Postprocess`: Matrix NMS on the masks, or hard mask NMS), each detection's grid
 * level, and the kept soft masks brought to the source frame as SOLO does (×maskStride
 * bilinearly to the input, the letterbox's picture cropped, resized to the source,
 * thresholded).
 *
 * @module
 */

import { ManifestError } from "../errors.ts";
import type { FrameGeometry, PastedMask } from "../types.ts";
import type { ModelManifest } from "./manifest.ts";
import { type TensorLike, toInt32 } from "./raw_outputs.ts";
import { solov2CellLevels, solov2CellStrides } from "../geometry/solov2_grid.ts";
import { solov2Postprocess } from "../geometry/solov2_post.ts";
import { type BilinearTaps, bilinearTaps } from "../geometry/bilinear.ts";
import type { Solov2Spec } from "../wire/solov2_spec.ts";

/** One image's SOLOv2 outputs. */
export interface Solov2Raw {
  spec: Solov2Spec;
  /** G×C category scores (sigmoid and points NMS applied in the graph). */
  categoryScores: Float32Array;
  /** K×hm×wm soft masks of the image's cells above the graph's threshold. */
  masks: Float32Array;
  /** The grid cell of each mask plane. */
  maskCells: Int32Array;
  hm: number;
  wm: number;
  /** The model input's size. */
  input: { height: number; width: number };
}

type Fields = Pick<ModelManifest, "outputs" | "solov2" | "input">;

/**
 * Splits a batch's SOLOv2 outputs into per-image inputs of the post-processing: each image's
 * rows of `category_scores`, and the masks and cells whose `batch_index` is the image. A
 * graph that disagrees with its manifest is a `ManifestError` naming the output.
 *
 * @example
 * ```ts ignore
 * const [image0] = splitSolov2(outputs, 1, manifest);
 * ```
 */
export function splitSolov2(
  outputs: Record<string, TensorLike>,
  batchSize: number,
  manifest: Fields,
): Solov2Raw[] {
  const spec = manifest.solov2!;
  const get = (role: string) => {
    const o = manifest.outputs.find((o) => o.role === role)!;
    const t = outputs[o.name];
    if (!t) {
      throw new ManifestError(
        `splitRawOutputs(): output "${o.name}" (${role}): expected it among the graph's outputs, found ${
          JSON.stringify(Object.keys(outputs))
        }`,
      );
    }
    return { name: o.name, t };
  };
  const g = spec.grids.reduce((a, s) => a + s * s, 0);
  const c = spec.numClasses;
  const hm = manifest.input.height / spec.maskStride, wm = manifest.input.width / spec.maskStride;
  const scores = get("category_scores"), masks = get("cell_masks");
  const cells = get("mask_cells"), index = get("batch_index");
  const fail = (name: string, role: string, expected: string, dims: readonly number[]) => {
    throw new ManifestError(
      `splitRawOutputs(): output "${name}" (${role}): expected ${expected}, found [${
        dims.join(", ")
      }]`,
    );
  };
  const sd = scores.t.dims;
  if (sd.length !== 3 || sd[0] !== batchSize || sd[1] !== g || sd[2] !== c) {
    fail(
      scores.name,
      "category_scores",
      `[${batchSize}, ${g}, ${c}] (grids ${spec.grids.join(", ")})`,
      sd,
    );
  }
  const md = masks.t.dims;
  if (md.length !== 3 || md[1] !== hm || md[2] !== wm) {
    fail(masks.name, "cell_masks", `[cells, ${hm}, ${wm}]`, md);
  }
  const k = md[0];
  const cellOf = toInt32(cells.t.data), imageOf = toInt32(index.t.data);
  if (cellOf.length !== k || imageOf.length !== k) {
    fail(cells.name, "mask_cells", `[${k}] (one per mask)`, cells.t.dims);
  }
  const data = scores.t.data as Float32Array, planes = masks.t.data as Float32Array;
  const plane = hm * wm;
  return Array.from({ length: batchSize }, (_, b) => {
    const picks: number[] = [];
    for (let i = 0; i < k; i++) if (imageOf[i] === b) picks.push(i);
    const own = new Float32Array(picks.length * plane);
    picks.forEach((p, r) => own.set(planes.subarray(p * plane, (p + 1) * plane), r * plane));
    return {
      spec,
      categoryScores: data.subarray(b * g * c, (b + 1) * g * c),
      masks: own,
      maskCells: Int32Array.from(picks, (p) => cellOf[p]),
      hm,
      wm,
      input: { height: manifest.input.height, width: manifest.input.width },
    };
  });
}

/** What {@link solov2Detections} returns: detections by decreasing score, in source pixels. */
export interface Solov2Result {
  /** N×4 boxes: each mask's extent (0, 0, 0, 0 for a mask with no pixel left). */
  boxes: Float32Array;
  scores: Float32Array;
  /** Class ids (the category column + 1). */
  classIds: Int32Array;
  /** The pyramid level of each detection's grid cell (an index into the block's `grids`). */
  levels: Int32Array;
  masks: PastedMask[];
}

/** What {@link solov2Detections} may change of the manifest's `solov2` block. */
export interface Solov2Overrides {
  maskThreshold?: number;
  sigma?: number;
  /** The suppression: SOLO's Matrix NMS (`"matrix"`, the default) or hard mask NMS. */
  nms?: "matrix" | "hard";
  /** Hard mask NMS's IoU threshold (0.5). */
  iouThreshold?: number;
}

/**
 * SOLO's post-processing of one image (`solov2Postprocess` with the block's settings;
 * `overrides` may change the mask threshold and sigma, or pick hard mask NMS at an IoU
 * threshold instead of Matrix NMS), each detection's level (the grid its cell is on), then
 * each kept soft mask brought to the source frame as SOLO's `get_seg_single` does:
 * upsampled ×maskStride bilinearly to the input, cropped to the letterboxed picture,
 * resized bilinearly to the source size and thresholded (`> maskThreshold`). Only the part
 * of each plane that can pass the threshold (its cells above it, and their neighbours) is
 * resized.
 *
 * @example
 * ```ts ignore
 * const { boxes, scores, classIds, levels, masks } = solov2Detections(raw, geometry);
 * ```
 */
export function solov2Detections(
  raw: Solov2Raw,
  geometry: FrameGeometry,
  overrides: Solov2Overrides = {},
): Solov2Result {
  const { spec, hm, wm } = raw;
  const threshold = overrides.maskThreshold ?? spec.maskThreshold;
  const d = solov2Postprocess(
    {
      categoryScores: raw.categoryScores,
      numClasses: spec.numClasses,
      cellStrides: solov2CellStrides(spec.grids, spec.strides),
      masks: raw.masks,
      height: hm,
      width: wm,
      maskCells: raw.maskCells,
    },
    {
      scoreThreshold: spec.scoreThreshold,
      maskThreshold: threshold,
      nmsPre: spec.nmsPre,
      nms: overrides.nms ?? "matrix",
      ...(overrides.iouThreshold === undefined ? {} : { iouThreshold: overrides.iouThreshold }),
      kernel: spec.kernel,
      sigma: overrides.sigma ?? spec.sigma,
      updateThreshold: spec.updateThreshold,
      maxPerImage: spec.maxPerImage,
    },
  );
  const n = d.scores.length;
  const taps = resizeTaps(raw, geometry);
  const boxes = new Float32Array(n * 4);
  const masks: PastedMask[] = [];
  const plane = hm * wm;
  for (let i = 0; i < n; i++) {
    const soft = raw.masks.subarray(d.maskIndex[i] * plane, (d.maskIndex[i] + 1) * plane);
    const m = maskToSource(soft, hm, wm, taps, geometry, threshold);
    masks.push(m);
    if (m.width > 0) boxes.set([m.x, m.y, m.x + m.width, m.y + m.height], i * 4);
  }
  const classIds = Int32Array.from(d.classIds, (c) => c + 1);
  const levels = solov2CellLevels(spec.grids, d.cells);
  return { boxes, scores: d.scores, classIds, levels, masks };
}

interface ResizeTaps {
  /** Feature → input pixels. */
  inX: BilinearTaps;
  inY: BilinearTaps;
  /** Cropped input picture → source pixels (indices into the crop). */
  srcX: BilinearTaps;
  srcY: BilinearTaps;
}

const tapsCache = new Map<string, ResizeTaps>();

function resizeTaps(raw: Solov2Raw, g: FrameGeometry): ResizeTaps {
  const key = [
    raw.hm,
    raw.wm,
    raw.input.height,
    raw.input.width,
    g.scaledWidth,
    g.scaledHeight,
    g.sourceWidth,
    g.sourceHeight,
  ].join();
  let t = tapsCache.get(key);
  if (!t) {
    t = {
      inX: bilinearTaps(raw.wm, raw.input.width),
      inY: bilinearTaps(raw.hm, raw.input.height),
      srcX: bilinearTaps(Math.max(1, g.scaledWidth), g.sourceWidth),
      srcY: bilinearTaps(Math.max(1, g.scaledHeight), g.sourceHeight),
    };
    if (tapsCache.size > 16) tapsCache.clear();
    tapsCache.set(key, t);
  }
  return t;
}

/** The source pixels whose taps reach the input range [lo, hi]. */
function reach(taps: BilinearTaps, pad: number, lo: number, hi: number): [number, number] {
  let first = -1, last = -2;
  for (let s = 0; s < taps.i0.length; s++) {
    const a = taps.i0[s] + pad, b = taps.i1[s] + pad;
    if (b >= lo && a <= hi) {
      if (first < 0) first = s;
      last = s;
    }
  }
  return [first, last];
}

const fround = Math.fround;

function maskToSource(
  soft: Float32Array,
  hm: number,
  wm: number,
  t: ResizeTaps,
  g: FrameGeometry,
  threshold: number,
): PastedMask {
  // The cells above the threshold: no blend of values at or below it can exceed it.
  let fy0 = hm, fy1 = -1, fx0 = wm, fx1 = -1;
  for (let y = 0; y < hm; y++) {
    for (let x = 0; x < wm; x++) {
      if (soft[y * wm + x] > threshold) {
        if (y < fy0) fy0 = y;
        if (y > fy1) fy1 = y;
        if (x < fx0) fx0 = x;
        if (x > fx1) fx1 = x;
      }
    }
  }
  const empty = { x: 0, y: 0, width: 0, height: 0, data: new Uint8Array(0) };
  if (fy1 < 0) return empty;
  // Input pixels that read those cells, then the source pixels that read those.
  const [iy0, iy1] = reach(t.inY, 0, fy0, fy1);
  const [ix0, ix1] = reach(t.inX, 0, fx0, fx1);
  const [sy0, sy1] = reach(t.srcY, g.padY, iy0, iy1);
  const [sx0, sx1] = reach(t.srcX, g.padX, ix0, ix1);
  if (sy1 < sy0 || sx1 < sx0) return empty;
  // The input block the source rectangle reads, upsampled from the features.
  const by0 = t.srcY.i0[sy0] + g.padY, by1 = t.srcY.i1[sy1] + g.padY;
  const bx0 = t.srcX.i0[sx0] + g.padX, bx1 = t.srcX.i1[sx1] + g.padX;
  const bw = bx1 - bx0 + 1;
  const block = new Float32Array((by1 - by0 + 1) * bw);
  for (let y = by0; y <= by1; y++) {
    const r0 = t.inY.i0[y] * wm, r1 = t.inY.i1[y] * wm, fy = t.inY.w[y], gy = fround(1 - fy);
    for (let x = bx0; x <= bx1; x++) {
      const c0 = t.inX.i0[x], c1 = t.inX.i1[x], fx = t.inX.w[x], gx = fround(1 - fx);
      const top = fround(fround(gx * soft[r0 + c0]) + fround(fx * soft[r0 + c1]));
      const bottom = fround(fround(gx * soft[r1 + c0]) + fround(fx * soft[r1 + c1]));
      block[(y - by0) * bw + (x - bx0)] = fround(fround(gy * top) + fround(fy * bottom));
    }
  }
  const width = sx1 - sx0 + 1, height = sy1 - sy0 + 1;
  const bits = new Uint8Array(width * height);
  let minX = width, maxX = -1, minY = height, maxY = -1;
  for (let y = 0; y < height; y++) {
    const s = sy0 + y;
    const r0 = (t.srcY.i0[s] + g.padY - by0) * bw, r1 = (t.srcY.i1[s] + g.padY - by0) * bw;
    const fy = t.srcY.w[s], gy = fround(1 - fy);
    for (let x = 0; x < width; x++) {
      const u = sx0 + x;
      const c0 = t.srcX.i0[u] + g.padX - bx0, c1 = t.srcX.i1[u] + g.padX - bx0;
      const fx = t.srcX.w[u], gx = fround(1 - fx);
      const top = fround(fround(gx * block[r0 + c0]) + fround(fx * block[r0 + c1]));
      const bottom = fround(fround(gx * block[r1 + c0]) + fround(fx * block[r1 + c1]));
      if (fround(fround(gy * top) + fround(fy * bottom)) > threshold) {
        bits[y * width + x] = 1;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  if (maxX < 0) return empty;
  // Cropped to the mask's extent.
  const w = maxX - minX + 1, h = maxY - minY + 1;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    data.set(bits.subarray((minY + y) * width + minX, (minY + y) * width + minX + w), y * w);
  }
  return { x: sx0 + minX, y: sy0 + minY, width: w, height: h, data };
}
