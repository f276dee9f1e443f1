/**
 * `detect` over image folders and globs: the images of a folder or glob are one input,
 * a sequence in natural name order named after their folder, while the videos of a
 * folder stay inputs of their own.
 */

import assert from "node:assert/strict";
import { expandInputs } from "../../src/batch/expand_inputs.ts";
import { outputPaths } from "../../src/batch/detect_job.ts";
import { makeVideo, runFfmpeg } from "../_helpers/media.ts";
import { CLI, CLI_FLAGS, FASTERRCNN } from "../_helpers/server.ts";

const MODEL = FASTERRCNN.replace(/\/manifest\.json$/, "");

async function detect(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...CLI_FLAGS, CLI, "detect", "--model", MODEL, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** The frame index, time and size of each line of a JSON Lines results file. */
async function lines(path: string): Promise<{ frame: number; ptsMs: number; size: string }[]> {
  const text = await Deno.readTextFile(path);
  return text.trimEnd().split("\n").map((l) => {
    const m = JSON.parse(l) as { frame: number; ptsMs: number; width: number; height: number };
    return { frame: m.frame, ptsMs: m.ptsMs, size: `${m.width}x${m.height}` };
  });
}

/** `name` → size, written as pictures in `folder`. */
async function pictures(folder: string, sizes: Record<string, string>): Promise<void> {
  await Deno.mkdir(folder, { recursive: true });
  for (const [name, size] of Object.entries(sizes)) {
    await runFfmpeg([
      ...["-f", "lavfi", "-i", `testsrc2=size=${size}`, "-frames:v", "1"],
      `${folder}/${name}`,
    ]);
  }
}

const video = (path: string) =>
  makeVideo(path, {
    width: 160,
    height: 96,
    frames: 2,
    fps: 10,
    codec: ["-c:v", "libx264", "-pix_fmt", "yuv420p"],
  });

Deno.test("expandInputs() makes the images of a folder or glob one input, and keeps each video of a folder an input", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await pictures(`${dir}/shots`, { "img2.jpg": "64x48", "img10.jpg": "64x48" });
    await video(`${dir}/shots/a.mp4`);
    await video(`${dir}/shots/b.mp4`);
    await pictures(`${dir}/only`, { "1.png": "64x48", "2.png": "64x48" });
    assert.deepEqual(await expandInputs([`${dir}/shots`]), [
      `${dir}/shots/a.mp4`,
      `${dir}/shots/b.mp4`,
      `${dir}/shots/`,
    ]);
    assert.deepEqual(await expandInputs([`${dir}/only`, `${dir}/shots/img*.jpg`]), [
      `${dir}/only/`,
      `${dir}/shots/img*.jpg`,
    ]);
    assert.deepEqual(await expandInputs([`${dir}/shots/*.mp4`]), [
      `${dir}/shots/a.mp4`,
      `${dir}/shots/b.mp4`,
    ]);
    await assert.rejects(expandInputs([`${dir}/shots/*.png`]), /matches no file/);
    const paths = outputPaths([`${dir}/only/`, `${dir}/shots/img*.jpg`, `${dir}/shots/a.mp4`], {
      outDir: "/out",
      formats: ["jsonl"],
    });
    assert.deepEqual([...paths.values()].map((p) => p.jsonl), [
      "/out/only.jsonl",
      "/out/shots-img.jsonl",
      "/out/a.jsonl",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detect reads a folder of images as one sequence in natural order, beside the folder's videos", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await pictures(`${dir}/shots`, {
      "img1.jpg": "64x48",
      "img2.jpg": "96x72",
      "img10.jpg": "80x60",
    });
    await video(`${dir}/shots/clip.mp4`);
    const r = await detect([`${dir}/shots`, "--out", `${dir}/out`, "--format", "jsonl"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(await lines(`${dir}/out/shots.jsonl`), [
      { frame: 0, ptsMs: 0, size: "64x48" },
      { frame: 1, ptsMs: 40, size: "96x72" },
      { frame: 2, ptsMs: 80, size: "80x60" },
    ]);
    assert.deepEqual((await lines(`${dir}/out/clip.jsonl`)).map((l) => l.frame), [0, 1]);

    const glob = await detect([`${dir}/shots/img1*.jpg`, "--out", `${dir}/glob`]);
    assert.equal(glob.code, 0, glob.stdout + glob.stderr);
    assert.match(glob.stdout, /img1\*\.jpg: 2 frames -> /);
    assert.deepEqual(await lines(`${dir}/glob/shots-img1.jsonl`), [
      { frame: 0, ptsMs: 0, size: "64x48" },
      { frame: 1, ptsMs: 40, size: "80x60" },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detect times a folder of images at --image-rate, and refuses a rate out of range", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await pictures(`${dir}/shots`, { "a.jpg": "64x48", "b.jpg": "64x48", "c.jpg": "64x48" });
    const r = await detect([
      ...[`${dir}/shots`, "--out", `${dir}/out`, "--format", "jsonl", "--image-rate", "10"],
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual((await lines(`${dir}/out/shots.jsonl`)).map((l) => l.ptsMs), [0, 100, 200]);
    const bad = await detect([`${dir}/shots`, "--image-rate", "0"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--image-rate: expected a number in \[0\.001, 1000\], found "0"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
