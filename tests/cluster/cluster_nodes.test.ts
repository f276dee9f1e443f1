/**
 * Cluster mode end to end: three `serve --cluster` processes on one real nats-server share
 * six live streams (2/2/2); a node killed with SIGKILL has its streams running again on the
 * others within the lease TTL and a few seconds (the gap of each is printed), with frame
 * indices going on; a node stopped (SIGSTOP) for longer than the TTL loses its streams and,
 * once resumed (SIGCONT), never publishes a result under a lease it lost; a viewer's
 * WebSocket on one node receives a stream another node runs.
 */

import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { CLI, CLI_FLAGS, DEMO_VIDEO, FASTERRCNN, TestClient } from "../_helpers/server.ts";
import { IGNORE_NATS, startNats } from "../_helpers/brokers.ts";

const TTL = 3000;
const STREAMS = ["cam1", "cam2", "cam3", "cam4", "cam5", "cam6"];

interface Seen {
  stream: string;
  node: string;
  frame: number;
  lease: number;
  at: number;
}

/** Starts `serve --cluster` and resolves with its URL once it serves. */
async function startNode(config: string, natsUrl: string, id: string) {
  const child = new Deno.Command(Deno.execPath(), {
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
      natsUrl,
      "--node-id",
      id,
      "--log-level",
      Deno.env.get("CLUSTER_LOG") ?? "warn",
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!/cluster: {3}node/.test(out) || !/on http:\/\/\S+\n/.test(out)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`node ${id} ended before joining:\n${out}`);
    out += value;
  }
  // Keep draining stdout so that the process never blocks on it.
  (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done) { /* drain */ }
  })();
  const url = /on (http:\/\/\S+)/.exec(out)![1];
  return { id, url, child };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const t0 = performance.now();
  while (!(await ok())) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test({
  name:
    "three cluster nodes spread six streams, take over a killed node's streams within the TTL, fence a paused one, and serve each other's streams",
  ignore: IGNORE_NATS,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const nats = await startNats();
    const dir = await Deno.makeTempDir();
    const config = `${dir}/cluster.json`;
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        models: {
          m: { manifest: FASTERRCNN, sessions: 1, intraOpThreads: 1, maxBatch: 1 },
        },
        streams: STREAMS.map((id) => ({ id, source: DEMO_VIDEO, loop: true, fps: 2 })),
        sources: { roots: [DEMO_VIDEO.replace(/\/[^/]+$/, "")] },
        cluster: { url: "nats://127.0.0.1:1", leaseTtlMs: TTL, capacity: 6 },
      }),
    );
    const nc = await connect({ servers: nats.url });
    const seen: Seen[] = [];
    const sub = nc.subscribe("streamdet.*.results", {
      callback: (_e, msg) => {
        const m = msg.json<{ streamId: string; node: string; frame: number; lease: number }>();
        seen.push({
          stream: m.streamId,
          node: m.node,
          frame: m.frame,
          lease: m.lease,
          at: performance.now(),
        });
      },
    });
    const nodes = await Promise.all(["a", "b", "c"].map((id) => startNode(config, nats.url, id)));
    const killed: typeof nodes = [];
    try {
      // Spread: every stream publishes, two per node.
      const owners = () => {
        const last = new Map<string, string>();
        for (const s of seen) last.set(s.stream, s.node);
        return last;
      };
      await until("six streams on three nodes, two each", () => {
        const o = owners();
        if (o.size < 6) return false;
        const per = ["a", "b", "c"].map((n) => [...o.values()].filter((x) => x === n).length);
        return per.join() === "2,2,2";
      });
      const cluster = await (await fetch(`${nodes[0].url}/cluster`)).json();
      assert.equal(cluster.nodes.filter((n: { alive: boolean }) => n.alive).length, 3);
      assert.deepEqual(
        cluster.streams.map((s: { id: string }) => s.id).sort(),
        STREAMS,
      );

      // A viewer on node a receives a stream node b runs.
      const onB = [...owners()].find(([, n]) => n === "b")![0];
      const viewer = await TestClient.connect(`${nodes[0].url.replace("http", "ws")}/ws`);
      const hello = await viewer.waitFor((m) => m.type === "hello") as unknown as {
        streams: { id: string; node?: string }[];
      };
      assert.deepEqual(hello.streams.map((s) => s.id).sort(), STREAMS);
      assert.equal(hello.streams.find((s) => s.id === onB)?.node, "b");
      viewer.send({ type: "subscribe", streams: [onB] });
      const got = await viewer.waitFor((m) => m.type === "result" && m.streamId === onB);
      assert.equal((got as { node?: string }).node, "b");
      await viewer.close();

      // kill -9 of c: its streams run again on a and b within TTL + 3 s.
      const cStreams = [...owners()].filter(([, n]) => n === "c").map(([s]) => s);
      const killedAt = performance.now();
      nodes[2].child.kill("SIGKILL");
      killed.push(nodes[2]);
      await until(
        "c's streams back",
        () =>
          cStreams.every((s) =>
            seen.some((x) => x.stream === s && x.node !== "c" && x.at > killedAt)
          ),
      );
      const gaps: Record<string, number> = {};
      for (const s of cStreams) {
        const lastC = Math.max(
          ...seen.filter((x) => x.stream === s && x.node === "c").map((x) => x.at),
        );
        const firstNew = seen.find((x) => x.stream === s && x.node !== "c" && x.at > killedAt)!.at;
        gaps[s] = Math.round(firstNew - lastC);
        assert.ok(firstNew - killedAt <= TTL + 3000, `${s}: back after ${firstNew - killedAt} ms`);
      }
      console.log(`kill -9 of node c (TTL ${TTL} ms): gap per stream, ms: ${JSON.stringify(gaps)}`);

      // kill -STOP of b for longer than the TTL, then -CONT.
      const bStreams = [...owners()].filter(([, n]) => n === "b").map(([s]) => s);
      nodes[1].child.kill("SIGSTOP");
      const stoppedAt = performance.now();
      await until(
        "b's streams on a",
        () =>
          bStreams.every((s) =>
            seen.some((x) => x.stream === s && x.node === "a" && x.at > stoppedAt)
          ),
      );
      await new Promise((r) =>
        setTimeout(r, Math.max(0, TTL + 500 - (performance.now() - stoppedAt)))
      );
      nodes[1].child.kill("SIGCONT");
      await new Promise((r) => setTimeout(r, 2 * TTL));
      // Fencing: per stream, in arrival order, lease revisions never go back (no result
      // under a lease that a later one replaced) and frame indices keep increasing.
      for (const s of STREAMS) {
        const xs = seen.filter((x) => x.stream === s);
        for (let i = 1; i < xs.length; i++) {
          assert.ok(
            xs[i].lease >= xs[i - 1].lease,
            `${s}: ${xs[i].node} published under lease ${xs[i].lease} after ${xs[i - 1].node}'s ${
              xs[i - 1].lease
            }`,
          );
          if (xs[i].lease === xs[i - 1].lease) assert.equal(xs[i].node, xs[i - 1].node);
          assert.ok(
            xs[i].frame > xs[i - 1].frame,
            `${s}: frame ${xs[i].frame} after ${xs[i - 1].frame}: ${
              JSON.stringify(
                xs.slice(Math.max(0, i - 3), i + 3).map((x) => [x.node, x.lease, x.frame]),
              )
            }`,
          );
        }
      }
    } finally {
      sub.unsubscribe();
      await nc.close();
      for (const n of nodes) {
        if (killed.includes(n)) continue;
        n.child.kill("SIGCONT");
        n.child.kill("SIGTERM");
      }
      await Promise.all(nodes.map((n) => n.child.status));
      await nats.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
