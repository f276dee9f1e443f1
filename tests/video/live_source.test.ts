import assert from "node:assert/strict";
import { SourceError } from "../../src/errors.ts";
import { FrameSource, type FrameSourceOptions } from "../../src/video/frame_source.ts";
import { ffmpegChildren, freePort, processesWith, testFfmpeg, watch } from "../_helpers/media.ts";

const ffmpeg = await testFfmpeg();

/** An ffmpeg that serves a live MPEG-TS test pattern over HTTP to one client. */
function serve(port: number): Deno.ChildProcess {
  return new Deno.Command(ffmpeg.path, {
    args: [
      "-hide_banner",
      "-nostdin",
      "-loglevel",
      "error",
      "-re",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=320x240:rate=25",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-tune",
      "zerolatency",
      "-g",
      "25",
      "-pix_fmt",
      "yuv420p",
      "-f",
      "mpegts",
      "-listen",
      "1",
      `http://127.0.0.1:${port}/live.ts`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function kill(server: Deno.ChildProcess): Promise<void> {
  try {
    server.kill("SIGKILL");
  } catch {
    // already gone
  }
  await server.status;
}

function live(input: string, extra: Partial<FrameSourceOptions> = {}): FrameSource {
  return new FrameSource({
    streamId: "cam",
    input,
    ffmpeg,
    output: { width: 160, height: 160 },
    reconnect: { initialDelayMs: 150, maxDelayMs: 600, jitter: 0 },
    stallTimeoutMs: 4000,
    ...extra,
  });
}

async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The next frame, failing the test instead of hanging when none comes. */
async function next<T>(
  reader: ReadableStreamDefaultReader<T>,
  ms = 15_000,
): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) =>
    timer = setTimeout(() => reject(new Error(`no frame within ${ms} ms`)), ms)
  );
  try {
    return (await Promise.race([reader.read(), timeout])).value;
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("a live source reconnects after its HTTP server dies, and frames resume", async () => {
  const port = freePort();
  let server = serve(port);
  await sleep(300);
  const s = live(`http://127.0.0.1:${port}/live.ts`);
  const events = watch(s);
  const reader = s.frames().getReader();
  for (let i = 0; i < 10; i++) assert.ok(await next(reader));

  await kill(server);
  await until(() => events.some((e) => e.state === "reconnecting"), "reconnecting");
  const restartedAt = Date.now();
  server = serve(port);
  await until(
    () => events.filter((e) => e.state === "connected").length >= 2,
    "a second connection",
  );
  let resumed = false;
  for (let i = 0; i < 50 && !resumed; i++) {
    const value = await next(reader);
    resumed = value !== undefined && value.capturedAt > restartedAt;
  }
  assert.ok(resumed, "no frame after the server came back");
  await reader.cancel();
  await kill(server);

  const states = events.map((e) => e.state);
  assert.deepEqual(states.slice(0, 3), ["connecting", "connected", "reconnecting"]);
  assert.equal(states.at(-1), "stopped");
  const second = states.lastIndexOf("connected");
  assert.equal(states[second - 1], "connecting");
  assert.ok(events[second - 1].attempt! >= 1, "the reconnection says which attempt it is");
  assert.ok(s.stats().reconnects >= 1);
  assert.deepEqual(await ffmpegChildren(), []);
});

Deno.test("a live source keeps its queue bounded for a slow consumer, dropping the oldest frames", async () => {
  const s = live("lavfi:testsrc2=size=320x240:rate=30", { queueSize: 2 });
  const reader = s.frames().getReader();
  const ages: number[] = [];
  const drops: number[] = [];
  const start = Date.now();
  while (Date.now() - start < 2500) {
    const value = await next(reader);
    ages.push(Date.now() - value!.capturedAt);
    drops.push(s.stats().dropped);
    await sleep(150); // a consumer 5× slower than the camera
  }
  await reader.cancel();
  const stats = s.stats();
  assert.ok(stats.maxQueueDepth <= 2, `queue depth ${stats.maxQueueDepth}`);
  assert.ok(drops.at(-1)! > drops[2]! && drops[2]! > 0, `drops ${drops}`);
  // A delivered frame is at most the queue's two frames old (plus scheduling slack).
  const worst = Math.max(...ages.slice(1));
  assert.ok(worst < 250, `oldest delivered frame was ${worst} ms old`);
  assert.deepEqual(await ffmpegChildren(), []);
});

Deno.test("a live source whose server freezes is reported stalled and restarted", async () => {
  const port = freePort();
  let server = serve(port);
  await sleep(300);
  const s = live(`http://127.0.0.1:${port}/live.ts`, { stallTimeoutMs: 800 });
  const events = watch(s);
  const reader = s.frames().getReader();
  await next(reader);
  server.kill("SIGSTOP");
  await until(() => events.some((e) => e.state === "stalled"), "stalled");
  await until(() => events.some((e) => e.state === "reconnecting"), "reconnecting");
  await kill(server);
  server = serve(port);
  await until(
    () => events.filter((e) => e.state === "connected").length >= 2,
    "a second connection",
  );
  await reader.cancel();
  await kill(server);
  const stalled = events.find((e) => e.state === "stalled")!;
  assert.match(stalled.reason!, /no frame for 800 ms/);
  assert.deepEqual(await ffmpegChildren(), []);
});

Deno.test("a live source that never opens times out and retries", async () => {
  const s = live(`udp://127.0.0.1:${freePort()}`, { connectTimeoutMs: 500 });
  const events = watch(s);
  s.start().catch(() => {});
  await until(() => events.filter((e) => e.state === "reconnecting").length >= 2, "two retries");
  await s.stop();
  assert.match(
    events.find((e) => e.state === "reconnecting")!.reason!,
    /no video stream after 500 ms/,
  );
  assert.deepEqual(await ffmpegChildren(), []);
});

Deno.test("a live source gives up after its attempts and says why", async () => {
  const s = live(`http://127.0.0.1:${freePort()}/none.ts`, {
    reconnect: { initialDelayMs: 50, maxAttempts: 2, jitter: 0 },
  });
  const events = watch(s);
  await assert.rejects(
    () => s.start(),
    (e: Error) => e instanceof SourceError && /gave up after 2 attempts/.test(e.message),
  );
  assert.deepEqual(events.map((e) => e.state), [
    "connecting",
    "reconnecting",
    "connecting",
    "reconnecting",
    "connecting",
    "failed",
  ]);
  assert.match(events.at(-1)!.reason!, /Connection refused|refused|failed/i);
  assert.deepEqual(await ffmpegChildren(), []);
});

Deno.test("no ffmpeg outlives a Deno process that gets SIGTERM", async () => {
  const marker = "testsrc2=size=123x77:rate=7";
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  const module = new URL("../../src/video/frame_source.ts", import.meta.url).href;
  await Deno.writeTextFile(
    script,
    `import { FrameSource } from "${module}";
const ffmpeg = { path: ${
      JSON.stringify(ffmpeg.path)
    }, origin: "FFMPEG_PATH", version: "", libavformat: ${JSON.stringify(ffmpeg.libavformat)} };
const source = new FrameSource({ streamId: "x", input: "lavfi:${marker}", ffmpeg });
await source.start();
console.log("ready");
await new Promise(() => {});
`,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-run", "--allow-read", "--allow-env", script],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready")) out += (await reader.read()).value ?? "";
  assert.equal((await processesWith(marker)).length, 1, "the source's ffmpeg is running");
  child.kill("SIGTERM");
  const status = await child.status;
  await reader.cancel();
  await Deno.remove(script);
  assert.equal(status.code, 143);
  const deadline = Date.now() + 2000;
  while ((await processesWith(marker)).length > 0 && Date.now() < deadline) await sleep(50);
  assert.deepEqual(await processesWith(marker), [], "an ffmpeg outlived its process");
});
