/**
 * How frames reach a graph: a uint8 graph takes the decoded bytes as they are (lent to
 * the inference worker, or copied when the frame cannot be lent), a float32 graph gets
 * them normalised on the main thread, and a frame in the other channel order is refused.
 */

import assert from "node:assert/strict";
import type { FrameGeometry } from "../../src/types.ts";
import { startModel } from "../../src/inference/model_runtime.ts";
import { fixtureFrames, frameOf } from "../_helpers/fixture_frames.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FASTER = `${ROOT}models/street-fasterrcnn/manifest.json`;
const FLOAT = `${ROOT}tests/fixtures/models/float_input/manifest.json`;

Deno.test("a lent frame is detached while its batch runs and holds the same bytes after, with the detections of a copied frame", async () => {
  const [pixels] = await fixtureFrames();
  const model = await startModel(FASTER, { maxBatch: 1, onWarning: () => {} });
  try {
    const copied = frameOf(pixels.slice(), 512, 288);
    const lent = frameOf(pixels.slice(), 512, 288, 1);
    const geometry: FrameGeometry = lent.geometry;
    const a = await model.detect(copied, geometry);
    const pending = model.detect(lent, geometry, { lend: true });
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(lent.data.byteLength, 0, "lent: the bytes are in the worker");
    const b = await pending;
    assert.deepEqual(lent.data, pixels, "the same bytes are back");
    assert.equal(copied.data.byteLength, pixels.byteLength, "a frame not lent stays");
    assert.ok(a.detections.scores.length > 0);
    assert.deepEqual([...b.detections.classIds], [...a.detections.classIds]);
    assert.deepEqual([...b.detections.scores], [...a.detections.scores]);
    assert.deepEqual([...b.detections.boxes], [...a.detections.boxes]);
  } finally {
    await model.close();
  }
});

Deno.test("lent frames of a batch are joined in the worker and each comes back", async () => {
  const frames = await fixtureFrames();
  const model = await startModel(FASTER, { maxBatch: 3, maxWaitMs: 1000, onWarning: () => {} });
  try {
    const alone = [];
    for (const [i, f] of frames.entries()) {
      alone.push(
        await model.detect(frameOf(f.slice(), 512, 288, i), frameOf(f, 512, 288).geometry),
      );
    }
    const lent = frames.map((f, i) => frameOf(f.slice(), 512, 288, i));
    const results = await Promise.all(lent.map((f) => model.detect(f, f.geometry, { lend: true })));
    for (const [i, r] of results.entries()) {
      assert.equal(r.batchSize, 3);
      assert.deepEqual(lent[i].data, frames[i], `frame ${i}: its own bytes are back`);
      assert.deepEqual([...r.detections.classIds], [...alone[i].detections.classIds]);
      for (let k = 0; k < r.detections.scores.length; k++) {
        assert.ok(Math.abs(r.detections.scores[k] - alone[i].detections.scores[k]) <= 1e-4);
      }
    }
  } finally {
    await model.close();
  }
});

Deno.test("a float32 graph gets the frame normalised into planar floats in the manifest's channel order", async () => {
  const model = await startModel(FLOAT, { onWarning: () => {} });
  try {
    // Red (255, 0, 0) on the left half, blue on the right: the graph's score is the mean
    // of the first channel it receives, R for this RGB model.
    const data = new Uint8Array(32 * 32 * 3);
    for (let i = 0; i < 32 * 32; i++) data[3 * i + (i % 32 < 16 ? 0 : 2)] = 255;
    const frame = frameOf(data, 32, 32);
    const { detections } = await model.detect(frame, frame.geometry);
    assert.equal(detections.scores.length, 1);
    assert.ok(Math.abs(detections.scores[0] - 0.5) <= 1e-6, `score ${detections.scores[0]}`);
    assert.deepEqual([...detections.boxes], [2, 4, 20, 28]);
    assert.equal(frame.data.byteLength, 32 * 32 * 3, "a float graph's frame is never lent");
  } finally {
    await model.close();
  }
});

Deno.test("a frame in the other channel order is refused, naming the frame and both orders", async () => {
  const model = await startModel(FASTER, { onWarning: () => {} });
  try {
    const frame = {
      ...frameOf(new Uint8Array(512 * 288 * 3), 512, 288, 7),
      format: "bgr24" as const,
    };
    await assert.rejects(() => model.detect(frame, frame.geometry), {
      name: "RangeError",
      message:
        "Batcher.submit(): frame s#7: expected rgb24 pixels (the model takes the frame's bytes as they are, in RGB order), found bgr24",
    });
  } finally {
    await model.close();
  }
});
