/**
 * `matrixNms` against SOLOv2's torch implementation, and `pasteMasks` + `panopticFusion`
 * against detectron2's `paste_masks_in_image`, on the same inputs: the inputs are written to
 * `bench/out/`, the torch side runs as a subprocess (`bench/torch/baselines.py`) with
 * one thread, as ours runs on one.
 *
 * @module
 */

import { matrixNms } from "../src/geometry/matrix_nms.ts";
import { panopticFusion } from "../src/geometry/panoptic_fusion.ts";
import { pasteMasks } from "../src/geometry/paste_mask.ts";
import { maskRcnnFrame, soloCandidates } from "./inputs.ts";
import { compare, report } from "./timing.ts";

const OUT = new URL("./out/", import.meta.url);
const PYTHON = "/usr/bin/python3";
const SCRIPT = new URL("./torch/baselines.py", import.meta.url).pathname;

interface TorchTiming {
  ms: number;
  rounds: number;
  threads: number;
  torch: string;
}

/** Runs a torch baseline; a string says why it could not run. */
async function torchBaseline(kind: string, spec: object): Promise<TorchTiming | string> {
  const path = new URL(`${kind}.json`, OUT).pathname;
  await Deno.writeTextFile(path, JSON.stringify(spec));
  try {
    const { code, stdout, stderr } = await new Deno.Command(PYTHON, {
      args: [SCRIPT, kind, path, "1"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout).trim();
    if (code !== 0) {
      const why = new TextDecoder().decode(stderr).trim().split("\n").at(-1);
      return `${PYTHON} exited with ${code}: ${why}`;
    }
    return JSON.parse(text.split("\n").at(-1)!) as TorchTiming;
  } catch (error) {
    return `${PYTHON} could not start (${(error as Error).message})`;
  }
}

async function write(name: string, data: ArrayBufferView): Promise<string> {
  await Deno.writeFile(
    new URL(name, OUT),
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  );
  return name;
}

const ms = (v: number) => `${v.toFixed(3)} ms`;

/** matrixNms on 500 SOLO-like masks of 160×160 against SOLO's torch code. */
async function matrixNmsBench(): Promise<void> {
  const c = soloCandidates(500, 160, 7);
  const spec = {
    n: 500,
    size: 160,
    masks: await write("masks.u8", c.masks),
    labels: await write("labels.i32", c.labels),
    scores: await write("scores.f32", c.scores),
  };
  const torch = await torchBaseline("matrix_nms", spec);
  const [ours] = await compare([{
    name: "matrixNms",
    run: () => matrixNms(c.masks, 160, 160, c.labels, c.scores),
  }], { calls: 3, rounds: 9, warmup: 3 });
  if (typeof torch === "string") {
    console.log(`matrixNms 500 masks 160x160 / torch SOLO matrix_nms: skipped (${torch})`);
    return;
  }
  const theirs = new Float32Array(
    (await Deno.readFile(new URL("matrix_nms_torch.f32", OUT))).buffer,
  );
  const mine = matrixNms(c.masks, 160, 160, c.labels, c.scores);
  const diff = mine.reduce((m, v, i) => Math.max(m, Math.abs(v - theirs[i])), 0);
  report("matrixNms 500 masks 160x160 / torch SOLO matrix_nms", ours / torch.ms, 1.0, [
    `matrixNms ${ms(ours)}, torch ${torch.torch} ${ms(torch.ms)} (${torch.threads} thread); ` +
    `max score difference ${diff.toExponential(1)}`,
  ]);
}

/** pasteMasks of 100 28×28 masks into 1280×720 + panopticFusion vs detectron2 paste_masks_in_image. */
async function pasteBench(): Promise<void> {
  const f = maskRcnnFrame(100, 28, 1280, 720, 6, 11);
  const spec = {
    n: 100,
    maskSize: 28,
    height: 720,
    width: 1280,
    masks: await write("roi_masks.f32", f.masks),
    boxes: await write("boxes.f32", f.boxes),
  };
  const torch = await torchBaseline("paste", spec);
  const run = () => {
    const masks = pasteMasks(f.masks, 28, f.boxes, 720, 1280);
    return panopticFusion(
      { masks, scores: f.scores, classIds: f.classIds },
      { height: 720, width: 1280, labels: f.semantic },
    );
  };
  const [ours, pasteOnly] = await compare([
    { name: "paste+fusion", run },
    { name: "paste", run: () => pasteMasks(f.masks, 28, f.boxes, 720, 1280) },
  ], { calls: 3, rounds: 9, warmup: 3 });
  const name =
    "pasteMasks 100x28x28 into 1280x720 + panopticFusion / detectron2 paste_masks_in_image";
  if (typeof torch === "string") {
    console.log(`${name}: skipped (${torch})`);
    return;
  }
  const pixels = pasteMasks(f.masks, 28, f.boxes, 720, 1280)
    .reduce((sum, m) => sum + m.data.reduce((a, b) => a + b, 0), 0);
  const theirs = JSON.parse(await Deno.readTextFile(new URL("paste_torch.json", OUT))).pixels;
  const segments = run().segments.length;
  report(name, ours / torch.ms, 0.5, [
    `paste + fusion ${ms(ours)} (paste alone ${ms(pasteOnly)}, ${segments} segments), ` +
    `torch ${torch.torch} paste_masks_in_image ${ms(torch.ms)} (${torch.threads} thread); ` +
    `pasted pixels ${pixels} vs torch ${theirs}`,
  ]);
}

/** Runs the mask benchmarks and prints their lines. */
export async function maskBench(): Promise<void> {
  await Deno.mkdir(OUT, { recursive: true });
  await matrixNmsBench();
  await pasteBench();
}
