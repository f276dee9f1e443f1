/**
 * The public entries of deno.json's `exports` (docs/ARCHITECTURE.md, "Public API"): the
 * pure ones load with no permission at all, each is a module of its layer, and `mod.ts`
 * re-exports every one of them.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const { exports } = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
  exports: Record<string, string>;
};

/** Runs `deno run` on a script with no permission flags; stdin closed, so nothing prompts. */
async function runWithoutPermissions(script: string): Promise<{ code: number; text: string }> {
  const file = await Deno.makeTempFile({ dir: ROOT, prefix: ".entry_", suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, script);
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", file],
      cwd: ROOT,
      stdin: "null",
      env: { NO_COLOR: "1" },
    }).output();
    const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    return { code, text };
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("./ops, ./tracking, ./analytics, ./eval and ./wire load and work in a process with no permission flags at all", async () => {
  const { code, text } = await runWithoutPermissions(`
    import { nms } from "${exports["./ops"]}";
    import { ByteTracker } from "${exports["./tracking"]}";
    import { StreamAnalytics } from "${exports["./analytics"]}";
    import { evaluateTracking } from "${exports["./eval"]}";
    import { evaluateCoco } from "${exports["./eval"]}";
    import { checkWire, ResultMessageSchema } from "${exports["./wire"]}";
    const keep = nms(new Float32Array([0, 0, 10, 10, 1, 1, 10, 10]), new Float32Array([0.9, 0.8]), 0.5);
    const gt = { images: [{ id: 1, width: 20, height: 20 }], categories: [{ id: 1, name: "a" }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 }] };
    const { stats } = evaluateCoco(gt, [{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 1 }], "bbox");
    const issues = checkWire(ResultMessageSchema, { v: 3 });
    const tracker = new ByteTracker();
    const zone = new StreamAnalytics({ zones: [{ name: "z", points: [[0, 0], [20, 0], [20, 20], [0, 20]], minFrames: 1 }] });
    const frames = [];
    for (let f = 1; f <= 3; f++) {
      const out = tracker.update(new Float32Array([0, 0, 10, 10 + f]), new Float32Array([0.9]));
      zone.update({ pts: f * 40, trackIds: out.trackIds, boxes: out.boxes, classIds: new Int32Array(1) });
      frames.push({ frame: f, ids: out.trackIds, boxes: out.boxes });
    }
    const idf1 = evaluateTracking(frames, frames).idf1;
    console.log(JSON.stringify({ keep: [...keep], ap: stats[0] > 0.999, issues: issues.length > 0,
      ids: [...frames[2].ids], inside: zone.snapshot().zones[0].total, idf1 }));
  `);
  assert.equal(code, 0, text);
  assert.deepEqual(JSON.parse(text.trim()), {
    keep: [0],
    ap: true,
    issues: true,
    ids: [1],
    inside: 1,
    idf1: 1,
  });
});

Deno.test("the whole library (mod.ts) loads the native ONNX Runtime, so it needs --allow-ffi", async () => {
  const { code, text } = await runWithoutPermissions(`import "./mod.ts";`);
  assert.notEqual(code, 0);
  assert.match(text, /NotCapable|--allow-ffi|ffi/i);
});

Deno.test("each entry of deno.json exports is a mod.ts, and mod.ts re-exports every one", async () => {
  const mod = await Deno.readTextFile(`${ROOT}mod.ts`);
  for (const [name, path] of Object.entries(exports)) {
    assert.match(path, /(^\.\/mod\.ts|\/mod\.ts)$/, name);
    if (name === ".") continue;
    assert.ok(mod.includes(`export * from "${path}";`), `mod.ts re-exports ${name} (${path})`);
  }
});
