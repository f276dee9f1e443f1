/**
 * The cluster's control plane on a real nats-server (JetStream KV), without video:
 * placement spreads streams evenly, a dead member's leases are taken over by exactly one
 * other, a member cut off finds its leases gone and stops those streams, and released
 * leases keep the frame count.
 */

import assert from "node:assert/strict";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ClusterMember, type MemberHooks } from "../../src/cluster/cluster_member.ts";
import { openBuckets } from "../../src/cluster/cluster_node.ts";
import { kvKey } from "../../src/cluster/kv_keys.ts";
import { IGNORE_NATS, startNats } from "../_helpers/brokers.ts";

const TTL = 1200;

/** A member whose "streams" are a set, and a log of starts and stops. */
async function member(nc: NatsConnection, id: string, capacity = 10) {
  const running = new Map<string, number>();
  const log: string[] = [];
  const hooks: MemberHooks = {
    start: (s, _config, firstFrame) => {
      running.set(s, firstFrame);
      log.push(`start ${s} ${firstFrame}`);
      return Promise.resolve();
    },
    stop: (s, why) => {
      running.delete(s);
      log.push(`stop ${s} ${why}`);
      return Promise.resolve();
    },
    progress: (s) => ({ frame: (running.get(s) ?? 0) + 99, rate: 10 }),
  };
  const buckets = await openBuckets(nc, "t");
  const m = await ClusterMember.join(buckets, {
    nodeId: id,
    leaseTtlMs: TTL,
    capacity: () => capacity,
    tickMs: 100,
  }, hooks);
  return { m, running, log };
}

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<number> {
  const t0 = performance.now();
  while (!ok()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return performance.now() - t0;
}

async function seed(nc: NatsConnection, n: number): Promise<string[]> {
  const buckets = await openBuckets(nc, "t");
  const ids = Array.from({ length: n }, (_, i) => `cam.${i}`);
  for (const id of ids) {
    await buckets.streams.create(
      kvKey(id),
      JSON.stringify({ config: { id, source: "x" }, addedAt: 0, addedBy: "test" }),
    );
  }
  return ids;
}

Deno.test({
  name: "three members spread six streams two each, and take over a dead member's streams",
  ignore: IGNORE_NATS,
  async fn() {
    const nats = await startNats();
    const conns = await Promise.all([0, 1, 2].map(() => connect({ servers: nats.url })));
    try {
      await seed(conns[0], 6);
      const members = await Promise.all(["a", "b", "c"].map((id, i) => member(conns[i], id)));
      const counts = () => members.map((x) => x.running.size);
      await until("2/2/2", () => counts().join() === "2,2,2");
      // Every stream runs exactly once.
      const all = members.flatMap((x) => [...x.running.keys()]).sort();
      assert.deepEqual(all, ["cam.0", "cam.1", "cam.2", "cam.3", "cam.4", "cam.5"]);
      // "a" dies without a word: its two streams move to b and c within the TTL and a bit.
      await new Promise((r) => setTimeout(r, TTL / 2)); // one renewal records the frames
      const lost = [...members[0].running.keys()];
      await members[0].m.abandon();
      const gap = await until(
        "a's streams taken over",
        () => members[1].running.size + members[2].running.size === 6,
      );
      assert.ok(gap < TTL + 1500, `took ${gap} ms`);
      assert.deepEqual([members[1].running.size, members[2].running.size], [3, 3]);
      // The new owner numbers the stream on: past a's last frame, and a's possible
      // frames for a TTL (rate 10/s).
      for (const s of lost) {
        const owner = members.find((x) => x !== members[0] && x.running.has(s))!;
        assert.ok(owner.running.get(s)! > 99, `${s} starts at ${owner.running.get(s)}`);
      }
      await Promise.all(members.slice(1).map((x) => x.m.leave()));
    } finally {
      await Promise.all(conns.map((c) => c.close()));
      await nats.close();
    }
  },
});

Deno.test({
  name:
    "a member paused longer than the TTL stops its streams when it resumes, and never may publish them",
  ignore: IGNORE_NATS,
  async fn() {
    const nats = await startNats();
    const conns = await Promise.all([0, 1].map(() => connect({ servers: nats.url })));
    try {
      await seed(conns[0], 4);
      const [a, b] = await Promise.all([member(conns[0], "a"), member(conns[1], "b")]);
      await until("2/2", () => a.running.size === 2 && b.running.size === 2);
      const aStreams = [...a.running.keys()];
      // a stops running (what SIGSTOP does to a process) for longer than the TTL.
      await a.m.suspend();
      const stoppedAt = performance.now();
      await until("b holds all", () => b.running.size === 4);
      assert.ok(performance.now() - stoppedAt > TTL * 0.9, "b waited for the TTL");
      // a's validity ran out before b could take over: a may publish nothing now.
      for (const s of aStreams) assert.equal(a.m.mayPublish(s), false);
      a.m.startLoop();
      await until("a stopped", () => a.running.size === 0);
      assert.ok(
        a.log.some((l) => /stop .* (another node took over|expired)/.test(l)),
        a.log.join("\n"),
      );
      await Promise.all([a.m.leave(), b.m.leave()]);
    } finally {
      await Promise.all(conns.map((c) => c.close()));
      await nats.close();
    }
  },
});
