/**
 * Single-stage decoding per frame: `decodeFcos`, `decodeRetinaNet` and `solov2Postprocess`
 * on seeded head outputs of a 512×512 input (strides 8 to 128, 5 levels, 4 classes; SOLOv2's
 * grids 40, 36, 24, 16, 12 with 128×128 masks). Two kinds of FCOS / RetinaNet input: a
 * trained head's (low background, a dozen objects), and a stress case where most scores
 * pass the threshold, so that every level is cut at 1,000 and ~5,000 boxes reach NMS.
 *
 * Run alone: `deno run bench/single_stage_bench.ts`.
 *
 * @module
 */

import {
  anchorsForLevel,
  FCOS_ANCHOR_SIZES,
  RETINANET_ANCHOR_SIZES,
  RETINANET_ASPECT_RATIOS,
} from "../src/geometry/anchors.ts";
import { decodeFcos } from "../src/geometry/fcos_decode.ts";
import { decodeRetinaNet } from "../src/geometry/retinanet_decode.ts";
import { solov2CellStrides } from "../src/geometry/solov2_grid.ts";
import { solov2Postprocess } from "../src/geometry/solov2_post.ts";
import { gauss, random } from "../tests/_helpers/random.ts";
import { compare } from "./timing.ts";

const SIZE = 512, CLASSES = 4, STRIDES = [8, 16, 32, 64, 128];

interface Object2d {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  cls: number;
}

function objects(rand: () => number, n: number): Object2d[] {
  return Array.from({ length: n }, () => {
    const w = Math.exp(Math.log(16) + rand() * Math.log(400 / 16));
    const h = w * (0.5 + rand());
    const cx = rand() * SIZE, cy = rand() * SIZE;
    return {
      x1: cx - w / 2,
      y1: cy - h / 2,
      x2: cx + w / 2,
      y2: cy + h / 2,
      cls: Math.floor(rand() * CLASSES),
    };
  });
}

/**
 * Per-location class logits and centerness (or objectness) of `level`, and FCOS-style
 * distances: blobs around objects of the level's size on a low background. `stress`
 * raises the background so that most scores pass the threshold.
 */
function locationOutputs(rand: () => number, objs: Object2d[], level: number, stress: boolean) {
  const stride = STRIDES[level], grid = SIZE / stride, n = grid * grid;
  const cls = new Float32Array(n * CLASSES),
    ctr = new Float32Array(n),
    reg = new Float32Array(n * 4);
  const inside = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const px = (i % grid) * stride, py = Math.floor(i / grid) * stride;
    for (let k = 0; k < CLASSES; k++) {
      cls[i * CLASSES + k] = stress ? -1 + 1.5 * gauss(rand) : -5.5 + 0.5 * gauss(rand);
    }
    ctr[i] = stress ? gauss(rand) : -2 + 0.5 * gauss(rand);
    for (let k = 0; k < 4; k++) reg[i * 4 + k] = Math.abs(2 + gauss(rand));
    for (const o of objs) {
      const bw = o.x2 - o.x1, bh = o.y2 - o.y1;
      const fit = Math.log2(Math.max(bw, bh) / (stride * 6));
      const dx = (px - (o.x1 + o.x2) / 2) / (bw / 2), dy = (py - (o.y1 + o.y2) / 2) / (bh / 2);
      const near = Math.exp(-(dx * dx + dy * dy) * 1.2 - fit * fit * 1.5);
      const at = i * CLASSES + o.cls;
      cls[at] = Math.max(cls[at], -5.5 + 10 * near + 0.3 * gauss(rand));
      if (Math.abs(dx) < 1 && Math.abs(dy) < 1 && near > 0.05) {
        ctr[i] = Math.max(ctr[i], 2.5 * near - 0.5);
        inside[i] = 1;
        reg.set([px - o.x1, py - o.y1, o.x2 - px, o.y2 - py].map((v) => v / stride), i * 4);
      }
    }
  }
  return { cls, ctr, reg, inside, n };
}

function fcosInput(seed: number, stress: boolean) {
  const rand = random(seed), objs = objects(rand, 12);
  const levels = STRIDES.map((_, l) => locationOutputs(rand, objs, l, stress));
  return {
    head: {
      numClasses: CLASSES,
      clsLogits: levels.map((l) => l.cls),
      bboxRegression: levels.map((l) => l.reg),
      bboxCtrness: levels.map((l) => l.ctr),
    },
    anchors: STRIDES.map((s, l) =>
      anchorsForLevel(FCOS_ANCHOR_SIZES[l], [1], s, SIZE / s, SIZE / s)
    ),
  };
}

function retinaInput(seed: number, stress: boolean) {
  const rand = random(seed), objs = objects(rand, 12), a = 9;
  const anchors = STRIDES.map((s, l) =>
    anchorsForLevel(RETINANET_ANCHOR_SIZES[l], RETINANET_ASPECT_RATIOS, s, SIZE / s, SIZE / s)
  );
  const levels = STRIDES.map((_, l) => locationOutputs(rand, objs, l, stress));
  const clsLogits = levels.map(({ cls, n }) => {
    const out = new Float32Array(n * a * CLASSES);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < a; k++) {
        for (let c = 0; c < CLASSES; c++) {
          out[(i * a + k) * CLASSES + c] = cls[i * CLASSES + c] + 0.4 * gauss(rand);
        }
      }
    }
    return out;
  });
  // Deltas towards the box of the object a location is inside (as trained), noise elsewhere.
  const bboxRegression = levels.map(({ reg, inside, n }, l) => {
    const out = Float32Array.from({ length: n * a * 4 }, () => 0.2 * gauss(rand));
    const stride = STRIDES[l], grid = SIZE / stride;
    for (let i = 0; i < n; i++) {
      if (!inside[i]) continue;
      const px = (i % grid) * stride, py = Math.floor(i / grid) * stride;
      const x1 = px - reg[4 * i] * stride, y1 = py - reg[4 * i + 1] * stride;
      const x2 = px + reg[4 * i + 2] * stride, y2 = py + reg[4 * i + 3] * stride;
      for (let k = 0; k < a; k++) {
        const o = 4 * (i * a + k), b = anchors[l].subarray(o, o + 4);
        const aw = b[2] - b[0], ah = b[3] - b[1];
        out[o] = ((x1 + x2) / 2 - px) / aw + 0.05 * gauss(rand);
        out[o + 1] = ((y1 + y2) / 2 - py) / ah + 0.05 * gauss(rand);
        out[o + 2] = Math.log((x2 - x1) / aw) + 0.05 * gauss(rand);
        out[o + 3] = Math.log((y2 - y1) / ah) + 0.05 * gauss(rand);
      }
    }
    return out;
  });
  return { head: { numClasses: CLASSES, clsLogits, bboxRegression }, anchors };
}

/** SOLOv2 outputs: points-NMS'd category scores and soft masks of the cells above 0.1. */
function solov2Input(seed: number) {
  const rand = random(seed), grids = [40, 36, 24, 16, 12], m = SIZE / 4;
  const cellStrides = solov2CellStrides(grids, [8, 8, 16, 32, 32]);
  const g = cellStrides.length;
  const categoryScores = Float32Array.from({ length: g * CLASSES }, () => 0.05 * rand());
  const cells: number[] = [];
  for (let k = 0; k < 100; k++) {
    const cell = Math.floor(rand() * g);
    if (cells.includes(cell)) continue;
    cells.push(cell);
    categoryScores[cell * CLASSES + Math.floor(rand() * CLASSES)] = 0.1 + 0.85 * rand();
  }
  const masks = new Float32Array(cells.length * m * m);
  const blobs = Array.from(
    { length: 20 },
    () => ({ x: rand() * m, y: rand() * m, r: 3 + rand() * m / 4 }),
  );
  cells.forEach((_, p) => {
    const b = blobs[p % blobs.length], jx = 2 * gauss(rand), jy = 2 * gauss(rand);
    for (let y = 0; y < m; y++) {
      for (let x = 0; x < m; x++) {
        const e = ((x - b.x - jx) ** 2 + (y - b.y - jy) ** 2) / (b.r * b.r);
        masks[p * m * m + y * m + x] = 1 / (1 + Math.exp(-6 * (1 - e)));
      }
    }
  });
  return {
    categoryScores,
    numClasses: CLASSES,
    cellStrides,
    masks,
    height: m,
    width: m,
    maskCells: Int32Array.from(cells),
  };
}

const ms = (v: number) => `${v.toFixed(3)} ms`;

/** One line, `name: time (target) ok`, in milliseconds per frame. */
function line(name: string, time: number, target: number | null, detail: string): void {
  const goal = target === null
    ? "no target"
    : `target <= ${target} ms, ${time <= target ? "ok" : "MISSED"}`;
  console.log(`${name}: ${ms(time)} per frame (${goal})`);
  console.log(`    ${detail}`);
}

/** Runs the single-stage decoding benchmarks and prints their lines. */
export async function singleStageBench(): Promise<void> {
  const image = { height: SIZE, width: SIZE };
  for (const stress of [false, true]) {
    const fcos = fcosInput(1, stress), retina = retinaInput(2, stress);
    const kind = stress ? "stress (most scores pass)" : "trained-like";
    const [f, r] = await compare([
      { name: "fcos", run: () => decodeFcos(fcos.head, fcos.anchors, image) },
      { name: "retinanet", run: () => decodeRetinaNet(retina.head, retina.anchors, image) },
    ], { calls: 20, rounds: 15 });
    const nf = decodeFcos(fcos.head, fcos.anchors, image).scores.length;
    const nr = decodeRetinaNet(retina.head, retina.anchors, image).scores.length;
    line(`decodeFcos 512×512, 5 levels, 4 classes, ${kind}`, f, 2, `${nf} detections`);
    line(
      `decodeRetinaNet 512×512, 5 levels × 9 anchors, 4 classes, ${kind}`,
      r,
      2,
      `${nr} detections`,
    );
  }
  const solo = solov2Input(3);
  const [s] = await compare([{ name: "solov2", run: () => solov2Postprocess(solo) }], {
    calls: 5,
    rounds: 9,
  });
  const ns = solov2Postprocess(solo).scores.length;
  line(
    "solov2Postprocess, 3872 cells, 4 classes, 100 candidates, 128×128 masks",
    s,
    null,
    `${ns} detections`,
  );
}

if (import.meta.main) await singleStageBench();
