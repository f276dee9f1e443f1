/**
 * The webhook sink against a real HTTP receiver on loopback (Deno.serve) and a real
 * pipeline: signatures, retries of 5xx answers, timeouts of a receiver that hangs, a 4xx
 * that fails at once, and a pipeline that never waits for any of it.
 */

import assert from "node:assert/strict";
import { startSinkPipeline, until } from "../_helpers/sink_pipeline.ts";
import { verifySignature } from "../../src/sinks/webhook_signature.ts";
import { checkWire } from "../../src/wire/parse.ts";
import { ResultMessageSchema } from "../../src/wire/result_message.ts";
import { EventMessageSchema } from "../../src/wire/event_messages.ts";

const SECRET_ENV = "STREAMDET_TEST_WEBHOOK_SECRET";
const SECRET = "a shared secret";

/** One request the receiver got. */
interface Received {
  delivery: string;
  attempt: number;
  frame: number;
  signed: boolean;
  answer: string;
}

/** A loopback receiver that answers each request as its script says (then 200). */
function receiver() {
  const script: ("500" | "400" | "hang")[] = [];
  const received: Received[] = [];
  let release: () => void = () => {};
  let released = Promise.resolve();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = new Uint8Array(await req.arrayBuffer());
    const answer = script.shift() ?? "200";
    assert.equal(req.headers.get("content-type"), "application/json");
    assert.ok(Number(req.headers.get("x-streamdet-timestamp")) > 1.7e12);
    received.push({
      delivery: req.headers.get("x-streamdet-delivery")!,
      attempt: Number(req.headers.get("x-streamdet-attempt")),
      frame: JSON.parse(new TextDecoder().decode(body)).frame,
      signed: await verifySignature(SECRET, body, req.headers.get("x-streamdet-signature")),
      answer,
    });
    if (answer === "hang") await released;
    return new Response(null, { status: answer === "hang" ? 200 : Number(answer) });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    script,
    received,
    /** Requests that hang from now on wait until `unhang()`. */
    hang: () => released = new Promise((resolve) => release = resolve),
    unhang: () => release(),
    close: async () => {
      release();
      await server.shutdown();
    },
  };
}

Deno.test(
  "a webhook receiver verifies every signature, gets a message after two 500s and after a timeout, and the pipeline never waits",
  async () => {
    Deno.env.set(SECRET_ENV, SECRET);
    const hook = receiver();
    const run = await startSinkPipeline([{
      type: "webhook",
      url: hook.url,
      secretEnv: SECRET_ENV,
      results: true,
      events: false,
      timeoutMs: 400,
      backoff: { initialDelayMs: 50, maxDelayMs: 200 },
    }]);
    try {
      // Two 500s, then the same message goes through on its third try.
      hook.script.push("500", "500");
      await until(() => hook.received.filter((r) => r.answer === "200").length >= 3, "3 accepted");
      const [a, b, c] = hook.received;
      assert.deepEqual([a.answer, b.answer, c.answer], ["500", "500", "200"]);
      assert.deepEqual([a.attempt, b.attempt, c.attempt], [1, 2, 3]);
      assert.equal(new Set([a.delivery, b.delivery, c.delivery]).size, 1, "one delivery id");
      assert.equal(a.frame, c.frame);
      const http500 = await run.waitForStatus((e) => e.state === "disconnected");
      assert.deepEqual(
        [http500.sink, http500.url, http500.reason, http500.attempt],
        ["webhook-0", hook.url, "HTTP 500 Internal Server Error", 1],
      );
      // A receiver that hangs: each try times out and is tried again; the pipeline goes on.
      hook.hang();
      hook.script.push("hang", "hang", "hang");
      const before = run.results();
      const timedOut = await run.waitForStatus((e) =>
        e.reason === "no answer within 400 ms" && e.attempt === 3
      );
      assert.equal(timedOut.state, "disconnected");
      assert.ok(run.results() - before >= 3, `${run.results() - before} results while it hung`);
      assert.ok(run.sinks[0].stats.buffered >= 2, "messages wait in the sink's buffer");
      hook.unhang();
      const hung = hook.received.find((r) => r.answer === "hang")!;
      await until(
        () => hook.received.some((r) => r.delivery === hung.delivery && r.answer === "200"),
        "the hung message delivered",
      );
      assert.deepEqual(
        hook.received.filter((r) => r.delivery === hung.delivery).map((r) => r.attempt),
        [1, 2, 3, 4],
      );
      // A 400 is not tried again: the message is counted failed, the next one goes.
      hook.script.push("400");
      await until(() => run.sinks[0].stats.failed === 1, "a failed message");
      const refused = hook.received.find((r) => r.answer === "400")!;
      await until(() => hook.received.at(-1)!.frame > refused.frame, "the next message");
      assert.equal(hook.received.filter((r) => r.delivery === refused.delivery).length, 1);
      // Every request was signed, and the accepted ones are every frame the pipeline
      // published (but the refused one), in order, once.
      assert.ok(hook.received.every((r) => r.signed));
      const accepted = hook.received.filter((r) => r.answer === "200").map((r) => r.frame);
      const from = run.frames.indexOf(accepted[0]);
      const to = run.frames.indexOf(accepted.at(-1)!);
      assert.deepEqual(
        accepted,
        run.frames.slice(from, to + 1).filter((f) => f !== refused.frame),
      );
      assert.equal(run.sinks[0].stats.dropped, 0);
    } finally {
      await run.close();
      await hook.close();
      Deno.env.delete(SECRET_ENV);
    }
  },
);

Deno.test("what a webhook sends are the documented result and event messages", async () => {
  Deno.env.set(SECRET_ENV, SECRET);
  const bodies: unknown[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    bodies.push(await req.json());
    return new Response("ok");
  });
  const run = await startSinkPipeline([{
    type: "webhook",
    url: `http://127.0.0.1:${server.addr.port}/`,
    secretEnv: SECRET_ENV,
    results: true,
  }]);
  try {
    await until(() => bodies.length >= 6, "6 requests");
    for (const body of bodies) {
      const schema = (body as { type: string }).type === "result"
        ? ResultMessageSchema
        : EventMessageSchema;
      assert.deepEqual(checkWire(schema, body), [], JSON.stringify(body).slice(0, 300));
    }
  } finally {
    await run.close();
    await server.shutdown();
    Deno.env.delete(SECRET_ENV);
  }
});

Deno.test("a webhook whose secret is not in the environment is an error at start, naming the field", async () => {
  await assert.rejects(
    () =>
      startSinkPipeline([{ type: "jsonl", path: "/tmp/unused.jsonl" }, {
        type: "webhook",
        url: "https://example.com/hook",
      }], { options: { env: () => undefined } }),
    {
      name: "ConfigError",
      message:
        'sinks[1].secretEnv: expected the name of a set environment variable, found "STREAMDET_WEBHOOK_SECRET", which is not set',
    },
  );
});
