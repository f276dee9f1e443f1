import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors.ts";
import { resolvePipelineConfig, resolveStreamConfig } from "../../src/pipeline/config.ts";
import { loadPipelineConfig } from "../../src/pipeline/load_config.ts";

const origin = { name: "p.json", baseDir: "/srv/pipelines" };
const models = { m: { manifest: "m/manifest.json" } };

/** Asserts that resolving `input` throws a ConfigError with exactly `message`. */
function assertConfigError(input: unknown, message: string) {
  assert.throws(() => resolvePipelineConfig(input, origin), (e: Error) => {
    assert.ok(e instanceof ConfigError, `${e}`);
    assert.equal(e.message, message);
    return true;
  });
}

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
    maxWaitMs: 10,
    arena: true,
    tuneMs: 600,
    postprocess: {},
  }, "maxBatch is left to the model: the largest batch its graph accepts, at most 4");
  assert.deepEqual(c.streams[0], {
    id: "a",
    source: "/srv/pipelines/clips/a.mp4",
    model: "m",
    queueSize: 1,
    loop: false,
    reconnect: {},
    stallTimeoutMs: 10_000,
  });
  assert.deepEqual(c.roots, ["/srv/pipelines"]);
  assert.deepEqual(c.server, {
    hostname: "127.0.0.1",
    port: 8080,
    maxClients: 1000,
    maxSubscriptions: 16,
    maxMessageBytes: 4096,
    clientQueue: 64,
    socketBufferBytes: 1 << 20,
    slowClientMs: 5000,
  });
  assert.deepEqual(c.sinks, []);
});

Deno.test("resolvePipelineConfig() keeps what is given and resolves roots, sinks and sources", () => {
  const c = resolvePipelineConfig({
    $schema: "../schemas/pipeline.schema.json",
    description: "a test",
    models: { m: { ...models.m, providers: ["cuda", "cpu"], postprocess: { panoptic: false } } },
    streams: [
      { id: "cam", source: "rtsp://h/x", reconnect: false, fps: 5, policy: "drop-latest" },
      { id: "dev", source: "/dev/video0", realtime: true, maxInFlight: 2 },
    ],
    sources: { roots: ["..", "/data"] },
    sinks: [{ type: "jsonl", path: "../out/r.jsonl", streams: ["cam"] }],
    server: { token: "t", port: 0 },
  }, origin);
  assert.deepEqual(c.models[0].providers, ["cuda", "cpu"]);
  assert.deepEqual(c.models[0].postprocess, { panoptic: false });
  assert.equal(c.streams[0].source, "rtsp://h/x");
  assert.equal(c.streams[0].reconnect, false);
  assert.deepEqual([c.streams[0].fps, c.streams[0].policy], [5, "drop-latest"]);
  assert.equal(c.streams[1].source, "/dev/video0");
  assert.deepEqual(c.roots, ["/srv", "/data"]);
  assert.deepEqual(c.sinks, [{ type: "jsonl", path: "/srv/out/r.jsonl", streams: ["cam"] }]);
  assert.deepEqual([c.server.token, c.server.port], ["t", 0]);
});

Deno.test("resolvePipelineConfig() names the file, the field, what it expected and what it found", () => {
  const cases: [unknown, string][] = [
    [[], "p.json: expected an object, found an array of 0 items"],
    [
      { models: {}, streams: [] },
      "p.json: models: expected at least one model, found an empty object",
    ],
    [
      { models: { m: {} } },
      "p.json: models.m.manifest: expected a string, found nothing",
    ],
    [
      { models: { "a b": { manifest: "x" } } },
      'p.json: models["a b"]: expected a model id of letters, digits, "_", "." or "-" (at most 64), found an object with key manifest',
    ],
    [
      { models: { m: { manifest: "x", providers: ["gpu"] } } },
      'p.json: models.m.providers[0]: expected one of "cpu", "webgpu", "cuda", "tensorrt", "dml", "coreml", found the string "gpu"',
    ],
    [
      { models: { m: { manifest: "x", postprocess: { nms: "fast" } } } },
      'p.json: models.m.postprocess.nms: expected one of "hard", "soft-linear", "soft-gaussian", "matrix", "none", found the string "fast"',
    ],
    [
      { models: { m: { manifest: "x", postprocess: { iouThreshold: 2 } } } },
      "p.json: models.m.postprocess.iouThreshold: expected a number in [0, 1], found the number 2",
    ],
    [
      { models: { m: { manifest: "x", postprocess: { panoptic: true } } } },
      "p.json: models.m.postprocess.panoptic: expected false or an object, found true",
    ],
    [{ models, streams: {} }, "p.json: streams: expected an array, found an empty object"],
    [
      { models, streams: [{ id: "a" }] },
      "p.json: streams[0].source: expected a string, found nothing",
    ],
    [
      { models, streams: [{ id: "a", source: "x", policy: "fast" }] },
      'p.json: streams[0].policy: expected one of "lossless", "wait", "drop-oldest", "drop-latest", found the string "fast"',
    ],
    [
      { models, streams: [{ id: "a", source: "x", reconnect: { maxAttempts: -1 } }] },
      "p.json: streams[0].reconnect.maxAttempts: expected a number >= 0, found the number -1",
    ],
    [
      { models, streams: [{ id: "a", source: "x", model: "n" }] },
      'p.json: streams[0].model: expected one of "m", found the string "n"',
    ],
    [
      { models, streams: [{ id: "a", source: "x" }, { id: "a", source: "y" }] },
      'p.json: streams[1].id: expected an id no other stream has, found the string "a", the id of streams[0]',
    ],
    [
      { models, server: { port: "80" } },
      'p.json: server.port: expected an integer in [0, 65535], found the string "80"',
    ],
    [
      { models, server: { maxMessageBytes: 10 } },
      "p.json: server.maxMessageBytes: expected an integer >= 64, found the number 10",
    ],
    [
      { models, sinks: [{ type: "csv", path: "x" }] },
      'p.json: sinks[0].type: expected one of "jsonl", "mqtt", "nats", "webhook", found the string "csv"',
    ],
    [
      { models, sinks: [{ type: "jsonl" }] },
      "p.json: sinks[0].path: expected a string, found nothing",
    ],
    [
      { models, sources: { roots: "x" } },
      'p.json: sources.roots: expected an array, found the string "x"',
    ],
  ];
  for (const [input, message] of cases) assertConfigError(input, message);
});

Deno.test("resolvePipelineConfig() rejects an unknown field, naming it and listing the known ones", () => {
  assertConfigError(
    { models, streams: [], extra: 1 },
    'p.json: extra: expected only the fields $schema, description, models, streams, sources, server, sinks, limits, log, cluster, found an unknown field "extra"',
  );
  assertConfigError(
    { models, streams: [{ id: "a", sourc: "x" }] },
    'p.json: streams[0].sourc: expected only the fields id, source, model, policy, queueSize, loop, realtime, fps, imageRate, reconnect, stallTimeoutMs, maxInFlight, rtspTransport, hwaccel, readyWithoutFrames, tracking, lines, zones, found an unknown field "sourc" (and 1 more issue)',
  );
  assert.throws(() => resolvePipelineConfig({ models, server: { prot: 1 } }, origin), (e) => {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.issues, [{
      path: ["server", "prot"],
      expected:
        "only the fields hostname, port, token, maxClients, maxSubscriptions, maxMessageBytes, clientQueue, socketBufferBytes, slowClientMs",
      found: 'an unknown field "prot"',
    }]);
    return true;
  });
});

Deno.test("resolvePipelineConfig() rejects a wrong type, an out-of-range number and a missing required field", () => {
  assertConfigError(
    { models, streams: [{ id: "a", source: "x", loop: "yes" }] },
    'p.json: streams[0].loop: expected true or false, found the string "yes"',
  );
  assertConfigError(
    { models: { m: { manifest: "x", maxBatch: 0 } } },
    "p.json: models.m.maxBatch: expected an integer in [1, 256], found the number 0",
  );
  assertConfigError(
    { models, streams: [{ id: "a", source: "x", queueSize: 1.5 }] },
    "p.json: streams[0].queueSize: expected an integer in [1, 1000], found the number 1.5",
  );
  assertConfigError({ streams: [] }, "p.json: models: expected an object, found nothing");
});

Deno.test("resolvePipelineConfig() lists every issue of a file in the error's issues", () => {
  assert.throws(
    () =>
      resolvePipelineConfig(
        { models, streams: [{ id: "a", source: "x", fps: 0 }], server: { port: -1 } },
        origin,
      ),
    (e) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.issues.length, 2);
      assert.match(e.message, /^p\.json: streams\[0\]\.fps: .* \(and 1 more issue\)$/);
      assert.deepEqual(e.issues.map((i) => i.path), [["streams", 0, "fps"], ["server", "port"]]);
      return true;
    },
  );
});

Deno.test("resolveStreamConfig() needs a model when there are several", () => {
  const two = [{ id: "a" }, { id: "b" }];
  assert.throws(
    () => resolveStreamConfig({ id: "s", source: "x.mp4" }, two, origin),
    { name: "ConfigError", message: 'p.json: model: expected one of "a", "b", found nothing' },
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

Deno.test("resolveStreamConfig() names the request and the field of a bad stream", () => {
  const post = { name: "POST /streams", baseDir: "/srv" };
  assert.throws(
    () => resolveStreamConfig({ id: "a", source: "lavfi:testsrc2", fps: -1 }, [{ id: "m" }], post),
    {
      name: "ConfigError",
      message: "POST /streams: fps: expected a number >= 0.001, found the number -1",
    },
  );
  assert.throws(
    () => resolveStreamConfig({ id: "a", sourc: "lavfi:testsrc2" }, [{ id: "m" }], post),
    (e) => e instanceof ConfigError && e.issues.some((i) => i.found === 'an unknown field "sourc"'),
  );
  assert.throws(
    () => resolveStreamConfig("cam", [{ id: "m" }], post),
    { message: 'POST /streams: expected an object, found the string "cam"' },
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

Deno.test("loadPipelineConfig() names the file in every error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.json`, '{"models": ');
    await assert.rejects(
      loadPipelineConfig(`${dir}/bad.json`),
      (e) => e instanceof ConfigError && e.message.startsWith(`${dir}/bad.json: expected JSON`),
    );
    await Deno.writeTextFile(
      `${dir}/p.json`,
      '{"models": {"m": {"manifest": "m.json", "sessions": 0}}}',
    );
    await assert.rejects(loadPipelineConfig(`${dir}/p.json`), {
      name: "ConfigError",
      message:
        `${dir}/p.json: models.m.sessions: expected an integer in [1, 64], found the number 0`,
    });
    await assert.rejects(
      loadPipelineConfig(`${dir}/missing.json`),
      /missing\.json: cannot read the file/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolveStreamConfig() refuses an imageRate for a source that cannot be images", () => {
  const models = [{ id: "m" }];
  const origin = { name: "POST /streams", baseDir: "/srv" };
  for (const source of ["rtsp://cam/1", "lavfi:testsrc2", "/dev/video0"]) {
    assert.throws(() => resolveStreamConfig({ id: "a", source, imageRate: 5 }, models, origin), {
      name: "ConfigError",
      message:
        "POST /streams: imageRate: expected no value for a source that is not a folder or glob of images, found the number 5",
    });
  }
  const folder = resolveStreamConfig({ id: "a", source: "shots/", imageRate: 5 }, models, origin);
  assert.equal(folder.imageRate, 5);
});
