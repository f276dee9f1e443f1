import assert from "node:assert/strict";
import { loadPipelineConfig } from "../../src/pipeline/load_config.ts";

Deno.test("every example config in pipelines/ loads and checks", async () => {
  const names: string[] = [];
  for await (const entry of Deno.readDir(new URL("../../pipelines/", import.meta.url))) {
    if (entry.name.endsWith(".json")) names.push(entry.name);
  }
  assert.ok(names.length >= 4, `found ${names.join(", ")}`);
  for (const name of names) {
    const config = await loadPipelineConfig(
      new URL(`../../pipelines/${name}`, import.meta.url).pathname,
    );
    assert.ok(config.streams.length > 0, name);
    for (const m of config.models) await Deno.stat(m.manifest);
  }
});
