/**
 * The benchmarks' CPU sampler (bench/cpu_budget.ts): one child shell reads /proc for the
 * whole run, and what it reports is where the CPU went.
 */

import assert from "node:assert/strict";
import { CpuSampler } from "../../bench/cpu_budget.ts";

const linux = Deno.build.os === "linux";

Deno.test({
  name: "the CPU sampler counts a second of busy JavaScript as the JS thread's CPU",
  ignore: !linux,
  async fn() {
    const sampler = new CpuSampler(50);
    await sampler.start();
    const t0 = performance.now();
    let x = 0;
    while (performance.now() - t0 < 1000) x += Math.sqrt(x + 1);
    const budget = await sampler.stop();
    assert.ok(x > 0);
    // `deno run` runs JS on the thread named "deno" (main); `deno test` on a tokio thread.
    const js = budget.main + budget.io;
    assert.ok(js >= 700 && js <= 1300, `main thread ${js} ms: ${JSON.stringify(budget)}`);
    assert.ok(budget.ort === 0 && budget.decode === 0, JSON.stringify(budget));
    assert.deepEqual(await sampler.stop(), budget, "a second stop() returns the same budget");
  },
});

Deno.test({
  name: "the CPU sampler counts a child process that ended before stop() as decoding",
  ignore: !linux,
  async fn() {
    const sampler = new CpuSampler(50);
    await sampler.start();
    // A child that burns CPU in the shell itself (no grandchildren), then ends: its last
    // seen counter is kept.
    const child = new Deno.Command("sh", {
      args: ["-c", "i=0; while [ $i -lt 400000 ]; do i=$((i + 1)); done"],
      stdout: "null",
    }).spawn();
    await child.status;
    await new Promise((r) => setTimeout(r, 200));
    const budget = await sampler.stop();
    assert.ok(budget.decode >= 100, `decode ${budget.decode} ms`);
  },
});
