/**
 * `detect` with the shipped keypoint model on the plaza demo: every person in the JSON Lines
 * and the COCO results carries its 17 keypoints (what the graph and the runtime's decoding
 * give on the same frames), the annotated video shows the skeletons, and `deno task eval`
 * scores the JSON Lines with keypoint AP and PCK against the plaza ground truth.
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

const MODEL = `${ROOT}models/plaza-keypointrcnn`;
const PLAZA = `${ROOT}models/demo/plaza.mp4`;
const FRAMES = 4;

interface Person {
  box: number[];
  score: number;
  keypoints: number[];
}

/** The keypoints of each frame's people by the graph and the runtime's post-processing,
 * called directly. */
async function expectedPeople(clip: string, dir: string): Promise<Person[][]> {
  const { manifest, session } = await loadModel(`${MODEL}/manifest.json`);
  const { width, height } = manifest.input;
  const source = new FrameSource({
    streamId: "raw",
    input: clip,
    ffmpeg: await testFfmpeg(),
    output: { fit: "letterbox", width, height, format: "rgb24" },
    roots: [dir],
  });
  const { geometry } = await source.start();
  const out: Person[][] = [];
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
        keypoints: [...d.keypoints!.subarray(51 * i, 51 * (i + 1))],
      })));
    }
  } finally {
    await source.stop();
    await session.release();
  }
  return out;
}

Deno.test("detect writes each person's 17 keypoints to the JSON Lines and COCO results, draws the skeletons, and eval scores them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = `${dir}/plaza.mp4`;
    await runFfmpeg(["-i", PLAZA, "-frames:v", String(FRAMES), "-c:v", "libx264", clip]);
    const cmd = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...CLI_FLAGS,
        CLI,
        "detect",
        "--model",
        MODEL,
        clip,
        "--out",
        `${dir}/out`,
        "--annotate",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    assert.equal(cmd.code, 0, text(cmd.stdout) + text(cmd.stderr));
    const lines = (await Deno.readTextFile(`${dir}/out/plaza.jsonl`)).trimEnd().split("\n")
      .map((l) => JSON.parse(l) as { frame: number; detections: Person[] });
    assert.equal(lines.length, FRAMES);

    const expected = await expectedPeople(clip, dir);
    let people = 0;
    for (const [f, line] of lines.entries()) {
      const got = line.detections;
      assert.equal(got.length, expected[f].length, `frame ${f}: people`);
      for (const [i, person] of got.entries()) {
        assert.equal(person.keypoints.length, 51);
        const want = expected[f][i].keypoints;
        for (let j = 0; j < 51; j++) {
          // The message rounds coordinates to 0.01 px and scores to 1e-4.
          assert.ok(Math.abs(person.keypoints[j] - want[j]) <= 0.006, `frame ${f} person ${i}`);
        }
        people++;
      }
    }
    assert.ok(people >= FRAMES * 5, `${people} people over ${FRAMES} frames of the plaza`);

    const coco = JSON.parse(await Deno.readTextFile(`${dir}/out/plaza.coco.json`)) as Person[];
    assert.equal(coco.length, people);
    assert.ok(coco.every((c) => c.keypoints.length === 51));

    // The annotated video: white keypoint dots (the picture is H.264: a 5-pixel dot keeps its
    // middle white; another person's label or limb may cover a few).
    const ffmpeg = await testFfmpeg();
    const picture = await new Deno.Command(ffmpeg.path, {
      args: [
        "-v",
        "error",
        "-i",
        `${dir}/out/plaza.annotated.mp4`,
        "-frames:v",
        "1",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-",
      ],
      stdout: "piped",
    }).output();
    // The tallest person of frame 0, its body keypoints (shoulders to ankles: the face's five
    // lie within a few pixels of each other, each dot's dark rim over the last one's middle).
    const tallest = lines[0].detections.reduce((a, d) =>
      d.box[3] - d.box[1] > a.box[3] - a.box[1] ? d : a
    );
    const best = tallest.keypoints;
    let white = 0;
    for (let k = 5; k < 17; k++) {
      const [x, y] = [best[3 * k], best[3 * k + 1]];
      const at = (Math.round(y - 0.5) * 640 + Math.round(x - 0.5)) * 3;
      const [r, g, b] = picture.stdout.subarray(at, at + 3);
      if (r > 170 && g > 170 && b > 170) white++;
    }
    assert.ok(white >= 8, `${white} of the tallest person's 12 body keypoints are drawn white`);

    const logs: string[] = [];
    const code = await evalMain(
      [
        "--gt",
        `${ROOT}models/demo/plaza_keypoints.json`,
        "--results",
        `${dir}/out/plaza.jsonl`,
        "--out",
        `${dir}/report`,
        "--svg",
      ],
      { log: (l) => logs.push(l), error: (l) => logs.push(l) },
    );
    assert.equal(code, 0, logs.join("\n"));
    const metrics = JSON.parse(await Deno.readTextFile(`${dir}/report/metrics.json`));
    assert.equal(metrics.keypoints.ap.stats.length, 10);
    assert.equal(metrics.keypoints.pck.thresholds.length, 4);
    assert.match(logs.join("\n"), /Keypoint AP \(OKS;/);
    assert.match(
      await Deno.readTextFile(`${dir}/report/report.md`),
      /!\[PCK against α, overall and per keypoint\]\(pck_curves\.svg\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
