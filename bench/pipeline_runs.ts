/**
 * The runs of the pipeline bench (bench/pipeline_bench.ts): streams added to and removed
 * from one served pipeline, lossless over the demo file or live at its rate, with their
 * results, drops and CPU budget; the demo re-timed for the overload run; and the
 * statistics and lines the bench prints.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import type { CountingClient } from "./counting_client.ts";
import { budgetLine, CpuSampler } from "./cpu_budget.ts";
import type { StreamResult } from "../src/pipeline/events.ts";
import type { Pipeline } from "../src/pipeline/pipeline.ts";
import { STAGES } from "../src/pipeline/timeline.ts";
import type { RunningServer } from "../src/server/serve.ts";
import type { FfmpegBinary } from "../src/video/ffmpeg_binary.ts";
import { median } from "../src/stats.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** The demo video the bench streams. */
export const DEMO = `${ROOT}models/demo/street.mp4`;
/** Where the bench writes its files. */
export const OUT = `${ROOT}bench/out/`;

/** The demo's frames and rate. */
export const DEMO_FRAMES = 300;
export const DEMO_FPS = 15;
/** Where the bench's configuration says it comes from. */
export const ORIGIN = { name: "pipeline bench", baseDir: ROOT };

export interface FileRun {
  fps: number;
  /** Where the CPU went (bench/cpu_budget.ts). */
  cpu: string;
  /** Milliseconds from adding the stream to its first result. */
  firstMs: number;
  /** Results the WebSocket client received. */
  wsResults: number;
  results: StreamResult[];
}

export interface LiveRun {
  results: StreamResult[];
  /** Frames dropped by the live queue while measuring. */
  dropped: number;
  decoded: number;
  /** Frames/s read from the source while measuring. */
  inFps: number;
  /** The model's setting and the stream's window at the end of the run, in words. */
  setting: string;
}

/** Streams added to and removed from one served pipeline. */
export class Bench {
  #pipeline: Pipeline;
  #running: RunningServer;
  #client: CountingClient;

  constructor(pipeline: Pipeline, running: RunningServer, client: CountingClient) {
    this.#pipeline = pipeline;
    this.#running = running;
    this.#client = client;
  }

  /** The demo file, lossless, until `count` results (all its frames by default); with
   * `sample`, the CPU budget of the run too (the sampler costs the run some frames/s: a
   * figure of record comes from a run without it). */
  async fileRun(id: string, count = DEMO_FRAMES, sample = true): Promise<FileRun> {
    const results: StreamResult[] = [];
    const all = Promise.withResolvers<void>();
    let lastAt = 0;
    const off = this.#pipeline.on("result", (r) => {
      if (r.streamId !== id) return;
      results.push(r);
      lastAt = performance.now();
      if (results.length === count) all.resolve();
    });
    this.#client.reset(id);
    const t0 = performance.now();
    const sampler = sample ? new CpuSampler() : undefined;
    await sampler?.start();
    try {
      await this.#pipeline.addStream({ id, source: DEMO, policy: "lossless" }, ORIGIN);
      await this.#until(id, all.promise, () => results.length);
      const wsLast = await this.#client.waitFor(id, count, 5000);
      const end = Math.max(lastAt, wsLast);
      const cpu = sampler ? budgetLine(await sampler.stop(), count, end - t0) : "";
      return {
        cpu,
        fps: count / ((end - t0) / 1000),
        firstMs: results[0].timeline.publishedAt - (performance.timeOrigin + t0),
        wsResults: this.#client.count(id),
        results,
      };
    } finally {
      await sampler?.stop();
      off();
      await this.#remove(id);
    }
  }

  /** A live stream: `warmup` seconds after its first result, then `seconds` measured. */
  async liveRun(
    id: string,
    stream: Record<string, unknown>,
    warmup: number,
    seconds: number,
  ): Promise<LiveRun> {
    const results: StreamResult[] = [];
    const first = Promise.withResolvers<void>();
    let measuring = false;
    const off = this.#pipeline.on("result", (r) => {
      if (r.streamId !== id) return;
      first.resolve();
      if (measuring) results.push(r);
    });
    try {
      await this.#pipeline.addStream({ id, ...stream }, ORIGIN);
      await this.#until(id, first.promise, () => 0);
      await sleep(warmup * 1000);
      const before = this.#pipeline.stream(id)!.stats;
      measuring = true;
      await sleep(seconds * 1000);
      measuring = false;
      const info = this.#pipeline.stream(id)!;
      const after = info.stats;
      const model = this.#pipeline.models().find((m) => m.id === info.model)?.status;
      const setting = model
        ? `${model.sessions} × ${model.threads} threads${model.spinning ? " spinning" : ""}, ` +
          `maxBatch ${model.maxBatch}${model.tuning ? ` (${model.tuning.mode})` : ""}, ` +
          `${after.maxInFlight} frame(s) of the stream in flight`
        : "unknown";
      if (results.length < 10) throw new Error(`stream ${id}: only ${results.length} results`);
      return {
        results,
        dropped: after.dropped - before.dropped,
        decoded: after.decoded - before.decoded,
        inFps: (after.decoded - before.decoded) / seconds,
        setting,
      };
    } finally {
      off();
      await this.#remove(id);
    }
  }

  /** Waits for `done`; throws if the stream fails, or ends or stalls with no new result
   * for 15 s (as counted by `progress`), or after 2 minutes. */
  async #until(id: string, done: Promise<void>, progress: () => number): Promise<void> {
    let stop = false;
    const watch = async () => {
      let seen = -1, since = performance.now();
      const t0 = since;
      while (!stop) {
        await sleep(100);
        if (stop) return;
        const info = this.#pipeline.stream(id);
        if (progress() !== seen) [seen, since] = [progress(), performance.now()];
        const quiet = performance.now() - since;
        if (info?.state === "failed" || quiet > 15_000 || performance.now() - t0 > 120_000) {
          const why = `${info?.state}${info?.reason ? `: ${info.reason}` : ""}`;
          const idle = (quiet / 1000).toFixed(1);
          throw new Error(
            `stream ${id}: ${progress()} results, then nothing for ${idle} s (${why})`,
          );
        }
      }
    };
    try {
      await Promise.race([done, watch()]);
    } finally {
      stop = true;
    }
  }

  async #remove(id: string): Promise<void> {
    await this.#pipeline.removeStream(id);
    this.#running.hub.streamRemoved(id);
  }
}

/**
 * The demo video re-timed to play at `fps` (every frame kept, evenly spaced: a live
 * source at that rate once read in real time), written to bench/out (the caller removes
 * it). Encoded without B-frames, as a camera sends: the decoder's reordering would
 * otherwise hold frames back by up to a frame period (p90 of the decode stage 26 ms
 * instead of 10 ms at 43 fps on the 2-core VM).
 */
export async function retimedDemo(ffmpeg: FfmpegBinary, fps: number): Promise<string> {
  await Deno.mkdir(OUT, { recursive: true });
  const path = `${OUT}street_retimed.mp4`;
  const { success, stderr } = await new Deno.Command(ffmpeg.path, {
    args: [
      ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", DEMO],
      ["-vf", `setpts=PTS*${DEMO_FPS}/${fps}`, "-r", String(fps), "-an"],
      ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-bf", "0"],
      ["-pix_fmt", "yuv420p", path],
    ].flat(),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`ffmpeg re-timing the demo failed: ${new TextDecoder().decode(stderr)}`);
  }
  return path;
}

/** The `p`-th percentile (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function stageLine(results: StreamResult[]): string {
  return STAGES.map((s) => `${s} ${median(results.map((r) => r.latency[s])).toFixed(1)}`)
    .join(", ");
}

/**
 * The `decode` stage's median in each sixth of a run, in order: a step that stays (every
 * later frame reading that much more decode time) shows here. One did, by a frame period,
 * while ffmpeg's encoder held frames (bench/RESULTS.md, issue 15, seventh and eighth passes).
 */
export function decodeBySixth(results: StreamResult[]): string {
  const n = results.length;
  return [0, 1, 2, 3, 4, 5].map((k) =>
    median(
      results.slice(Math.floor(k * n / 6), Math.floor((k + 1) * n / 6))
        .map((r) => r.latency.decode),
    ).toFixed(1)
  ).join(", ");
}

export function batchSizes(results: StreamResult[]): string {
  const counts = new Map<number, number>();
  for (const r of results) counts.set(r.batchSize, (counts.get(r.batchSize) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([size, n]) => `${size}: ${n}`).join(", ");
}

export function fmtList(values: number[]): string {
  return values.map((v) => v.toFixed(1)).join(", ");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
