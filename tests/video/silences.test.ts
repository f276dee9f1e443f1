import assert from "node:assert/strict";
import { SourceError } from "../../src/errors.ts";
import { FrameSource } from "../../src/video/frame_source.ts";
import type { SourceStatus } from "../../src/types.ts";
import { ffmpegChildren, freePort, runFfmpeg, testFfmpeg, watch } from "../_helpers/media.ts";

const ffmpeg = await testFfmpeg();
const dir = await Deno.makeTempDir({ prefix: "streamdet-silences-" });
const demo = new URL("../../models/demo/street.mp4", import.meta.url).pathname;

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("a truncated MP4 warns, keeps the frames before the cut, and ends saying it is truncated and how many frames were read", async () => {
  const cut = `${dir}/street-30.mp4`;
  const bytes = await Deno.readFile(demo); // 300 frames, its index first
  await Deno.writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.3)));
  const source = new FrameSource({ streamId: "cut", input: cut, ffmpeg, roots: [dir] });
  const events = watch(source);
  let frames = 0;
  for await (const _ of source.frames()) frames++;
  assert.ok(frames > 20 && frames < 100, `${frames} frames`);
  const warning = events.find((e) => e.warning);
  assert.ok(warning, `a warning among ${JSON.stringify(events)}`);
  assert.equal(warning.state, "connected", "the warning does not change the state");
  assert.match(warning.warning!, /^the input is cut short: .*partial file/);
  const end = events.at(-1)!;
  assert.equal(end.state, "ended");
  assert.equal(
    end.reason?.replace(/ffmpeg said: .*/, "ffmpeg said: …"),
    `the input is truncated or damaged: ${frames} of about 300 frames read, then ffmpeg said: …`,
  );
  assert.ok(events.indexOf(warning) < events.length - 1);
  assert.deepEqual(await ffmpegChildren(), []);
});

Deno.test("a recording with a damaged picture warns once and still ends as a whole one", async () => {
  // Bytes of one picture overwritten in the middle of an MPEG-TS recording.
  const ts = `${dir}/damaged.ts`;
  await runFfmpeg(["-i", demo, "-frames:v", "30", "-c", "copy", ts]);
  const bytes = await Deno.readFile(ts);
  const at = Math.floor(bytes.length / 2);
  for (let i = at; i < at + 4000; i += 188) bytes.fill(0x55, i + 8, i + 188);
  await Deno.writeFile(ts, bytes);
  const source = new FrameSource({ streamId: "damaged", input: ts, ffmpeg, roots: [dir] });
  const events = watch(source);
  let frames = 0;
  for await (const _ of source.frames()) frames++;
  assert.ok(frames >= 25, `${frames} frames`);
  const warnings = events.filter((e) => e.warning);
  assert.equal(warnings.length, 1, JSON.stringify(events));
  assert.match(warnings[0].warning!, /^the input is damaged: /);
  assert.deepEqual([events.at(-1)!.state, events.at(-1)!.reason], ["ended", undefined]);
});

Deno.test("a whole MP4 ends without a warning or a reason", async () => {
  const clip = `${dir}/whole.mp4`;
  await runFfmpeg(["-i", demo, "-frames:v", "20", "-c", "copy", clip]);
  const source = new FrameSource({ streamId: "whole", input: clip, ffmpeg, roots: [dir] });
  const events = watch(source);
  let frames = 0;
  for await (const _ of source.frames()) frames++;
  assert.equal(frames, 20);
  assert.deepEqual(events.map((e) => [e.state, e.warning, e.reason]), [
    ["connecting", undefined, undefined],
    ["connected", undefined, undefined],
    ["ended", undefined, undefined],
  ]);
});

Deno.test("an input without a video stream fails saying so, not with ffmpeg's internal text", async () => {
  const audio = `${dir}/voice.m4a`;
  await runFfmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", audio]);
  const source = new FrameSource({ streamId: "audio", input: audio, ffmpeg, roots: [dir] });
  const events = watch(source);
  await assert.rejects(
    () => source.start(),
    (e: Error) => e instanceof SourceError && e.message === `audio: no video stream in ${audio}`,
  );
  assert.deepEqual(events.map((e) => [e.state, e.reason]), [
    ["connecting", undefined],
    ["failed", `no video stream in ${audio}`],
  ]);
  assert.deepEqual(await ffmpegChildren(), []);
});

/** A camera: an ffmpeg serving a live MPEG-TS test pattern over HTTP to one client. */
function camera(port: number): Deno.ChildProcess {
  return new Deno.Command(ffmpeg.path, {
    args: [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-re"],
      ...["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25"],
      ...["-pix_fmt", "yuv420p", "-f", "mpegts", "-listen", "1"],
      `http://127.0.0.1:${port}/live.ts`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function end(server: Deno.ChildProcess): Promise<void> {
  try {
    server.kill("SIGKILL");
  } catch {
    // gone already
  }
  await server.status;
}

/** Reads a camera until `stop` has been done and the source gave up; its events. */
async function disappearing(
  stop: (server: Deno.ChildProcess) => void,
  stallTimeoutMs: number,
): Promise<SourceStatus[]> {
  const port = freePort();
  const server = camera(port);
  await new Promise((r) => setTimeout(r, 300));
  const source = new FrameSource({
    streamId: "cam",
    input: `http://127.0.0.1:${port}/live.ts`,
    ffmpeg,
    output: { width: 160, height: 160 },
    reconnect: { initialDelayMs: 50, maxDelayMs: 100, maxAttempts: 1, jitter: 0 },
    stallTimeoutMs,
    connectTimeoutMs: 2000,
  });
  const events = watch(source);
  const reader = source.frames().getReader();
  try {
    for (let i = 0; i < 5; i++) assert.ok((await reader.read()).value, "a frame");
    stop(server);
    await until(() => events.some((e) => e.state === "failed"), "the source to give up");
  } finally {
    await reader.cancel().catch(() => {});
    await end(server);
  }
  assert.deepEqual(await ffmpegChildren(), []);
  return events;
}

Deno.test("a camera whose server goes away is reported as a camera that stopped answering, not as an input that ended", async () => {
  const events = await disappearing((server) => server.kill("SIGKILL"), 4000);
  const lost = events.find((e) => e.state === "reconnecting")!;
  assert.match(lost.reason!, /^the camera stopped answering/);
  assert.doesNotMatch(lost.reason!, /the input ended/);
});

Deno.test("a camera whose server stops answering is reported stalled: the camera stopped answering", async () => {
  const events = await disappearing((server) => server.kill("SIGSTOP"), 800);
  const stalled = events.find((e) => e.state === "stalled")!;
  assert.equal(stalled.reason, "the camera stopped answering: no frame for 800 ms");
  assert.equal(events.find((e) => e.state === "reconnecting")!.reason, stalled.reason);
});

Deno.test({
  name: "silence tests leave no temporary files behind",
  fn: async () => {
    await Deno.remove(dir, { recursive: true });
  },
});
