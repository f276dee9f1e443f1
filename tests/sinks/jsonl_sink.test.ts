import assert from "node:assert/strict";
import { resolvePipelineConfig } from "../../src/pipeline/config.ts";
import { createPipeline } from "../../src/pipeline/pipeline.ts";
import { PipelineMetrics } from "../../src/pipeline/metrics.ts";
import { openSinks } from "../../src/sinks/open_sinks.ts";
import { makeVideo, testFfmpeg } from "../_helpers/media.ts";
import { FASTERRCNN } from "../_helpers/server.ts";

Deno.test("a lossless file through the pipeline writes exactly one JSON line per frame, in order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = await makeVideo(`${dir}/clip.mp4`, {
      width: 320,
      height: 180,
      frames: 24,
      fps: 12,
      codec: ["-c:v", "libx264", "-pix_fmt", "yuv420p"],
    });
    const config = resolvePipelineConfig({
      models: { boxes: { manifest: FASTERRCNN, maxBatch: 4 } },
      streams: [{ id: "clip", source: clip }],
      sources: { roots: [dir] },
      sinks: [{ type: "jsonl", path: `${dir}/out/results.jsonl` }],
    }, { name: "test", baseDir: dir });
    const pipeline = await createPipeline(config, {
      ffmpeg: await testFfmpeg(),
      metrics: new PipelineMetrics({ collectDefault: false }),
    });
    const sinks = await openSinks(config.sinks, pipeline);
    const states: string[] = [];
    pipeline.on("status", (e) => e.type === "stream" && states.push(e.state));
    await pipeline.finished();
    await pipeline.stop();
    await Promise.all(sinks.map((s) => s.close()));
    const lines = (await Deno.readTextFile(`${dir}/out/results.jsonl`)).trimEnd().split("\n");
    assert.equal(lines.length, 24);
    lines.forEach((line, i) => {
      const m = JSON.parse(line);
      assert.equal(m.v, 3);
      assert.equal(m.frame, i);
      assert.equal(m.streamId, "clip");
      assert.deepEqual([m.width, m.height], [320, 180]);
      assert.ok(Array.isArray(m.detections));
    });
    assert.equal(states.at(-1), "ended", states.join(", "));
    const info = pipeline.stream("clip")!;
    assert.equal(info.stats.dropped, 0, "lossless: nothing dropped");
    assert.equal(info.stats.published, 24);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
