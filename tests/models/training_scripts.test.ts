/**
 * The training and export scripts fail with a clear message, before any heavy import, on
 * a missing torch, a bad output path and an unknown architecture. Runs with any python3
 * (`-S` hides site packages, so torch is missing even where Debian's is installed);
 * skipped on a machine without python3.
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
