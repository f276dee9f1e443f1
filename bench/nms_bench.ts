/**
 * `nms`, `batchedNms` and `softNms` against ONNX Runtime's own `NonMaxSuppression`
 * operator (the one-node graph `bench/fixtures/nms.onnx`) on the same boxes, in this
 * process. batchedNms is compared with ORT's NMS over class-offset boxes, which is how
 * an exported `torchvision.ops.batched_nms` runs in ONNX.
 *
 * @module
 */

import * as ort from "onnxruntime-node";
import { batchedNms, nms } from "../src/geometry/nms.ts";
import { softNms } from "../src/geometry/soft_nms.ts";
import { type Candidates, detectorCandidates } from "./inputs.ts";
import { compare, report } from "./timing.ts";

const MODEL = new URL("./fixtures/nms.onnx", import.meta.url);

/** ORT's NMS on `boxes` (N×4) with one score per box, as a reusable call. */
function ortNms(session: ort.InferenceSession, boxes: Float32Array, scores: Float32Array) {
  const n = scores.length;
  const feeds = {
    boxes: new ort.Tensor("float32", boxes, [1, n, 4]),
    scores: new ort.Tensor("float32", scores, [1, 1, n]),
    max_output_boxes_per_class: new ort.Tensor("int64", BigInt64Array.from([BigInt(n)]), [1]),
    iou_threshold: new ort.Tensor("float32", Float32Array.from([0.5]), [1]),
    score_threshold: new ort.Tensor("float32", Float32Array.from([-Infinity]), [1]),
  };
  return async () => (await session.run(feeds)).selected_indices.dims[0];
}

/** torchvision's coordinate trick: each class's boxes shifted by `class * (max + 1)`. */
function offsetByClass({ boxes, classIds }: Candidates): Float32Array {
  let max = 0;
  for (const v of boxes) max = Math.max(max, v);
  return boxes.map((v, k) => v + classIds[k >> 2] * (max + 1));
}

const ms = (v: number) => `${v.toFixed(3)} ms`;

/** Runs the NMS benchmarks and prints their lines. */
export async function nmsBench(): Promise<void> {
  const session = await ort.InferenceSession.create(MODEL.pathname, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const ortMs: Record<number, number> = {};
  for (const n of [1000, 5000]) {
    const c = detectorCandidates(n, n);
    const calls = n <= 1000 ? 40 : 4;
    const [ours, theirs] = await compare([
      { name: "nms", run: () => nms(c.boxes, c.scores, 0.5) },
      { name: "ort", run: ortNms(session, c.boxes, c.scores) },
    ], { calls });
    ortMs[n] = theirs;
    const kept = nms(c.boxes, c.scores, 0.5).length;
    const ortKept = await ortNms(session, c.boxes, c.scores)();
    report(`nms ${n} boxes / ORT NonMaxSuppression`, ours / theirs, 1.0, [
      `nms ${ms(ours)}, ORT ${ms(theirs)}; kept ${kept} (ORT ${ortKept}) at IoU 0.5`,
    ]);

    const shifted = offsetByClass(c);
    const [oursB, theirsB] = await compare([
      { name: "batchedNms", run: () => batchedNms(c.boxes, c.scores, c.classIds, 0.5) },
      { name: "ort", run: ortNms(session, shifted, c.scores) },
    ], { calls });
    report(`batchedNms ${n} boxes / ORT NonMaxSuppression`, oursB / theirsB, 1.0, [
      `batchedNms ${ms(oursB)}, ORT on class-offset boxes ${ms(theirsB)}; 10 classes`,
    ]);
  }

  const c = detectorCandidates(1000, 1000);
  const [soft] = await compare([
    { name: "softNms", run: () => softNms(c.boxes, c.scores, { method: "gaussian" }) },
  ], { calls: 40 });
  const kept = softNms(c.boxes, c.scores, { method: "gaussian" }).keep.length;
  report("softNms gaussian 1000 boxes / ORT hard NonMaxSuppression", soft / ortMs[1000], 1.5, [
    `softNms ${ms(soft)} (sigma 0.5, minScore 0.001, kept ${kept}), ORT hard NMS ${
      ms(ortMs[1000])
    }`,
  ]);
  await session.release();
}
