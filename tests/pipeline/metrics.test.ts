import assert from "node:assert/strict";
import { LATENCY_BUCKETS, PipelineMetrics } from "../../src/pipeline/metrics.ts";
import { STAGES } from "../../src/pipeline/timeline.ts";

const latency = (ms: Partial<Record<string, number>>) => {
  const stages = Object.fromEntries(STAGES.map((s) => [s, ms[s] ?? 0]));
  const totalMs = Object.values(stages).reduce((a, b) => a + b, 0);
  return { ...stages, totalMs } as Parameters<PipelineMetrics["observeLatency"]>[2];
};

Deno.test("a sub-millisecond stage lands in a sub-millisecond bucket and a 7 s frame below the last finite one", async () => {
  const m = new PipelineMetrics({ collectDefault: false });
  m.observeLatency("fast", "street", latency({ decode: 2, preprocess: 0.05, publish: 0.3 }));
  m.observeLatency("slow", "street", latency({ decode: 2, inference: 7000 }));
  const text = await m.registry.metrics();
  const bucket = (name: string, labels: string, le: string) => {
    const line = new RegExp(`^${name}_bucket\\{le="${le}",${labels}\\} (\\d+)$`, "m").exec(text);
    assert.ok(line, `${name}{le="${le}",${labels}}: expected a bucket, found none`);
    return Number(line[1]);
  };
  const stage = (stream: string, s: string) => `stream="${stream}",model="street",stage="${s}"`;
  const STAGE = "streamdet_stage_latency_seconds";
  assert.equal(bucket(STAGE, stage("fast", "preprocess"), "0.0001"), 1);
  assert.equal(bucket(STAGE, stage("fast", "publish"), "0.00025"), 0);
  assert.equal(bucket(STAGE, stage("fast", "publish"), "0.0005"), 1);
  assert.equal(bucket(STAGE, stage("fast", "decode"), "0.001"), 0);
  assert.equal(bucket(STAGE, stage("fast", "decode"), "0.0025"), 1);
  assert.equal(bucket(STAGE, stage("slow", "inference"), "5"), 0);
  assert.equal(bucket(STAGE, stage("slow", "inference"), "10"), 1);
  const END = "streamdet_end_to_end_latency_seconds";
  assert.equal(bucket(END, 'stream="slow",model="street"', "5"), 0);
  assert.equal(bucket(END, 'stream="slow",model="street"', "10"), 1);
});

Deno.test("the latency buckets run from 0.1 ms to 10 s, each at most 2.5 times the one before", () => {
  assert.equal(LATENCY_BUCKETS[0], 0.0001);
  assert.equal(LATENCY_BUCKETS.at(-1), 10);
  for (let i = 1; i < LATENCY_BUCKETS.length; i++) {
    const ratio = LATENCY_BUCKETS[i] / LATENCY_BUCKETS[i - 1];
    assert.ok(
      ratio > 1.5 && ratio <= 2.5 + 1e-9,
      `${LATENCY_BUCKETS[i]} / ${LATENCY_BUCKETS[i - 1]}`,
    );
  }
});

Deno.test("no gauge is named like a counter, and every counter is", async () => {
  const m = new PipelineMetrics();
  const text = await m.registry.metrics();
  const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({
    name,
    type,
  }));
  assert.ok(types.length > 10);
  for (const { name, type } of types) {
    if (type === "counter") assert.match(name, /_total$/, `${name} is a counter`);
    else assert.doesNotMatch(name, /_total$/, `${name} is a ${type}`);
  }
});
