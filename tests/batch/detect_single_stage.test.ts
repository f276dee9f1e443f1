/**
 * `detect` with the shipped FCOS, RetinaNet and SOLOv2 on the street demo: the JSON Lines
 * hold what the graph and the runtime's post-processing give on the same frames, each
 * detection with its pyramid level (SOLOv2's with its mask), and `deno task eval`
 * scores them with the table of the levels that found the true positives.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { FrameSource } from "../../src/video/frame_source.ts";
import { loadModel } from "../../src/inference/load_model.ts";
import { splitRawOutputs } from "../../src/inference/raw_outputs.ts";
import { postprocess, postprocessOptions } from "../../src/inference/postprocess.ts";
import { main as evalMain } from "../../src/eval_cli.ts";
import { runFfmpeg, testFfmpeg } from "../_helpers/media.ts";
import { CLI, CLI_FLAGS, ROOT } from "../_helpers/server.ts";

const STREET = `${ROOT}models/demo/street.mp4`;
const FRAMES = 3;

interface Detection {
  box: number[];
  score: number;
  classId: number;
  level?: number;
}

/** Each frame's detections by the graph and the runtime's post-processing, called directly. */
async function expected(model: string, clip: string, dir: string): Promise<Detection[][]> {
  const { manifest, session } = await loadModel(`${model}/manifest.json`);
  const { width, height } = manifest.input;
  const source = new FrameSource({
    streamId: "raw",
    input: clip,
    ffmpeg: await testFfmpeg(),
    output: { fit: "letterbox", width, height, format: "rgb24" },
    roots: [dir],
  });
  const { geometry } = await source.start();
  const out: Detection[][] = [];
  try {
    for await (const frame of source.frames()) {
      const r = await session.run({
        [manifest.input.name]: new ort.Tensor("uint8", frame.data, [1, height, width, 3]),
      });
      const [raw] = splitRawOutputs(r, 1, manifest);
      const d = postprocess(raw, geometry, postprocessOptions(manifest));
      out.push([...d.scores].map((score, i) => ({
        box: [...d.boxes.subarray(4 * i, 4 * i + 4)],
        score,
        classId: d.classIds[i],
        level: d.levels?.[i],
      })));
    }
  } finally {
    await source.stop();
    await session.release();
  }
  return out;
}

for (const name of ["street-fcos", "street-retinanet", "street-solov2"]) {
  Deno.test(`detect runs ${name} on the street demo with each detection's level, and eval tables the levels`, async () => {
    const model = `${ROOT}models/${name}`;
    const dir = await Deno.makeTempDir();
    try {
      const clip = `${dir}/street.mp4`;
      await runFfmpeg(["-i", STREET, "-frames:v", String(FRAMES), "-c:v", "libx264", clip]);
      const solov2 = name === "street-solov2";
      const cmd = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          ...CLI_FLAGS,
          CLI,
          "detect",
          "--model",
          model,
          clip,
          "--out",
          `${dir}/out`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = (b: Uint8Array) => new TextDecoder().decode(b);
      assert.equal(cmd.code, 0, text(cmd.stdout) + text(cmd.stderr));
      const lines = (await Deno.readTextFile(`${dir}/out/street.jsonl`)).trimEnd().split("\n")
        .map((l) => JSON.parse(l) as { detections: (Detection & { mask?: unknown })[] });
      assert.equal(lines.length, FRAMES);
      const want = await expected(model, clip, dir);
      let count = 0;
      for (const [f, line] of lines.entries()) {
        assert.equal(line.detections.length, want[f].length, `frame ${f}: detections`);
        for (const [i, d] of line.detections.entries()) {
          const w = want[f][i];
          assert.equal(d.classId, w.classId);
          assert.equal(d.level, w.level, `frame ${f} detection ${i}: level`);
          assert.ok(Number.isInteger(d.level), "every detection has its level");
          // The message rounds coordinates to 0.01 px and scores to 1e-4.
          d.box.forEach((v, k) => assert.ok(Math.abs(v - w.box[k]) <= 0.006));
          assert.ok(Math.abs(d.score - w.score) <= 6e-5);
          if (solov2) assert.ok(d.mask, "SOLOv2's detections carry their masks");
          count++;
        }
      }
      assert.ok(count >= FRAMES * 3, `${count} detections over ${FRAMES} frames`);

      const logs: string[] = [];
      const code = await evalMain(
        [
          "--gt",
          `${ROOT}models/demo/instances.json`,
          "--results",
          `${dir}/out/street.jsonl`,
          "--out",
          `${dir}/report`,
          "--svg",
        ],
        { log: (l) => logs.push(l), error: (l) => logs.push(l) },
      );
      assert.equal(code, 0, logs.join("\n"));
      const metrics = JSON.parse(await Deno.readTextFile(`${dir}/report/metrics.json`));
      const tps = metrics.levels.counts.flat().reduce((a: number, b: number) => a + b, 0);
      assert.ok(tps > 0, "true positives counted by level");
      assert.match(
        await Deno.readTextFile(`${dir}/report/report.md`),
        /True positives by pyramid level/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
