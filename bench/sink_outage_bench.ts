/**
 * Sinks never slow the pipeline: the demo looped as a live stream (15 fps, read in real
 * time) through the shipped Mask R-CNN with tracking and the line and zone of
 * pipelines/demo.json, an MQTT sink (results and events) and a NATS sink (results and
 * events) on real brokers (Debian's mosquitto and nats-server). End-to-end latency of the
 * results is measured for `seconds` (10) with the brokers up, then, in each of `rounds` (2),
 * `seconds` with both stopped and `seconds` after both restarted (the sinks reconnect and
 * deliver what they held meanwhile): up and down alternate, so that a drift of a shared
 * machine hits both. Reports the p99 ratios down / up and of the 3 s after each restart /
 * up (target ≤ 1.10: within noise), the drops the sinks counted while their brokers were
 * down, and what they and real subscribers delivered after the restarts.
 *
 * ```sh
 * deno run -A bench/sink_outage_bench.ts [SECONDS] [ROUNDS]
 * ```
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { connect } from "@nats-io/transport-node";
import { resolvePipelineConfig } from "../src/pipeline/config.ts";
import type { SinkStatusEvent } from "../src/pipeline/events.ts";
import { PipelineMetrics } from "../src/pipeline/metrics.ts";
import { createPipeline } from "../src/pipeline/pipeline.ts";
import { openSinks } from "../src/sinks/open_sinks.ts";
import type { NetworkSink } from "../src/sinks/network_sink.ts";
import { resolveFfmpeg } from "../src/video/ffmpeg_binary.ts";
import { quantile } from "../src/stats.ts";
import {
  MOSQUITTO_MISSING,
  NATS_MISSING,
  startMosquitto,
  startNats,
} from "../tests/_helpers/brokers.ts";
import { report } from "./timing.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const ORIGIN = { name: "sink outage bench", baseDir: ROOT };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the bench: after `warmup` seconds, `seconds` up, then `rounds` times `seconds` with
 * both brokers stopped and `seconds` after their restart. */
export async function sinkOutageBench(
  { seconds = 10, rounds = 2, warmup = 8, buffer = 100 } = {},
): Promise<void> {
  const missing = MOSQUITTO_MISSING ?? NATS_MISSING;
  if (missing) {
    console.log(`sink outage live p99: skipped (${missing})`);
    return;
  }
  const demo = JSON.parse(await Deno.readTextFile(`${ROOT}pipelines/demo.json`)).streams[0];
  // The brokers' files go under bench/out (the bench task may write only there).
  const tmp = `${ROOT}bench/out/brokers`;
  const mq = await startMosquitto({ tmpRoot: tmp });
  const nats = await startNats({ tmpRoot: tmp });
  const common = { results: true, buffer, backoff: { initialDelayMs: 250, maxDelayMs: 1000 } };
  const config = resolvePipelineConfig({
    models: {
      street: {
        manifest: `${ROOT}models/street-maskrcnn/manifest.json`,
        providers: ["cpu"],
        maxBatch: 4,
        maxWaitMs: 5,
      },
    },
    streams: [{ ...demo, source: `${ROOT}models/demo/street.mp4` }],
    sources: { roots: [ROOT] },
    sinks: [
      { type: "mqtt", url: mq.url, ...common },
      { type: "nats", url: nats.url, ...common },
    ],
  }, ORIGIN);
  const pipeline = await createPipeline(config, {
    ffmpeg: await resolveFfmpeg({ env: Deno.env.toObject() }),
    metrics: new PipelineMetrics({ collectDefault: false }),
    onWarning: () => {},
    panoptic: "on-demand",
  });
  const sinks = await openSinks(config.sinks, pipeline) as NetworkSink[];
  const statuses: SinkStatusEvent[] = [];
  pipeline.on("status", (e) => e.type === "sink" && statuses.push(e));
  // Real subscribers, counting what they receive.
  const heard = { mqtt: 0, nats: 0 };
  const sub = mqtt.connect(mq.url, { reconnectPeriod: 250 });
  sub.on("error", () => {});
  sub.on("message", () => heard.mqtt++);
  await new Promise((r) => sub.once("connect", r));
  await sub.subscribeAsync("streamdet/#", { qos: 1 });
  const nc = await connect({ servers: nats.url, reconnectTimeWait: 250, maxReconnectAttempts: -1 });
  nc.subscribe("streamdet.>", { callback: () => void heard.nats++ });
  let phase: { at: number; ms: number }[] | undefined;
  let events = 0;
  pipeline.on("event", () => events++);
  pipeline.on("result", (r) => phase?.push({ at: performance.now(), ms: r.latency.totalMs }));
  const measure = async () => {
    const latencies: { at: number; ms: number }[] = [];
    phase = latencies;
    await sleep(seconds * 1000);
    phase = undefined;
    return latencies;
  };
  const figures = () => sinks.map((s) => ({ ...s.stats }));
  const ups: number[][] = [], downs: number[][] = [], catchUps: number[] = [];
  const outages: { dropped: number[]; delivered: number[]; reconnectMs: number[] }[] = [];
  const heardAfter = { mqtt: 0, nats: 0 };
  try {
    await sleep(warmup * 1000);
    ups.push((await measure()).map((r) => r.ms));
    for (let round = 0; round < rounds; round++) {
      const before = figures();
      await Promise.all([mq.stop(), nats.stop()]);
      downs.push((await measure()).map((r) => r.ms));
      const down = figures();
      const heardBefore = { ...heard };
      const restartedAt = Date.now();
      const restarted = performance.now();
      await Promise.all([mq.start(), nats.start()]);
      const after = await measure();
      ups.push(after.map((r) => r.ms));
      // The first 3 s after the restart: the sinks reconnect and deliver what they held.
      catchUps.push(...after.filter((r) => r.at - restarted < 3000).map((r) => r.ms));
      const now = figures();
      heardAfter.mqtt += heard.mqtt - heardBefore.mqtt;
      heardAfter.nats += heard.nats - heardBefore.nats;
      outages.push({
        dropped: sinks.map((_, i) => down[i].dropped - before[i].dropped),
        delivered: sinks.map((_, i) => now[i].sent - down[i].sent),
        reconnectMs: sinks.map((s) =>
          (statuses.find((e) => e.sink === s.id && e.state === "connected" && e.at >= restartedAt)
            ?.at ?? NaN) - restartedAt
        ),
      });
    }
    const p = (list: number[], q: number) => quantile(list, q);
    const line = (name: string, list: number[]) =>
      `${name}: p50 ${p(list, 0.5).toFixed(1)} ms, p99 ${p(list, 0.99).toFixed(1)} ms, max ${
        Math.max(...list).toFixed(1)
      } ms (${list.length} frames)`;
    const up = ups.flat(), down = downs.flat();
    const perSink = sinks.map((s, i) =>
      `${s.id}: per outage ${
        outages.map((o) => o.dropped[i]).join(", ")
      } dropped (buffer ${buffer}); ` +
      `reconnected ${
        outages.map((o) => o.reconnectMs[i].toFixed(0)).join(", ")
      } ms after the restart; ` +
      `then ${outages.map((o) => o.delivered[i]).join(", ")} delivered in ${seconds} s; ` +
      `${s.stats.sent} sent in all`
    );
    const details = [
      line("brokers up", up),
      line("brokers down", down),
      line("the 3 s after each restart", catchUps),
      `phases, p99 ms: ${
        ups.map((u, i) =>
          `up ${p(u, 0.99).toFixed(0)}` + (downs[i] ? `, down ${p(downs[i], 0.99).toFixed(0)}` : "")
        ).join(", ")
      }`,
      ...perSink,
      `subscribers after the restarts: mqtt ${heardAfter.mqtt}, nats ${heardAfter.nats} messages; ` +
      `${events} events in all`,
      `${rounds} rounds of ${seconds} s up, ${seconds} s with both brokers stopped, then restarted; ` +
      `the demo live at 15 fps through Mask R-CNN with tracking, an MQTT and a NATS sink ` +
      `each sending results and events`,
    ];
    report(
      "sink outage live p99 end-to-end, brokers down / up",
      p(down, 0.99) / p(up, 0.99),
      1.1,
      details,
    );
    report(
      "sink outage live p99 end-to-end, 3 s after a restart / up",
      p(catchUps, 0.99) / p(up, 0.99),
      1.1,
    );
    report("sink outage live p50 end-to-end, brokers down / up", p(down, 0.5) / p(up, 0.5), 1.05);
    const dropped = sinks.map((_, i) => outages.reduce((sum, o) => sum + o.dropped[i], 0));
    const delivered = sinks.map((_, i) => outages.reduce((sum, o) => sum + o.delivered[i], 0));
    const ok = (v: boolean) => v ? "ok" : "MISSED";
    console.log(
      `sink outage drops counted: ${sinks.map((s, i) => `${s.id} ${dropped[i]}`).join(", ")} ` +
        `(target > 0 each) ${ok(dropped.every((d) => d > 0))}`,
    );
    console.log(
      `sink outage delivered after restart: ${
        sinks.map((s, i) => `${s.id} ${delivered[i]}`).join(", ")
      } (target > 0 each) ${ok(delivered.every((d) => d > 0))}`,
    );
  } finally {
    await Promise.all(sinks.map((s) => s.close()));
    await pipeline.stop();
    await sub.endAsync(true);
    await nc.close();
    await Promise.all([mq.close(), nats.close()]);
  }
}

if (import.meta.main) {
  await sinkOutageBench({ seconds: Number(Deno.args[0] ?? 10), rounds: Number(Deno.args[1] ?? 2) });
}
