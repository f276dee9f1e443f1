/**
 * The benchmarks refuse bad arguments before measuring anything: `deno task bench --only`
 * with a name it does not know, and a pipeline benchmark of fewer than two rounds (the
 * first round only samples the CPU budget).
 */

import assert from "node:assert/strict";
import { pipelineBench } from "../../bench/pipeline_bench.ts";

const MAIN = new URL("../../bench/main.ts", import.meta.url).pathname;

Deno.test("bench --only with an unknown name exits 2 and lists the names it knows, before running any benchmark", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--only", "pipeline,pipelines"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 2, err);
  assert.match(err, /bench: --only: expected names among nms, mask, .*pipeline.*, found pipelines/);
  assert.equal(new TextDecoder().decode(stdout), "", "nothing was measured");
});

Deno.test("pipelineBench refuses fewer than two rounds: the first only samples the CPU budget", async () => {
  await assert.rejects(
    () => pipelineBench({ rounds: 1 }),
    (e: unknown) =>
      e instanceof RangeError &&
      e.message === "pipelineBench: rounds: expected 2 or more, found 1",
  );
});
