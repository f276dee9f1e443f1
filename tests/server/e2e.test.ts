import assert from "node:assert/strict";
import { STAGES } from "../../src/pipeline/timeline.ts";
import { decodeRle } from "../../src/geometry/rle.ts";
import {
  api,
  DEMO_VIDEO,
  loopbackStream,
  MASKRCNN,
  type Message,
  ROOT,
  startTestServer,
  TestClient,
} from "../_helpers/server.ts";

const opts = { sanitizeOps: true, sanitizeResources: true };

function assertCompleteLatency(m: Message): void {
  for (const stage of [...STAGES, "totalMs"]) {
    assert.ok(
      Number.isFinite(m.latency[stage]) && m.latency[stage] >= 0,
      `latency.${stage}: expected a number >= 0, found ${m.latency[stage]}`,
    );
  }
  const sum = STAGES.reduce((s, k) => s + m.latency[k], 0);
  assert.ok(
    Math.abs(sum - m.latency.totalMs) < 1,
    `stages sum to ${sum}, total ${m.latency.totalMs}`,
  );
}

function assertIncreasing(results: Message[]): void {
  for (let i = 1; i < results.length; i++) {
    assert.ok(
      results[i].frame > results[i - 1].frame,
      `frame ${results[i].frame} after ${results[i - 1].frame}`,
    );
  }
}

Deno.test(
  "results arrive for every stream with increasing frame indices and a complete latency breakdown",
  opts,
  async () => {
    const live = await loopbackStream();
    const server = await startTestServer({
      models: { street: { manifest: MASKRCNN, maxWaitMs: 5 } },
      streams: [
        { id: "cam", source: live.url },
        { id: "file", source: DEMO_VIDEO, loop: true },
      ],
    });
    try {
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: "subscribe", streams: ["cam", "file"], masks: true, panoptic: true });
      await client.waitFor((m) => m.type === "subscribed");
      for (const id of ["cam", "file"]) {
        await client.waitFor((m) =>
          m.type === "result" && m.streamId === id && client.results(id).length >= 5
        );
      }
      for (const id of ["cam", "file"]) {
        const results = client.results(id);
        assertIncreasing(results);
        for (const m of results) {
          assert.equal(m.v, 3);
          assert.equal(m.model, "street");
          assert.deepEqual([m.width, m.height], [640, 360]);
          assertCompleteLatency(m);
          assert.ok(m.detections.length > 0, "the demo always shows something");
          for (const d of m.detections) {
            assert.equal(d.box.length, 4);
            assert.ok(typeof d.label === "string" && d.score > 0 && d.score <= 1);
            assert.deepEqual(d.mask.size, [360, 640]);
          }
          const covered = m.panoptic.segments.reduce((s: number, seg: Message) => s + seg.area, 0);
          assert.ok(covered > 0.5 * 640 * 360, "panoptic segments cover most of the frame");
          const first = m.panoptic.segments[0];
          const pixels = decodeRle(first.rle).reduce((s, v) => s + v, 0);
          assert.equal(pixels, first.area, "a segment's RLE holds exactly its area");
        }
      }
      const ready = await api(server, "GET", "/ready");
      assert.equal(ready.status, 200);
      const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
      assert.match(
        metrics,
        /streamdet_stage_latency_seconds_count\{stream="cam",model="street",stage="inference"\} [1-9]/,
      );
      assert.match(metrics, /streamdet_frames_in_total\{stream="file"\} [1-9]/);
      assert.match(metrics, /streamdet_inference_batch_size_count\{model="street"\} [1-9]/);
      await client.close();
    } finally {
      await server.close();
      await live.kill();
    }
  },
);

Deno.test(
  "a stream added with POST /streams sends results, and DELETE /streams removes it",
  opts,
  async () => {
    const server = await startTestServer({
      models: { street: { manifest: MASKRCNN } },
      streams: [{ id: "file", source: DEMO_VIDEO, loop: true }],
    });
    try {
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: "subscribe", streams: "*" });
      const added = await api(server, "POST", "/streams", {
        id: "pattern",
        source: "lavfi:testsrc2=size=320x240:rate=10",
      });
      assert.equal(added.status, 201, JSON.stringify(added.json));
      assert.equal(added.json.id, "pattern");
      await client.waitFor((m) => m.type === "result" && m.streamId === "pattern");
      const listed = await api(server, "GET", "/streams");
      assert.deepEqual(listed.json.streams.map((s: Message) => s.id), ["file", "pattern"]);
      const twice = await api(server, "POST", "/streams", {
        id: "pattern",
        source: "lavfi:testsrc2",
      });
      assert.equal(twice.status, 409);
      const removed = await api(server, "DELETE", "/streams/pattern");
      assert.equal(removed.status, 204);
      await client.waitFor((m) =>
        m.type === "status" && m.event === "removed" && m.streamId === "pattern"
      );
      const after = await api(server, "GET", "/streams");
      assert.deepEqual(after.json.streams.map((s: Message) => s.id), ["file"]);
      assert.equal((await api(server, "DELETE", "/streams/pattern")).status, 404);
      const count = client.results("file").length;
      await client.next((m) => m.type === "result" && m.streamId === "file");
      assert.ok(client.results("file").length > count, "the other stream kept running");
      await client.close();
    } finally {
      await server.close();
    }
  },
);

Deno.test("a write without the bearer token is refused and changes nothing", opts, async () => {
  const server = await startTestServer({ models: { street: { manifest: MASKRCNN } }, streams: [] });
  try {
    const none = await api(server, "POST", "/streams", { id: "x", source: "lavfi:testsrc2" }, {
      token: null,
    });
    assert.equal(none.status, 401);
    assert.match(none.json.error, /Authorization: Bearer/);
    const wrong = await api(server, "POST", "/streams", { id: "x", source: "lavfi:testsrc2" }, {
      token: "nope",
    });
    assert.equal(wrong.status, 401);
    const del = await api(server, "DELETE", "/streams/x", undefined, { token: null });
    assert.equal(del.status, 401);
    assert.deepEqual((await api(server, "GET", "/streams")).json.streams, []);
  } finally {
    await server.close();
  }
});

Deno.test(
  "bad stream requests get a clear error while the running stream goes on",
  opts,
  async () => {
    const server = await startTestServer({
      models: { street: { manifest: MASKRCNN } },
      streams: [{ id: "file", source: DEMO_VIDEO, loop: true }],
    });
    try {
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: "subscribe", streams: ["file"] });
      const cases: [unknown, number, RegExp][] = [
        [{ id: "a", source: "file:///etc/passwd" }, 400, /accepted schemes/],
        [{ id: "a", source: "/etc/passwd" }, 400, /outside/],
        [{ id: "a", source: `${ROOT}models/demo/missing.mp4` }, 400, /expected an existing file/],
        [{ id: "a b", source: "lavfi:testsrc2" }, 400, /id: expected letters, digits/],
        [
          { id: "a", source: "lavfi:testsrc2", model: "other" },
          400,
          /model: expected one of "street"/,
        ],
        [{ id: "a", source: "lavfi:testsrc2", fps: -1 }, 400, /fps: expected a number/],
        [{ id: "a", source: "lavfi:testsrc2", sourc: "x" }, 400, /unknown field "sourc"/],
        ["{not json", 400, /expected a JSON stream object/],
      ];
      for (const [body, status, message] of cases) {
        const res = await api(server, "POST", "/streams", body);
        assert.equal(res.status, status, JSON.stringify(body));
        assert.match(res.json.error, message);
      }
      client.send("not json");
      const error = await client.waitFor((m) => m.type === "error");
      assert.equal(
        error.message,
        'message: expected a JSON object, found text that is not JSON: "not json"',
      );
      client.send({ type: "subscribe", streams: ["nope"] });
      const unknown = await client.next((m) => m.type === "error");
      assert.equal(
        unknown.message,
        'message: streams[0]: expected the id of a stream (one of "file"), found the string "nope"',
      );
      const before = client.results("file").length;
      await client.next((m) => m.type === "result");
      assert.ok(client.results("file").length > before);
      assert.deepEqual(
        (await api(server, "GET", "/streams")).json.streams.map((s: Message) => s.id),
        ["file"],
      );
      await client.close();
    } finally {
      await server.close();
    }
  },
);

Deno.test(
  "a model that fails to load and a refused source are reported while the other streams run",
  opts,
  async () => {
    const dir = await Deno.makeTempDir();
    const manifest = JSON.parse(await Deno.readTextFile(MASKRCNN));
    await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest));
    await Deno.writeFile(`${dir}/model.onnx`, new Uint8Array(100)); // not a graph
    const server = await startTestServer({
      models: { street: { manifest: MASKRCNN }, broken: { manifest: `${dir}/manifest.json` } },
      streams: [
        { id: "good", source: DEMO_VIDEO, loop: true, model: "street" },
        { id: "orphan", source: DEMO_VIDEO, loop: true, model: "broken" },
        { id: "refused", source: "file:///etc/passwd", model: "street" },
      ],
    });
    try {
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: "subscribe", streams: "*" });
      await client.waitFor((m) => m.type === "result" && m.streamId === "good");
      const models = (await api(server, "GET", "/models")).json.models;
      const broken = models.find((m: Message) => m.id === "broken");
      assert.equal(broken.state, "failed");
      assert.match(broken.error, /model\.onnx/);
      assert.equal(models.find((m: Message) => m.id === "street").state, "loaded");
      const streams = (await api(server, "GET", "/streams")).json.streams;
      const byId = new Map(streams.map((s: Message) => [s.id, s]));
      assert.equal((byId.get("orphan") as Message).state, "failed");
      assert.match((byId.get("orphan") as Message).reason, /model "broken" failed to load/);
      assert.equal((byId.get("refused") as Message).state, "failed");
      assert.match((byId.get("refused") as Message).reason, /accepted schemes/);
      const ready = await api(server, "GET", "/ready");
      assert.equal(ready.status, 503);
      assert.equal(ready.json.ready, false);
      const posted = await api(server, "POST", "/streams", {
        id: "x",
        source: "lavfi:testsrc2",
        model: "broken",
      });
      assert.equal(posted.status, 400);
      assert.match(posted.json.error, /not loaded/);
      await client.close();
    } finally {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "subscription filters keep only the asked classes and scores, and limits are enforced",
  opts,
  async () => {
    const server = await startTestServer({
      models: { street: { manifest: MASKRCNN } },
      streams: [{ id: "file", source: DEMO_VIDEO, loop: true }],
      server: { maxSubscriptions: 1, maxMessageBytes: 256 },
    });
    try {
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: "subscribe", streams: ["file"], classes: ["car"], minScore: 0.9 });
      await client.waitFor(() => client.results().length >= 3);
      for (const m of client.results()) {
        assert.equal(m.panoptic, undefined);
        for (const d of m.detections) {
          assert.equal(d.label, "car");
          assert.ok(d.score >= 0.9);
          assert.equal(d.mask, undefined);
        }
      }
      await api(server, "POST", "/streams", { id: "second", source: "lavfi:testsrc2" });
      client.send({ type: "subscribe", streams: ["second"] });
      const limit = await client.waitFor((m) => m.type === "error");
      assert.equal(limit.code, "bad-request");
      assert.equal(
        limit.message,
        "message: streams: expected at most 1 subscriptions per client, found an array of 1 item, " +
          "which would make 2",
      );
      client.send({ type: "subscribe", streams: ["file"], classes: ["x".repeat(300)] });
      await client.closed();
      assert.equal(client.closeCode, 1009);
    } finally {
      await server.close();
    }
  },
);

Deno.test(
  "with panoptic on demand, only streams someone subscribed to panoptic for pay for fusion",
  opts,
  async () => {
    const server = await startTestServer({
      models: { street: { manifest: MASKRCNN } },
      streams: [{ id: "file", source: DEMO_VIDEO, loop: true }],
    }, { panoptic: "on-demand" });
    try {
      const plain = await TestClient.connect(server.wsUrl);
      plain.send({ type: "subscribe", streams: ["file"] });
      await plain.waitFor(() => plain.results().length >= 3);
      assert.ok(
        plain.results().every((m) => m.latency.fusion === 0),
        "no fusion while nobody asks",
      );
      const viewer = await TestClient.connect(server.wsUrl);
      viewer.send({ type: "subscribe", streams: ["file"], panoptic: true });
      const fused = await viewer.waitFor((m) =>
        m.type === "result" && m.panoptic?.segments.length > 0
      );
      assert.ok(fused.latency.fusion > 0);
      await viewer.close();
      await plain.close();
    } finally {
      await server.close();
    }
  },
);
