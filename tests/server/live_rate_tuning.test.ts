/**
 * An engine that tunes itself learns a live stream's rate when its input opens: a stream
 * the single-frame setting keeps up with stays on it with one frame in flight; one that
 * outruns it moves the engine to its most frames per second, and the stream fills the
 * sessions. Real ffmpeg sources, the shipped Faster R-CNN, the served pipeline.
 */

import assert from "node:assert/strict";
import { api, FASTERRCNN, type Message, startTestServer } from "../_helpers/server.ts";
import { keepUpRate } from "../../src/inference/engine_tuning.ts";

/** Polls `GET /models` and `GET /streams/:id` until `ready` says so (15 s at most). */
async function until(
  server: Awaited<ReturnType<typeof startTestServer>>,
  id: string,
  ready: (model: Message, stream: Message) => boolean,
  what: string,
): Promise<{ model: Message; stream: Message }> {
  const deadline = performance.now() + 15_000;
  let last = "";
  while (performance.now() < deadline) {
    const model = (await api(server, "GET", "/models")).json.models[0].status as Message;
    const stream = (await api(server, "GET", `/streams/${id}`)).json as Message;
    if (ready(model, stream)) return { model, stream };
    last = JSON.stringify({ tuning: { ...model.tuning, measurements: undefined }, stream });
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not seen in 15 s; last: ${last}`);
}

Deno.test(
  "a live stream faster than the single-frame setting keeps up with re-tunes the engine for throughput and fills its sessions, and a slow one keeps batch 1 and one frame in flight",
  { sanitizeOps: true, sanitizeResources: true },
  async () => {
    const server = await startTestServer({
      models: { m: { manifest: FASTERRCNN, sessions: "auto", maxBatch: "auto", tuneMs: 100 } },
      streams: [],
    });
    try {
      const add = async (id: string, rate: number) => {
        const source = `lavfi:testsrc2=size=320x180:rate=${rate}`;
        const res = await api(server, "POST", "/streams", { id, source });
        assert.equal(res.status, 201, JSON.stringify(res.json));
      };
      // 3 frames/s: every batch-1 setting keeps up.
      await add("slow", 3);
      const slow = await until(
        server,
        "slow",
        (m, s) => m.tuning.workload.liveFps === 3 && s.stats.published > 0,
        "the slow stream's rate in the workload, and a result",
      );
      assert.equal(slow.model.tuning.mode, "latency");
      assert.deepEqual([slow.model.maxBatch, slow.model.sessions], [1, 1]);
      assert.equal(slow.stream.stats.maxInFlight, 1);
      assert.equal((await api(server, "DELETE", "/streams/slow")).status, 204);

      // Far beyond what any single-frame run here keeps up with.
      const measured = slow.model.tuning.measurements as Parameters<typeof keepUpRate>[0][];
      const fastest = Math.max(
        ...measured.filter((m) => m.setting.batch === 1).map((m) => keepUpRate(m)),
      );
      const rate = Math.max(100, Math.ceil(3 * fastest));
      await add("fast", rate);
      const fast = await until(
        server,
        "fast",
        (m, s) =>
          m.tuning.workload.liveFps === rate && m.tuning.mode === "throughput" &&
          s.stats.published > 0,
        "the fast stream's rate in the workload, and the throughput setting",
      );
      const { model, stream } = fast;
      assert.match(model.tuning.reason, new RegExp(`one live stream faster \\(${rate} fps\\)`));
      // The window follows the setting (read after it applied: the stream's own later info).
      const after = await until(
        server,
        "fast",
        (m, s) => s.stats.maxInFlight === m.sessions * m.maxBatch,
        "the fast stream's window equal to the sessions times the batch",
      );
      assert.equal(after.model.spinning, false, "throughput never spins");
      assert.ok(stream.stats.dropped >= 0);
      assert.equal((await api(server, "DELETE", "/streams/fast")).status, 204);
    } finally {
      await server.close();
    }
  },
);

Deno.test(
  "a live stream on an engine with given settings keeps one frame in flight, however fast it is and however large the batch",
  { sanitizeOps: true, sanitizeResources: true },
  async () => {
    const server = await startTestServer({
      models: { m: { manifest: FASTERRCNN, sessions: 1, maxBatch: 2 } },
      streams: [],
    });
    try {
      const source = "lavfi:testsrc2=size=320x180:rate=100";
      const res = await api(server, "POST", "/streams", { id: "fast", source });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      const { model, stream } = await until(
        server,
        "fast",
        (_, s) => s.stats.published > 5,
        "results of the fast stream",
      );
      assert.equal(model.tuning, undefined);
      assert.equal(model.maxBatch, 2);
      assert.equal(stream.stats.maxInFlight, 1);
      assert.ok(stream.stats.inFlight <= 1);
    } finally {
      await server.close();
    }
  },
);
