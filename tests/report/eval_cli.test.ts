/**
 * `deno task eval` (`src/eval_cli.ts`): the report folder, and the exit codes and
 * messages of bad input (1, naming the file) and bad flags (2, with the usage).
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { evaluateCoco } from "../../src/eval/coco_eval.ts";
import { main } from "../../src/eval_cli.ts";
import { pngSize } from "../../src/report/render_png.ts";
import { cocoResults, groundTruth, jsonLines, writeDataset } from "./_synthetic.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHROMIUM = Deno.env.get("CHROMIUM_PATH") || "/usr/bin/chromium";
const HAVE_CHROMIUM = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

/** Runs main() on a fresh copy of the synthetic dataset, capturing its output. */
async function run(
  args: (
    files: Awaited<ReturnType<typeof writeDataset>>,
    dir: string,
  ) => Promise<string[]> | string[],
): Promise<{ code: number; out: string; err: string; dir: string }> {
  const dir = await Deno.makeTempDir();
  const files = await writeDataset(dir);
  const out: string[] = [], err: string[] = [];
  const code = await main(await args(files, dir), {
    log: (l) => out.push(l),
    error: (l) => err.push(l),
  });
  return { code, out: out.join("\n"), err: err.join("\n"), dir };
}

async function expectFailure(
  code: number,
  args: Parameters<typeof run>[0],
  ...patterns: RegExp[]
): Promise<void> {
  const r = await run(args);
  try {
    assert.equal(r.code, code, `exit code; stderr: ${r.err}`);
    for (const p of patterns) assert.match(r.err, p);
    assert.equal(r.out, "");
  } finally {
    await Deno.remove(r.dir, { recursive: true });
  }
}

Deno.test("the command prints the COCO table and PQ and writes report.md, metrics.json and the charts", async () => {
  const r = await run((f, dir) => [
    "--gt",
    f.gt,
    "--results",
    f.jsonl,
    "--panoptic-gt",
    f.panoptic,
    "--out",
    `${dir}/report`,
    "--title",
    "Synthetic run",
    "--svg",
  ]);
  try {
    assert.equal(r.code, 0, r.err);
    const ap = evaluateCoco(groundTruth(), cocoResults(), "bbox").stats[0];
    assert.match(
      r.out,
      new RegExp(`\\| AP {5}\\| IoU=0\\.50:0\\.95 area=all maxDets=100 +\\| ${ap.toFixed(3)} \\|`),
    );
    assert.match(r.out, /Panoptic quality \(4 images\)/);
    assert.match(r.out, /Latency per stage, ms \(4 frames\)/);
    assert.match(r.out, /charts written as SVG, not PNG: SVG asked for/);
    const names = [...Deno.readDirSync(`${r.dir}/report`)].map((e) => e.name).sort();
    assert.deepEqual(names, [
      "ap_by_size.svg",
      "ap_per_class.svg",
      "latency.svg",
      "metrics.json",
      "pq_per_class.svg",
      "pr_bbox.svg",
      "pr_segm.svg",
      "report.md",
    ]);
    assert.match(await Deno.readTextFile(`${r.dir}/report/report.md`), /^# Synthetic run$/m);
  } finally {
    await Deno.remove(r.dir, { recursive: true });
  }
});

Deno.test("results for images the ground truth lacks exit 1, naming the file, the frames and the ids expected", async () => {
  await expectFailure(
    1,
    async (f, dir) => {
      const shifted = jsonLines().replaceAll(
        /"frame":(\d+)/g,
        (_, n) => `"frame":${Number(n) + 3}`,
      );
      await Deno.writeTextFile(`${dir}/late.jsonl`, shifted);
      return ["--gt", f.gt, "--results", `${dir}/late.jsonl`, "--out", `${dir}/out`];
    },
    /late\.jsonl: results for image ids not in .*instances\.json: 5, 6, 7 \(frames 4, 5, 6; image id = frame \+ 1\); expected ids of its 4 images \(1\.\.4\)/,
  );
});

Deno.test("results of categories the ground truth lacks exit 1, listing the categories expected", async () => {
  await expectFailure(
    1,
    async (f, dir) => {
      const results = cocoResults().map((r, i) => (i === 0 ? { ...r, category_id: 9 } : r));
      await Deno.writeTextFile(`${dir}/r.json`, JSON.stringify(results));
      return ["--gt", f.gt, "--results", `${dir}/r.json`];
    },
    /r\.json: results of category ids not in .*instances\.json: 9; expected one of 1 \(car\), 2 \(person\), 3 \(sky\), 4 \(road\)/,
  );
});

Deno.test("a missing file, invalid JSON or a malformed line exits 1 with the file (and line) named", async () => {
  await expectFailure(
    1,
    (f, dir) => ["--gt", `${dir}/nope.json`, "--results", f.coco],
    /nope\.json: cannot read it \(no such file\); expected a COCO ground truth/,
  );
  await expectFailure(1, async (f, dir) => {
    await Deno.writeTextFile(
      `${dir}/bad.jsonl`,
      jsonLines().split("\n").slice(0, 2).join("\n") + "\n{oops\n",
    );
    return ["--gt", f.gt, "--results", `${dir}/bad.jsonl`];
  }, /bad\.jsonl:3: not valid JSON/);
  await expectFailure(1, async (f, dir) => {
    const results = cocoResults();
    (results[2] as Record<string, unknown>).bbox = [1, 2, 3];
    await Deno.writeTextFile(`${dir}/r.json`, JSON.stringify(results));
    return ["--gt", f.gt, "--results", `${dir}/r.json`];
  }, /r\.json: \[2\]\.bbox: expected \[x, y, w, h\] \(4 finite numbers\), found \[1,2,3\]/);
  await expectFailure(
    1,
    (f) => ["--gt", f.gt, "--results", f.gt],
    /instances\.json: expected a COCO results JSON array .* found a JSON object with keys images, categories, annotations \(a ground truth\? --results wants detections\)/,
  );
  await expectFailure(
    1,
    (f) => ["--gt", f.coco, "--results", f.coco],
    /results\.json: expected a COCO ground truth/,
  );
});

Deno.test("JSON Lines of two streams exit 1 asking for --stream, which picks one", async () => {
  const write = async (dir: string) => {
    await Deno.writeTextFile(`${dir}/two.jsonl`, jsonLines() + jsonLines({ streamId: "other" }));
    return `${dir}/two.jsonl`;
  };
  await expectFailure(
    1,
    async (f, dir) => ["--gt", f.gt, "--results", await write(dir)],
    /two\.jsonl: holds results of 2 streams \("cam", "other"\); .*choose one with --stream/,
  );
  const r = await run(async (
    f,
    dir,
  ) => [
    "--gt",
    f.gt,
    "--results",
    await write(dir),
    "--stream",
    "other",
    "--out",
    `${dir}/out`,
    "--svg",
  ]);
  try {
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /stream "other", 4 frames/);
  } finally {
    await Deno.remove(r.dir, { recursive: true });
  }
});

Deno.test("--panoptic-gt with COCO results JSON exits 1: only JSON Lines carry panoptic segments", async () => {
  await expectFailure(
    1,
    (f) => ["--gt", f.gt, "--results", f.coco, "--panoptic-gt", f.panoptic],
    /--panoptic-gt .*panoptic\.json needs JSON Lines results with panoptic segments; .*results\.json is COCO results JSON/,
  );
});

Deno.test("bad flags exit 2 with the usage", async () => {
  await expectFailure(2, (f) => ["--gt", f.gt], /missing --results FILE/, /usage: deno task eval/);
  await expectFailure(
    2,
    (f) => ["--gt", f.gt, "--results", f.coco, "--frobnicate"],
    /Unknown option '--frobnicate'/,
    /usage: deno task eval/,
  );
  await expectFailure(
    2,
    (f) => ["--gt", f.gt, "--results", f.coco, "extra"],
    /usage: deno task eval/,
  );
});

Deno.test("the eval task's own permissions are enough to write the report, PNG charts included when chromium is there", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks;
  const argv: string[] = tasks.eval.command.split(" ");
  assert.deepEqual(argv.slice(0, 2), ["deno", "run"]);
  const dir = await Deno.makeTempDir();
  try {
    const f = await writeDataset(dir);
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        ...argv.slice(1),
        "--gt",
        f.gt,
        "--results",
        f.jsonl,
        "--out",
        `${dir}/report`,
        ...(HAVE_CHROMIUM ? [] : ["--svg"]),
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, text);
    if (HAVE_CHROMIUM) {
      const png = await Deno.readFile(`${dir}/report/latency.png`);
      assert.ok(pngSize(png).width > 1000, text);
      assert.doesNotMatch(text, /SVG, not PNG/);
    }
    const bad = await new Deno.Command(Deno.execPath(), {
      args: [...argv.slice(1), "--results", f.jsonl],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(bad.code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
