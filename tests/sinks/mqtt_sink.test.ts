/**
 * The MQTT sink on a real broker (Debian's mosquitto) and a real pipeline: what a
 * subscriber receives, the retained counts, and a broker stopped and restarted.
 */

import assert from "node:assert/strict";
import mqtt from "mqtt";
import { IGNORE_MOSQUITTO, startMosquitto } from "../_helpers/brokers.ts";
import { startSinkPipeline, until } from "../_helpers/sink_pipeline.ts";
import { checkWire } from "../../src/wire/parse.ts";
import { ResultMessageSchema } from "../../src/wire/result_message.ts";
import { CountsMessageSchema, EventMessageSchema } from "../../src/wire/event_messages.ts";
import type { Message } from "../_helpers/server.ts";

const opts = { ignore: IGNORE_MOSQUITTO, sanitizeOps: true, sanitizeResources: true };

/** A real MQTT subscriber (mqtt.js) that keeps what it receives on `topic`. */
async function subscriber(url: string, topic = "streamdet/#") {
  const client = mqtt.connect(url, { reconnectPeriod: 200, clientId: "test-subscriber" });
  const received: { topic: string; message: Message; retained: boolean }[] = [];
  client.on("message", (t, payload, packet) => {
    received.push({ topic: t, message: JSON.parse(payload.toString()), retained: packet.retain });
  });
  client.on("error", () => {});
  await new Promise((resolve) => client.once("connect", resolve));
  await client.subscribeAsync(topic, { qos: 1 });
  return {
    received,
    on: (level: string) => received.filter((r) => r.topic.endsWith(`/${level}`)),
    close: () => client.endAsync(true),
  };
}

/** What mosquitto_sub prints of the retained message on `topic` (waits at most 5 s). */
async function retained(port: number, topic: string): Promise<string> {
  const { stdout, code } = await new Deno.Command("mosquitto_sub", {
    args: [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-t",
      topic,
      "--retained-only",
      "-C",
      "1",
      "-W",
      "5",
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.equal(code, 0, `mosquitto_sub found no retained message on ${topic}`);
  return new TextDecoder().decode(stdout).trim();
}

Deno.test(
  "an MQTT subscriber gets the events and results of a real pipeline as documented, and a late one the retained counts",
  opts,
  async () => {
    const broker = await startMosquitto();
    const sub = await subscriber(broker.url);
    const run = await startSinkPipeline([{ type: "mqtt", url: broker.url, results: true }]);
    try {
      await until(
        () => sub.on("results").length >= 5 && sub.on("events").length >= 3,
        "5 results and 3 events",
      );
      await until(() => sub.on("counts").length >= 1, "counts");
      for (const { topic, message } of sub.received) {
        assert.match(topic, /^streamdet\/cam\/(results|events|counts)$/);
        const schema = topic.endsWith("/results")
          ? ResultMessageSchema
          : topic.endsWith("/events")
          ? EventMessageSchema
          : CountsMessageSchema;
        assert.deepEqual(checkWire(schema, message), [], JSON.stringify(message).slice(0, 300));
        assert.equal(message.streamId, "cam");
      }
      // Results come in frame order, without masks (not asked for).
      const frames = sub.on("results").map((r) => r.message.frame);
      assert.deepEqual(frames, [...frames].sort((a, b) => a - b));
      assert.ok(
        sub.on("results").every((r) => r.message.detections.every((d: Message) => !d.mask)),
      );
      // A subscriber that comes later still gets the stream's counts: they are retained.
      const counts = JSON.parse(await retained(broker.port, "streamdet/cam/counts"));
      assert.deepEqual(checkWire(CountsMessageSchema, counts), []);
      assert.deepEqual([counts.type, counts.streamId], ["counts", "cam"]);
      assert.deepEqual(counts.lines.map((l: Message) => l.name), ["crossing"]);
      assert.ok(sub.on("events").every((r) => !r.retained), "events are not retained by default");
      const stats = run.sinks[0].stats;
      assert.deepEqual([stats.dropped, stats.failed, stats.connected], [0, 0, true]);
      const metrics = await run.pipeline.metrics.registry.metrics();
      assert.match(metrics, /streamdet_sink_connected\{sink="mqtt-0"\} 1/);
      assert.match(
        metrics,
        /streamdet_sink_messages_total\{sink="mqtt-0",type="mqtt",kind="result",outcome="sent"\} [1-9]/,
      );
    } finally {
      await run.close();
      await sub.close();
      await broker.close();
    }
  },
);

Deno.test(
  "an MQTT broker stopped for seconds: the pipeline goes on, drops are counted, and delivery resumes after its restart",
  opts,
  async () => {
    const broker = await startMosquitto();
    const sub = await subscriber(broker.url, "streamdet/cam/results");
    const run = await startSinkPipeline([{
      type: "mqtt",
      url: broker.url,
      results: true,
      buffer: 5,
      backoff: { initialDelayMs: 100, maxDelayMs: 500 },
    }]);
    try {
      await until(() => sub.received.length >= 3, "3 results before the outage");
      await broker.stop();
      const before = run.results();
      const lost = await run.waitForStatus((e) => e.state === "disconnected");
      assert.deepEqual([lost.sink, lost.sinkType, lost.url], ["mqtt-0", "mqtt", broker.url]);
      await new Promise((r) => setTimeout(r, 3000));
      // The pipeline kept producing while its sink could not deliver.
      assert.ok(run.results() - before >= 5, `${run.results() - before} results in 3 s`);
      const dropping = await run.waitForStatus((e) => e.state === "dropping");
      assert.ok(dropping.dropped! > 0);
      const lastFrame = sub.received.at(-1)!.message.frame;
      await broker.start();
      await run.waitForStatus((e) => e.state === "connected" && e.at > lost.at);
      await until(
        () => sub.received.at(-1)!.message.frame > lastFrame + 10,
        "results after the restart",
      );
      const stats = run.sinks[0].stats;
      assert.ok(stats.dropped > 0 && stats.connected);
      const metrics = await run.pipeline.metrics.registry.metrics();
      const dropped = [
        ...metrics.matchAll(
          /streamdet_sink_messages_total\{sink="mqtt-0",[^}]*outcome="dropped"\} (\d+)/g,
        ),
      ]
        .reduce((sum, m) => sum + Number(m[1]), 0);
      assert.equal(dropped, run.sinks[0].stats.dropped);
    } finally {
      await run.close();
      await sub.close();
      await broker.close();
    }
  },
);
