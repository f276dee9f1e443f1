import assert from "node:assert/strict";
import {
  api,
  DEMO_VIDEO,
  FASTERRCNN,
  loopbackStream,
  type Message,
  startTestServer,
  TestClient,
} from "../_helpers/server.ts";
import { freePort, processesWith } from "../_helpers/media.ts";
import { checkWire } from "../../src/wire/parse.ts";
import { ServerMessageSchema } from "../../src/wire/ws_server_messages.ts";

const opts = { sanitizeOps: true, sanitizeResources: true };
const models = { boxes: { manifest: FASTERRCNN } };

/** Waits (polling GET /streams/:id, at most 30 s) until `test` holds for the stream. */
async function streamWhen(
  server: { url: string },
  id: string,
  test: (s: Message) => boolean,
): Promise<Message> {
  const end = Date.now() + 30_000;
  for (;;) {
    const { json } = await api(server, "GET", `/streams/${id}`);
    if (test(json)) return json;
    if (Date.now() > end) throw new Error(`stream ${id} never got there: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test(
  "an 8K 60 fps pattern added with POST /streams is refused with 400 naming limits.maxPixelRate, and its ffmpeg stops",
  opts,
  async () => {
    const server = await startTestServer({ models, streams: [] });
    try {
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: "subscribe", streams: "*" });
      await client.waitFor((m) => m.type === "subscribed");
      const marker = "testsrc2=size=7680x4320:rate=60";
      const res = await api(server, "POST", "/streams", { id: "huge", source: `lavfi:${marker}` });
      assert.equal(res.status, 400, JSON.stringify(res.json));
      assert.deepEqual(res.json, {
        error: "POST /streams: limits.maxPixelRate: expected an input of at most 250 million " +
          "pixels/s, found 7680×4320 at 60 fps: 1990.7 million pixels/s",
        limit: "limits.maxPixelRate",
        requested: 7680 * 4320 * 60,
        allowed: 250e6,
      });
      assert.deepEqual(await processesWith(marker), [], "its ffmpeg is gone");
      assert.deepEqual((await api(server, "GET", "/streams")).json.streams, []);
      assert.equal((await api(server, "GET", "/streams/huge")).status, 404);
      // A wildcard subscriber took it when it started: it hears why it failed, and that it
      // is gone.
      const failed = await client.waitFor((m) =>
        m.type === "status" && m.streamId === "huge" && m.state === "failed"
      );
      assert.equal(failed.reason, res.json.error);
      await client.waitFor((m) => m.type === "status" && m.event === "removed");
      // A stream within the limit is still taken.
      const small = await api(server, "POST", "/streams", {
        id: "small",
        source: "lavfi:testsrc2=size=320x240:rate=5",
      });
      assert.equal(small.status, 201, JSON.stringify(small.json));
      assert.deepEqual(small.json.input, { width: 320, height: 240, fps: 5, codec: "rawvideo" });
      await client.close();
    } finally {
      await server.close();
    }
  },
);

Deno.test(
  "streams beyond limits.maxStreams, configured ones counted, are refused with 429 until one is deleted",
  opts,
  async () => {
    const server = await startTestServer({
      models,
      streams: [{ id: "configured", source: "lavfi:testsrc2=size=64x48:rate=1" }],
      limits: { maxStreams: 3 },
    });
    try {
      for (const id of ["a", "b"]) {
        const res = await api(server, "POST", "/streams", {
          id,
          source: "lavfi:testsrc2=size=64x48:rate=1",
        });
        assert.equal(res.status, 201, JSON.stringify(res.json));
      }
      const marker = "testsrc2=size=64x48:rate=2";
      const over = await api(server, "POST", "/streams", { id: "c", source: `lavfi:${marker}` });
      assert.equal(over.status, 429, JSON.stringify(over.json));
      assert.deepEqual(over.json, {
        error: "POST /streams: limits.maxStreams: expected at most 3 streams, found 3 already " +
          "(delete one to add another)",
        limit: "limits.maxStreams",
        requested: 4,
        allowed: 3,
      });
      assert.deepEqual(await processesWith(marker), [], "no ffmpeg was started for it");
      assert.equal((await api(server, "DELETE", "/streams/a")).status, 204);
      const again = await api(server, "POST", "/streams", { id: "c", source: `lavfi:${marker}` });
      assert.equal(again.status, 201, JSON.stringify(again.json));
      assert.deepEqual(
        (await api(server, "GET", "/streams")).json.streams.map((s: Message) => s.id),
        ["configured", "b", "c"],
      );
    } finally {
      await server.close();
    }
  },
);

Deno.test(
  "small streams use up limits.maxTotalPixelRate and the next one is refused with 429 naming what runs",
  opts,
  async () => {
    const each = 160 * 120 * 10; // 192000 pixels/s
    const server = await startTestServer({
      models,
      streams: [],
      limits: { maxTotalPixelRate: 2.5 * each },
    });
    try {
      for (const id of ["a", "b"]) {
        const res = await api(server, "POST", "/streams", {
          id,
          source: "lavfi:testsrc2=size=160x120:rate=10",
        });
        assert.equal(res.status, 201, JSON.stringify(res.json));
      }
      // The third opens, is measured, and does not fit beside the two.
      const marker = "testsrc2=size=160x120:rate=10:duration=3600";
      const third = await api(server, "POST", "/streams", { id: "c", source: `lavfi:${marker}` });
      assert.equal(third.status, 429, JSON.stringify(third.json));
      assert.deepEqual(third.json, {
        error: "POST /streams: limits.maxTotalPixelRate: expected at most 480000 pixels/s for " +
          "all streams together, found 384000 pixels/s running and 160×120 at 10 fps: " +
          "192000 pixels/s for this one",
        limit: "limits.maxTotalPixelRate",
        requested: 3 * each,
        allowed: 2.5 * each,
      });
      assert.deepEqual(await processesWith(marker), [], "its ffmpeg is gone");
      // One that fits in what is left is taken.
      const fits = await api(server, "POST", "/streams", {
        id: "d",
        source: "lavfi:testsrc2=size=80x60:rate=10",
      });
      assert.equal(fits.status, 201, JSON.stringify(fits.json));
      // 432000 of 480000 pixels/s taken: one more small one takes the rest...
      const rest = await api(server, "POST", "/streams", {
        id: "e",
        source: "lavfi:testsrc2=size=80x60:rate=10",
      });
      assert.equal(rest.status, 201, JSON.stringify(rest.json));
      // ...and with the budget used up, the next is refused before anything starts.
      const late = "testsrc2=size=16x16:rate=1";
      const none = await api(server, "POST", "/streams", { id: "f", source: `lavfi:${late}` });
      assert.equal(none.status, 429, JSON.stringify(none.json));
      assert.equal(
        none.json.error,
        "POST /streams: limits.maxTotalPixelRate: expected at most 480000 pixels/s for all " +
          "streams together, found 480000 pixels/s running already",
      );
      assert.deepEqual(await processesWith(late), []);
      assert.deepEqual(
        (await api(server, "GET", "/streams")).json.streams.map((s: Message) => s.id),
        ["a", "b", "d", "e"],
      );
    } finally {
      await server.close();
    }
  },
);

Deno.test(
  "a live source that connects after POST /streams answered is stopped when over the limit, and listed as failed with the limit's error",
  opts,
  async () => {
    const server = await startTestServer({
      models,
      streams: [],
      limits: { maxPixelRate: 1e6 },
    });
    const port = freePort();
    let live: Awaited<ReturnType<typeof loopbackStream>> | undefined;
    try {
      // Nothing serves the URL yet: the first attempt fails, the stream reconnects.
      const res = await api(server, "POST", "/streams", {
        id: "late",
        source: `http://127.0.0.1:${port}/live.ts`,
        reconnect: { initialDelayMs: 100, maxDelayMs: 300 },
      });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      assert.equal(res.json.state, "reconnecting");
      live = await loopbackStream({ input: DEMO_VIDEO, port });
      const failed = await streamWhen(server, "late", (s) => s.state === "failed");
      assert.match(
        failed.reason,
        /^POST \/streams: limits\.maxPixelRate: expected an input of at most 1 million pixels\/s, found 640×360 at \d+(\.\d+)? fps: \d+(\.\d+)? million pixels\/s$/,
      );
      assert.equal((await api(server, "GET", "/streams")).json.streams[0].state, "failed");
      assert.equal((await api(server, "DELETE", "/streams/late")).status, 204);
    } finally {
      await live?.kill();
      await server.close();
    }
  },
);

Deno.test(
  "a wildcard subscription capped at maxSubscriptions tells the client which streams it left out",
  opts,
  async () => {
    const tiny = "lavfi:testsrc2=size=64x48:rate=1";
    const server = await startTestServer({
      models,
      streams: ["s1", "s2", "s3"].map((id) => ({ id, source: tiny })),
      server: { maxSubscriptions: 2 },
    });
    try {
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: "subscribe", streams: "*" });
      const first = await client.waitFor((m) => m.type === "subscribed");
      assert.deepEqual(first, {
        v: 3,
        type: "subscribed",
        streams: ["s1", "s2"],
        capped: { maxSubscriptions: 2, streams: ["s3"] },
      });
      // A stream that appears while the wildcard is full is left out too, and said so.
      assert.equal((await api(server, "POST", "/streams", { id: "s4", source: tiny })).status, 201);
      const appeared = await client.waitFor((m) =>
        m.type === "subscribed" && m.capped?.streams.includes("s4")
      );
      assert.deepEqual(appeared.capped, { maxSubscriptions: 2, streams: ["s3", "s4"] });
      assert.deepEqual(appeared.streams, ["s1", "s2"]);
      // Room made by hand is the client's to fill: the left-out streams stay listed.
      client.send({ type: "unsubscribe", streams: ["s1"] });
      const less = await client.next((m) => m.type === "subscribed");
      assert.deepEqual([less.streams, less.capped.streams], [["s2"], ["s3", "s4"]]);
      client.send({ type: "subscribe", streams: ["s4"] });
      const more = await client.next((m) => m.type === "subscribed");
      assert.deepEqual([more.streams, more.capped.streams], [["s2", "s4"], ["s3"]]);
      // Without a wildcard, nothing is capped.
      client.send({ type: "unsubscribe", streams: "*" });
      assert.deepEqual(await client.next((m) => m.type === "subscribed"), {
        v: 3,
        type: "subscribed",
        streams: [],
      });
      for (const m of client.messages) {
        assert.deepEqual(checkWire(ServerMessageSchema, m), [], JSON.stringify(m));
      }
      await client.close();
    } finally {
      await server.close();
    }
  },
);
