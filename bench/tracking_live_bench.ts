/**
 * Live latency with tracking on against off: the demo looped as a live stream (15 fps, read
 * in real time) through the shipped Mask R-CNN, once plain and once with ByteTrack and the
 * line and zone of `pipelines/demo.json`, in alternating rounds on one pipeline. Reports the
 * ratio of the p50 end-to-end latencies (target ≤ 1.02: tracking adds no more than its own
 * cost) and what tracking itself costs in the `publish` stage, where it runs. Inference time
 * varies between runs by a few percent, more than tracking costs: the rounds alternate, and
 * the publish stage says what tracking itself takes. (Running both streams at once on one
 * pipeline does not pair them: their phases differ, and the second one waits in the batcher
 * for the first, which moved the ratio to 1.17 with equal publish stages.)
 *
 * ```sh
 * deno run -A bench/tracking_live_bench.ts
 * ```
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { resolvePipelineConfig } from "../src/pipeline/config.ts";
import type { StreamResult } from "../src/pipeline/events.ts";
import { PipelineMetrics } from "../src/pipeline/metrics.ts";
import { createPipeline } from "../src/pipeline/pipeline.ts";
import { resolveFfmpeg } from "../src/video/ffmpeg_binary.ts";
import { median } from "../src/stats.ts";
import { report } from "./timing.ts";
import { STAGES } from "../src/wire/result_message.ts";
import { StreamTracking } from "../src/pipeline/stream_tracking.ts";
import { parseAnalyticsFile } from "../src/batch/analytics_file.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const ORIGIN = { name: "tracking bench", baseDir: ROOT };

/** Runs the comparison: `rounds` of `seconds` each way, after `warmup` seconds per run. */
export async function trackingLiveBench(
  { rounds = 4, seconds = 12, warmup = 3 } = {},
): Promise<void> {
  const demo = JSON.parse(await Deno.readTextFile(`${ROOT}pipelines/demo.json`)).streams[0];
  const config = resolvePipelineConfig({
    models: {
      street: {
        manifest: `${ROOT}models/street-maskrcnn/manifest.json`,
        providers: ["cpu"],
        maxBatch: 4,
        maxWaitMs: 5,
      },
    },
    streams: [],
    sources: { roots: [ROOT] },
  }, ORIGIN);
  const pipeline = await createPipeline(config, {
    ffmpeg: await resolveFfmpeg({ env: Deno.env.toObject() }),
    metrics: new PipelineMetrics({ collectDefault: false }),
    onWarning: () => {},
    panoptic: "on-demand",
  });
  const off: StreamResult[] = [], on: StreamResult[] = [];
  let events = 0;
  const stopEvents = pipeline.on("event", () => events++);
  try {
    await pipeline.start();
    const run = async (id: string, tracked: boolean, into: StreamResult[]) => {
      let measuring = false;
      const stop = pipeline.on("result", (r) => {
        if (r.streamId === id && measuring) into.push(r);
      });
      await pipeline.addStream({
        id,
        source: `${ROOT}models/demo/street.mp4`,
        loop: true,
        ...(tracked ? { tracking: true, lines: demo.lines, zones: demo.zones } : {}),
      }, ORIGIN);
      await new Promise((r) => setTimeout(r, warmup * 1000));
      measuring = true;
      await new Promise((r) => setTimeout(r, seconds * 1000));
      measuring = false;
      stop();
      await pipeline.removeStream(id);
    };
    for (let i = 0; i < rounds; i++) {
      // Alternate which goes first, so that a drift of the machine hits both alike.
      if (i % 2 === 0) {
        await run(`off-${i}`, false, off);
        await run(`on-${i}`, true, on);
      } else {
        await run(`on-${i}`, true, on);
        await run(`off-${i}`, false, off);
      }
    }
  } finally {
    stopEvents();
    await pipeline.stop();
  }
  const p50 = (list: StreamResult[], f: (r: StreamResult) => number) => median(list.map(f));
  const total = (r: StreamResult) => r.latency.totalMs;
  const publish = (r: StreamResult) => r.latency.publish;
  const inference = (r: StreamResult) => r.latency.inference;
  // The same frames with and without tracking: the untracked run's frames tracked again here
  // on the main thread (where the runner tracks), each frame's end to end plus what its
  // tracking took. Inference noise between runs cancels out.
  const labels = new Map(
    (JSON.parse(await Deno.readTextFile(`${ROOT}models/street-maskrcnn/manifest.json`))
      .classes as { id: number; name: string }[]).map((c) => [c.id, c.name]),
  );
  const parsed = parseAnalyticsFile({ lines: demo.lines, zones: demo.zones }, "demo.json");
  const byStream = Map.groupBy(off, (r) => r.streamId);
  const withTracking: number[] = [];
  for (const results of byStream.values()) {
    const params = { trackThresh: 0.5, matchThresh: 0.8, trackBuffer: 30, mot20: false };
    const tracking = new StreamTracking(
      "replay",
      { ...params, classes: "per-class" },
      15,
      parsed.lines!.map((l) => ({ ...l, classes: undefined })),
      parsed.zones!.map((z) => ({ ...z, classes: undefined })),
      labels,
    );
    for (const r of results) {
      const start = performance.now();
      tracking.update(r.detections, r.index, r.ptsMs, Date.now());
      withTracking.push(r.latency.totalMs + performance.now() - start);
    }
  }
  report(
    "live p50 end-to-end, tracking on / off, same frames",
    median(withTracking) / p50(off, total),
    1.02,
    [
      `p50 ${median(withTracking).toFixed(2)} ms with tracking, ${
        p50(off, total).toFixed(2)
      } ms without, on the ${off.length} frames of the untracked rounds tracked again (ByteTrack, ` +
      `the line and zone of pipelines/demo.json) on the main thread`,
    ],
  );
  report(
    "live p50 end-to-end, tracking on / off, alternating",
    p50(on, total) / p50(off, total),
    1.02,
    [
      `tracking on: p50 ${p50(on, total).toFixed(1)} ms end to end, publish stage ${
        p50(on, publish).toFixed(2)
      } ms, inference ${p50(on, inference).toFixed(1)} ms (${on.length} frames, ${events} events)`,
      `tracking off: p50 ${p50(off, total).toFixed(1)} ms end to end, publish stage ${
        p50(off, publish).toFixed(2)
      } ms, inference ${p50(off, inference).toFixed(1)} ms (${off.length} frames)`,
      `p50 stages on / off, ms: ${
        STAGES.map((st) =>
          `${st} ${p50(on, (r) => r.latency[st]).toFixed(1)}/${
            p50(off, (r) => r.latency[st]).toFixed(1)
          }`
        ).join(", ")
      }`,
      `${rounds} alternating rounds of ${seconds} s each way, the demo looped live at 15 fps, ` +
      `ByteTrack with the line and zone of pipelines/demo.json`,
    ],
  );
}

if (import.meta.main) await trackingLiveBench();
