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
import {
  cocoResults,
  groundTruth,
  jsonLines,
  panopticGroundTruth,
  writeDataset,
} from "./_synthetic.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

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
  await expectFailure(
    1,
    async (f, dir) => {
      const results = cocoResults();
      (results[2] as Record<string, unknown>).bbox = [1, 2, 3];
      await Deno.writeTextFile(`${dir}/r.json`, JSON.stringify(results));
      return ["--gt", f.gt, "--results", `${dir}/r.json`];
    },
    /r\.json: \[2\]\.bbox: expected a box \[x, y, w, h\] of 4 finite numbers, found an array of 3 items/,
  );
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

Deno.test("a field of an input file that does not fit its format exits 1 with the file (and line), the field, the expected and the found", async () => {
  await expectFailure(1, async (f, dir) => {
    const gt = groundTruth();
    delete (gt.annotations[3] as Record<string, unknown>).area;
    await Deno.writeTextFile(`${dir}/gt.json`, JSON.stringify(gt));
    return ["--gt", `${dir}/gt.json`, "--results", f.coco];
  }, /error: .*gt\.json: annotations\[3\]\.area: expected a number, found nothing$/);
  await expectFailure(1, async (f, dir) => {
    const lines = jsonLines().trimEnd().split("\n");
    const m = JSON.parse(lines[1]);
    m.detections[1].score = "high";
    lines[1] = JSON.stringify(m);
    await Deno.writeTextFile(`${dir}/run.jsonl`, lines.join("\n"));
    return ["--gt", f.gt, "--results", `${dir}/run.jsonl`];
  }, /error: .*run\.jsonl:2: detections\[1\]\.score: expected a number, found the string "high"$/);
  await expectFailure(1, async (f, dir) => {
    const lines = jsonLines().trimEnd().split("\n");
    lines[2] = lines[2].replace('"v":3', '"v":4');
    await Deno.writeTextFile(`${dir}/run.jsonl`, lines.join("\n"));
    return ["--gt", f.gt, "--results", `${dir}/run.jsonl`];
  }, /error: .*run\.jsonl:3: v: expected one of 1, 2, 3, found the number 4$/);
  await expectFailure(
    1,
    async (f, dir) => {
      const lines = jsonLines().trimEnd().split("\n");
      const m = JSON.parse(lines[0]);
      m.detections[0].mask.size = [60, 80];
      lines[0] = JSON.stringify(m);
      await Deno.writeTextFile(`${dir}/run.jsonl`, lines.join("\n"));
      return ["--gt", f.gt, "--results", `${dir}/run.jsonl`];
    },
    /error: .*run\.jsonl:1: detections\[0\]\.mask\.size: expected the frame's size \[120, 160\], found \[60, 80\]$/,
  );
  await expectFailure(
    1,
    async (f, dir) => {
      const pan = panopticGroundTruth();
      (pan.annotations[2].segments_info[0] as Record<string, unknown>).category_id = "car";
      await Deno.writeTextFile(`${dir}/pan.json`, JSON.stringify(pan));
      return ["--gt", f.gt, "--results", f.jsonl, "--panoptic-gt", `${dir}/pan.json`];
    },
    /error: .*pan\.json: annotations\[2\]\.segments_info\[0\]\.category_id: expected an integer, found the string "car"$/,
  );
});

Deno.test("JSON Lines of versions 1 and 2 give the same report as the version 3 they upgrade to", async () => {
  const outputs: string[] = [];
  for (const text of [jsonLines({ version: 1 }), jsonLines({ version: 2 }), jsonLines()]) {
    const r = await run(async (f, dir) => {
      await Deno.writeTextFile(`${dir}/run.jsonl`, text);
      return [
        "--gt",
        f.gt,
        "--results",
        `${dir}/run.jsonl`,
        "--panoptic-gt",
        f.panoptic,
        "--out",
        `${dir}/out`,
        "--svg",
      ];
    });
    try {
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /Panoptic quality \(4 images\)/);
      outputs.push(r.out.replaceAll(r.dir, "DIR").replace(/report: .*[\s\S]*/, ""));
    } finally {
      await Deno.remove(r.dir, { recursive: true });
    }
  }
  assert.equal(outputs[0], outputs[2]);
  assert.equal(outputs[1], outputs[2]);
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

Deno.test("the eval task's own permissions are enough to write the report with PNG figures; without --allow-ffi they are SVG, and the report says why", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks;
  const argv: string[] = tasks.eval.command.split(" ");
  assert.deepEqual(argv.slice(0, 2), ["deno", "run"]);
  assert.ok(argv.includes("--allow-ffi"), tasks.eval.command);
  const dir = await Deno.makeTempDir();
  const evalTask = (args: string[], flags = argv.slice(1)) =>
    new Deno.Command(Deno.execPath(), {
      args: [...flags, ...args],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
  const text = (output: Deno.CommandOutput) =>
    new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  try {
    const f = await writeDataset(dir);
    const args = (out: string) => ["--gt", f.gt, "--results", f.jsonl, "--out", `${dir}/${out}`];
    const png = await evalTask(args("report"));
    assert.equal(png.code, 0, text(png));
    assert.ok(pngSize(await Deno.readFile(`${dir}/report/latency.png`)).width > 1000, text(png));
    assert.doesNotMatch(text(png), /SVG, not PNG/);
    // The renderer cannot load without --allow-ffi: the same report, with SVG figures.
    const svg = await evalTask(args("svg"), argv.slice(1).filter((a) => a !== "--allow-ffi"));
    assert.equal(svg.code, 0, text(svg));
    const reason = /charts written as SVG, not PNG: no PNG renderer: .*needs --allow-ffi/;
    assert.match(text(svg), reason);
    assert.match(
      await Deno.readTextFile(`${dir}/svg/report.md`),
      /> Figures are SVG files, not PNG: no PNG renderer: @resvg\/resvg-js .*--allow-ffi\./,
    );
    assert.ok((await Deno.readTextFile(`${dir}/svg/latency.svg`)).includes("<svg"));
    const bad = await evalTask(["--results", f.jsonl]);
    assert.equal(bad.code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
