/**
 * `GET /ready`: 200 once every model has loaded and every stream has delivered a frame
 * (or may be pending: `readyWithoutFrames`) and none has failed; 503 with each stream's
 * state and reason otherwise. The cameras are real: nothing listening, and GStreamer's
 * RTSP server offering RTP over UDP only (tests/_helpers/rtsp_server.ts).
 */

import assert from "node:assert/strict";
import { freePort } from "../_helpers/media.ts";
import { IGNORE_RTSP, startRtspServer } from "../_helpers/rtsp_server.ts";
import { api, FASTERRCNN, type Message, startTestServer } from "../_helpers/server.ts";

const models = { street: { manifest: FASTERRCNN } };
const reconnect = { initialDelayMs: 50, maxDelayMs: 200 };

/** Polls `GET path` until `test` passes (at most `ms`); the last answer. */
async function poll(
  server: { url: string },
  path: string,
  test: (answer: { status: number; json: Message }) => boolean,
  what: string,
  ms = 30_000,
): Promise<{ status: number; json: Message }> {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await api(server, "GET", path);
    if (test(answer)) return answer;
    if (Date.now() > deadline) {
      throw new Error(`no ${what} within ${ms} ms; last: ${JSON.stringify(answer.json)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stream = (json: Message, id: string): Message =>
  json.streams.find((s: Message) => s.id === id);

Deno.test("a camera that never connects keeps GET /ready at 503 while it retries, and says why", async () => {
  const server = await startTestServer({
    models,
    streams: [{ id: "cam", source: `rtsp://127.0.0.1:${freePort()}/live`, reconnect }],
  });
  try {
    // Retrying (its reconnects counted) is not ready: it has never delivered a frame.
    await poll(server, "/streams/cam", (a) => a.json.stats.reconnects >= 3, "3 reconnects");
    const ready = await api(server, "GET", "/ready");
    assert.equal(ready.status, 503);
    assert.equal(ready.json.ready, false);
    const cam = stream(ready.json, "cam");
    assert.equal(cam.ready, false);
    assert.ok(["connecting", "reconnecting"].includes(cam.state), cam.state);
    assert.match(cam.reason, /Connection refused|no frame yet/);
  } finally {
    await server.close();
  }
});

Deno.test("a stream with readyWithoutFrames may stay pending: GET /ready is 200 once the others deliver", async () => {
  const server = await startTestServer({
    models,
    streams: [
      { id: "pattern", source: "lavfi:testsrc2=size=320x240:rate=10" },
      {
        id: "spare",
        source: `rtsp://127.0.0.1:${freePort()}/live`,
        reconnect,
        readyWithoutFrames: true,
      },
    ],
  });
  try {
    const ready = await poll(server, "/ready", (a) => a.status === 200, "200");
    assert.equal(stream(ready.json, "pattern").ready, true);
    const spare = stream(ready.json, "spare");
    assert.equal(spare.ready, true);
    assert.notEqual(spare.state, "connected");
    const info = (await api(server, "GET", "/streams/spare")).json;
    assert.equal(info.stats.decoded, 0);
  } finally {
    await server.close();
  }
});

Deno.test({
  name:
    'a camera that offers only UDP: GET /ready is 503 while a stream with rtspTransport "tcp" has failed, and turns 200 on the "auto" stream\'s first frame once that one is removed',
  ignore: IGNORE_RTSP,
  fn: async () => {
    const camera = await startRtspServer({ protocols: "udp" });
    const server = await startTestServer({
      models,
      streams: [
        { id: "auto", source: camera.url, reconnect },
        { id: "tcp", source: camera.url, rtspTransport: "tcp", reconnect },
      ],
    });
    try {
      const waiting = await poll(
        server,
        "/ready",
        (a) => stream(a.json, "auto").ready && stream(a.json, "tcp").state === "failed",
        'the "auto" stream ready and the "tcp" one failed',
      );
      assert.equal(waiting.status, 503);
      assert.equal(waiting.json.ready, false);
      const tcp = stream(waiting.json, "tcp");
      assert.equal(tcp.ready, false);
      assert.match(
        tcp.reason,
        /^the RTSP server refused RTP over TCP \(461 Unsupported transport\)/,
      );
      // Ready means it delivered: its frames were counted before /ready said so.
      assert.ok((await api(server, "GET", "/streams/auto")).json.stats.decoded > 0);
      assert.equal((await api(server, "DELETE", "/streams/tcp")).status, 204);
      const ready = await api(server, "GET", "/ready");
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.json.streams.map((s: Message) => [s.id, s.ready]), [["auto", true]]);
    } finally {
      await server.close();
      await camera.close();
    }
  },
});
