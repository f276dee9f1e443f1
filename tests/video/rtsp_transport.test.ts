/**
 * RTSP transports against a real RTSP server (GStreamer's, tests/_helpers/rtsp_server.ts)
 * that accepts RTP over TCP only, over UDP only, or both: a camera that refuses the
 * transport asked for answers "461 Unsupported transport".
 */

import assert from "node:assert/strict";
import type { SourceStatus } from "../../src/types.ts";
import { FrameSource, type FrameSourceOptions } from "../../src/video/frame_source.ts";
import { ffmpegChildren, testFfmpeg, watch } from "../_helpers/media.ts";
import {
  IGNORE_RTSP,
  type RtspProtocols,
  type RtspServer,
  startRtspServer,
} from "../_helpers/rtsp_server.ts";

const ffmpeg = await testFfmpeg();

function camera(url: string, extra: Partial<FrameSourceOptions> = {}): FrameSource {
  return new FrameSource({
    streamId: "cam",
    input: url,
    ffmpeg,
    reconnect: { initialDelayMs: 100, maxDelayMs: 400, jitter: 0 },
    ...extra,
  });
}

/**
 * Reads `count` frames, or until the source fails or ends, within `ms`; stops the
 * source. Returns the frames' sizes and the error that ended the stream, if any.
 */
async function read(
  source: FrameSource,
  count: number,
  ms = 20_000,
): Promise<{ sizes: number[][]; error?: Error; timedOut: boolean }> {
  const sizes: number[][] = [];
  const reader = source.frames().getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) =>
    timer = setTimeout(() => resolve("timeout"), ms)
  );
  let error: Error | undefined, timedOut = false;
  try {
    while (sizes.length < count) {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === "timeout") {
        timedOut = true;
        break;
      }
      if (next.done) break;
      sizes.push([next.value.width, next.value.height]);
    }
  } catch (e) {
    error = e as Error;
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
    await source.stop();
  }
  return { sizes, error, timedOut };
}

/** Runs `body` with a server that accepts `protocols`, then stops it. */
async function withServer(
  protocols: RtspProtocols,
  body: (server: RtspServer) => Promise<void>,
): Promise<void> {
  const server = await startRtspServer({ protocols });
  try {
    await body(server);
  } finally {
    await server.close();
  }
  assert.deepEqual(await ffmpegChildren(), []);
}

const states = (events: SourceStatus[]) => events.map((e) => e.state);

/** The transports the server was asked for, once it has printed `count` of them. */
async function setups(server: RtspServer, count: number): Promise<string[]> {
  for (let i = 0; i < 100 && server.setups.length < count; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return server.setups;
}

Deno.test({
  name: 'a camera that offers only UDP delivers frames with rtspTransport "udp"',
  ignore: IGNORE_RTSP,
  fn: () =>
    withServer("udp", async (server) => {
      const source = camera(server.url, { rtspTransport: "udp" });
      const events = watch(source);
      const { sizes, error, timedOut } = await read(source, 3);
      assert.deepEqual({ error, timedOut }, { error: undefined, timedOut: false });
      assert.deepEqual(sizes, [[320, 240], [320, 240], [320, 240]]);
      assert.deepEqual(states(events), ["connecting", "connected", "stopped"]);
      assert.deepEqual(await setups(server, 1), ["udp"]);
    }),
});

Deno.test({
  name:
    'a camera that offers only UDP fails at once with rtspTransport "tcp", and the failure says the server refused TCP',
  ignore: IGNORE_RTSP,
  fn: () =>
    withServer("udp", async (server) => {
      const source = camera(server.url, { rtspTransport: "tcp" });
      const events = watch(source);
      const { sizes, error, timedOut } = await read(source, 1);
      assert.equal(timedOut, false, `no end after 20 s: ${JSON.stringify(events)}`);
      assert.deepEqual(sizes, []);
      assert.deepEqual(states(events), ["connecting", "failed"]); // no retry: it cannot help
      const reason = events.at(-1)!.reason!;
      assert.match(reason, /^the RTSP server refused RTP over TCP \(461 Unsupported transport\)/);
      assert.match(reason, /rtspTransport "auto"/);
      assert.match(error!.message, /^cam: the RTSP server refused RTP over TCP/);
      assert.deepEqual(await setups(server, 1), ["tcp"]);
    }),
});

Deno.test({
  name:
    'a camera that offers only UDP delivers frames with rtspTransport "auto", after it refused TCP',
  ignore: IGNORE_RTSP,
  fn: () =>
    withServer("udp", async (server) => {
      const source = camera(server.url); // "auto" is the default
      const events = watch(source);
      const { sizes, error, timedOut } = await read(source, 3);
      assert.deepEqual({ error, timedOut }, { error: undefined, timedOut: false });
      assert.equal(sizes.length, 3);
      assert.deepEqual(states(events), [
        "connecting",
        "reconnecting",
        "connecting",
        "connected",
        "stopped",
      ]);
      assert.equal(
        events[1].reason,
        "the RTSP server refused RTP over TCP (461 Unsupported transport): trying UDP",
      );
      assert.deepEqual(await setups(server, 2), ["tcp", "udp"]);
    }),
});

for (const rtspTransport of ["tcp", "auto", "http"] as const) {
  Deno.test({
    name: `a camera that offers only TCP delivers frames with rtspTransport "${rtspTransport}"`,
    ignore: IGNORE_RTSP,
    fn: () =>
      withServer("tcp", async (server) => {
        const source = camera(server.url, { rtspTransport });
        const events = watch(source);
        const { sizes, error, timedOut } = await read(source, 3);
        assert.deepEqual({ error, timedOut }, { error: undefined, timedOut: false });
        assert.equal(sizes.length, 3);
        assert.deepEqual(states(events), ["connecting", "connected", "stopped"]);
        // "auto" asks for TCP first; "http" tunnels it.
        assert.deepEqual(await setups(server, 1), [rtspTransport === "http" ? "http" : "tcp"]);
      }),
  });
}

Deno.test({
  name: 'a camera that offers only TCP fails at once with rtspTransport "udp"',
  ignore: IGNORE_RTSP,
  fn: () =>
    withServer("tcp", async (server) => {
      const source = camera(server.url, { rtspTransport: "udp" });
      const events = watch(source);
      const { sizes, timedOut } = await read(source, 1);
      assert.deepEqual({ sizes, timedOut }, { sizes: [], timedOut: false });
      assert.deepEqual(states(events), ["connecting", "failed"]);
      assert.match(events[1].reason!, /^the RTSP server refused RTP over UDP \(461/);
      assert.deepEqual(await setups(server, 1), ["udp"]);
    }),
});

Deno.test({
  name:
    '"auto" falls back to UDP even when the source never reconnects: that is part of connecting',
  ignore: IGNORE_RTSP,
  fn: () =>
    withServer("udp", async (server) => {
      const source = camera(server.url, { rtspTransport: "auto", reconnect: false });
      const events = watch(source);
      const { sizes, error, timedOut } = await read(source, 2);
      assert.deepEqual({ error, timedOut }, { error: undefined, timedOut: false });
      assert.equal(sizes.length, 2);
      assert.deepEqual(await setups(server, 2), ["tcp", "udp"]);
      assert.equal(states(events).filter((s) => s === "connected").length, 1);
    }),
});
