import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors.ts";
import { resolvePipelineConfig, resolveStreamConfig } from "../../src/pipeline/config.ts";
import { loadPipelineConfig } from "../../src/pipeline/load_config.ts";

const origin = { name: "p.json", baseDir: "/srv/pipelines" };
const models = { m: { manifest: "m/manifest.json" } };

Deno.test("resolvePipelineConfig() fills every default and resolves paths against the file's folder", () => {
  const c = resolvePipelineConfig(
    { models, streams: [{ id: "a", source: "clips/a.mp4" }] },
    origin,
  );
  assert.deepEqual(c.models[0], {
    id: "m",
    manifest: "/srv/pipelines/m/manifest.json",
    providers: ["cpu"],
    sessions: 1,
    maxBatch: 4,
    maxWaitMs: 10,
    postprocess: {},
  });
  assert.equal(c.streams[0].source, "/srv/pipelines/clips/a.mp4");
  assert.deepEqual(c.roots, ["/srv/pipelines"]);
  assert.equal(c.server.port, 8080);
  assert.deepEqual(c.sinks, []);
});

Deno.test("resolvePipelineConfig() names the field of every bad value", () => {
  const cases: [unknown, RegExp][] = [
    [[], /p\.json: expected an object, found an array/],
    [{ models, streams: [], extra: 1 }, /p\.json: unknown field "extra"/],
    [{ models: {}, streams: [] }, /models: expected at least one model/],
    [{ models: { m: {} } }, /models\.m\.manifest: expected a non-empty string/],
    [
      { models: { m: { manifest: "x", providers: ["gpu"] } } },
      /providers\[0\]: expected one of "cpu"/,
    ],
    [
      { models: { m: { manifest: "x", postprocess: { nms: "fast" } } } },
      /postprocess\.nms: expected one of/,
    ],
    [
      { models: { m: { manifest: "x", postprocess: { iouThreshold: 2 } } } },
      /iouThreshold: expected a number in \[0, 1\]/,
    ],
    [{ models, streams: {} }, /streams: expected an array/],
    [{ models, streams: [{ id: "a" }] }, /streams\[0\]\.source: expected a non-empty string/],
    [
      { models, streams: [{ id: "a", source: "x", policy: "fast" }] },
      /streams\[0\]\.policy: expected one of "lossless"/,
    ],
    [
      { models, streams: [{ id: "a", source: "x" }, { id: "a", source: "y" }] },
      /streams\[1\]\.id: "a" is used twice/,
    ],
    [{ models, server: { port: "80" } }, /server\.port: expected an integer/],
    [{ models, sinks: [{ type: "csv", path: "x" }] }, /sinks\[0\]\.type: expected one of "jsonl"/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => resolvePipelineConfig(input, origin), (e: Error) => {
      assert.ok(e instanceof ConfigError, `${e}`);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("resolveStreamConfig() needs a model when there are several", () => {
  const two = [{ id: "a" }, { id: "b" }];
  assert.throws(
    () => resolveStreamConfig({ id: "s", source: "x.mp4" }, two, origin),
    /model: expected one of "a", "b", found nothing/,
  );
  assert.equal(
    resolveStreamConfig({ id: "s", source: "x.mp4", model: "b" }, two, origin).model,
    "b",
  );
  assert.equal(
    resolveStreamConfig({ id: "s", source: "rtsp://h/x" }, [{ id: "a" }], origin).source,
    "rtsp://h/x",
  );
});

Deno.test("loadPipelineConfig() reads a TypeScript config's default export", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/p.ts`,
      `export default { models: { m: { manifest: "m.json" } }, streams: [{ id: "a", source: "lavfi:testsrc2" }] };`,
    );
    const config = await loadPipelineConfig(`${dir}/p.ts`);
    assert.equal(config.models[0].manifest, `${dir}/m.json`);
    await Deno.writeTextFile(`${dir}/q.ts`, `export const x = 1;`);
    await assert.rejects(loadPipelineConfig(`${dir}/q.ts`), /expected a default export/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
