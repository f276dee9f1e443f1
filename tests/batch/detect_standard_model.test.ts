/**
 * `detect` with a graph that has torchvision's NMS inside (`models/street-maskrcnn-standard`,
 * one HWC image per run): the batch size comes from the manifest, and the results are
 * what the graph itself finds, run directly by ONNX Runtime on the same frames with the
 * same score threshold and mapped back to the source by hand.
 */

import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { FrameSource } from "../../src/video/frame_source.ts";
import { runFfmpeg, testFfmpeg } from "../_helpers/media.ts";
import { CLI, CLI_FLAGS, DEMO_VIDEO, ROOT } from "../_helpers/server.ts";

const STANDARD = `${ROOT}models/street-maskrcnn-standard`;

interface Found {
  box: number[];
  classId: number;
  score: number;
}

/** What the graph finds on each frame of `clip`, by ONNX Runtime alone: scores ≥ 0.5 (the
 * manifest's threshold), at most 50, boxes from the 512×288 letterboxed input to the source. */
async function graphDetections(clip: string, dir: string): Promise<Found[][]> {
  const manifest = JSON.parse(await Deno.readTextFile(`${STANDARD}/manifest.json`));
  const { width, height } = manifest.input;
  assert.equal(manifest.input.layout, "HWC");
  const session = await ort.InferenceSession.create(`${STANDARD}/model.onnx`);
  const source = new FrameSource({
    streamId: "raw",
    input: clip,
    ffmpeg: await testFfmpeg(),
    output: { fit: "letterbox", width, height, format: "rgb24" },
    roots: [dir],
  });
  const { geometry: g } = await source.start();
  const out: Found[][] = [];
  try {
    for await (const frame of source.frames()) {
      // The graph takes the frame's bytes as they are (uint8 HWC).
      const r = await session.run({
        image: new ort.Tensor("uint8", frame.data, [height, width, 3]),
      });
      const boxes = r.boxes.data as Float32Array;
      const scores = r.scores.data as Float32Array;
      const labels = r.labels.data as BigInt64Array;
      const found: Found[] = [];
      for (let i = 0; i < scores.length && found.length < 50; i++) {
        if (scores[i] < 0.5) continue;
        const x = (v: number) => Math.min(Math.max((v - g.padX) / g.scaleX, 0), g.sourceWidth);
        const y = (v: number) => Math.min(Math.max((v - g.padY) / g.scaleY, 0), g.sourceHeight);
        const b = boxes.subarray(4 * i, 4 * i + 4);
        found.push({
          box: [x(b[0]), y(b[1]), x(b[2]), y(b[3])],
          classId: Number(labels[i]),
          score: scores[i],
        });
      }
      out.push(found.sort((a, b) => b.score - a.score));
    }
  } finally {
    await source.stop();
    await session.release();
  }
  return out;
}

Deno.test("detect runs a graph with NMS inside (batch 1) and writes what the graph itself finds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = `${dir}/street.mp4`;
    await runFfmpeg(["-i", DEMO_VIDEO, "-frames:v", "3", "-c:v", "libx264", clip]);
    const cmd = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...CLI_FLAGS, CLI, "detect", "--model", STANDARD, clip, "--out", `${dir}/out`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    assert.equal(cmd.code, 0, text(cmd.stdout) + text(cmd.stderr));
    assert.match(text(cmd.stdout), /street\.mp4: 3 frames -> /);
    const results = (await Deno.readTextFile(`${dir}/out/street.jsonl`)).trimEnd().split("\n")
      .map((l) => JSON.parse(l) as { frame: number; batchSize: number; detections: Found[] });
    assert.deepEqual(results.map((r) => r.frame), [0, 1, 2]);
    assert.ok(results.every((r) => r.batchSize === 1));

    const expected = await graphDetections(clip, dir);
    assert.equal(expected.length, 3);
    for (const [i, r] of results.entries()) {
      const got = [...r.detections].sort((a, b) => b.score - a.score);
      const want = expected[i];
      assert.ok(want.length > 0, `frame ${i}: the graph finds something on the demo`);
      assert.deepEqual(got.map((d) => d.classId), want.map((d) => d.classId), `frame ${i}`);
      for (const [k, d] of got.entries()) {
        for (let c = 0; c < 4; c++) {
          assert.ok(
            Math.abs(d.box[c] - want[k].box[c]) <= 1,
            `frame ${i} detection ${k}: box ${d.box} vs ${want[k].box}`,
          );
        }
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
