/**
 * Panoptic fusion of instance masks with a semantic label map, as detectron2's
 * `combine_semantic_and_instance_outputs`
 * (`detectron2/modeling/meta_arch/panoptic_fpn.py`; docs/REFERENCE.md "Panoptic fusion").
 *
 * @module
 */

import type { PanopticResult, PanopticSegment, PastedMask } from "../types.ts";
import { reusable } from "./reusable.ts";
import { argsortDescending } from "./score_order.ts";
import { checkInteger, checkLabels, checkNumber, checkScores } from "./validate.ts";
import { describe } from "../describe.ts";

/** Instances to fuse: one pasted mask, score and class id per instance. */
export interface InstanceMasks {
  /** Masks cropped to their paste region (see `pasteMask`). */
  masks: readonly PastedMask[];
  /** One score per mask. */
  scores: Float32Array;
  /** One class id per mask (becomes the segment's `categoryId`). */
  classIds: Int32Array;
}

/** A per-pixel class map, e.g. the argmax of a semantic head; label 0 means "things". */
export interface SemanticMap {
  height: number;
  width: number;
  /** Row-major `height × width` labels (non-negative). */
  labels: Uint8Array | Uint16Array | Int32Array;
}

/** Options of {@link panopticFusion}; the defaults are detectron2's. */
export interface PanopticFusionOptions {
  /** Skip an instance when more than this fraction of it is already taken (0.5). */
  overlapThreshold?: number;
  /** Keep a stuff region only with at least this many free pixels (4096). */
  stuffAreaThreshold?: number;
  /** Stop at the first instance scoring below this (0.5). */
  instanceScoreThreshold?: number;
}

/** Labels above this are refused (the per-label counters are a dense array). */
const MAX_LABEL = 1 << 20;

/**
 * Fuses instances and a semantic map into one panoptic segmentation, with
 * detectron2's rules: instances by decreasing score (ties in input order), stopping at
 * the first below `instanceScoreThreshold`; an empty mask is skipped; a mask more than
 * `overlapThreshold` covered by earlier instances is skipped; otherwise it takes its
 * free pixels. Then each semantic label except 0 ("things") in increasing order becomes
 * one segment of its free pixels if they number at least `stuffAreaThreshold`.
 * Segment ids are 1, 2, 3... in that order; 0 is void.
 *
 * Unlike detectron2 every segment records its `area` (pixels in the id map).
 *
 * @example An instance over a road
 * ```ts
 * import assert from "node:assert/strict";
 * const semantic = { height: 4, width: 4, labels: new Uint8Array(16).fill(2) };
 * const masks = [{ x: 0, y: 0, width: 2, height: 2, data: new Uint8Array([1, 1, 1, 1]) }];
 * const instances = { masks, scores: new Float32Array([0.9]), classIds: new Int32Array([7]) };
 * const result = panopticFusion(instances, semantic, { stuffAreaThreshold: 4 });
 * assert.deepEqual(result.segments.map((s) => [s.id, s.categoryId, s.isThing, s.area]), [
 *   [1, 7, true, 4],
 *   [2, 2, false, 12],
 * ]);
 * assert.equal(result.segmentIds[0], 1);
 * assert.equal(result.segmentIds[15], 2);
 * ```
 */
export function panopticFusion(
  instances: InstanceMasks,
  semantic: SemanticMap,
  options: PanopticFusionOptions = {},
): PanopticResult {
  const fn = "panopticFusion";
  const { height, width, labels } = checkSemantic(fn, semantic);
  const { masks, scores, classIds } = checkInstances(fn, instances, height, width);
  const {
    overlapThreshold = 0.5,
    stuffAreaThreshold = 4096,
    instanceScoreThreshold = 0.5,
  } = options;
  checkNumber(fn, "options.overlapThreshold", overlapThreshold, 0);
  checkNumber(fn, "options.stuffAreaThreshold", stuffAreaThreshold, 0);
  checkNumber(fn, "options.instanceScoreThreshold", instanceScoreThreshold);

  const ids = new Int32Array(height * width);
  const segments: PanopticSegment[] = [];
  const order = argsortDescending(scores, orderBuffer(scores.length));
  for (let r = 0; r < scores.length; r++) {
    const i = order[r];
    const score = scores[i];
    if (score < instanceScoreThreshold) break;
    // Paint first, counting as it goes; the rare instance that overlaps too much is
    // then taken out again. One pass over the mask instead of two.
    const m = masks[i], id = segments.length + 1;
    const { area, taken } = paintFree(m, ids, width, id);
    if (area === 0) continue;
    if (taken / area > overlapThreshold) {
      if (area > taken) unpaint(m, ids, width, id);
      continue;
    }
    segments.push({
      id,
      categoryId: classIds[i],
      isThing: true,
      score,
      instanceIndex: i,
      area: area - taken,
    });
  }

  // Free pixels per label, then one id per label that is large enough, in label order.
  const labelCount = labels instanceof Uint8Array
    ? 256
    : labels instanceof Uint16Array
    ? 65536
    : maxOf(labels) + 1;
  const free = freeBuffer(labelCount).fill(0, 0, labelCount);
  const present = presentBuffer(labelCount).fill(0, 0, labelCount);
  countFree(labels, ids, free, present);
  const idOfLabel = idOfLabelBuffer(labelCount).fill(0, 0, labelCount);
  let stuff = false;
  for (let label = 1; label < labelCount; label++) {
    // A label that is present but fully covered still counts when the threshold is 0.
    if (!present[label] || free[label] < stuffAreaThreshold) continue;
    idOfLabel[label] = segments.length + 1;
    stuff = true;
    segments.push({
      id: segments.length + 1,
      categoryId: label,
      isThing: false,
      area: free[label],
    });
  }
  if (stuff) paintStuff(labels, ids, idOfLabel);
  return { height, width, segmentIds: ids, segments };
}

// Working memory kept between calls (see reusable.ts).
const orderBuffer = reusable((n) => new Int32Array(n));
const freeBuffer = reusable((n) => new Float64Array(n));
const presentBuffer = reusable((n) => new Uint8Array(n));
const idOfLabelBuffer = reusable((n) => new Int32Array(n));

/**
 * Gives the mask's free pixels the id `id`; returns the mask's pixel count and how many
 * of them were already taken. Branches, not arithmetic: mask bytes and taken pixels come
 * in long runs, so they predict well.
 */
function paintFree(m: PastedMask, ids: Int32Array, width: number, id: number) {
  const data = m.data;
  let area = 0, taken = 0;
  for (let row = 0; row < m.height; row++) {
    const src = row * m.width, dst = (m.y + row) * width + m.x;
    for (let c = 0; c < m.width; c++) {
      if (data[src + c] === 0) continue;
      area++;
      if (ids[dst + c] === 0) ids[dst + c] = id;
      else taken++;
    }
  }
  return { area, taken };
}

/** Takes back the pixels that {@link paintFree} gave `id`. */
function unpaint(m: PastedMask, ids: Int32Array, width: number, id: number): void {
  for (let row = 0; row < m.height; row++) {
    const dst = (m.y + row) * width + m.x;
    for (let c = 0; c < m.width; c++) if (ids[dst + c] === id) ids[dst + c] = 0;
  }
}

/**
 * Per label: free pixels (id 0) into `free`, and whether it occurs at all into `present`.
 * Labels come in long runs: a run is counted in a register and added once, much faster
 * than incrementing a table entry per pixel.
 */
function countFree(
  labels: Uint8Array | Uint16Array | Int32Array,
  ids: Int32Array,
  free: Float64Array,
  present: Uint8Array,
): void {
  const n = ids.length;
  if (n === 0) return;
  let current = labels[0], run = 0;
  for (let p = 0; p < n; p++) {
    const label = labels[p];
    if (label !== current) {
      free[current] += run;
      present[current] = 1;
      current = label;
      run = 0;
    }
    run += +(ids[p] === 0);
  }
  free[current] += run;
  present[current] = 1;
}

/** Gives every free pixel its label's stuff segment id (0 for labels without one). */
function paintStuff(
  labels: Uint8Array | Uint16Array | Int32Array,
  ids: Int32Array,
  idOfLabel: Int32Array,
): void {
  let current = -1, id = 0;
  for (let p = 0; p < ids.length; p++) {
    const label = labels[p];
    if (label !== current) {
      current = label;
      id = idOfLabel[label];
    }
    if (ids[p] === 0) ids[p] = id;
  }
}

function maxOf(labels: Int32Array): number {
  let max = 0;
  for (let p = 0; p < labels.length; p++) if (labels[p] > max) max = labels[p];
  return max;
}

function checkSemantic(fn: string, semantic: SemanticMap): SemanticMap {
  if (semantic === null || typeof semantic !== "object") {
    throw new TypeError(
      `${fn}(): semantic: expected { height, width, labels }, found ${describe(semantic)}`,
    );
  }
  const { height, width, labels } = semantic;
  checkInteger(fn, "semantic.height", height, 0);
  checkInteger(fn, "semantic.width", width, 0);
  const expected = `a Uint8Array, Uint16Array or Int32Array of height×width = ${height}×${width}`;
  if (
    !(labels instanceof Uint8Array || labels instanceof Uint16Array ||
      labels instanceof Int32Array)
  ) {
    throw new TypeError(
      `${fn}(): semantic.labels: expected ${expected}, found ${describe(labels)}`,
    );
  }
  if (labels.length !== height * width) {
    throw new RangeError(
      `${fn}(): semantic.labels: expected ${expected}, found length ${labels.length}`,
    );
  }
  if (labels instanceof Int32Array) {
    for (let p = 0; p < labels.length; p++) {
      if (labels[p] < 0 || labels[p] >= MAX_LABEL) {
        throw new RangeError(
          `${fn}(): semantic.labels[${p}]: expected a label in [0, ${MAX_LABEL}), found ${
            labels[p]
          }`,
        );
      }
    }
  }
  return semantic;
}

function checkInstances(
  fn: string,
  instances: InstanceMasks,
  height: number,
  width: number,
): InstanceMasks {
  if (instances === null || typeof instances !== "object" || !Array.isArray(instances.masks)) {
    throw new TypeError(
      `${fn}(): instances: expected { masks: PastedMask[], scores, classIds }, found ${
        describe(instances)
      }`,
    );
  }
  const n = instances.masks.length;
  checkScores(fn, "instances.scores", instances.scores, n);
  checkLabels(fn, "instances.classIds", instances.classIds, n);
  instances.masks.forEach((m, i) => {
    const ok = m !== null && typeof m === "object" && m.data instanceof Uint8Array &&
      Number.isInteger(m.x) && Number.isInteger(m.y) && Number.isInteger(m.width) &&
      Number.isInteger(m.height) && m.x >= 0 && m.y >= 0 && m.width >= 0 && m.height >= 0 &&
      m.x + m.width <= width && m.y + m.height <= height &&
      m.data.length === m.width * m.height;
    if (!ok) {
      const found = m === null || typeof m !== "object"
        ? describe(m)
        : `x=${m.x}, y=${m.y}, width=${m.width}, height=${m.height}, data ${describe(m.data)}`;
      throw new RangeError(
        `${fn}(): instances.masks[${i}]: expected a crop inside the ${width}×${height} frame ` +
          `with width×height bytes of data, found ${found}`,
      );
    }
  });
  return instances;
}
