/**
 * The shipped models take the decoded frame's bytes (uint8 NHWC / HWC, normalised inside
 * the graph) and give what their float32 graphs gave on the same frames with the
 * runtime's normalisation (tests/fixtures/models/make_uint8_parity.ts made the vectors
 * from the float graphs before `models/training/uint8_input.py` converted them).
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as ort from "onnxruntime-node";
import { parseManifest } from "../../src/inference/manifest.ts";
import { loadFixture } from "../_helpers/fixtures.ts";
import { fixtureFrames } from "../_helpers/fixture_frames.ts";

type Vectors = Record<string, Record<string, { dims: number[]; data: string; type: string }>>;

const MODELS = new URL("../../models", import.meta.url).pathname;
/** Largest difference allowed per output (scores as the issue asks; the rest in pixels
 * or logits). */
const TOLERANCE: Record<string, number> = {
  scores: 1e-4,
  boxes: 1e-3,
  mask_logits: 2e-3,
  masks: 2e-3,
  semantic_logits: 1e-3,
};

function decode(entry: { data: string; type: string }): Float32Array | BigInt64Array {
  const bytes = Buffer.from(entry.data, "base64");
  const copy = new Uint8Array(bytes).buffer;
  return entry.type === "int64" ? new BigInt64Array(copy) : new Float32Array(copy);
}

for (const name of ["street-maskrcnn", "street-fasterrcnn", "street-maskrcnn-standard"]) {
  Deno.test(`${name} on uint8 frames gives its float graph's outputs`, async () => {
    const path = `${MODELS}/${name}/manifest.json`;
    const manifest = parseManifest(JSON.parse(await Deno.readTextFile(path)), path);
    const { input } = manifest;
    assert.equal(input.dtype, "uint8");
    const vectors = (await loadFixture<Vectors>("models/uint8_parity.json"))[name];
    const frames = await fixtureFrames();
    const batch = input.layout === "NHWC" ? frames : frames.slice(0, 1);
    const bytes = new Uint8Array(batch.length * input.height * input.width * 3);
    batch.forEach((f, i) => bytes.set(f, i * f.length));
    const dims = input.layout === "NHWC"
      ? [batch.length, input.height, input.width, 3]
      : [input.height, input.width, 3];
    const session = await ort.InferenceSession.create(manifest.file, { intraOpNumThreads: 2 });
    try {
      const out = await session.run({ [input.name]: new ort.Tensor("uint8", bytes, dims) });
      assert.deepEqual(Object.keys(out).sort(), Object.keys(vectors).sort());
      for (const [key, expected] of Object.entries(vectors)) {
        const got = out[key];
        assert.deepEqual([...got.dims], expected.dims, `${key}: shape`);
        const want = decode(expected);
        let data = got.data as Float32Array | BigInt64Array;
        if (data.length > 20_000) data = (data as Float32Array).filter((_, i) => i % 97 === 0);
        assert.equal(data.length, want.length, `${key}: values`);
        if (want instanceof BigInt64Array) {
          assert.deepEqual([...data], [...want], `${key}: equal`);
          continue;
        }
        let worst = 0;
        for (let i = 0; i < want.length; i++) {
          worst = Math.max(worst, Math.abs((data as Float32Array)[i] - want[i]));
        }
        const tolerance = TOLERANCE[key] ?? 1e-3;
        assert.ok(worst <= tolerance, `${key}: differs by ${worst}, allowed ${tolerance}`);
      }
    } finally {
      await session.release();
    }
  });
}
