import assert from "node:assert/strict";
import { gpuProvidersInstalled } from "../../src/inference/provider_hint.ts";
import { ManifestError, ModelLoadError } from "../../src/errors.ts";
import { loadModel } from "../../src/inference/load_model.ts";

const MODEL_DIR = new URL("../../models/street-maskrcnn/", import.meta.url).pathname;
const GRAPH = `${MODEL_DIR}model.onnx`;

async function shipped(): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(`${MODEL_DIR}manifest.json`));
}

/** Writes `manifest` into a temporary folder and loads it, cleaning up afterwards. */
async function loadWritten(
  manifest: unknown,
  options: Parameters<typeof loadModel>[1] = {},
  raw?: string,
) {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/manifest.json`;
    await Deno.writeTextFile(path, raw ?? JSON.stringify(manifest));
    const model = await loadModel(path, { onWarning: () => {}, ...options });
    await model.session.release();
    return model;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadModel() loads the shipped Mask R-CNN on the CPU and checks it against its graph", async () => {
  const model = await loadModel(`${MODEL_DIR}manifest.json`);
  try {
    assert.equal(model.provider, "cpu");
    assert.deepEqual(model.warnings, []);
    assert.equal(model.manifest.kind, "maskrcnn");
    assert.deepEqual(model.session.inputNames, ["images"]);
  } finally {
    await model.session.release();
  }
});

Deno.test("loadModel() falls back from an unavailable cuda provider to cpu with a warning that says why", async () => {
  const seen: string[] = [];
  const model = await loadWritten({ ...await shipped(), file: GRAPH }, {
    providers: ["cuda", "cpu"],
    onWarning: (m) => seen.push(m),
  });
  assert.equal(model.provider, "cpu");
  assert.equal(seen.length, 1);
  assert.deepEqual(model.warnings, seen);
  assert.match(seen[0], /"cuda" could not start \(.+\); trying "cpu"/);
  // Here (Deno skipped onnxruntime-node's install script) it says how to install them.
  if (!(await gpuProvidersInstalled())) {
    assert.ok(
      seen[0].includes(
        "onnxruntime-node's cuda provider libraries are not installed (Deno does not run its install script): run `ONNXRUNTIME_NODE_INSTALL=cuda12 deno install --allow-scripts=npm:onnxruntime-node`",
      ),
      seen[0],
    );
  }
});

Deno.test("loadModel() refuses an unknown provider name", async () => {
  await assert.rejects(
    () => loadModel(`${MODEL_DIR}manifest.json`, { providers: ["tpu" as never] }),
    RangeError,
  );
});

Deno.test("loadModel() reports a missing manifest and malformed JSON as ManifestErrors", async () => {
  await assert.rejects(() => loadModel("/nonexistent/manifest.json"), ManifestError);
  await assert.rejects(
    () => loadWritten(null, {}, '{"format": "streamdet-model/1", '),
    (e) => e instanceof ManifestError && /expected JSON, found a syntax error/.test(e.message),
  );
});

Deno.test("loadModel() reports an unknown output role as a ManifestError naming the field", async () => {
  const m = await shipped();
  const outputs = (m.outputs as { role: string }[]).map((o, i) =>
    i === 2 ? { ...o, role: "classes" } : o
  );
  await assert.rejects(
    () => loadWritten({ ...m, file: GRAPH, outputs }),
    (e) =>
      e instanceof ManifestError &&
      /outputs\[2\]\.role: expected one of .*found the string "classes"/.test(e.message),
  );
});

Deno.test("loadModel() reports a missing or truncated graph as a ModelLoadError", async () => {
  await assert.rejects(
    async () => await loadWritten({ ...await shipped(), file: "/nonexistent/model.onnx" }),
    (e) =>
      e instanceof ModelLoadError && /expected the ONNX graph the manifest names/.test(e.message),
  );
  const dir = await Deno.makeTempDir();
  try {
    const bytes = await Deno.readFile(GRAPH);
    await Deno.writeFile(`${dir}/model.onnx`, bytes.subarray(0, bytes.length >> 1));
    await assert.rejects(
      async () => await loadWritten({ ...await shipped(), file: `${dir}/model.onnx` }),
      (e) => e instanceof ModelLoadError && /cpu: /.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadModel() names both sides when the manifest disagrees with the graph", async () => {
  const m = await shipped();
  const input = m.input as Record<string, unknown>;
  const cases: [unknown, RegExp][] = [
    [
      { ...m, input: { ...input, name: "image" } },
      /the manifest says "image", the graph has inputs \["images"\]/,
    ],
    [
      { ...m, input: { ...input, height: 320 } },
      /dimension 1: the manifest says 320, the graph has 288/,
    ],
    [
      { ...m, input: { ...input, layout: "HWC" } },
      /rank: the manifest says 3 \(HWC\), the graph has 4/,
    ],
    [
      { ...m, input: { ...input, layout: "NCHW", dtype: "float32" } },
      /input "images" type: the manifest says float32, the graph has uint8/,
    ],
    [
      {
        ...m,
        outputs: (m.outputs as { name: string }[]).map((o) =>
          o.name === "labels" ? { ...o, dtype: "int32" } : o
        ),
      },
      /output "labels" type: the manifest says int32, the graph has int64/,
    ],
    [
      {
        ...m,
        outputs: (m.outputs as { name: string }[]).map((o) =>
          o.name === "scores" ? { ...o, name: "score" } : o
        ),
      },
      /output "score" \(scores\): the manifest says "score", the graph has outputs/,
    ],
  ];
  for (const [manifest, pattern] of cases) {
    await assert.rejects(
      () => loadWritten({ ...(manifest as object), file: GRAPH }),
      (e) => e instanceof ManifestError && pattern.test(e.message),
      String(pattern),
    );
  }
});
