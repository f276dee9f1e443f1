/**
 * The NATS sink on a real server (Debian's nats-server, JetStream on) and a real
 * pipeline: what a subscriber receives, the JetStream stream that replays it, and a
 * server stopped and restarted.
 */

import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { IGNORE_NATS, startNats } from "../_helpers/brokers.ts";
import { startSinkPipeline, until } from "../_helpers/sink_pipeline.ts";
import { checkWire } from "../../src/wire/parse.ts";
import { ResultMessageSchema } from "../../src/wire/result_message.ts";
import { EventMessageSchema } from "../../src/wire/event_messages.ts";
import { parseStreamSubject } from "../../src/wire/subjects.ts";
import type { Message } from "../_helpers/server.ts";

const opts = { ignore: IGNORE_NATS, sanitizeOps: true, sanitizeResources: true };

/** A real NATS subscriber of every stream's results and events. */
async function subscriber(url: string) {
  const nc = await connect({ servers: url, reconnectTimeWait: 200, maxReconnectAttempts: -1 });
  const received: { subject: string; message: Message }[] = [];
  const sub = nc.subscribe("streamdet.*.*", {
    callback: (_error, msg) => void received.push({ subject: msg.subject, message: msg.json() }),
  });
  await nc.flush();
  return {
    nc,
    received,
    of: (kind: string) => received.filter((r) => r.subject.endsWith(`.${kind}`)),
    close: async () => {
      sub.unsubscribe();
      await nc.close();
    },
  };
}

Deno.test(
  "a NATS subscriber gets the results and events of a real pipeline as documented, and JetStream keeps them for replay",
  opts,
  async () => {
    const server = await startNats();
    const sub = await subscriber(server.url);
    const run = await startSinkPipeline([{
      type: "nats",
      url: server.url,
      jetstream: { stream: "STREAMDET", maxAgeS: 3600 },
    }]);
    try {
      await until(() => sub.of("results").length >= 5 && sub.of("events").length >= 3, "messages");
      for (const { subject, message } of sub.received) {
        const parsed = parseStreamSubject(subject);
        assert.deepEqual(parsed, { streamId: "cam", kind: parsed?.kind });
        const schema = parsed!.kind === "results" ? ResultMessageSchema : EventMessageSchema;
        assert.deepEqual(checkWire(schema, message), [], JSON.stringify(message).slice(0, 300));
      }
      const frames = sub.of("results").map((r) => r.message.frame);
      assert.deepEqual(frames, [...frames].sort((a, b) => a - b));
      // The JetStream stream holds the same messages: a client that comes later replays them.
      const jsm = await jetstreamManager(sub.nc);
      const info = await jsm.streams.info("STREAMDET");
      assert.deepEqual(info.config.subjects, ["streamdet.*.results", "streamdet.*.events"]);
      assert.equal(info.config.max_age, 3600 * 1e9);
      assert.ok(info.state.messages >= 8, `${info.state.messages} messages stored`);
      const first = await jsm.streams.getMessage("STREAMDET", { seq: 1 });
      const kind = parseStreamSubject(first!.subject)!.kind;
      const schema = kind === "results" ? ResultMessageSchema : EventMessageSchema;
      assert.deepEqual(checkWire(schema, first!.json()), []);
      assert.ok(first!.header.get("Nats-Msg-Id"), "each message carries its delivery id");
    } finally {
      await run.close();
      await sub.close();
      await server.close();
    }
  },
);

Deno.test(
  "a NATS server stopped for seconds: the pipeline goes on, drops are counted, and delivery resumes after its restart",
  opts,
  async () => {
    const server = await startNats();
    const sub = await subscriber(server.url);
    const run = await startSinkPipeline([{
      type: "nats",
      url: server.url,
      events: false,
      buffer: 5,
      backoff: { initialDelayMs: 100, maxDelayMs: 500 },
    }]);
    try {
      await until(() => sub.of("results").length >= 3, "3 results before the outage");
      await server.stop();
      const before = run.results();
      const lost = await run.waitForStatus((e) => e.state === "disconnected");
      assert.deepEqual([lost.sink, lost.sinkType, lost.url], ["nats-0", "nats", server.url]);
      await new Promise((r) => setTimeout(r, 3000));
      assert.ok(run.results() - before >= 5, `${run.results() - before} results in 3 s`);
      const dropping = await run.waitForStatus((e) => e.state === "dropping");
      assert.ok(dropping.dropped! > 0);
      const lastFrame = sub.of("results").at(-1)!.message.frame;
      await server.start();
      await run.waitForStatus((e) => e.state === "connected" && e.at > lost.at);
      await until(
        () => (sub.of("results").at(-1)?.message.frame ?? 0) > lastFrame + 10,
        "results after the restart",
      );
      assert.ok(sub.of("events").length === 0, "events: false sends no events");
      const stats = run.sinks[0].stats;
      assert.ok(stats.dropped > 0 && stats.connected, JSON.stringify(stats));
      const metrics = await run.pipeline.metrics.registry.metrics();
      assert.match(
        metrics,
        new RegExp(
          `streamdet_sink_messages_total\\{sink="nats-0",type="nats",kind="result",outcome="dropped"\\} ${stats.dropped}`,
        ),
      );
      // A second outage, a batch possibly in flight when the connection dies: delivery
      // resumes again (a flush that never settled once stalled the sink for good).
      const lastFrame2 = sub.of("results").at(-1)!.message.frame;
      await server.stop();
      await new Promise((r) => setTimeout(r, 1500));
      await server.start();
      await until(
        () => (sub.of("results").at(-1)?.message.frame ?? 0) > lastFrame2 + 10,
        "results after the second restart",
      );
    } finally {
      await run.close();
      await sub.close();
      await server.close();
    }
  },
);
