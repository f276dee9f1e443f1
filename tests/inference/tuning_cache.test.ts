/**
 * The engine's measurements kept on disk: read back under the same key within a week,
 * not after, not under another graph or candidates, and a cache that cannot be read or
 * written only costs a new measurement.
 */

import assert from "node:assert/strict";
import {
  readTuning,
  TUNING_TTL_MS,
  tuningKey,
  writeTuning,
} from "../../src/inference/tuning_cache.ts";
import { tuneEngine } from "../../src/inference/engine_tuning.ts";
import { readManifest } from "../../src/inference/load_model.ts";
import type { SettingMeasurement } from "../../src/inference/engine_measure.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FASTER = `${ROOT}models/street-fasterrcnn/manifest.json`;

const measured: SettingMeasurement[] = [{
  setting: { sessions: 1, threads: 2, batch: 1, arena: true, optimization: "all" },
  framesPerSecond: 25,
  runMs: 40,
  frames: 25,
}];

Deno.test("measurements written under a key are read back within a week and not after", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/sub/tuning.json`;
    await writeTuning(path, "k", measured, 1_000);
    assert.deepEqual(await readTuning(path, "k", 1_000 + TUNING_TTL_MS), measured);
    assert.equal(await readTuning(path, "k", 1_001 + TUNING_TTL_MS), undefined, "expired");
    assert.equal(await readTuning(path, "other", 1_000), undefined, "another key");
    // A new entry drops the expired ones.
    await writeTuning(path, "k2", measured, 2_000 + TUNING_TTL_MS);
    const entries = JSON.parse(await Deno.readTextFile(path));
    assert.deepEqual(Object.keys(entries), ["k2"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a cache file that is not ours, or cannot be written, is skipped without an error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/broken.json`, "not json");
    assert.equal(await readTuning(`${dir}/broken.json`, "k"), undefined);
    await Deno.writeTextFile(`${dir}/file`, "");
    await writeTuning(`${dir}/file/tuning.json`, "k", measured); // a file where a folder must be
    assert.equal(await readTuning(`${dir}/file/tuning.json`, "k"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the key changes with the graph's modification and with what was measured", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const graph = `${dir}/model.onnx`;
    await Deno.writeTextFile(graph, "x".repeat(32));
    const a = await tuningKey(graph, [1]);
    assert.ok(a);
    assert.notEqual(await tuningKey(graph, [2]), a);
    await Deno.utime(graph, 1, 1);
    assert.notEqual(await tuningKey(graph, [1]), a);
    assert.equal(await tuningKey(`${dir}/missing.onnx`, [1]), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a second tuning of the same model reads the first one's measurements from the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const manifest = await readManifest(FASTER);
    const options = {
      sessions: 1,
      maxBatch: "auto" as const,
      durationMs: 80,
      cache: false,
      diskCache: `${dir}/tuning.json`,
    };
    const first = await tuneEngine(FASTER, manifest, options);
    assert.equal(first.length, 4, "batch 1, 2, 4 and the spinning single session");
    const t0 = performance.now();
    const second = await tuneEngine(FASTER, manifest, options);
    assert.deepEqual(second, first);
    assert.ok(performance.now() - t0 < 500, "read, not measured");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
