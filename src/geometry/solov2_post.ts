/**
 * SOLOv2 post-processing: from per-grid-cell category scores and soft masks to instance
 * masks, as `SOLOv2Head.get_seg_single` (`WXinlong/SOLO`,
 * `mmdet/models/anchor_heads/solov2_head.py`; docs/REFERENCE.md "SOLOv2 inference") up to
 * its final upsampling, with {@link matrixNms} as the suppression, or greedy mask NMS
 * ({@link maskHardNms}) instead for comparison.
 *
 * @module
 */

import type { MatrixNmsKernel } from "../types.ts";
import { matrixNms } from "./matrix_nms.ts";
import { maskHardNms } from "./mask_hard_nms.ts";
import { reusable } from "./reusable.ts";
import { argsortDescending } from "./score_order.ts";
import { checkChoice, checkInteger, checkNumber } from "./validate.ts";
import { describe } from "../describe.ts";
import { checkLength } from "./solov2_grid.ts";

const fround = Math.fround;
const FN = "solov2Postprocess";

/**
 * One image's SOLOv2 outputs. Grid cells are numbered over all levels: level 0's S₀×S₀
 * cells row-major, then level 1's, and so on (G = Σ Sᵢ² cells), as SOLO concatenates them.
 */
export interface Solov2Inputs {
  /**
   * G×C category scores, sigmoid and `pointsNms` applied: what SOLO's head returns in
   * eval mode (`points_nms(cate_pred.sigmoid()).permute(0, 2, 3, 1)`), one row per cell.
   */
  categoryScores: Float32Array;
  /** C. */
  numClasses: number;
  /** The stride of each of the G cells (see `solov2CellStrides`). */
  cellStrides: Float32Array;
  /** M×height×width soft masks (sigmoid applied), at the mask features' resolution. */
  masks: Float32Array;
  height: number;
  width: number;
  /**
   * The grid cell of each mask plane, when masks come only for some cells (a graph that
   * runs the dynamic convolution for the cells above the threshold). Without it, plane g
   * is cell g (M = G).
   */
  maskCells?: Int32Array;
}

/** Options of {@link solov2Postprocess}; the defaults are SOLOv2's `test_cfg`. */
export interface Solov2Options {
  /** A (cell, class) is a candidate when its score is above this (`score_thr`, 0.1). */
  scoreThreshold?: number;
  /** Mask pixels above this are foreground (`mask_thr`, 0.5). */
  maskThreshold?: number;
  /** At most this many candidates enter the NMS, the best (`nms_pre`, 500). */
  nmsPre?: number;
  /**
   * The suppression: `"matrix"`, SOLOv2's Matrix NMS (the default), or `"hard"`, greedy
   * mask NMS at `iouThreshold` ({@link maskHardNms}, SOLO's original `mask_nms`).
   */
  nms?: "matrix" | "hard";
  /** Hard NMS: a mask whose IoU with a kept one of its class is above this goes (0.5). */
  iouThreshold?: number;
  /** Matrix NMS kernel (`kernel`, gaussian). */
  kernel?: MatrixNmsKernel;
  /** Gaussian kernel strength (`sigma`, 2.0). */
  sigma?: number;
  /** Detections need a (decayed) score at least this (`update_thr`, 0.05). */
  updateThreshold?: number;
  /** At most this many detections (`max_per_img`, 100). */
  maxPerImage?: number;
}

/**
 * SOLOv2's `test_cfg` (configs/solov2/solov2_r50_fpn_8gpu_1x.py).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(SOLOV2_DEFAULTS.sigma, 2.0);
 * ```
 */
export const SOLOV2_DEFAULTS: Readonly<Required<Solov2Options>> = Object.freeze({
  scoreThreshold: 0.1,
  maskThreshold: 0.5,
  nmsPre: 500,
  nms: "matrix",
  iouThreshold: 0.5,
  kernel: "gaussian",
  sigma: 2.0,
  updateThreshold: 0.05,
  maxPerImage: 100,
});

/** Detections of one image, by decreasing score. */
export interface Solov2Detections {
  /** The grid cell each detection came from. */
  cells: Int32Array;
  /** The plane of `masks` (input) each detection's mask is: its soft mask, to upsample. */
  maskIndex: Int32Array;
  /** The category column (0-based, as SOLO's `cate_labels`). */
  classIds: Int32Array;
  /** Scores after maskness rescoring and Matrix NMS decay (hard NMS: not decayed). */
  scores: Float32Array;
  /** K×height×width binary masks (0 or 1) at the masks' resolution, not yet upsampled. */
  masks: Uint8Array;
}

function resolveOptions(options: Solov2Options): Required<Solov2Options> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${FN}(): options: expected an object, found ${describe(options)}`);
  }
  const d = SOLOV2_DEFAULTS;
  const o = {
    scoreThreshold: options.scoreThreshold ?? d.scoreThreshold,
    maskThreshold: options.maskThreshold ?? d.maskThreshold,
    nmsPre: options.nmsPre ?? d.nmsPre,
    nms: options.nms ?? d.nms,
    iouThreshold: options.iouThreshold ?? d.iouThreshold,
    kernel: options.kernel ?? d.kernel,
    sigma: options.sigma ?? d.sigma,
    updateThreshold: options.updateThreshold ?? d.updateThreshold,
    maxPerImage: options.maxPerImage ?? d.maxPerImage,
  };
  checkNumber(FN, "options.scoreThreshold", o.scoreThreshold);
  checkNumber(FN, "options.maskThreshold", o.maskThreshold);
  checkInteger(FN, "options.nmsPre", o.nmsPre, 0);
  checkChoice(FN, "options.nms", o.nms, ["matrix", "hard"]);
  checkNumber(FN, "options.iouThreshold", o.iouThreshold, 0);
  checkChoice(FN, "options.kernel", o.kernel, ["gaussian", "linear"]);
  checkNumber(FN, "options.sigma", o.sigma, 0);
  checkNumber(FN, "options.updateThreshold", o.updateThreshold);
  checkInteger(FN, "options.maxPerImage", o.maxPerImage, 0);
  return o;
}

/** Plane of each cell (-1: no mask), checking `maskCells`. */
function planesOfCells(inputs: Solov2Inputs, g: number, plane: number): Int32Array {
  const { maskCells, masks } = inputs;
  const planeOf = new Int32Array(g);
  if (maskCells === undefined) {
    checkLength(
      FN,
      "masks",
      masks,
      g * plane,
      `G×height×width = ${g}×${inputs.height}×${inputs.width}`,
      "mask values (one plane per grid cell, or give maskCells)",
    );
    for (let k = 0; k < g; k++) planeOf[k] = k;
    return planeOf;
  }
  if (!(maskCells instanceof Int32Array)) {
    throw new TypeError(
      `${FN}(): inputs.maskCells: expected an Int32Array (the grid cell of each mask plane), found ${
        describe(maskCells)
      }`,
    );
  }
  const m = maskCells.length;
  checkLength(
    FN,
    "masks",
    masks,
    m * plane,
    `M×height×width = ${m}×${inputs.height}×${inputs.width}`,
    "mask values (one plane per maskCells entry)",
  );
  planeOf.fill(-1);
  for (let k = 0; k < m; k++) {
    const cell = maskCells[k];
    if (!(cell >= 0 && cell < g)) {
      throw new RangeError(
        `${FN}(): inputs.maskCells[${k}]: expected a grid cell in [0, ${g - 1}], found ${cell}`,
      );
    }
    if (planeOf[cell] >= 0) {
      throw new RangeError(
        `${FN}(): inputs.maskCells[${k}]: grid cell ${cell} already has plane ${planeOf[cell]}`,
      );
    }
    planeOf[cell] = k;
  }
  return planeOf;
}

const candidateScores = reusable((n) => new Float32Array(n));
const candidateFlat = reusable((n) => new Int32Array(n));
const orderBuffer = reusable((n) => new Int32Array(n));

/**
 * SOLOv2's `get_seg_single` up to its upsampling: every (cell, class) with a category
 * score above `scoreThreshold` is a candidate, its mask the cell's soft mask binarised
 * above `maskThreshold`; candidates whose mask area is not above the cell's stride are
 * dropped; the score is multiplied by the maskness (mean soft value over the binary mask);
 * the best `nmsPre` go through Matrix NMS ({@link matrixNms}, `kernel`, `sigma`); those
 * with a decayed score of at least `updateThreshold` are kept, the best `maxPerImage`.
 * Thresholds compare in float32, as torch does.
 *
 * With `nms: "hard"` the best `nmsPre` go through greedy mask NMS instead
 * ({@link maskHardNms} at `iouThreshold`): the suppressed ones go, the others keep their
 * scores, and `updateThreshold` and `maxPerImage` apply as after Matrix NMS (SOLO's
 * `mask_nms` path skips `update_thr`; with SOLOv2's thresholds no rescored score is below
 * it anyway: above 0.1 × a maskness above 0.5).
 *
 * The masks returned are binary at the mask features' resolution. SOLO then upsamples the
 * kept soft masks (`maskIndex` picks them) 4× bilinearly, crops the padding and resizes to
 * the source frame before binarising again: that is a later step, not done here.
 *
 * Differences from SOLO, only where scores tie: SOLO's `torch.argsort` is not stable,
 * here equal scores keep candidate order (cell, then class).
 *
 * @example Two cells of one class with the same 2×2 mask: the second decays, or goes
 * ```ts
 * import assert from "node:assert/strict";
 * const mask = [0.9, 0.8, 0, 0, 0.9, 0.7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
 * const inputs = {
 *   categoryScores: new Float32Array([0.9, 0.6]), // 2 cells, 1 class
 *   numClasses: 1,
 *   cellStrides: new Float32Array([2, 2]),
 *   masks: new Float32Array([...mask, ...mask]),
 *   height: 4,
 *   width: 4,
 * };
 * const d = solov2Postprocess(inputs);
 * assert.deepEqual([...d.cells], [0, 1]);
 * assert.ok(Math.abs(d.scores[1] - 0.6 * 0.825 * Math.exp(-2)) < 1e-6);
 * assert.deepEqual([...d.masks.subarray(0, 4)], [1, 1, 0, 0]);
 * assert.deepEqual([...solov2Postprocess(inputs, { nms: "hard" }).cells], [0]); // IoU 1 > 0.5
 * ```
 */
export function solov2Postprocess(
  inputs: Solov2Inputs,
  options: Solov2Options = {},
): Solov2Detections {
  if (typeof inputs !== "object" || inputs === null) {
    throw new TypeError(
      `${FN}(): inputs: expected { categoryScores, numClasses, cellStrides, masks, height, width }, found ${
        describe(inputs)
      }`,
    );
  }
  const { categoryScores, numClasses: c, cellStrides, masks, height, width } = inputs;
  checkInteger(FN, "inputs.numClasses", c, 1);
  checkInteger(FN, "inputs.height", height, 0);
  checkInteger(FN, "inputs.width", width, 0);
  if (!(cellStrides instanceof Float32Array)) {
    throw new TypeError(
      `${FN}(): inputs.cellStrides: expected a Float32Array with the stride of each grid cell, found ${
        describe(cellStrides)
      }`,
    );
  }
  const g = cellStrides.length, plane = height * width;
  cellStrides.forEach((v, k) => checkNumber(FN, `inputs.cellStrides[${k}]`, v, 0));
  checkLength(
    FN,
    "inputs.categoryScores",
    categoryScores,
    g * c,
    `G×C = ${g}×${c}`,
    "scores (G from cellStrides)",
  );
  const planeOf = planesOfCells(inputs, g, plane);
  const o = resolveOptions(options);
  const scoreThr = fround(o.scoreThreshold), maskThr = fround(o.maskThreshold);

  // Candidates with their mask's area and maskness, each plane measured once.
  const area = new Float64Array(planeOf.length).fill(-1);
  const soft = new Float64Array(planeOf.length);
  const scores = candidateScores(g * c), flat = candidateFlat(g * c);
  let n = 0;
  for (let i = 0; i < g * c; i++) {
    const s = categoryScores[i];
    if (!(s > scoreThr)) continue;
    const cell = (i / c) | 0, p = planeOf[cell];
    if (p < 0) {
      throw new RangeError(
        `${FN}(): inputs.maskCells: expected a mask plane for grid cell ${cell} (its class ${
          i - cell * c
        } scores ${s} > scoreThreshold ${o.scoreThreshold}), found none`,
      );
    }
    if (area[cell] < 0) {
      let count = 0, sum = 0;
      for (let k = p * plane, end = k + plane; k < end; k++) {
        const v = masks[k];
        if (v > maskThr) {
          count++;
          sum += v;
        }
      }
      area[cell] = count;
      soft[cell] = fround(fround(sum) / count);
    }
    if (!(area[cell] > cellStrides[cell])) continue;
    scores[n] = fround(s * soft[cell]);
    flat[n++] = i;
  }

  // The best nmsPre, their binary masks, the NMS.
  const order = argsortDescending(scores.subarray(0, n), orderBuffer(n));
  const k = Math.min(n, o.nmsPre);
  const binary = new Uint8Array(k * plane);
  const labels = new Int32Array(k), ranked = new Float32Array(k), cells = new Int32Array(k);
  for (let r = 0; r < k; r++) {
    const i = flat[order[r]], cell = (i / c) | 0, from = planeOf[cell] * plane;
    cells[r] = cell;
    labels[r] = i - cell * c;
    ranked[r] = scores[order[r]];
    for (let q = 0, at = r * plane; q < plane; q++) {
      binary[at + q] = masks[from + q] > maskThr ? 1 : 0;
    }
  }
  const keep = o.nms === "hard"
    ? maskHardNms(binary, height, width, labels, ranked, o.iouThreshold)
    : undefined;
  const decayed = keep ? ranked : matrixNms(binary, height, width, labels, ranked, {
    kernel: o.kernel,
    sigma: o.sigma,
  });

  // Keep >= updateThreshold, the best maxPerImage.
  const updateThr = fround(o.updateThreshold);
  const final = argsortDescending(decayed);
  const kept: number[] = [];
  for (let r = 0; r < k && kept.length < o.maxPerImage; r++) {
    const at = final[r];
    if (decayed[at] >= updateThr && (keep === undefined || keep[at] === 1)) kept.push(at);
  }
  const out: Solov2Detections = {
    cells: new Int32Array(kept.length),
    maskIndex: new Int32Array(kept.length),
    classIds: new Int32Array(kept.length),
    scores: new Float32Array(kept.length),
    masks: new Uint8Array(kept.length * plane),
  };
  kept.forEach((r, j) => {
    out.cells[j] = cells[r];
    out.maskIndex[j] = planeOf[cells[r]];
    out.classIds[j] = labels[r];
    out.scores[j] = decayed[r];
    out.masks.set(binary.subarray(r * plane, (r + 1) * plane), j * plane);
  });
  return out;
}
