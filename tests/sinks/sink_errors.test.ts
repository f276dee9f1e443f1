/**
 * Bad sink input: URLs and fields refused when the configuration loads, environment
 * variables missing at start, and destinations that refuse connections while a real
 * pipeline runs.
 */

import assert from "node:assert/strict";
import { resolvePipelineConfig } from "../../src/pipeline/config.ts";
import { StatusLog } from "../../src/pipeline/status_log.ts";
import { freePort } from "../_helpers/brokers.ts";
import { FASTERRCNN } from "../_helpers/server.ts";
import { startSinkPipeline, until } from "../_helpers/sink_pipeline.ts";

const models = { m: { manifest: FASTERRCNN } };
const origin = { name: "p.json", baseDir: "/srv" };

Deno.test("a malformed URL, a wrong scheme or a bad field of a sink is a ConfigError naming the field", () => {
  const jsonl = { type: "jsonl", path: "out.jsonl" };
  const cases: [unknown, string][] = [
    [
      { type: "mqtt", url: "http://broker:1883" },
      'p.json: sinks[1].url: expected an mqtt://, mqtts://, ws:// or wss:// URL with a host, found the string "http://broker:1883"',
    ],
    [
      { type: "mqtt", url: "mqtt://broker:99999" },
      'p.json: sinks[1].url: expected an mqtt://, mqtts://, ws:// or wss:// URL with a host, found the string "mqtt://broker:99999"',
    ],
    [
      { type: "mqtt", url: "mqtt://" },
      'p.json: sinks[1].url: expected an mqtt://, mqtts://, ws:// or wss:// URL with a host, found the string "mqtt://"',
    ],
    [
      { type: "nats", url: "mqtt://broker" },
      'p.json: sinks[1].url: expected a nats:// or tls:// URL with a host, found the string "mqtt://broker"',
    ],
    [
      { type: "webhook", url: "ftp://example.com/hook" },
      'p.json: sinks[1].url: expected an http:// or https:// URL with a host, found the string "ftp://example.com/hook"',
    ],
    [
      { type: "mqtt", url: "mqtt://b", topicPrefix: "home/#" },
      'p.json: sinks[1].topicPrefix: expected topic levels joined by "/", without "+", "#", spaces or empty levels, found the string "home/#"',
    ],
    [
      { type: "mqtt", url: "mqtt://b", qos: 3 },
      "p.json: sinks[1].qos: expected an integer in [0, 2], found the number 3",
    ],
    [
      { type: "mqtt", url: "mqtt://b", passwordEnv: "my-password" },
      'p.json: sinks[1].passwordEnv: expected the name of an environment variable (letters, digits and _), found the string "my-password"',
    ],
    [
      { type: "nats", url: "nats://b", subjectPrefix: "a..b" },
      'p.json: sinks[1].subjectPrefix: expected subject tokens of letters, digits, "_" or "-" joined by ".", found the string "a..b"',
    ],
    [
      { type: "webhook", url: "https://h/", buffer: 0 },
      "p.json: sinks[1].buffer: expected an integer in [1, 1000000], found the number 0",
    ],
    [
      { type: "nats", url: "nats://b", jetstream: {} },
      "p.json: sinks[1].jetstream.stream: expected a string, found nothing",
    ],
  ];
  for (const [sink, message] of cases) {
    assert.throws(
      () => resolvePipelineConfig({ models, sinks: [jsonl, sink] }, origin),
      { name: "ConfigError", message },
      JSON.stringify(sink),
    );
  }
});

Deno.test("only a jsonl sink's path is made absolute; a network sink keeps its URL and gets its defaults", () => {
  const c = resolvePipelineConfig({
    models,
    sinks: [{ type: "jsonl", path: "out/r.jsonl" }, { type: "mqtt", url: "mqtt://b:1883" }],
  }, origin);
  assert.deepEqual(c.sinks[0], { type: "jsonl", path: "/srv/out/r.jsonl" });
  assert.deepEqual(c.sinks[1], {
    type: "mqtt",
    url: "mqtt://b:1883",
    topicPrefix: "streamdet",
    qos: 1,
    retain: false,
    events: true,
    results: false,
    masks: false,
    buffer: 1000,
    backoff: { initialDelayMs: 500, maxDelayMs: 10_000 },
  });
});

Deno.test("an environment variable a sink names that is not set, or two sinks with one id, fail at start", async () => {
  await assert.rejects(
    () =>
      startSinkPipeline([{
        type: "mqtt",
        url: "mqtt://127.0.0.1:1",
        passwordEnv: "MY_MQTT_PASSWORD",
      }], {
        options: { env: () => undefined },
      }),
    {
      name: "ConfigError",
      message:
        'sinks[0].passwordEnv: expected the name of a set environment variable, found "MY_MQTT_PASSWORD", which is not set',
    },
  );
  await assert.rejects(
    () =>
      startSinkPipeline([
        { type: "mqtt", id: "home", url: "mqtt://127.0.0.1:1" },
        { type: "nats", id: "home", url: "nats://127.0.0.1:1" },
      ]),
    {
      name: "ConfigError",
      message:
        'sinks[1].id: expected an id no other sink has, found the string "home", the id of sinks[0]',
    },
  );
});

Deno.test(
  "a refused broker is a logged status error naming the sink and its URL, and the pipeline and the other sinks go on",
  async () => {
    const dir = await Deno.makeTempDir();
    const mqttUrl = `mqtt://127.0.0.1:${freePort()}`;
    const natsUrl = `nats://127.0.0.1:${freePort()}`;
    const hookUrl = `http://127.0.0.1:${freePort()}/hook`;
    const run = await startSinkPipeline([
      {
        type: "mqtt",
        url: mqttUrl,
        results: true,
        backoff: { initialDelayMs: 100, maxDelayMs: 400 },
      },
      { type: "nats", url: natsUrl, backoff: { initialDelayMs: 100, maxDelayMs: 400 } },
      { type: "webhook", id: "hook", url: hookUrl, results: true, attempts: 2 },
      { type: "jsonl", path: `${dir}/results.jsonl` },
    ], { options: { env: (name) => name === "STREAMDET_WEBHOOK_SECRET" ? "s" : undefined } });
    const lines: string[] = [];
    const log = new StatusLog("info", (line) => lines.push(line));
    run.pipeline.on("status", (e) => log.status(e));
    try {
      const [mqtt, nats, hook] = await Promise.all([
        run.waitForStatus((e) =>
          e.sink === "mqtt-0" && e.state === "disconnected" && e.attempt! >= 2
        ),
        run.waitForStatus((e) =>
          e.sink === "nats-1" && e.state === "disconnected" && e.attempt! >= 2
        ),
        run.waitForStatus((e) => e.sink === "hook" && e.state === "disconnected"),
      ]);
      assert.deepEqual([mqtt.url, mqtt.sinkType], [mqttUrl, "mqtt"]);
      assert.match(mqtt.reason!, /ECONNREFUSED/);
      assert.deepEqual([nats.url, nats.sinkType], [natsUrl, "nats"]);
      assert.match(nats.reason!, /refused/);
      assert.deepEqual([hook.url, hook.sinkType], [hookUrl, "webhook"]);
      assert.match(hook.reason!, /refused/i);
      // The file sink next to them writes every result, and the pipeline goes on.
      await until(() => run.results() >= 10, "10 results");
      await until(() => run.sinks[3].stats.sent >= 10, "10 lines");
      await until(() => run.sinks[2].stats.failed >= 1, "a webhook message failed after 2 tries");
      assert.ok(run.sinks[0].stats.buffered > 0 && !run.sinks[0].stats.connected);
      // The log says it as an error, with the sink and its URL.
      const logged = lines.map((l) => JSON.parse(l)).find((l) => l.sink === "mqtt-0");
      assert.deepEqual(
        [logged.level, logged.event, logged.state, logged.url],
        ["error", "sink", "disconnected", mqttUrl],
      );
    } finally {
      await run.close();
      await Deno.remove(dir, { recursive: true });
    }
    // What the dead sinks held when they closed is counted dropped.
    assert.ok(run.sinks[0].stats.dropped > 0);
    assert.equal(run.sinks[0].stats.buffered, 0);
  },
);
