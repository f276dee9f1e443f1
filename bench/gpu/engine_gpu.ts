/**
 * GPU figure of the inference engine: ms per frame at batch 1 and 4 for a model (default:
 * torchvision's maskrcnn_resnet50_fpn at 800×1344, random weights, score threshold 0 so the
 * heads do full work) through `startModel` on the given providers, e.g.
 *
 * ```sh
 * deno run -A bench/gpu/engine_gpu.ts /tmp/mrcnn/manifest.json webgpu,cpu
 * ```
 *
 * Prints `gpu <provider> batch <b>: <ms> ms/frame` lines; compare with detectron2's
 * published 43 ms/image for R50-FPN Mask R-CNN on a V100. See bench/gpu/README.md.
 *
 * @module
 */

import { startModel } from "../../src/inference/model_runtime.ts";
import type { ProviderName } from "../../src/inference/load_model.ts";
import { frameGeometry } from "../../src/video/ffmpeg_args.ts";
import type { Frame } from "../../src/types.ts";

const [manifestPath, providerList = "webgpu,cpu", rounds = "10"] = Deno.args;
if (!manifestPath) {
  console.error("usage: engine_gpu.ts <manifest.json> [providers] [rounds]");
  Deno.exit(2);
}
const providers = providerList.split(",") as ProviderName[];
for (const maxBatch of [1, 4]) {
  const model = await startModel(manifestPath, {
    providers,
    maxBatch,
    maxWaitMs: 1000,
    postprocess: { scoreThreshold: 0, panoptic: false },
  });
  const { width, height } = model.manifest.input;
  const geometry = frameGeometry(width, height, { fit: "resize", width, height, format: "rgb24" });
  const frame = (i: number): Frame => ({
    streamId: `s${i % 4}`,
    index: i,
    ptsMs: 0,
    capturedAt: Date.now(),
    width,
    height,
    format: "rgb24",
    data: new Uint8Array(width * height * 3).map((_, k) => (k * 31 + i * 17) & 255),
    geometry,
  });
  const frames = Array.from({ length: maxBatch }, (_, i) => frame(i));
  await Promise.all(frames.map((f) => model.detect(f, geometry))); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < Number(rounds); r++) {
    const t0 = performance.now();
    const results = await Promise.all(frames.map((f) => model.detect(f, geometry)));
    runs.push((performance.now() - t0) / maxBatch);
    const infer = results[0].timing.inferenceEnd - results[0].timing.inferenceStart;
    if (r === 0) {
      console.log(`    inference ${(infer / maxBatch).toFixed(1)} ms/frame inside the worker`);
    }
  }
  runs.sort((a, b) => a - b);
  const status = model.status();
  console.log(
    `gpu ${status.provider} batch ${maxBatch}: ${runs[runs.length >> 1].toFixed(1)} ms/frame ` +
      `(${width}x${height}, end to end through the batcher; warnings: ${status.warnings.length})`,
  );
  await model.close();
}
