/**
 * The `rtspTransport` option without a camera: where it is accepted, the ffmpeg arguments
 * it gives, and the transport `auto` picks after each kind of failure. The same against a
 * real RTSP server is in rtsp_transport.test.ts.
 */

import assert from "node:assert/strict";
import { resolvePipelineConfig, resolveStreamConfig } from "../../src/pipeline/config.ts";
import { ffmpegArgs } from "../../src/video/ffmpeg_args.ts";
import { FrameSource } from "../../src/video/frame_source.ts";
import { RtspTransportChooser } from "../../src/video/rtsp_transport_chooser.ts";
import { testFfmpeg } from "../_helpers/media.ts";

const origin = { name: "p.json", baseDir: "/srv" };
const models = [{ id: "m" }];
const REFUSED = "[rtsp @ 0x55d] method SETUP failed: 461 Unsupported transport; " +
  "rtsp://cam/1: Protocol not supported";

Deno.test("rtspTransport is accepted for rtsp:// and rtsps:// sources and left out by default", () => {
  for (const rtspTransport of ["auto", "tcp", "udp", "http"]) {
    const s = resolveStreamConfig(
      { id: "c", source: "rtsp://cam/1", rtspTransport },
      models,
      origin,
    );
    assert.equal(s.rtspTransport, rtspTransport);
  }
  const s = resolveStreamConfig(
    { id: "c", source: "RTSPS://cam/1", rtspTransport: "udp" },
    models,
    origin,
  );
  assert.equal(s.rtspTransport, "udp");
  assert.equal(
    resolveStreamConfig({ id: "c", source: "rtsp://cam/1" }, models, origin).rtspTransport,
    undefined,
  );
});

Deno.test("rtspTransport given for a source that is not an RTSP URL is a config error naming the field", () => {
  for (const source of ["http://cam/1.ts", "rtmp://host/live", "clip.mp4", "lavfi:testsrc2"]) {
    assert.throws(
      () => resolveStreamConfig({ id: "c", source, rtspTransport: "tcp" }, models, origin),
      {
        name: "ConfigError",
        message:
          'p.json: rtspTransport: expected no value for a source that is not an rtsp:// or rtsps:// URL, found the string "tcp"',
      },
    );
  }
  assert.throws(
    () =>
      resolvePipelineConfig({
        models: { m: { manifest: "m.json" } },
        streams: [{ id: "c", source: "udp://239.0.0.1:5000", rtspTransport: "udp" }],
      }, origin),
    {
      message:
        /^p\.json: streams\[0\]\.rtspTransport: expected no value for a source that is not an rtsp/,
    },
  );
});

Deno.test("HTTP tunnelling of an rtsps:// source is refused: it would not be encrypted", () => {
  assert.throws(
    () =>
      resolveStreamConfig(
        { id: "c", source: "rtsps://cam/1", rtspTransport: "http" },
        models,
        origin,
      ),
    {
      message:
        'p.json: rtspTransport: expected "auto", "tcp" or "udp" for an rtsps:// source (HTTP tunnelling would not be encrypted), found the string "http"',
    },
  );
});

Deno.test("an unknown rtspTransport names the choices", () => {
  assert.throws(
    () =>
      resolveStreamConfig(
        { id: "c", source: "rtsp://cam/1", rtspTransport: "quic" },
        models,
        origin,
      ),
    {
      message:
        /^p\.json: rtspTransport: expected one of "auto", "tcp", "udp", "http", found the string "quic"$/,
    },
  );
});

Deno.test("FrameSource refuses rtspTransport for an input that is not an RTSP URL", async () => {
  const ffmpeg = await testFfmpeg();
  assert.throws(
    () => new FrameSource({ streamId: "c", input: "lavfi:testsrc2", ffmpeg, rtspTransport: "udp" }),
    {
      name: "RangeError",
      message:
        'FrameSource: rtspTransport: expected no value for a source that is not an rtsp:// or rtsps:// URL, found the string "udp"',
    },
  );
  assert.throws(
    () => new FrameSource({ streamId: "c", input: "rtsps://cam/1", ffmpeg, rtspTransport: "http" }),
    { name: "RangeError", message: /expected "auto", "tcp", "udp" for an rtsps:\/\/ URL/ },
  );
});

Deno.test("ffmpegArgs() gives an RTSP input the attempt's transport, TCP when none is given", async () => {
  const ffmpeg = await testFfmpeg();
  const out = { fit: "native" as const, width: 0, height: 0, format: "rgb24" as const };
  const input = { kind: "url" as const, url: "rtsp://cam/1" };
  const transportOf = (args: string[]) => args[args.indexOf("-rtsp_transport") + 1];
  const mode = { realtime: false, loop: false };
  assert.equal(transportOf(ffmpegArgs(ffmpeg, input, "", out, mode, "rtsp,rtp,udp,tcp")), "tcp");
  for (const rtspTransport of ["tcp", "udp", "http"] as const) {
    const args = ffmpegArgs(ffmpeg, input, "", out, { ...mode, rtspTransport }, "rtsp,rtp,udp,tcp");
    assert.equal(transportOf(args), rtspTransport);
    // HTTP tunnelling needs the http protocol, and only then.
    assert.equal(
      args[args.indexOf("-protocol_whitelist") + 1].endsWith(",http"),
      rtspTransport === "http",
    );
  }
  const http = { kind: "url" as const, url: "http://cam/1.ts" };
  const args = ffmpegArgs(ffmpeg, http, "", out, { ...mode, rtspTransport: "udp" }, "http,tcp");
  assert.ok(!args.includes("-rtsp_transport"));
});

Deno.test('"auto" asks for TCP, then UDP after a 461, and fails when both were refused', () => {
  const chooser = new RtspTransportChooser("auto");
  assert.equal(chooser.current, "tcp");
  let verdict = chooser.after(0, REFUSED);
  assert.deepEqual(verdict, {
    reason: "the RTSP server refused RTP over TCP (461 Unsupported transport): trying UDP",
    fatal: false,
    retryNow: true,
  });
  assert.equal(chooser.current, "udp");
  verdict = chooser.after(0, REFUSED);
  assert.deepEqual(verdict, {
    reason: "the RTSP server refused RTP over TCP and over UDP (461 Unsupported transport)",
    fatal: true,
    retryNow: false,
  });
});

Deno.test('"auto" keeps the transport that delivered frames for its reconnects', () => {
  const chooser = new RtspTransportChooser("auto");
  chooser.after(0, REFUSED); // TCP refused: UDP next
  chooser.after(250, "the camera stopped answering"); // UDP delivered, then the camera went away
  assert.equal(chooser.current, "udp");
  // A camera that does not answer at all is not the transport's fault.
  const down = "rtsp://cam/1: Connection refused";
  assert.deepEqual(chooser.after(0, down), { reason: down, fatal: false, retryNow: false });
  assert.equal(chooser.current, "udp");
  // Reconfigured to TCP only: UDP refused, TCP again at once.
  assert.equal(chooser.after(0, REFUSED).retryNow, true);
  assert.equal(chooser.current, "tcp");
});

Deno.test('"auto" tries the other transport after a silence (UDP blocked on the way), after the backoff', () => {
  const chooser = new RtspTransportChooser("auto");
  chooser.after(0, REFUSED);
  assert.equal(chooser.current, "udp");
  const verdict = chooser.after(0, "no video stream after 10000 ms");
  assert.deepEqual(verdict, {
    reason: "no video stream after 10000 ms over UDP: trying TCP",
    fatal: false,
    retryNow: false,
  });
  assert.equal(chooser.current, "tcp");
});

Deno.test("a fixed transport is never changed; refused, it fails the source with what to do", () => {
  for (const setting of ["tcp", "udp", "http"] as const) {
    const chooser = new RtspTransportChooser(setting);
    assert.deepEqual(chooser.after(0, "no frame for 10000 ms"), {
      reason: "no frame for 10000 ms",
      fatal: false,
      retryNow: false,
    });
    const verdict = chooser.after(0, REFUSED);
    assert.equal(verdict.fatal, true);
    assert.match(
      verdict.reason!,
      /^the RTSP server refused RTP over (TCP|UDP|TCP tunnelled over HTTP) \(461 Unsupported transport\): rtspTransport "auto" tries TCP, then UDP$/,
    );
    assert.equal(chooser.current, setting);
  }
  const none = new RtspTransportChooser(undefined); // not an RTSP source
  assert.equal(none.current, undefined);
  assert.deepEqual(none.after(0, REFUSED), { reason: REFUSED, fatal: false, retryNow: false });
});
