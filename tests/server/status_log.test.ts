import assert from "node:assert/strict";
import { CLI, CLI_FLAGS, FASTERRCNN, ROOT } from "../_helpers/server.ts";
import { freePort } from "../_helpers/media.ts";
import { StatusLog } from "../../src/pipeline/status_log.ts";

const opts = { sanitizeOps: true, sanitizeResources: true };

/** A line of the log, parsed. */
// deno-lint-ignore no-explicit-any
type Line = Record<string, any>;

/**
 * Runs `serve` on a pipeline whose camera never answers (connection refused: it retries
 * every 100-200 ms, `maxAttempts` times, then fails), reads stderr until `enough` holds
 * for the JSON lines so far (at most 60 s), then stops the server with SIGTERM. Every line
 * of stderr must be one JSON object.
 */
async function serveAndRead(
  { args = [], env = {}, maxAttempts, enough }: {
    args?: string[];
    env?: Record<string, string>;
    maxAttempts: number;
    enough: (lines: Line[]) => boolean;
  },
): Promise<{ lines: Line[]; code: number }> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/pipeline.json`,
      JSON.stringify({
        models: { boxes: { manifest: FASTERRCNN } },
        streams: [{
          id: "gone-camera",
          source: `http://127.0.0.1:${freePort()}/live.ts`,
          reconnect: { initialDelayMs: 100, maxDelayMs: 200, maxAttempts },
        }],
        sources: { roots: [ROOT] },
        server: { port: 0 },
      }),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...CLI_FLAGS, CLI, "serve", "--config", `${dir}/pipeline.json`, ...args],
      env: { STREAMDET_LOG: "", ...env },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const lines = () =>
      text.split("\n").filter((l) => l !== "").map((l) => {
        try {
          return JSON.parse(l) as Line;
        } catch {
          throw new Error(`a stderr line that is not JSON: ${l}`);
        }
      });
    const timer = setTimeout(() => child.kill("SIGTERM"), 60_000);
    try {
      while (!enough(lines())) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      child.kill("SIGTERM");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
    } finally {
      clearTimeout(timer);
      reader.releaseLock();
    }
    const { code } = await child.status;
    return { lines: lines(), code };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test(
  "serve logs each state change of a camera that keeps failing as a JSON line on stderr, so its reconnect loop shows",
  opts,
  async () => {
    const reconnects = (lines: Line[]) =>
      lines.filter((l) => l.streamId === "gone-camera" && l.state === "reconnecting");
    const { lines, code } = await serveAndRead({
      maxAttempts: 1e9,
      enough: (lines) => reconnects(lines).length >= 3,
    });
    assert.equal(code, 0);
    for (const line of lines) {
      assert.ok(!Number.isNaN(Date.parse(line.time)), JSON.stringify(line));
      assert.ok(["info", "warn", "error"].includes(line.level), JSON.stringify(line));
    }
    const model = lines.filter((l) => l.event === "model").map((l) => [l.level, l.state]);
    assert.deepEqual(model.slice(0, 2), [["info", "loading"], ["info", "loaded"]]);
    const camera = lines.filter((l) => l.streamId === "gone-camera");
    assert.deepEqual(
      camera.slice(0, 6).map((l) => [l.level, l.event, l.state, l.attempt]),
      [
        ["info", "stream", "starting", undefined],
        ["info", "stream", "connecting", undefined],
        ["warn", "stream", "reconnecting", 1],
        ["info", "stream", "connecting", 1],
        ["warn", "stream", "reconnecting", 2],
        ["info", "stream", "connecting", 2],
      ],
    );
    assert.match(reconnects(lines)[0].reason, /refused/i);
    // SIGTERM: the stream stops, the model closes, each said once.
    assert.equal(camera.at(-1)?.state, "stopped");
    const last = lines.at(-1)!;
    assert.deepEqual([last.level, last.event, last.model, last.state], [
      "info",
      "model",
      "boxes",
      "closed",
    ]);
  },
);

Deno.test(
  "STREAMDET_LOG=error leaves only failures on stderr, --log-level wins over it, and a bad level is refused",
  opts,
  async () => {
    const failed = (lines: Line[]) => lines.some((l) => l.state === "failed");
    const quiet = await serveAndRead({
      env: { STREAMDET_LOG: "error" },
      maxAttempts: 2,
      enough: failed,
    });
    assert.equal(quiet.lines.length, 1, JSON.stringify(quiet.lines));
    assert.deepEqual(
      [quiet.lines[0].level, quiet.lines[0].streamId, quiet.lines[0].state],
      ["error", "gone-camera", "failed"],
    );
    assert.match(quiet.lines[0].reason, /^gave up after 2 attempts: /);

    const warn = await serveAndRead({
      args: ["--log-level", "warn"],
      env: { STREAMDET_LOG: "off" },
      maxAttempts: 2,
      enough: failed,
    });
    assert.deepEqual(
      warn.lines.map((l) => [l.level, l.state, l.attempt]),
      [["warn", "reconnecting", 1], ["warn", "reconnecting", 2], ["error", "failed", undefined]],
    );

    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...CLI_FLAGS, CLI, "serve", "--config", "x.json", "--log-level", "debug"],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(bad.code, 2);
    assert.match(
      new TextDecoder().decode(bad.stderr),
      /^error: --log-level: expected one of "info", "warn", "error", "off", found "debug"/,
    );
  },
);

Deno.test("the log's level filters lines, and off writes nothing", () => {
  const events = [
    { type: "model", model: "m", state: "loaded", at: 0, provider: "cpu" },
    { type: "stream", streamId: "a", state: "stalled", at: 0, reason: "no frame for 10000 ms" },
    { type: "frame-error", streamId: "a", index: 3, at: 0, reason: "boom" },
    { type: "stream", streamId: "a", state: "failed", at: 0, reason: "gave up" },
  ] as const;
  const written = (level: "info" | "warn" | "error" | "off") => {
    const lines: string[] = [];
    const log = new StatusLog(level, (line) => lines.push(line));
    for (const event of events) log.status(event);
    log.warning("cuda skipped");
    return lines.map((l) => JSON.parse(l)).map((l) => `${l.level} ${l.event} ${l.state ?? ""}`);
  };
  assert.deepEqual(written("info"), [
    "info model loaded",
    "warn stream stalled",
    "warn frame-error ",
    "error stream failed",
    "warn warning ",
  ]);
  assert.deepEqual(written("warn"), [
    "warn stream stalled",
    "warn frame-error ",
    "error stream failed",
    "warn warning ",
  ]);
  assert.deepEqual(written("error"), ["error stream failed"]);
  assert.deepEqual(written("off"), []);
});
