/**
 * SOLOv2 graphs between the graph and the detections: the manifest's `solov2` block and its
 * rules, the outputs split per image, SOLO's post-processing, and the kept soft masks brought
 * to the source frame as SOLO does (×maskStride bilinearly, the picture cropped out of the
 * letterbox, resized to the source, thresholded), which the runtime computes only where a
 * mask can pass the threshold.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseManifest } from "../../src/inference/manifest.ts";
import { splitRawOutputs, type TensorLike } from "../../src/inference/raw_outputs.ts";
import { postprocess } from "../../src/inference/postprocess.ts";
import { solov2Postprocess } from "../../src/geometry/solov2_post.ts";
import { solov2CellStrides } from "../../src/geometry/solov2_grid.ts";
import { resizeBilinearPlane } from "../../src/geometry/bilinear.ts";
import { ManifestError } from "../../src/errors.ts";
import { random } from "../_helpers/random.ts";

const PATH = "/models/street-solov2/manifest.json";
const GRIDS = [4, 2];
const G = 20, C = 2, HM = 8, WM = 12; // a 32×48 input, mask stride 4

function manifest(change: (m: Record<string, unknown>) => void = () => {}) {
  const m: Record<string, unknown> = {
    format: "streamdet-model/1",
    name: "street-solov2",
    kind: "solov2",
    input: {
      name: "images",
      layout: "NHWC",
      dtype: "uint8",
      height: 32,
      width: 48,
      batch: "dynamic",
      std: [1, 1, 1],
    },
    outputs: [
      {
        name: "category_scores",
        role: "category_scores",
        dtype: "float32",
        shape: ["batch", G, C],
      },
      { name: "masks", role: "cell_masks", dtype: "float32", shape: ["cells", HM, WM] },
      { name: "mask_cells", role: "mask_cells", dtype: "int64", shape: ["cells"] },
      { name: "batch_index", role: "batch_index", dtype: "int64", shape: ["cells"] },
    ],
    postprocess: { nmsInGraph: false, maskActivation: "none" },
    classes: [{ id: 1, name: "car", isThing: true }, { id: 2, name: "person", isThing: true }],
    solov2: { grids: GRIDS, strides: [8, 16], maskStride: 4, numClasses: C },
    defaults: { scoreThreshold: 0.05, nms: { kind: "matrix", sigma: 2 } },
  };
  change(m);
  return m;
}

Deno.test("a SOLOv2 manifest is refused with the field that is wrong and what was expected", () => {
  const cases: [string, (m: Record<string, unknown>) => void, string][] = [
    [
      "no solov2 block",
      (m) => delete m.solov2,
      "solov2: expected the solov2 block of a solov2 model (grids, strides, post-processing), found nothing",
    ],
    [
      "category scores for another grid",
      (m) => ((m.outputs as { shape: unknown[] }[])[0].shape = ["batch", 16, C]),
      "outputs[0].shape: expected [batch, 20, 2] (grids 4², 2²; 2 classes)",
    ],
    [
      "masks at another stride",
      (m) => ((m.outputs as { shape: unknown[] }[])[1].shape = ["cells", 16, 24]),
      "outputs[1].shape: expected [cells, 8, 12] (the input's 32×48 / maskStride 4)",
    ],
    [
      "no mask cells",
      (m) => (m.outputs as unknown[]).splice(2, 1),
      'outputs: expected an output with role "mask_cells" (solov2 needs category_scores, cell_masks, mask_cells, batch_index)',
    ],
  ];
  for (const [what, change, message] of cases) {
    assert.throws(() => parseManifest(manifest(change), PATH), (error: Error) => {
      assert.ok(error instanceof ManifestError, what);
      assert.ok(error.message.startsWith(`${PATH}: ${message}`), `${what}: ${error.message}`);
      return true;
    });
  }
});

/** A batch of two images: a few confident cells with blob-like soft masks each. */
function outputs(seed: number) {
  const rand = random(seed);
  const scores = new Float32Array(2 * G * C);
  const cells: number[] = [], images: number[] = [];
  const planes: number[] = [];
  for (let b = 0; b < 2; b++) {
    for (let cell = 0; cell < G; cell++) {
      if (rand() > 0.35) continue;
      scores[(b * G + cell) * C + Math.floor(rand() * C)] = 0.2 + rand() * 0.7;
      cells.push(cell);
      images.push(b);
      const cy = rand() * HM, cx = rand() * WM, r = 1 + rand() * 3;
      for (let y = 0; y < HM; y++) {
        for (let x = 0; x < WM; x++) {
          const d = Math.hypot(y + 0.5 - cy, x + 0.5 - cx);
          planes.push(1 / (1 + Math.exp(2 * (d - r))));
        }
      }
    }
  }
  const k = cells.length;
  const out: Record<string, TensorLike> = {
    category_scores: { data: scores, dims: [2, G, C] },
    masks: { data: Float32Array.from(planes), dims: [k, HM, WM] },
    mask_cells: { data: BigInt64Array.from(cells, BigInt), dims: [k] },
    batch_index: { data: BigInt64Array.from(images, BigInt), dims: [k] },
  };
  return out;
}

Deno.test("SOLOv2 detections are SOLO's post-processing, with each mask resized to the letterboxed source as SOLO does", () => {
  const m = parseManifest(manifest(), PATH);
  const out = outputs(21);
  const raws = splitRawOutputs(out, 2, m);
  // Source 96×48 letterboxed into 48×32: scale 0.5, 4-pixel bars above and below.
  const g = {
    sourceWidth: 96,
    sourceHeight: 48,
    width: 48,
    height: 32,
    scaledWidth: 48,
    scaledHeight: 24,
    scaleX: 0.5,
    scaleY: 0.5,
    padX: 0,
    padY: 4,
  };
  let compared = 0;
  for (const raw of raws) {
    const s = raw.solov2!;
    const d = postprocess(raw, g, {
      nms: "matrix",
      sigma: 2,
      maskThreshold: 0.5,
      scoreThreshold: 0,
      maxDetections: 100,
    });
    const ref = solov2Postprocess({
      categoryScores: s.categoryScores,
      numClasses: C,
      cellStrides: solov2CellStrides(GRIDS, [8, 16]),
      masks: s.masks,
      height: HM,
      width: WM,
      maskCells: s.maskCells,
    });
    assert.deepEqual([...d.scores], [...ref.scores]);
    assert.deepEqual([...d.classIds], [...ref.classIds].map((c) => c + 1));
    // Cells 0-15 are on the 4×4 grid (level 0), 16-19 on the 2×2 one (level 1).
    assert.deepEqual([...d.levels!], [...ref.cells].map((cell) => cell < 16 ? 0 : 1));
    for (let i = 0; i < ref.scores.length; i++) {
      // The whole planes, resized in full: ×4 to the input, the picture cropped, to the source.
      const soft = s.masks.subarray(ref.maskIndex[i] * HM * WM, (ref.maskIndex[i] + 1) * HM * WM);
      const input = resizeBilinearPlane(soft, HM, WM, 32, 48);
      const picture = input.slice(4 * 48, 28 * 48);
      const source = resizeBilinearPlane(picture, 24, 48, 48, 96);
      const mask = d.masks![i];
      let pixels = 0;
      for (let y = 0; y < 48; y++) {
        for (let x = 0; x < 96; x++) {
          const inside = x >= mask.x && x < mask.x + mask.width && y >= mask.y &&
            y < mask.y + mask.height;
          const got = inside ? mask.data[(y - mask.y) * mask.width + (x - mask.x)] : 0;
          assert.equal(got, source[y * 96 + x] > 0.5 ? 1 : 0, `detection ${i} pixel ${x}, ${y}`);
          pixels += got;
        }
      }
      if (pixels > 0) {
        assert.deepEqual([...d.boxes.subarray(4 * i, 4 * i + 4)], [
          mask.x,
          mask.y,
          mask.x + mask.width,
          mask.y + mask.height,
        ]);
      }
      compared++;
    }
  }
  assert.ok(compared >= 4, `${compared} detections compared`);
});

Deno.test("SOLOv2 detections with hard NMS are SOLO's post-processing with greedy mask NMS, each with its grid's level", () => {
  const m = parseManifest(manifest(), PATH);
  const g = {
    sourceWidth: 48,
    sourceHeight: 32,
    width: 48,
    height: 32,
    scaledWidth: 48,
    scaledHeight: 32,
    scaleX: 1,
    scaleY: 1,
    padX: 0,
    padY: 0,
  };
  const levels = new Set<number>();
  let compared = 0, fewer = 0;
  for (const seed of [31, 32, 33, 34]) {
    for (const raw of splitRawOutputs(outputs(seed), 2, m)) {
      const s = raw.solov2!;
      const options = { scoreThreshold: 0, maxDetections: 100 };
      const hard = postprocess(raw, g, { ...options, nms: "hard", iouThreshold: 0.3, sigma: 9 });
      const matrix = postprocess(raw, g, { ...options, nms: "matrix" });
      const ref = solov2Postprocess({
        categoryScores: s.categoryScores,
        numClasses: C,
        cellStrides: solov2CellStrides(GRIDS, [8, 16]),
        masks: s.masks,
        height: HM,
        width: WM,
        maskCells: s.maskCells,
      }, { nms: "hard", iouThreshold: 0.3 });
      assert.deepEqual([...hard.scores], [...ref.scores]);
      assert.deepEqual([...hard.classIds], [...ref.classIds].map((c) => c + 1));
      assert.deepEqual([...hard.levels!], [...ref.cells].map((cell) => cell < 16 ? 0 : 1));
      assert.equal(hard.masks!.length, ref.scores.length);
      hard.levels!.forEach((l) => levels.add(l));
      compared += ref.scores.length;
      if (hard.scores.length < matrix.scores.length) fewer++;
    }
  }
  assert.deepEqual([...levels].sort(), [0, 1], "detections on both grids");
  assert.ok(compared >= 8 && fewer >= 1, `${compared} compared, ${fewer} images with fewer`);
});

Deno.test("SOLOv2 outputs that disagree with the manifest, and another NMS kind, are refused clearly", () => {
  const m = parseManifest(manifest(), PATH);
  const bad = outputs(22);
  bad.category_scores = { data: new Float32Array(2 * 16 * C), dims: [2, 16, C] };
  assert.throws(() => splitRawOutputs(bad, 2, m), {
    name: "ManifestError",
    message:
      'splitRawOutputs(): output "category_scores" (category_scores): expected [2, 20, 2] (grids 4, 2), found [2, 16, 2]',
  });
  const [raw] = splitRawOutputs(outputs(23), 2, m);
  const g = {
    sourceWidth: 48,
    sourceHeight: 32,
    width: 48,
    height: 32,
    scaledWidth: 48,
    scaledHeight: 32,
    scaleX: 1,
    scaleY: 1,
    padX: 0,
    padY: 0,
  };
  const soft = { nms: "soft-gaussian" as const, scoreThreshold: 0, maxDetections: 10 };
  assert.throws(() => postprocess(raw, g, soft), {
    name: "RangeError",
    message:
      'postprocess(): options.nms: expected "matrix" (SOLO\'s Matrix NMS on its masks) or "hard" (greedy NMS on its masks) for a solov2 model, found "soft-gaussian"',
  });
});
