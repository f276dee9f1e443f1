/**
 * `detect --track` and `eval --mot-gt` as users run them: the real command lines on the
 * demo's first frames with the shipped Faster R-CNN, ByteTrack, a line and a zone.
 */

import assert from "node:assert/strict";
import { parseMotText } from "../../src/eval/mot_text.ts";
import { main as evalMain } from "../../src/eval_cli.ts";
import { runFfmpeg } from "../_helpers/media.ts";
import { CLI, CLI_FLAGS, DEMO_VIDEO, FASTERRCNN, ROOT } from "../_helpers/server.ts";

const MODEL = FASTERRCNN.replace(/\/manifest\.json$/, "");
const FRAMES = 45;
const GT = `${ROOT}models/demo/gt/gt.txt`;

async function detect(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...CLI_FLAGS, CLI, "detect", "--model", MODEL, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

async function evaluate(args: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await evalMain(args, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("detect --track writes track ids, events, MOTChallenge tracks and the input's counts, and eval --mot-gt scores them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await runFfmpeg([
      "-i",
      DEMO_VIDEO,
      "-frames:v",
      String(FRAMES),
      "-c:v",
      "mpeg4",
      "-q:v",
      "2",
      `${dir}/street.mp4`,
    ]);
    const analytics = {
      lines: [{ name: "middle", points: [[320, 0], [320, 360]] }],
      zones: [{ name: "left", points: [[0, 0], [320, 0], [320, 360], [0, 360]] }],
    };
    await Deno.writeTextFile(`${dir}/analytics.json`, JSON.stringify(analytics));
    const r = await detect([
      `${dir}/street.mp4`,
      "--out",
      `${dir}/out`,
      "--analytics",
      `${dir}/analytics.json`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /street\.mot\.txt, .*street\.counts\.json/);

    // JSON Lines: results with track ids, each frame's events after its result.
    const messages = (await Deno.readTextFile(`${dir}/out/street.jsonl`)).trimEnd().split("\n")
      .map((l) => JSON.parse(l));
    const results = messages.filter((m) => m.type === "result");
    assert.equal(results.length, FRAMES);
    assert.ok(results.every((m) => m.v === 3));
    let last = -1;
    for (const m of messages) {
      if (m.type === "result") last = m.frame;
      else assert.equal(m.frame, last, `${m.type} event of frame ${m.frame} after result ${last}`);
    }
    const started = messages.filter((m) => m.type === "track" && m.event === "started");
    assert.ok(started.length > 0);

    // MOTChallenge tracks: one row per tracked detection, frame = index + 1.
    const mot = parseMotText(await Deno.readTextFile(`${dir}/out/street.mot.txt`), "mot", {
      keepIgnored: true,
    });
    const tracked = results.flatMap((m) =>
      m.detections.filter((d: { trackId?: number }) => d.trackId).map((
        d: { trackId: number },
      ) => [m.frame + 1, d.trackId])
    );
    assert.deepEqual(
      mot.flatMap((f) => [...f.ids].map((id) => [f.frame, id])).sort((a, b) =>
        a[0] - b[0] || a[1] - b[1]
      ),
      tracked.sort((a, b) => a[0] - b[0] || a[1] - b[1]),
    );

    // The input's counts: the last counts, what the events add up to.
    const counts = JSON.parse(await Deno.readTextFile(`${dir}/out/street.counts.json`));
    assert.equal(counts.frames, FRAMES);
    assert.equal(counts.counts.tracks, started.length);
    const crossings = messages.filter((m) => m.type === "line");
    assert.equal(
      counts.counts.lines[0].totalIn + counts.counts.lines[0].totalOut,
      crossings.length,
    );
    assert.deepEqual(counts.lines[0].points, analytics.lines[0].points);

    // eval --mot-gt: the demo's identities, on the frames the run covers.
    const e = await evaluate([
      "--gt",
      `${ROOT}models/demo/instances.json`,
      "--results",
      `${dir}/out/street.jsonl`,
      "--mot-gt",
      GT,
      "--out",
      `${dir}/report`,
      "--svg",
    ]);
    assert.equal(e.code, 0, e.err);
    assert.match(
      e.out,
      new RegExp(`Tracking \\(${FRAMES} frames, \\d+ true ids, \\d+ track ids\\)`),
    );
    const metrics = JSON.parse(await Deno.readTextFile(`${dir}/report/metrics.json`));
    assert.ok(metrics.tracking.hota > 0.5, `HOTA ${metrics.tracking.hota}`);
    assert.equal(metrics.tracking.hotaAlpha.length, 19);
    assert.ok(await Deno.stat(`${dir}/report/hota_alpha.svg`));
    assert.match(
      await Deno.readTextFile(`${dir}/report/report.md`),
      /!\[HOTA at each α\]\(hota_alpha\.svg\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detect --analytics with a bad zone fails before any input, naming the file and the field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/a.json`,
      JSON.stringify({ zones: [{ name: "z", points: [[0, 0], [1, 1]] }] }),
    );
    const r = await detect([DEMO_VIDEO, "--out", `${dir}/out`, "--analytics", `${dir}/a.json`]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `${dir}/a\\.json: zones\\[0\\]\\.points: expected at least 3 points, found an array of 2 items`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("eval --mot-gt with results of an untracked run exits 1 and says how to track", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const message = {
      v: 3,
      type: "result",
      streamId: "cam",
      model: "m",
      frame: 0,
      ptsMs: 0,
      width: 640,
      height: 360,
      detections: [{ box: [10, 5, 30, 25], classId: 1, label: "car", score: 0.9 }],
      latency: {
        decode: 0,
        wait: 0,
        batch: 0,
        preprocess: 0,
        session: 0,
        inference: 1,
        postprocess: 0,
        fusion: 0,
        publish: 0,
        totalMs: 1,
      },
      capturedAt: 0,
      publishedAt: 1,
      batchSize: 1,
    };
    await Deno.writeTextFile(`${dir}/r.jsonl`, JSON.stringify(message) + "\n");
    const e = await evaluate([
      "--gt",
      `${ROOT}models/demo/instances.json`,
      "--results",
      `${dir}/r.jsonl`,
      "--mot-gt",
      GT,
      "--out",
      `${dir}/report`,
    ]);
    assert.equal(e.code, 1);
    assert.match(
      e.err,
      /--mot-gt .*gt\.txt needs JSON Lines results of a tracked stream .*detect --track/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
