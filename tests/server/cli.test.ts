import assert from "node:assert/strict";
import { CLI, CLI_FLAGS, DEMO_VIDEO, MASKRCNN, ROOT, TestClient } from "../_helpers/server.ts";
import { processesWith } from "../_helpers/media.ts";

const FLAGS = CLI_FLAGS;

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...FLAGS, CLI, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("serve with a malformed or wrong config exits with an error that names the file and field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/syntax.json`, "{ models: ");
    const syntax = await runCli(["serve", "--config", `${dir}/syntax.json`]);
    assert.equal(syntax.code, 1);
    assert.match(syntax.stderr, /syntax\.json: expected JSON, found a syntax error/);

    await Deno.writeTextFile(
      `${dir}/field.json`,
      JSON.stringify({ models: { m: { manifest: MASKRCNN, maxBatch: 0 } }, streams: [] }),
    );
    const field = await runCli(["serve", "--config", `${dir}/field.json`]);
    assert.equal(field.code, 1);
    assert.match(
      field.stderr,
      /field\.json: models\.m\.maxBatch: expected an integer in \[1, 256\], found the number 0/,
    );

    const missing = await runCli(["serve", "--config", `${dir}/none.json`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /none\.json: cannot read the file/);

    const usage = await runCli(["serve"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /serve needs --config/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGTERM stops the sources, tells the clients and leaves no ffmpeg child", async () => {
  const dir = await Deno.makeTempDir();
  const marker = "testsrc2=size=96x64:rate=10";
  await Deno.writeTextFile(
    `${dir}/pipeline.json`,
    JSON.stringify({
      models: { street: { manifest: MASKRCNN } },
      streams: [
        { id: "file", source: DEMO_VIDEO, loop: true },
        { id: "pattern", source: `lavfi:${marker}` },
      ],
      sources: { roots: [ROOT] },
      server: { port: 0 },
    }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...FLAGS, CLI, "serve", "--config", `${dir}/pipeline.json`],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  try {
    while (!/on (http:\/\/\S+)/.test(stdout)) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += value;
    }
    const url = /on (http:\/\/\S+)/.exec(stdout)![1];
    const client = await TestClient.connect(url.replace("http", "ws") + "/ws");
    client.send({ type: "subscribe", streams: "*" });
    await client.waitFor((m) => m.type === "result" && m.streamId === "pattern");
    assert.ok((await processesWith(marker)).length > 0, "the pattern's ffmpeg runs");
    child.kill("SIGTERM");
    await client.closed();
    assert.equal(client.closeCode, 1001);
    assert.ok(
      client.messages.some((m) =>
        m.type === "status" && m.event === "server" && m.state === "stopping"
      ),
    );
    assert.ok(
      client.messages.some((m) =>
        m.type === "status" && m.streamId === "pattern" && m.state === "stopped"
      ),
    );
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += value;
    }
    const status = await child.status;
    assert.equal(status.code, 0, stdout);
    assert.match(stdout, /SIGTERM: stopping streams and clients\.\.\.\nstopped/);
    assert.deepEqual(await processesWith(marker), [], "no ffmpeg left behind");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // exited
    }
    await child.stderr.cancel();
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});
