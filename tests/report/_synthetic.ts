/**
 * A small synthetic dataset for the report tests: a COCO ground truth of 4 images
 * (160×120; boxes and rectangle masks of small, medium and large objects), its panoptic
 * ground truth with RLE segments (sky and road as stuff), and detections of it (shifted
 * boxes, a miss, false positives) both as COCO results and as JSON Lines result messages
 * with masks, panoptic segments and latency.
 *
 * @module
 */

import { encodeRle } from "../../src/geometry/rle.ts";
import { segmentRles } from "../../src/geometry/segment_rles.ts";
import type { CocoGroundTruth, CocoResult } from "../../src/eval/coco_types.ts";
import type { PanopticRleJson } from "../../src/eval/panoptic_rle.ts";
import type { Rle } from "../../src/types.ts";

/** Image width in pixels. */
export const WIDTH = 160;
/** Image height in pixels. */
export const HEIGHT = 120;
/** Sky rows of the ground truth (the road is below). */
const SKY_ROWS = 40;

/** Two thing and two stuff categories, as in a COCO panoptic JSON. */
export const CATEGORIES: PanopticRleJson["categories"] = [
  { id: 1, name: "car", isthing: 1 },
  { id: 2, name: "person", isthing: 1 },
  { id: 3, name: "sky", isthing: 0 },
  { id: 4, name: "road", isthing: 0 },
];

type Rect = [number, number, number, number]; // x, y, w, h (integers)

/** The objects of each image: category and rectangle. */
const OBJECTS: [number, Rect][][] = [
  [[1, [10, 50, 100, 70]], [2, [120, 60, 10, 20]]],
  [[1, [5, 45, 40, 30]], [1, [60, 50, 100, 68]], [2, [140, 80, 12, 25]]],
  [[2, [30, 50, 8, 16]], [1, [70, 55, 45, 40]]],
  [[1, [0, 20, 110, 100]], [2, [125, 70, 20, 40]]],
];

function rectMask(r: Rect): Uint8Array {
  const mask = new Uint8Array(WIDTH * HEIGHT);
  const [x, y, w, h] = r;
  for (let row = Math.max(0, y); row < Math.min(HEIGHT, y + h); row++) {
    mask.fill(1, row * WIDTH + Math.max(0, x), row * WIDTH + Math.min(WIDTH, x + w));
  }
  return mask;
}

function rectRle(r: Rect): Rle {
  return encodeRle(rectMask(r), HEIGHT, WIDTH);
}

/**
 * The COCO ground truth.
 *
 * @example
 * ```ts ignore
 * const gt = groundTruth();
 * ```
 */
export function groundTruth(): CocoGroundTruth {
  let id = 1;
  return {
    images: OBJECTS.map((_, i) => ({ id: i + 1, width: WIDTH, height: HEIGHT })),
    categories: CATEGORIES.map((c) => ({ id: c.id, name: c.name })),
    annotations: OBJECTS.flatMap((objects, i) =>
      objects.map(([category, r]) => ({
        id: id++,
        image_id: i + 1,
        category_id: category,
        bbox: [...r],
        area: r[2] * r[3],
        iscrowd: 0,
        segmentation: rectRle(r),
      }))
    ),
  };
}

/** Segment ids: things 1.., then sky 100 and road 101. */
function panopticIds(objects: [number, Rect][], skyRows: number): Int32Array {
  const ids = new Int32Array(WIDTH * HEIGHT);
  ids.fill(100, 0, skyRows * WIDTH);
  ids.fill(101, skyRows * WIDTH);
  objects.forEach(([, r], k) => {
    const mask = rectMask(r);
    for (let p = 0; p < mask.length; p++) if (mask[p]) ids[p] = k + 1;
  });
  return ids;
}

/**
 * The panoptic ground truth with RLE segments.
 *
 * @example
 * ```ts ignore
 * const pan = panopticGroundTruth();
 * ```
 */
export function panopticGroundTruth(): PanopticRleJson {
  return {
    images: OBJECTS.map((_, i) => ({ id: i + 1, width: WIDTH, height: HEIGHT })),
    categories: CATEGORIES,
    annotations: OBJECTS.map((objects, i) => {
      const ids = panopticIds(objects, SKY_ROWS);
      const rles = segmentRles(ids, HEIGHT, WIDTH);
      const segments = [...rles.keys()].sort((a, b) => a - b).map((id) => ({
        id,
        category_id: id === 100 ? 3 : id === 101 ? 4 : objects[id - 1][0],
        iscrowd: 0 as const,
        segmentation: rles.get(id)!,
      }));
      return { image_id: i + 1, segments_info: segments };
    }),
  };
}

interface Detection {
  category: number;
  rect: Rect;
  score: number;
}

/** Detections per image: shifted boxes, the last object of image 2 missed, two FPs. */
function detections(): Detection[][] {
  return OBJECTS.map((objects, i) => {
    const out: Detection[] = [];
    objects.forEach(([category, [x, y, w, h]], k) => {
      if (i === 1 && k === objects.length - 1) return; // a miss
      const shift = (i + k) % 4;
      out.push({
        category,
        rect: [x + shift, y - (shift >> 1), w - shift, h],
        score: 0.95 - 0.1 * k - 0.02 * i,
      });
    });
    if (i % 2 === 0) out.push({ category: 2, rect: [2, 2, 14, 14], score: 0.6 - 0.1 * i });
    return out;
  });
}

/**
 * The detections as COCO results, boxes `[x, y, w, h]` and rectangle masks.
 *
 * @example
 * ```ts ignore
 * const results = cocoResults();
 * ```
 */
export function cocoResults(): CocoResult[] {
  return detections().flatMap((list, i) =>
    list.map((d) => ({
      image_id: i + 1,
      category_id: d.category,
      score: d.score,
      bbox: [...d.rect],
      segmentation: rectRle(d.rect),
    }))
  );
}

/**
 * Per-stage latency of frame `i` (a fixed pattern), `totalMs` their sum.
 *
 * @example
 * ```ts ignore
 * latencyOf(2).inference; // 44
 * ```
 */
export function latencyOf(i: number): Record<string, number> {
  const stages = {
    decode: 0,
    wait: 1 + i,
    batch: 2 + 0.5 * i,
    preprocess: 1.5,
    session: 0,
    inference: 30 + 7 * i,
    postprocess: 3 + i,
    fusion: 2,
    publish: 0.5 + 0.25 * i,
  };
  const totalMs = Object.values(stages).reduce((a, b) => a + b, 0);
  return { ...stages, totalMs };
}

/**
 * The same detections as JSON Lines result messages (frame = image id - 1), with masks,
 * latency, and panoptic segments: the detections scoring at least 0.5 painted over a sky
 * two rows deeper than the ground truth's. Version 3 unless `version: 1` (no `session` stage,
 * panoptic classes as `categoryId`), as older runs wrote them.
 *
 * @example
 * ```ts ignore
 * await Deno.writeTextFile("results.jsonl", jsonLines());
 * ```
 */
export function jsonLines(
  options: { streamId?: string; panoptic?: boolean; version?: 1 | 2 | 3 } = {},
): string {
  const labels = new Map(CATEGORIES.map((c) => [c.id, c.name]));
  const version = options.version ?? 3;
  return detections().map((list, i) => {
    // Version 1 had no session stage and named a panoptic segment's class categoryId.
    const { session: _, ...latencyV1 } = latencyOf(i);
    const message: Record<string, unknown> = {
      v: version,
      type: "result",
      streamId: options.streamId ?? "cam",
      model: "synthetic",
      frame: i,
      ptsMs: i * 66.67,
      width: WIDTH,
      height: HEIGHT,
      detections: list.map((d) => {
        const [x, y, w, h] = d.rect;
        return {
          box: [x, y, x + w, y + h],
          classId: d.category,
          label: labels.get(d.category),
          score: d.score,
          mask: rectRle(d.rect),
        };
      }),
      latency: version === 1 ? latencyV1 : latencyOf(i),
      capturedAt: 1000 + i * 66.67,
      publishedAt: 1050 + i * 66.67,
      batchSize: 1,
    };
    if (options.panoptic !== false) {
      const things = list.filter((d) => d.score >= 0.5);
      const ids = panopticIds(things.map((d) => [d.category, d.rect]), SKY_ROWS + 2);
      const rles = segmentRles(ids, HEIGHT, WIDTH);
      message.panoptic = {
        segments: [...rles.keys()].sort((a, b) => a - b).map((id) => {
          const classId = id === 100 ? 3 : id === 101 ? 4 : things[id - 1].category;
          return {
            id,
            [version === 1 ? "categoryId" : "classId"]: classId,
            label: labels.get(classId),
            isThing: id < 100,
            area: 0,
            rle: rles.get(id)!,
          };
        }),
      };
    }
    return JSON.stringify(message) + "\n";
  }).join("");
}

/**
 * Writes the ground truths and both results files into `dir`; returns their paths.
 *
 * @example
 * ```ts ignore
 * const files = await writeDataset(await Deno.makeTempDir());
 * ```
 */
export async function writeDataset(dir: string): Promise<{
  gt: string;
  panoptic: string;
  coco: string;
  jsonl: string;
}> {
  const files = {
    gt: `${dir}/instances.json`,
    panoptic: `${dir}/panoptic.json`,
    coco: `${dir}/results.json`,
    jsonl: `${dir}/results.jsonl`,
  };
  await Deno.writeTextFile(files.gt, JSON.stringify(groundTruth()));
  await Deno.writeTextFile(files.panoptic, JSON.stringify(panopticGroundTruth()));
  await Deno.writeTextFile(files.coco, JSON.stringify(cocoResults()));
  await Deno.writeTextFile(files.jsonl, jsonLines());
  return files;
}
