/**
 * `detect` over awkward inputs: same-named files from two folders, a truncated file, a
 * file without a video stream. Each input gets its own outputs and its own verdict, and
 * the run goes on with the others.
 */

import assert from "node:assert/strict";
import { makeVideo, runFfmpeg } from "../_helpers/media.ts";
import { CLI, CLI_FLAGS, DEMO_VIDEO, FASTERRCNN } from "../_helpers/server.ts";

const MODEL = FASTERRCNN.replace(/\/manifest\.json$/, "");
const x264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p"];

async function detect(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...CLI_FLAGS, CLI, "detect", "--model", MODEL, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

async function frames(path: string): Promise<number[]> {
  const text = await Deno.readTextFile(path);
  return text.trimEnd().split("\n").map((l) => (JSON.parse(l) as { frame: number }).frame);
}

const range = (n: number) => [...Array(n).keys()];

Deno.test("two inputs of the same name from two folders write their own outputs, found again in any order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = (folder: string, n: number) =>
      makeVideo(`${dir}/${folder}/clip.mp4`, {
        width: 160,
        height: 96,
        frames: n,
        fps: 10,
        codec: x264,
      });
    await Deno.mkdir(`${dir}/a`);
    await Deno.mkdir(`${dir}/b`);
    const a = await clip("a", 5);
    const b = await clip("b", 3);
    const first = await detect([a, b, "--out", `${dir}/out`, "--format", "jsonl"]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.deepEqual(await frames(`${dir}/out/a/clip.jsonl`), range(5));
    assert.deepEqual(await frames(`${dir}/out/b/clip.jsonl`), range(3));

    // The other order: each input is skipped with its own outputs, not the other's.
    const again = await detect([b, a, "--out", `${dir}/out`, "--format", "jsonl"]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, new RegExp(`${b}: skipped .*: ${dir}/out/b/clip\\.jsonl$`, "m"));
    assert.match(again.stdout, new RegExp(`${a}: skipped .*: ${dir}/out/a/clip\\.jsonl$`, "m"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a truncated input keeps the results of the frames read, is reported incomplete with why, and the exit code is 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // 60 frames of the demo with the index first (faststart), cut after 30% of its bytes.
    await runFfmpeg([
      ...["-i", DEMO_VIDEO, "-frames:v", "60", "-vf", "scale=320:180", ...x264],
      ...["-movflags", "+faststart", `${dir}/full.mp4`],
    ]);
    const bytes = await Deno.readFile(`${dir}/full.mp4`);
    await Deno.writeFile(`${dir}/cut.mp4`, bytes.subarray(0, Math.floor(bytes.length * 0.3)));
    const good = await makeVideo(`${dir}/good.mp4`, {
      width: 160,
      height: 96,
      frames: 4,
      fps: 10,
      codec: x264,
    });
    const r = await detect([`${dir}/cut.mp4`, good, "--out", `${dir}/out`]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const line = r.stdout.split("\n").find((l) => l.startsWith(`${dir}/cut.mp4: `)) ?? "";
    const m = line.match(/: INCOMPLETE \((.+)\): (\d+) frames -> (.+)$/);
    assert.ok(m, r.stdout);
    assert.match(m[1], /truncated/i);
    const n = Number(m[2]);
    assert.ok(n > 0 && n < 60, `${n} of 60 frames`);
    assert.equal(m[3], `${dir}/out/cut.jsonl, ${dir}/out/cut.coco.json`);
    assert.deepEqual(await frames(`${dir}/out/cut.jsonl`), range(n), "every frame read, complete");
    const coco = JSON.parse(await Deno.readTextFile(`${dir}/out/cut.coco.json`)) as {
      image_id: number;
    }[];
    assert.ok(coco.every((d) => d.image_id >= 1 && d.image_id <= n));
    assert.match(r.stdout, /good\.mp4: 4 frames -> /);
    const left = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name);
    assert.ok(!left.some((f) => f.endsWith(".tmp")), left.join(", "));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an input without a video stream fails alone with 'no video stream in <file>'", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await runFfmpeg([
      ...["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", `${dir}/audio.mp4`],
    ]);
    const good = await makeVideo(`${dir}/good.mp4`, {
      width: 160,
      height: 96,
      frames: 4,
      fps: 10,
      codec: x264,
    });
    const r = await detect([`${dir}/audio.mp4`, good, "--out", `${dir}/out`]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^${dir}/audio\\.mp4: FAILED: no video stream in ${dir}/audio\\.mp4$`, "m"),
    );
    assert.match(r.stdout, /good\.mp4: 4 frames -> /);
    const names = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort();
    assert.deepEqual(names, ["good.coco.json", "good.jsonl"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
