import assert from "node:assert/strict";
import { SourceError } from "../../src/errors.ts";
import { FrameSource } from "../../src/video/frame_source.ts";
import { checkHwaccel, HWACCELS, hwaccelsOf } from "../../src/video/hwaccel.ts";
import { HWACCELS as CONFIG_HWACCELS, StreamConfigSchema } from "../../src/wire/stream_config.ts";
import { parseWire } from "../../src/wire/parse.ts";
import { ffmpegChildren, testFfmpeg, watch } from "../_helpers/media.ts";

Deno.test("a stream whose hwaccel its ffmpeg does not list fails alone, saying what that ffmpeg has", async () => {
  const ffmpeg = await testFfmpeg();
  const methods = await hwaccelsOf(ffmpeg);
  // This machine's ffmpeg (the npm static 4.1 lists vdpau and vaapi) lacks one at least.
  const missing = HWACCELS.find((m) => m !== "auto" && !methods.includes(m));
  assert.ok(missing, `the test ffmpeg lists every method: ${methods.join(", ")}`);
  const source = new FrameSource({
    streamId: "cam7",
    input: "lavfi:testsrc2=size=64x48:rate=25",
    ffmpeg,
    hwaccel: missing,
  });
  const events = watch(source);
  const error = await source.start().then(() => undefined, (e) => e);
  assert.ok(error instanceof SourceError, String(error));
  const message = error.message;
  assert.ok(message.startsWith(`cam7: hwaccel "${missing}": `), message);
  assert.ok(message.includes(ffmpeg.path), message);
  assert.ok(
    message.includes(methods.length > 0 ? `lists ${methods.join(", ")}` : "lists no method"),
    message,
  );
  assert.match(message, /needs a system ffmpeg built with .*FFMPEG_PATH/);
  assert.deepEqual(events.map((e) => e.state), ["failed"]);
  await source.stop();
  assert.deepEqual(await ffmpegChildren(), [], "no ffmpeg ran for it");
});

Deno.test("ffmpeg's hardware methods are asked once per binary", async () => {
  const ffmpeg = await testFfmpeg();
  const first = hwaccelsOf(ffmpeg);
  assert.equal(hwaccelsOf({ path: ffmpeg.path }), first);
  for (const method of await first) assert.match(method, /^[a-z0-9_]+$/);
  await checkHwaccel(undefined, ffmpeg); // software decoding needs nothing
  await assert.rejects(
    checkHwaccel("auto", { path: "/nonexistent/ffmpeg", version: "" }),
    /hwaccel "auto": expected an ffmpeg that lists a method .*lists no method/,
  );
});

Deno.test("a stream's hwaccel is one of ffmpeg's method names, and absent by default", () => {
  const s = parseWire(StreamConfigSchema, { id: "a", source: "a.mp4", hwaccel: "vaapi" }, "p.json");
  assert.equal(s.hwaccel, "vaapi");
  assert.equal(
    parseWire(StreamConfigSchema, { id: "a", source: "a.mp4" }, "p.json").hwaccel,
    undefined,
  );
  assert.throws(
    () => parseWire(StreamConfigSchema, { id: "a", source: "a.mp4", hwaccel: "nvdec" }, "p.json"),
    /p\.json: hwaccel: expected one of "auto", "cuda", .*found the string "nvdec"/,
  );
  assert.throws(
    () =>
      new FrameSource({
        streamId: "a",
        input: "a.mp4",
        ffmpeg: { path: "ffmpeg", origin: "PATH", version: "", libavformat: [58, 20] },
        hwaccel: "nvdec" as "cuda",
      }),
    /FrameSource\(\): hwaccel: expected one of "auto", "cuda"/,
  );
});

Deno.test("the video layer and the stream configuration know the same hardware methods", () => {
  assert.deepEqual([...HWACCELS], [...CONFIG_HWACCELS]);
});
