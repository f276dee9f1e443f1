/**
 * `deno task detect --annotate` over a recording whose size changes in the middle
 * (`cat a.ts b.ts a.ts`): every frame gets its result at its own size, and the annotated
 * copy has every frame.
 */

import assert from "node:assert/strict";
import { FrameSource } from "../../src/video/frame_source.ts";
import { runFfmpeg, testFfmpeg } from "../_helpers/media.ts";
import { CLI, CLI_FLAGS, FASTERRCNN } from "../_helpers/server.ts";

const demo = new URL("../../models/demo/street.mp4", import.meta.url).pathname;

async function part(dir: string, name: string, w: number, h: number): Promise<Uint8Array> {
  const path = `${dir}/${name}.ts`;
  await runFfmpeg([
    ...["-ss", "2", "-i", demo, "-frames:v", "6", "-vf", `scale=${w}:${h}`],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path],
  ]);
  return await Deno.readFile(path);
}

async function countFrames(path: string): Promise<number> {
  const source = new FrameSource({
    streamId: "count",
    input: path,
    ffmpeg: await testFfmpeg(),
    roots: ["/"],
  });
  await source.start();
  let frames = 0;
  for await (const _ of source.frames()) frames++;
  return frames;
}

Deno.test("detect --annotate over a recording that changes size writes every frame at its own size, and an annotated copy of every frame", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamdet-detect-size-" });
  try {
    const a = await part(dir, "a", 640, 360), b = await part(dir, "b", 320, 180);
    const joined = `${dir}/joined.ts`;
    await Deno.writeFile(joined, new Uint8Array([...a, ...b, ...a]));
    const model = FASTERRCNN.replace(/\/manifest\.json$/, "");
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        ...["run", ...CLI_FLAGS, CLI, "detect", "--model", model, joined],
        ...["--out", `${dir}/out`, "--annotate"],
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const results = (await Deno.readTextFile(`${dir}/out/joined.jsonl`)).trimEnd().split("\n")
      .map((line) => JSON.parse(line) as { frame: number; width: number; height: number });
    assert.deepEqual(
      results.map((r) => `${r.width}×${r.height}`),
      [...Array(6).fill("640×360"), ...Array(6).fill("320×180"), ...Array(6).fill("640×360")],
    );
    assert.equal(await countFrames(`${dir}/out/joined.annotated.mp4`), 18);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
