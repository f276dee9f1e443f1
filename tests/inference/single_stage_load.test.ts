/**
 * Loading the shipped FCOS with a manifest that does not describe its graph: each mistake is
 * refused when the model loads, with a message that names the field or output and both sides.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ManifestError } from "../../src/errors.ts";
import { loadModel } from "../../src/inference/load_model.ts";

const MODEL_DIR = new URL("../../models/street-fcos/", import.meta.url).pathname;

type Json = Record<string, unknown>;
interface Level {
  stride: number | number[];
  height: number;
  width: number;
}
interface Output {
  name: string;
  role: string;
  level?: number;
  shape: (number | string)[];
}

async function shipped(): Promise<Json> {
  const m = JSON.parse(await Deno.readTextFile(`${MODEL_DIR}manifest.json`));
  m.file = `${MODEL_DIR}model.onnx`;
  return m;
}

/** Loads `manifest` from a temporary folder; the error it fails with. */
async function refusal(manifest: Json): Promise<Error> {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/manifest.json`;
    await Deno.writeTextFile(path, JSON.stringify(manifest));
    const model = await loadModel(path, { onWarning: () => {} });
    await model.session.release();
  } catch (error) {
    return error as Error;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  throw new Error("expected the model to be refused, it loaded");
}

Deno.test("an FCOS manifest without a level's centerness output is refused naming the role and level", async () => {
  const m = await shipped();
  m.outputs = (m.outputs as Output[]).filter((o) => !(o.role === "bbox_ctrness" && o.level === 2));
  const error = await refusal(m);
  assert.ok(error instanceof ManifestError, String(error));
  assert.match(
    error.message,
    /outputs: expected an output with role "bbox_ctrness" and level 2 \(fcos needs cls_logits, bbox_regression, bbox_ctrness at every level\)/,
  );
});

Deno.test("an FCOS manifest whose level sizes are not the graph's is refused naming the output and both sizes", async () => {
  const m = await shipped();
  const block = m.singleStage as { levels: Level[] };
  // Level 0 said to be 36×64 at stride 8 (consistent within the manifest): the graph's is 72×128.
  block.levels[0] = { stride: [8, 8], height: 36, width: 64 };
  for (const o of m.outputs as Output[]) if (o.level === 0) o.shape[1] = 36 * 64;
  const error = await refusal(m);
  assert.ok(error instanceof ManifestError, String(error));
  assert.match(
    error.message,
    /output "cls_logits_0": the manifest expected dimension 1 of 2304, the graph has 9216/,
  );
});

Deno.test("an FCOS manifest whose stride disagrees with its input and level size is refused before any inference", async () => {
  const m = await shipped();
  const block = m.singleStage as { levels: Level[] };
  block.levels[4] = { ...block.levels[4], stride: 64 };
  const error = await refusal(m);
  assert.ok(error instanceof ManifestError, String(error));
  assert.match(
    error.message,
    /singleStage\.levels\[4\]\.stride: expected \[57, 64\] \(the 288×512 input over the level's 5×8 locations, as torchvision's AnchorGenerator computes it\), found the number 64/,
  );
});
