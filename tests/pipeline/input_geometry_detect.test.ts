import assert from "node:assert/strict";
import { runDetect } from "../../src/batch/detect_job.ts";
import { FrameSource } from "../../src/video/frame_source.ts";
import { ffmpegChildren, runFfmpeg, testFfmpeg } from "../_helpers/media.ts";
import { DEMO_VIDEO, MASKRCNN } from "../_helpers/server.ts";
import { makeOrientedClips } from "../video/oriented_media.ts";

const ffmpeg = await testFfmpeg();

interface Line {
  frame: number;
  width: number;
  height: number;
  detections: {
    box: [number, number, number, number];
    classId: number;
    score: number;
    mask?: { size: [number, number] };
  }[];
}

/** Runs the real model over `inputs` (JSON Lines, and annotated videos when asked);
 * fails instead of hanging when a run takes over 90 s. */
async function detect(inputs: string[], outDir: string, annotate = false) {
  const signal = AbortSignal.timeout(90_000);
  const outcomes = await runDetect(
    { inputs, manifest: MASKRCNN, outDir, formats: ["jsonl"], annotate, concurrency: 2 },
    ffmpeg,
    undefined,
    signal,
  );
  for (const o of outcomes) assert.equal(o.status, "done", `${o.input}: ${o.error}`);
}

async function lines(path: string): Promise<Line[]> {
  return (await Deno.readTextFile(path)).trimEnd().split("\n").map((l) => JSON.parse(l));
}

function iou(a: number[], b: number[]): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

/** How many of `expected`'s confident detections have a same-class match in `found` with
 * IoU ≥ `min` (each match used once), and how many there are. */
function matched(expected: Line["detections"], found: Line["detections"], min: number) {
  const sure = expected.filter((d) => d.score >= 0.8);
  const free = [...found];
  let hits = 0;
  for (const d of sure) {
    const i = free.findIndex((f) => f.classId === d.classId && iou(f.box, d.box) >= min);
    if (i >= 0) {
      hits++;
      free.splice(i, 1);
    }
  }
  return { hits, total: sure.length };
}

Deno.test("detect on a video whose size changes mid-stream maps each frame's boxes through its own geometry", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamdet-size-detect-" });
  try {
    const part = async (name: string, w: number, h: number) => {
      await runFfmpeg([
        "-ss",
        "2",
        "-i",
        DEMO_VIDEO,
        "-frames:v",
        "10",
        "-vf",
        `scale=${w}:${h}`,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        `${dir}/${name}.ts`,
      ]);
      return await Deno.readFile(`${dir}/${name}.ts`);
    };
    const a = await part("a", 640, 360), b = await part("b", 320, 180);
    await Deno.writeFile(`${dir}/joined.ts`, new Uint8Array([...a, ...b, ...a]));
    await detect([`${dir}/joined.ts`], `${dir}/out`);
    const results = await lines(`${dir}/out/joined.jsonl`);
    assert.deepEqual(results.map((r) => r.frame), [...Array(30).keys()]);
    assert.deepEqual(
      results.map((r) => `${r.width}×${r.height}`),
      [...Array(10).fill("640×360"), ...Array(10).fill("320×180"), ...Array(10).fill("640×360")],
    );
    for (let k = 0; k < 10; k++) {
      const big = results[k], small = results[10 + k], again = results[20 + k];
      // The same pictures at the same size: the same boxes.
      assert.deepEqual(again.detections.map((d) => d.box), big.detections.map((d) => d.box));
      // The same pictures at half size: boxes at half the coordinates, inside the frame.
      for (const d of small.detections) {
        assert.ok(d.box[2] <= 320 && d.box[3] <= 180, `frame ${10 + k}: box ${d.box}`);
        if (d.mask) assert.deepEqual(d.mask.size, [180, 320]);
      }
      const doubled = small.detections.map((d) => ({
        ...d,
        box: d.box.map((v) => v * 2) as Line["detections"][0]["box"],
      }));
      const { hits, total } = matched(big.detections, doubled, 0.7);
      assert.ok(total > 2 && hits >= 0.8 * total, `frame ${10 + k}: ${hits} of ${total} boxes`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(await ffmpegChildren(), []);
});

Deno.test("detect finds the same boxes in a phone clip, whatever its display rotation or mirror, as in the upright clip, and draws them on the upright picture", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamdet-orientation-detect-" });
  try {
    const { upright, clips } = await makeOrientedClips(dir, {
      frames: 3,
      width: 640,
      height: 360,
    });
    await detect([upright, ...clips.map((c) => c.path)], `${dir}/out`, true);
    const reference = await lines(`${dir}/out/upright.jsonl`);
    const pictures = async (path: string) => {
      const source = new FrameSource({ streamId: "check", input: path, ffmpeg, roots: [dir] });
      const frames = [];
      for await (const f of source.frames()) frames.push(f);
      return frames;
    };
    const drawn = await pictures(`${dir}/out/upright.annotated.mp4`);
    assert.equal(drawn.length, 3);
    for (const { case: c, path } of clips) {
      const name = path.slice(dir.length + 1, -4);
      const results = await lines(`${dir}/out/${name}.jsonl`);
      assert.equal(results.length, 3, c.name);
      for (const [i, r] of results.entries()) {
        assert.deepEqual([r.width, r.height], [640, 360], `${c.name}: the upright size`);
        const { hits, total } = matched(reference[i].detections, r.detections, 0.95);
        assert.ok(total > 2 && hits === total, `${c.name}, frame ${i}: ${hits} of ${total} boxes`);
      }
      // The annotated copy: the upright picture with the same overlays as the upright clip's.
      const copy = await pictures(`${dir}/out/${name}.annotated.mp4`);
      assert.equal(copy.length, 3, c.name);
      for (const [i, f] of copy.entries()) {
        assert.deepEqual([f.width, f.height], [640, 360], c.name);
        let diff = 0;
        for (let k = 0; k < f.data.length; k++) diff += Math.abs(f.data[k] - drawn[i].data[k]);
        const mean = diff / f.data.length;
        assert.ok(mean < 3, `${c.name}, frame ${i}: mean difference ${mean.toFixed(1)}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(await ffmpegChildren(), []);
});
