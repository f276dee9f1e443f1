/**
 * A live pipeline for the sink tests: the demo video looped as a live stream at a low
 * frame rate through the shipped Faster R-CNN, tracked, with the line and zone of
 * pipelines/demo.json (so that it has events), and the sinks a test gives, opened with
 * `openSinks`. Keeps the sinks' status events and counts the results.
 *
 * @module
 */

import { resolvePipelineConfig } from "../../src/pipeline/config.ts";
import type { SinkStatusEvent } from "../../src/pipeline/events.ts";
import { PipelineMetrics } from "../../src/pipeline/metrics.ts";
import { createPipeline, type Pipeline } from "../../src/pipeline/pipeline.ts";
import { openSinks, type OpenSinksOptions } from "../../src/sinks/open_sinks.ts";
import type { Sink } from "../../src/sinks/sink.ts";
import { testFfmpeg } from "./media.ts";
import { DEMO_VIDEO, FASTERRCNN, ROOT } from "./server.ts";

const demo = JSON.parse(await Deno.readTextFile(`${ROOT}pipelines/demo.json`)).streams[0];

/** The demo stream, live, tracked, at `fps`. */
export function demoStream(id = "cam", fps = 5): Record<string, unknown> {
  return {
    id,
    source: DEMO_VIDEO,
    loop: true,
    fps,
    tracking: true,
    lines: demo.lines,
    zones: demo.zones,
  };
}

/** A running pipeline with its sinks. */
export interface SinkPipeline {
  pipeline: Pipeline;
  sinks: Sink[];
  /** Status events of the sinks, in order. */
  statuses: SinkStatusEvent[];
  /** Results published so far. */
  results(): number;
  /** The frame index of each result published, in order. */
  frames: number[];
  /** Resolves when `test` holds for a sink status event (one already heard counts). */
  waitForStatus(
    test: (e: SinkStatusEvent) => boolean,
    timeoutMs?: number,
  ): Promise<SinkStatusEvent>;
  /** Closes the sinks, then the pipeline. */
  close(): Promise<void>;
}

/**
 * Starts the demo stream(s) with `sinks` (a pipeline configuration's `sinks`).
 *
 * @example
 * ```ts ignore
 * const run = await startSinkPipeline([{ type: "mqtt", url: broker.url }]);
 * await run.close();
 * ```
 */
export async function startSinkPipeline(
  sinks: unknown[],
  { streams = [demoStream()], options = {} }: {
    streams?: Record<string, unknown>[];
    options?: OpenSinksOptions;
  } = {},
): Promise<SinkPipeline> {
  const config = resolvePipelineConfig({
    models: { boxes: { manifest: FASTERRCNN, maxBatch: 1, sessions: 1, intraOpThreads: 1 } },
    streams,
    sources: { roots: [ROOT, "/tmp"] },
    sinks,
  }, { name: "test config", baseDir: ROOT });
  const pipeline = await createPipeline(config, {
    ffmpeg: await testFfmpeg(),
    metrics: new PipelineMetrics({ collectDefault: false }),
    onWarning: () => {},
    panoptic: "on-demand",
  });
  const statuses: SinkStatusEvent[] = [];
  const waiters: {
    test: (e: SinkStatusEvent) => boolean;
    resolve: (e: SinkStatusEvent) => void;
  }[] = [];
  pipeline.on("status", (e) => {
    if (e.type !== "sink") return;
    statuses.push(e);
    for (const w of [...waiters]) {
      if (w.test(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  const frames: number[] = [];
  pipeline.on("result", (r) => frames.push(r.index));
  let opened: Sink[];
  try {
    opened = await openSinks(config.sinks, pipeline, options);
  } catch (error) {
    await pipeline.stop();
    throw error;
  }
  return {
    pipeline,
    sinks: opened,
    statuses,
    results: () => frames.length,
    frames,
    waitForStatus: (test, timeoutMs = 20_000) => {
      const seen = statuses.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(
            new Error(
              `no such sink status within ${timeoutMs} ms; heard ${JSON.stringify(statuses)}`,
            ),
          );
        }, timeoutMs);
        const waiter = {
          test,
          resolve: (e: SinkStatusEvent) => {
            clearTimeout(timer);
            resolve(e);
          },
        };
        waiters.push(waiter);
      });
    },
    close: async () => {
      await Promise.all(opened.map((s) => s.close()));
      await pipeline.stop();
    },
  };
}

/** Waits until `test()` holds, polling every 25 ms; throws after `timeoutMs` naming `what`. */
export async function until(test: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!test()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
