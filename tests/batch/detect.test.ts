import assert from "node:assert/strict";
import { evaluateCoco } from "../../src/eval/coco_eval.ts";
import type { CocoGroundTruth, CocoResult } from "../../src/eval/coco_types.ts";
import { FrameSource } from "../../src/video/frame_source.ts";
import { makeVideo, testFfmpeg } from "../_helpers/media.ts";
import { CLI, CLI_FLAGS, FASTERRCNN, MASKRCNN } from "../_helpers/server.ts";

const FLAGS = CLI_FLAGS;
const MODEL = FASTERRCNN.replace(/\/manifest\.json$/, "");
const x264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p"];

function detect(args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...FLAGS, CLI, "detect", "--model", MODEL, ...args],
    stdout: "piped",
    stderr: "piped",
  });
}

async function run(args: string[]) {
  const out = await detect(args).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

async function countFrames(path: string): Promise<{ frames: number; fps: number }> {
  const source = new FrameSource({
    streamId: "count",
    input: path,
    ffmpeg: await testFfmpeg(),
    roots: ["/"],
  });
  const info = await source.start();
  let frames = 0;
  for await (const _ of source.frames()) frames++;
  return { frames, fps: info.input.fps };
}

function lines(text: string): unknown[] {
  return text.trimEnd().split("\n").map((l) => JSON.parse(l));
}

Deno.test("detect writes one result line per frame, COCO results evaluateCoco reads, and an annotated video of the input's length; a corrupt input fails alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/in`);
    await makeVideo(`${dir}/in/a.mp4`, {
      width: 320,
      height: 180,
      frames: 18,
      fps: 12,
      codec: x264,
    });
    await makeVideo(`${dir}/in/b.mkv`, {
      width: 256,
      height: 144,
      frames: 10,
      fps: 5,
      codec: x264,
    });
    await Deno.writeTextFile(`${dir}/in/corrupt.mp4`, "this is not a video");
    const r = await run([`${dir}/in`, "--out", `${dir}/out`, "--annotate"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /corrupt\.mp4: FAILED: .*Invalid data found when processing input/);
    assert.match(r.stdout, /a\.mp4: 18 frames/);
    assert.match(r.stdout, /b\.mkv: 10 frames/);
    for (const [name, frames, size] of [["a", 18, [320, 180]], ["b", 10, [256, 144]]] as const) {
      const results = lines(await Deno.readTextFile(`${dir}/out/${name}.jsonl`)) as {
        frame: number;
        width: number;
        height: number;
        v: number;
      }[];
      assert.deepEqual(results.map((m) => m.frame), [...Array(frames).keys()]);
      assert.ok(results.every((m) => m.v === 3 && m.width === size[0] && m.height === size[1]));
      const coco = JSON.parse(
        await Deno.readTextFile(`${dir}/out/${name}.coco.json`),
      ) as CocoResult[];
      const gt: CocoGroundTruth = {
        images: Array.from(
          { length: frames },
          (_, i) => ({ id: i + 1, width: size[0], height: size[1] }),
        ),
        annotations: [],
        categories: [1, 2, 3, 4].map((id) => ({ id, name: String(id) })),
      };
      const evaluation = evaluateCoco(gt, coco, "bbox");
      assert.equal(evaluation.stats.length, 12);
      const video = await countFrames(`${dir}/out/${name}.annotated.mp4`);
      const input = await countFrames(`${dir}/in/${name}.${name === "a" ? "mp4" : "mkv"}`);
      assert.equal(video.frames, frames);
      assert.equal(video.fps, input.fps);
    }
    const names = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort();
    assert.deepEqual(names, [
      "a.annotated.mp4",
      "a.coco.json",
      "a.jsonl",
      "b.annotated.mp4",
      "b.coco.json",
      "b.jsonl",
    ], "nothing for the corrupt input, no temporary file left");

    const again = await run([`${dir}/in/a.mp4`, "--out", `${dir}/out`]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /skipped \(outputs exist; --force to redo\)/);
    const forced = await run([
      `${dir}/in/a.mp4`,
      "--out",
      `${dir}/out`,
      "--force",
      "--format",
      "jsonl",
    ]);
    assert.equal(forced.code, 0);
    assert.match(forced.stdout, /a\.mp4: 18 frames -> .*a\.jsonl$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detect writes panoptic segments only with --panoptic, and eval's PQ without them says how to get them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = await makeVideo(`${dir}/clip.mp4`, {
      width: 320,
      height: 180,
      frames: 4,
      fps: 10,
      codec: x264,
    });
    const model = ["--model", MASKRCNN.replace(/\/manifest\.json$/, "")];
    const plain = await run([clip, ...model, "--out", `${dir}/plain`, "--format", "jsonl"]);
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    const fused = await run([clip, ...model, "--out", `${dir}/fused`, "--panoptic"]);
    assert.equal(fused.code, 0, fused.stdout + fused.stderr);
    type Line = { detections: { mask?: unknown }[]; panoptic?: { segments: unknown[] } };
    const without = lines(await Deno.readTextFile(`${dir}/plain/clip.jsonl`)) as Line[];
    const withPanoptic = lines(await Deno.readTextFile(`${dir}/fused/clip.jsonl`)) as Line[];
    assert.equal(without.length, 4);
    assert.ok(without.every((m) => m.panoptic === undefined), "no panoptic field by default");
    assert.equal(withPanoptic.length, 4);
    assert.ok(withPanoptic.every((m) => (m.panoptic?.segments.length ?? 0) > 0));
    // The detections (and their masks) are the same either way.
    assert.deepEqual(
      without.map((m) => m.detections),
      withPanoptic.map((m) => m.detections),
    );
    const panopticGt = {
      images: [1, 2, 3, 4].map((id) => ({ id, width: 320, height: 180, file_name: `${id}.png` })),
      annotations: [1, 2, 3, 4].map((id) => ({
        image_id: id,
        file_name: `${id}.png`,
        segments_info: [],
        segmentation: { size: [180, 320], counts: "0" },
      })),
      categories: [{ id: 1, name: "car", isthing: 1 }],
    };
    await Deno.writeTextFile(`${dir}/pan.json`, JSON.stringify(panopticGt));
    await Deno.writeTextFile(
      `${dir}/gt.json`,
      JSON.stringify({
        images: [1, 2, 3, 4].map((id) => ({ id, width: 320, height: 180 })),
        annotations: [],
        categories: [{ id: 1, name: "car" }],
      }),
    );
    const evaluation = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...FLAGS,
        CLI.replace(/cli\.ts$/, "eval_cli.ts"),
        "--gt",
        `${dir}/gt.json`,
        "--panoptic-gt",
        `${dir}/pan.json`,
        "--results",
        `${dir}/plain/clip.jsonl`,
        "--out",
        `${dir}/report`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const said = new TextDecoder().decode(evaluation.stderr);
    assert.notEqual(evaluation.code, 0);
    assert.match(
      said,
      /expected result messages with panoptic segments .*deno task detect --panoptic/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a detect run killed mid-way leaves no complete-looking output, and the re-run completes it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = await makeVideo(`${dir}/long.mp4`, {
      width: 320,
      height: 180,
      frames: 120,
      fps: 12,
      codec: x264,
    });
    const child = detect([clip, "--out", `${dir}/out`, "--concurrency", "1"]).spawn();
    // Kill once some results are written (a temporary JSONL with content exists).
    for (let i = 0; i < 600; i++) {
      let temps: Deno.DirEntry[] = [];
      try {
        temps = [...Deno.readDirSync(`${dir}/out`)];
      } catch {
        // not created yet
      }
      const tmp = temps.find((e) => e.name.endsWith(".tmp") && e.name.includes("long.jsonl"));
      if (tmp && (await Deno.stat(`${dir}/out/${tmp.name}`)).size > 2000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    const left = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name);
    assert.ok(!left.includes("long.jsonl") && !left.includes("long.coco.json"), left.join(", "));
    assert.ok(left.some((n) => n.endsWith(".tmp")), "the killed run's temporary files stay hidden");

    const rerun = await run([clip, "--out", `${dir}/out`]);
    assert.equal(rerun.code, 0, rerun.stderr);
    const results = lines(await Deno.readTextFile(`${dir}/out/long.jsonl`)) as { frame: number }[];
    assert.deepEqual(results.map((m) => m.frame), [...Array(120).keys()]);
    const coco = JSON.parse(await Deno.readTextFile(`${dir}/out/long.coco.json`));
    assert.ok(Array.isArray(coco));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detect refuses bad arguments with its usage", async () => {
  const none = await run([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /detect needs at least one video/);
  const format = await run(["x.mp4", "--format", "csv"]);
  assert.equal(format.code, 2);
  assert.match(format.stderr, /--format: expected jsonl, coco or both, found "csv"/);
  const missing = await run(["/nonexistent/clip.mp4"]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /clip\.mp4: expected a video file, folder or glob, found nothing there/,
  );
});
