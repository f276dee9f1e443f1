/**
 * The engine end to end on the shipped models: worker sessions, the cross-stream batcher,
 * post-processing, and boxes mapped back to each source's resolution.
 */

import assert from "node:assert/strict";
import { boxIou, FrameSource } from "../../mod.ts";
import type { Frame } from "../../src/types.ts";
import type { FrameGeometry } from "../../src/types.ts";
import { type ModelRuntime, startModel } from "../../src/inference/model_runtime.ts";
import { WorkerSession } from "../../src/inference/worker_session.ts";
import type { Detections } from "../../src/inference/postprocess.ts";
import { testFfmpeg } from "../_helpers/media.ts";
import { now } from "../../src/clock.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MASK_RCNN = `${ROOT}models/street-maskrcnn/manifest.json`;
const STANDARD = `${ROOT}models/street-maskrcnn-standard/manifest.json`;
const VIDEO = `${ROOT}models/demo/street.mp4`;

/** Frames `indices` of the demo video, through an ffmpeg filter and fit of our choice. */
async function demoFrames(
  indices: number[],
  fit: "letterbox" | "resize" = "letterbox",
  input = VIDEO,
): Promise<{ frames: Frame[]; geometry: FrameGeometry }> {
  const source = new FrameSource({
    streamId: "demo",
    input,
    ffmpeg: await testFfmpeg(),
    output: { fit, width: 512, height: 288, format: "rgb24" },
    roots: [ROOT, "/tmp"],
  });
  const { geometry } = await source.start();
  const frames: Frame[] = [];
  const last = Math.max(...indices);
  for await (const f of source.frames()) {
    if (indices.includes(f.index)) frames.push(f);
    if (f.index >= last) break;
  }
  await source.stop();
  return { frames, geometry };
}

function assertSameDetections(a: Detections, b: Detections, what: string): void {
  assert.deepEqual([...a.classIds], [...b.classIds], `${what}: classes`);
  for (let i = 0; i < a.scores.length; i++) {
    assert.ok(Math.abs(a.scores[i] - b.scores[i]) <= 1e-4, `${what}: score ${i}`);
  }
  for (let i = 0; i < a.boxes.length; i++) {
    assert.ok(Math.abs(a.boxes[i] - b.boxes[i]) <= 1e-2, `${what}: box value ${i}`);
  }
}

async function withModel(
  options: Parameters<typeof startModel>[1],
  body: (model: ModelRuntime) => Promise<void>,
  manifest = MASK_RCNN,
): Promise<void> {
  const model = await startModel(manifest, { onWarning: () => {}, ...options });
  try {
    await body(model);
  } finally {
    await model.close();
  }
}

Deno.test("a frame alone and inside a batch of 4 mixed streams gives the same detections", async () => {
  const { frames, geometry } = await demoFrames([0, 60, 120, 180]);
  const stream = (f: Frame, id: string): Frame => ({ ...f, streamId: id });
  let alone: Detections[] = [];
  await withModel({ maxBatch: 1 }, async (model) => {
    alone = [];
    for (const f of frames) {
      alone.push((await model.detect(stream(f, "solo"), geometry)).detections);
    }
  });
  await withModel({ maxBatch: 4, maxWaitMs: 1000 }, async (model) => {
    const ids = ["cam-a", "cam-b", "cam-c", "cam-d"];
    const results = await Promise.all(
      frames.map((f, i) => model.detect(stream(f, ids[i]), geometry)),
    );
    assert.deepEqual(model.status().batchSizes, [0, 0, 0, 0, 1]);
    results.forEach((r, i) => {
      assert.equal(r.streamId, ids[i]);
      assert.equal(r.batchSize, 4);
      assert.ok(r.detections.scores.length > 0, "the demo frames have detections");
      assertSameDetections(r.detections, alone[i], `frame ${frames[i].index}`);
      assert.ok(r.detections.panoptic, "panoptic output");
    });
  });
});

Deno.test("a graph with fixed batch sizes gets the nearest size, padded, and the same detections", async () => {
  const { frames, geometry } = await demoFrames([0, 90, 180]);
  const dir = await Deno.makeTempDir();
  try {
    const manifest = JSON.parse(await Deno.readTextFile(MASK_RCNN));
    manifest.input.batch = [1, 2, 4];
    manifest.file = `${ROOT}models/street-maskrcnn/model.onnx`;
    await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest));
    const alone: Detections[] = [];
    await withModel({ maxBatch: 1 }, async (model) => {
      for (const f of frames) alone.push((await model.detect(f, geometry)).detections);
    });
    await withModel({ maxWaitMs: 1000 }, async (model) => {
      assert.equal(model.status().maxBatch, 4, "by default the largest fixed size (at most 4)");
      const results = await Promise.all(frames.map((f) => model.detect(f, geometry)));
      assert.deepEqual(model.status().batchSizes, [0, 0, 0, 1, 0]); // 3 frames, run as 4
      results.forEach((r, i) => assertSameDetections(r.detections, alone[i], `frame ${i}`));
    }, `${dir}/manifest.json`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the batch size comes from the graph: the largest it accepts by default, at most 4, and more is refused naming both", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const manifest = JSON.parse(await Deno.readTextFile(MASK_RCNN));
    manifest.input.batch = [1, 2];
    manifest.file = `${ROOT}models/street-maskrcnn/model.onnx`;
    await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest));
    const sizes: number[] = [];
    for (const path of [STANDARD, MASK_RCNN, `${dir}/manifest.json`]) {
      await withModel(
        {},
        (model) => Promise.resolve(void sizes.push(model.status().maxBatch)),
        path,
      );
    }
    assert.deepEqual(sizes, [1, 4, 2], "CHW graph, dynamic batch, fixed sizes 1 and 2");

    await assert.rejects(() => startModel(STANDARD, { maxBatch: 4, onWarning: () => {} }), {
      name: "RangeError",
      message:
        `startModel(): options.maxBatch: expected at most 1, the largest batch ${ROOT}models/street-maskrcnn-standard/model.onnx accepts (one HWC image), found 4`,
    });
    await assert.rejects(
      () => startModel(`${dir}/manifest.json`, { maxBatch: 3, onWarning: () => {} }),
      {
        message:
          /expected at most 2, the largest batch .* accepts \(fixed batch sizes 1, 2\), found 3$/,
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("results never cross streams when many streams share a batcher", async () => {
  const { frames, geometry } = await demoFrames([0, 50, 100, 150, 200, 250]);
  await withModel({ maxBatch: 4, maxWaitMs: 5, sessions: 2 }, async (model) => {
    const reference = new Map<number, Detections>();
    for (const f of frames) reference.set(f.index, (await model.detect(f, geometry)).detections);
    // 3 streams × 6 frames, interleaved, submitted at once: 18 frames in batches ≤ 4.
    const submitted: Frame[] = [];
    for (const f of frames) {
      for (const id of ["a", "b", "c"]) submitted.push({ ...f, streamId: id });
    }
    const results = await Promise.all(submitted.map((f) => model.detect(f, geometry)));
    results.forEach((r, i) => {
      assert.equal(r.streamId, submitted[i].streamId);
      assert.equal(r.index, submitted[i].index);
      assertSameDetections(r.detections, reference.get(r.index)!, `${r.streamId}#${r.index}`);
    });
    const sizes = model.status().batchSizes;
    assert.ok(
      sizes.slice(2).reduce((a, b) => a + b, 0) > 0,
      `some batches hold several frames: ${sizes}`,
    );
  });
});

Deno.test("a session runs the next full batch while the previous one is post-processed", async () => {
  const { frames, geometry } = await demoFrames([0, 40, 80, 120, 160, 200, 240, 280]);
  await withModel({ maxBatch: 4, maxWaitMs: 1000, sessions: 1 }, async (model) => {
    // Panoptic fusion on: each batch's post-processing takes several ms per frame.
    const results = await Promise.all(frames.map((f) => model.detect(f, geometry)));
    assert.deepEqual(model.status().batchSizes, [0, 0, 0, 0, 2]);
    results.forEach((r, i) => {
      assert.equal(r.index, frames[i].index);
      assert.ok(r.detections.panoptic, `frame ${r.index}: panoptic output`);
      // Each mark is taken on the thread where its event happens, on one clock, and each
      // event causes the next: the order holds by construction.
      const t = r.timing;
      const marks = [
        t.queuedAt,
        t.batchFormedAt,
        t.preprocessEnd,
        t.inferenceStart,
        t.inferenceEnd,
        t.postprocessEnd,
        t.fusionEnd,
        t.returnedAt,
      ];
      assert.deepEqual(marks, marks.toSorted((a, b) => a - b), `frame ${r.index}: ${marks}`);
    });
    const [first, second] = [results[0].timing, results[4].timing];
    // All 8 frames were submitted at once: the second batch was handed to the busy
    // session before the first one's run could end.
    assert.ok(second.batchFormedAt < first.inferenceEnd);
    // Both marks are taken in the session's inference worker, which runs one batch at a
    // time: the order holds by construction, whatever the main thread is doing.
    assert.ok(
      second.inferenceStart >= first.inferenceEnd,
      `one run at a time per session: the second started at ${second.inferenceStart}, the first ended at ${first.inferenceEnd}`,
    );
    const post = first.returnedAt - first.inferenceEnd;
    assert.ok(
      second.inferenceStart < first.returnedAt,
      `the second batch started ${
        second.inferenceStart - first.inferenceEnd
      } ms after the first one's run, before its ${post} ms of post-processing were over`,
    );
  });
});

Deno.test("boxes map back to the source for letterboxed and resized inputs", async () => {
  // A 480×360 crop of the demo (x from 80): letterboxed into 512×288 it gets 64 px bars;
  // resized it is stretched. Either way detections must land on the ground truth boxes,
  // shifted by the crop, in the crop's own pixels.
  const ffmpeg = await testFfmpeg();
  const crop = await Deno.makeTempFile({ suffix: ".mp4" });
  try {
    const { success } = await new Deno.Command(ffmpeg.path, {
      args: [
        "-v",
        "error",
        "-y",
        "-i",
        VIDEO,
        "-frames:v",
        "1",
        "-vf",
        "crop=480:360:80:0",
        "-c:v",
        "libx264",
        "-crf",
        "12",
        crop,
      ],
    }).output();
    assert.ok(success);
    const gt = JSON.parse(await Deno.readTextFile(`${ROOT}models/demo/instances.json`));
    const truth =
      (gt.annotations as { image_id: number; bbox: number[]; iscrowd: number; area: number }[])
        .filter((a) =>
          a.image_id === 1 && !a.iscrowd && a.area > 1500 && a.bbox[0] >= 85 &&
          a.bbox[0] + a.bbox[2] <= 555
        )
        .map((a) => [a.bbox[0] - 80, a.bbox[1], a.bbox[0] - 80 + a.bbox[2], a.bbox[1] + a.bbox[3]]);
    assert.ok(truth.length >= 2, "objects inside the crop");
    await withModel({ maxBatch: 1, postprocess: { scoreThreshold: 0.3 } }, async (model) => {
      for (const fit of ["letterbox", "resize"] as const) {
        const { frames, geometry } = await demoFrames([0], fit, crop);
        assert.deepEqual([geometry.sourceWidth, geometry.sourceHeight], [480, 360]);
        if (fit === "letterbox") assert.equal(geometry.padX, 64);
        else assert.notEqual(geometry.scaleX, geometry.scaleY);
        const { detections } = await model.detect(frames[0], geometry);
        const boxes = detections.boxes;
        for (let i = 0; i < boxes.length; i += 4) {
          assert.ok(
            boxes[i] >= 0 && boxes[i + 2] <= 480 && boxes[i + 1] >= 0 && boxes[i + 3] <= 360,
          );
        }
        const found = truth.filter((t) => {
          const iou = boxIou(new Float32Array(t), boxes);
          return iou.some((v) => v > 0.6);
        });
        assert.ok(
          found.length >= truth.length - 1,
          `${fit}: ${found.length} of ${truth.length} objects found`,
        );
      }
    });
  } finally {
    await Deno.remove(crop);
  }
});

Deno.test("the main thread keeps running timers while a worker runs a long batch", async () => {
  const session = await WorkerSession.start(MASK_RCNN);
  try {
    const batch = 6;
    const input = new Uint8Array(batch * 288 * 512 * 3).fill(100);
    // Ticks stamped on the one clock the worker stamps the run with: a run on this thread
    // would hold every timer until it ended, so a tick inside the run's own interval
    // shows the thread was free, whatever the machine's load.
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(now()), 5);
    const { startedAt, endedAt } = await session.run(input, batch);
    clearInterval(timer);
    const during = ticks.filter((t) => t > startedAt && t < endedAt).length;
    assert.ok(endedAt > startedAt, "the worker stamped its run");
    assert.ok(
      during >= 1,
      `${during} of ${ticks.length} ticks ran during the ${
        (endedAt - startedAt).toFixed(0)
      } ms run`,
    );
  } finally {
    await session.close();
  }
});

Deno.test("the input buffer travels to the worker and comes back without a copy", async () => {
  const session = await WorkerSession.start(MASK_RCNN);
  try {
    const input = new Uint8Array(288 * 512 * 3);
    const pending = session.run(input, 1);
    assert.equal(input.buffer.byteLength, 0, "transferred: detached on this side");
    const { input: back, outputs } = await pending;
    assert.ok(back instanceof Uint8Array);
    assert.equal(back.length, 288 * 512 * 3);
    assert.ok("boxes" in outputs && "semantic_logits" in outputs);
  } finally {
    await session.close();
  }
});

Deno.test("a standard torchvision graph (NMS inside) passes through with masks at source resolution", async () => {
  const { frames, geometry } = await demoFrames([0]);
  await withModel({}, async (model) => {
    assert.equal(model.postprocess.nms, "none");
    const { detections } = await model.detect(frames[0], geometry);
    assert.ok(detections.scores.length > 0);
    assert.equal(detections.masks?.length, detections.scores.length);
    for (const m of detections.masks!) assert.ok(m.x + m.width <= 640 && m.y + m.height <= 360);
  }, STANDARD);
});

Deno.test("a model that fails to load rejects startModel with a clear error and leaves no worker", async () => {
  await assert.rejects(() => startModel("/nonexistent/manifest.json"), /expected a manifest\.json/);
});
