/**
 * Cluster mode's REST on a real nats-server: `POST /streams` on a node adds a stream for
 * the whole cluster (some node claims and runs it), `DELETE` removes it everywhere,
 * `GET /cluster` shows nodes and leases, `/metrics` carries the node label; a NATS URL
 * that is refused or malformed is a clear error.
 */

import assert from "node:assert/strict";
import { CLI, CLI_FLAGS, DEMO_VIDEO, FASTERRCNN, TOKEN } from "../_helpers/server.ts";
import { freePort, IGNORE_NATS, startNats } from "../_helpers/brokers.ts";

async function writeConfig(dir: string, cluster?: Record<string, unknown>): Promise<string> {
  const path = `${dir}/cluster.json`;
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      models: { m: { manifest: FASTERRCNN, sessions: 1, intraOpThreads: 1, maxBatch: 1 } },
      streams: [],
      sources: { roots: [DEMO_VIDEO.replace(/\/[^/]+$/, "")] },
      server: { token: TOKEN },
      ...(cluster ? { cluster } : {}),
    }),
  );
  return path;
}

async function until(
  what: string,
  ok: () => Promise<boolean>,
  timeoutMs = 30_000,
  why: () => Promise<string> = () => Promise.resolve(""),
) {
  const t0 = performance.now();
  while (!(await ok())) {
    if (performance.now() - t0 > timeoutMs) {
      throw new Error(`timed out waiting for ${what} ${await why()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test({
  name:
    "POST and DELETE /streams on a cluster node change the cluster's streams, shown by GET /cluster",
  ignore: IGNORE_NATS,
  async fn() {
    const nats = await startNats();
    const dir = await Deno.makeTempDir();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...CLI_FLAGS,
        CLI,
        "serve",
        "--config",
        await writeConfig(dir, { url: nats.url, leaseTtlMs: 2000 }),
        "--port",
        "0",
        "--node-id",
        "solo",
        "--log-level",
        "warn",
      ],
      stdout: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      let out = "";
      while (!/cluster: {3}node/.test(out) || !/on http:\/\/\S+\n/.test(out)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the node ended:\n${out}`);
        out += value;
      }
      const url = /on (http:\/\/\S+)/.exec(out)![1];
      const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
      const post = await fetch(`${url}/streams`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ id: "door.1", source: DEMO_VIDEO, loop: true, fps: 2 }),
      });
      assert.equal(post.status, 201, await post.text());
      const again = await fetch(`${url}/streams`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ id: "door.1", source: DEMO_VIDEO, loop: true }),
      });
      assert.equal(again.status, 409);
      assert.match((await again.json()).error, /the cluster already has a stream "door\.1"/);
      const bad = await fetch(`${url}/streams`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ id: "x", source: DEMO_VIDEO, fps: -1 }),
      });
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).error, /POST \/streams: fps/);
      // The node claims it and runs it.
      await until(
        "door.1 running",
        async () => {
          const s = await (await fetch(`${url}/streams/door.1`)).json();
          return s.state === "connected";
        },
        30_000,
        async () =>
          JSON.stringify([
            await (await fetch(`${url}/streams`)).json(),
            await (await fetch(`${url}/cluster`)).json(),
          ]),
      );
      const cluster = await (await fetch(`${url}/cluster`)).json();
      assert.equal(cluster.node, "solo");
      assert.deepEqual(cluster.streams, [{ id: "door.1", node: "solo" }]);
      assert.equal(cluster.leases[0].node, "solo");
      assert.match(await (await fetch(`${url}/metrics`)).text(), /node="solo"/);
      const del = await fetch(`${url}/streams/door.1`, { method: "DELETE", headers: auth });
      assert.equal(del.status, 204);
      await until("door.1 gone", async () => (await fetch(`${url}/streams/door.1`)).status === 404);
      assert.deepEqual((await (await fetch(`${url}/cluster`)).json()).streams, []);
      assert.equal(
        (await fetch(`${url}/streams/door.1`, { method: "DELETE", headers: auth })).status,
        404,
      );
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await reader.cancel().catch(() => {});
      await nats.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("serve --cluster with a refused or malformed NATS URL exits with an error naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = await writeConfig(dir);
    const run = async (url: string) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          ...CLI_FLAGS,
          CLI,
          "serve",
          "--config",
          config,
          "--port",
          "0",
          "--cluster",
          url,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
    };
    const port = freePort();
    const refused = await run(`nats://127.0.0.1:${port}`);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      new RegExp(`cluster: cannot connect to the NATS server at nats://127\\.0\\.0\\.1:${port}`),
    );
    const malformed = await run("127.0.0.1:4222");
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /--cluster: url: expected a NATS URL/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
