/**
 * The training and export scripts fail with a clear message, before any heavy import, on
 * a missing torch, a bad output path and an unknown architecture. Runs with any python3
 * (`-S` hides site packages, so torch is missing even where Debian's is installed);
 * skipped on a machine without python3. The exporter's own tests (COCO names whatever the
 * weights, a check that says what it compared) need torch, torchvision and onnx (Debian's
 * python3-torch python3-torchvision python3-onnx) and are skipped without them: CI has
 * none.
 */

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

async function hasPython(): Promise<boolean> {
  try {
    return (await new Deno.Command("python3", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output())
      .success;
  } catch {
    return false;
  }
}

const python = await hasPython();

async function run(script: string, args: string[]): Promise<{ code: number; stderr: string }> {
  const { code, stderr } = await new Deno.Command("python3", {
    args: ["-S", `${ROOT}${script}`, ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

/** Runs a bash script of the repository; its exit code, stdout and stderr. */
async function bash(
  script: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command("bash", {
    args: [`${ROOT}${script}`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

const scripts: [string, string[], string][] = [
  ["models/training/train.py", ["--out", "/tmp/streamdet-test/ck.pt"], "maskrcnn"],
  [
    "models/training/export.py",
    ["--checkpoint", "x.pt", "--out", "/tmp/streamdet-test/m"],
    "maskrcnn",
  ],
  ["models/export_torchvision.py", ["--out", "/tmp/streamdet-test/m"], "maskrcnn_resnet50_fpn"],
];

for (const [script, base, arch] of scripts) {
  const name = script.split("/").pop();
  Deno.test({
    name: `${name} names the unknown architecture, the bad output folder and the missing torch`,
    ignore: !python,
    fn: async () => {
      let r = await run(script, [...base, "--arch", "yolo"]);
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        new RegExp(`${name}: --arch: expected one of .*${arch}.*, found 'yolo'`),
      );

      const bad = base.map((a) => a.startsWith("/tmp/") ? "/proc/streamdet/nope/x" : a);
      r = await run(script, [...bad, "--arch", arch]);
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        new RegExp(`${name}: --out: cannot create folder '/proc/streamdet/nope`),
      );

      r = await run(script, [...base, "--arch", arch]);
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        new RegExp(`${name}: expected torch and torchvision in .*, found none`),
      );
      assert.match(r.stderr, /install_deps\.sh/);
      assert.doesNotMatch(r.stderr, /Traceback/);
      await Deno.remove("/tmp/streamdet-test", { recursive: true }).catch(() => {});
    },
  });
}

/** A python3 with torch, torchvision and onnx (Debian's, as models/README.md says), or
 * undefined: the export tests below are then skipped (CI installs no torch). */
async function torchPython(): Promise<string | undefined> {
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    try {
      const { success } = await new Deno.Command(candidate, {
        args: ["-c", "import torch, torchvision, onnx"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (success) return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

const torch = python ? await torchPython() : undefined;

async function python3(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(torch!, { args, stdout: "piped", stderr: "piped" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test({
  name:
    "export_torchvision.py writes COCO's category names with random weights and says its check compared no boxes",
  ignore: torch === undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      // The smallest torchvision detector at a tiny input: about 10 s on 2 cores.
      const r = await python3([
        `${ROOT}models/export_torchvision.py`,
        ...["--arch", "fasterrcnn_mobilenet_v3_large_320_fpn", "--weights", "none"],
        // Threshold 0: random weights score low, and at 0.05 the check has no candidate.
        ...["--size", "128x128", "--verify", "1", "--score-thresh", "0", "--out", dir],
      ]);
      assert.equal(r.code, 0, r.stderr);
      const check = r.stdout.split("\n").find((l) => l.startsWith("raw graph == torchvision"));
      assert.ok(check, r.stdout);
      assert.match(check, /\d+ candidates on 1 random image: same count per image/);
      assert.match(check, /max \|Δscore\| \d\.\d\de[-+]\d+ \(sorted\)/);
      assert.match(check, /boxes not compared/);
      assert.doesNotMatch(check, /Δbox/);
      const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
      const classes = manifest.classes as { id: number; name: string }[];
      assert.equal(classes.length, 80, "COCO's 80 categories, the N/A gaps left out");
      const byId = new Map(classes.map((c) => [c.id, c.name]));
      assert.deepEqual(
        [1, 3, 13, 90].map((id) => byId.get(id)),
        ["person", "car", "stop sign", "toothbrush"],
        "torchvision's labels are COCO's category ids",
      );
      assert.ok(!byId.has(12) && !byId.has(0), "no N/A gap, no background");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "export_torchvision.py names COCO's categories for every architecture, and class1... only for another class count",
  ignore: torch === undefined,
  fn: async () => {
    const r = await python3([
      "-c",
      [
        "import json, sys",
        `sys.path.insert(0, ${JSON.stringify(`${ROOT}models`)})`,
        "import export_torchvision as e",
        "names = {a: e.category_names(a, 'none', 91) for a in e.ARCHITECTURES}",
        "other = [c['name'] for c in e.manifest_classes(e.category_names('maskrcnn_resnet50_fpn', 'none', 3), 3)]",
        "print(json.dumps({'names': names, 'other': other}))",
      ].join("\n"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const { names, other } = JSON.parse(r.stdout) as {
      names: Record<string, string[]>;
      other: string[];
    };
    assert.equal(Object.keys(names).length, 6);
    for (const [arch, list] of Object.entries(names)) {
      assert.equal(list.length, 91, arch);
      assert.deepEqual([list[0], list[1], list[12], list[90]], [
        "__background__",
        "person",
        "N/A",
        "toothbrush",
      ], arch);
    }
    assert.deepEqual(other, ["class1", "class2"]);
  },
});

Deno.test({
  name:
    "the keypoint scripts refuse a keypoint weight, candidate IoU or proposal count out of range, before importing torch",
  ignore: !python,
  fn: async () => {
    const cases: [string, string[], RegExp][] = [
      [
        "models/training/keypoint_train.py",
        ["--out", "/tmp/streamdet-test/k.pt", "--keypoint-weight", "0"],
        /keypoint_train\.py: --keypoint-weight: expected a positive factor, found 0\.0/,
      ],
      [
        "models/training/keypoint_train.py",
        ["--out", "/tmp/streamdet-test/k.pt", "--head", "integral", "--sigma", "2"],
        /keypoint_train\.py: --sigma: expected none with --head integral, found 2\.0/,
      ],
      [
        "models/training/keypoint_export.py",
        ["--checkpoint", "x.pt", "--out", "/tmp/streamdet-test/k", "--candidate-nms", "1.5"],
        /keypoint_export\.py: --candidate-nms: expected an IoU in \(0, 1\], found 1\.5/,
      ],
      [
        "models/training/keypoint_export.py",
        ["--checkpoint", "x.pt", "--out", "/tmp/streamdet-test/k", "--proposals", "0"],
        /keypoint_export\.py: --proposals: expected 1 or more, found 0/,
      ],
    ];
    for (const [script, args, message] of cases) {
      const r = await run(script, args);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /Traceback|torch/);
    }
    await Deno.remove("/tmp/streamdet-test", { recursive: true }).catch(() => {});
  },
});

Deno.test({
  name:
    "make_pose_training_set.py refuses a pose mix that is not four shares summing to 1, a people range that is not lo-hi, a near share outside [0, 1], and seeds among the demo's, before importing numpy",
  ignore: !python,
  fn: async () => {
    const cases: [string[], RegExp][] = [
      [
        ["--pose-mix", "0.5,0.5"],
        /--pose-mix: expected four shares \(walk, stand, wave, reach\) >= 0 that sum to 1, found '0\.5,0\.5'/,
      ],
      [["--pose-mix", "0.5,0.5,0.5,-0.5"], /--pose-mix: expected four shares/],
      [["--people", "12"], /--people: expected lo-hi with 1 <= lo <= hi, found '12'/],
      [["--people", "30-20"], /--people: expected lo-hi .* found '30-20'/],
      [["--seed-base", "39"], /--seed-base: expected 200000 or more .*, found 39/],
      [["--near", "1.5"], /--near: expected a share in \[0, 1\], found 1\.5/],
    ];
    for (const [args, message] of cases) {
      const r = await run("models/training/make_pose_training_set.py", [
        "/tmp/streamdet-test/pose",
        ...args,
      ]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /Traceback|numpy/);
    }
    await Deno.remove("/tmp/streamdet-test", { recursive: true }).catch(() => {});
  },
});

Deno.test("make_keypoint_models.sh refuses a continued-minutes, mix-minutes or near-minutes that is not minutes, before installing or training anything", async () => {
  const out = await bash("models/training/make_keypoint_models.sh", [
    "60",
    "15",
    "6000",
    "100",
    "soon",
  ]);
  assert.equal(out.code, 2);
  assert.match(
    out.stderr,
    /make_keypoint_models\.sh: continued-minutes \(5th argument\): expected minutes or none, found soon/,
  );
  assert.equal(out.stdout, "", "nothing ran before the check");
  const mix = await bash("models/training/make_keypoint_models.sh", [
    "60",
    "15",
    "6000",
    "100",
    "190",
    "lots",
  ]);
  assert.equal(mix.code, 2);
  assert.match(
    mix.stderr,
    /make_keypoint_models\.sh: mix-minutes \(6th argument\): expected minutes or none, found lots/,
  );
  assert.equal(mix.stdout, "", "nothing ran before the check");
  const near = await bash("models/training/make_keypoint_models.sh", [
    "60",
    "15",
    "6000",
    "100",
    "190",
    "75",
    "later",
  ]);
  assert.equal(near.code, 2);
  assert.match(
    near.stderr,
    /make_keypoint_models\.sh: near-minutes \(7th argument\): expected minutes or none, found later/,
  );
  assert.equal(near.stdout, "", "nothing ran before the check");
});

Deno.test("keypoint_validation.sh refuses a missing model folder and an IoU outside [0, 1]", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["models/nope"],
      /keypoint_validation\.sh: model folder: expected models\/nope\/manifest\.json, found none/,
    ],
    [
      ["models/plaza-keypointrcnn", "1.5"],
      /keypoint_validation\.sh: IoU: expected a number in \[0, 1\], found 1\.5/,
    ],
  ];
  for (const [args, message] of cases) {
    const out = await bash("models/keypoint_validation.sh", args);
    assert.equal(out.code, 2);
    assert.match(out.stderr, message);
  }
});

Deno.test({
  name:
    "the integral keypoint head puts a keypoint at the centre of the heatmap cell that holds all the probability, and always inside the box",
  ignore: torch === undefined,
  fn: async () => {
    const code = `
import sys; sys.path.insert(0, "${ROOT}models/training")
import torch
from keypoint_model import IntegralPredictor
head = IntegralPredictor(4, 2).eval()
with torch.no_grad():
    head.kps_score_lowres.weight.zero_(); head.kps_score_lowres.bias.zero_()
    flat = head(torch.zeros(1, 4, 14, 14))
    logits = torch.full((1, 2, 28, 28), -1e4); logits[0, 0, 3, 20] = 0; logits[0, 1, 27, 0] = 0
    head.kps_score_lowres = torch.nn.Identity()  # the logits go in as they are
    peaked = head(logits)
print(" ".join(f"{v:.6f}" for v in flat.flatten().tolist() + peaked.flatten().tolist()))
`;
    const r = await python3(["-c", code]);
    assert.equal(r.code, 0, r.stderr);
    const v = r.stdout.trim().split(" ").map(Number);
    // A flat map: the box's centre.
    for (const x of v.slice(0, 4)) assert.ok(Math.abs(x - 0.5) < 1e-6, `${x}`);
    // All probability in column 20, row 3 / column 0, row 27: those cells' centres.
    const expected = [20.5 / 28, 3.5 / 28, 0.5 / 28, 27.5 / 28];
    v.slice(4).forEach((x, i) => assert.ok(Math.abs(x - expected[i]) < 1e-6, `${x}`));
  },
});
