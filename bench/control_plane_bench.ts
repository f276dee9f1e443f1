/**
 * The cluster's control plane alone (no video) on a real nats-server: `streams` streams
 * over `nodes` simulated nodes, each node a {@link ClusterMember} with its own connection
 * whose hooks only count. Reports the time to place every stream, lease renewals per
 * second, the time to re-place the streams of a node that dies, and the CPU of
 * nats-server and of this process (from /proc, read by a shell).
 *
 * `deno task bench` runs it at 10,000 streams over 100 nodes; `deno run -A
 * bench/control_plane_bench.ts STREAMS NODES TTL_MS [own]` runs it at any size.
 *
 * The simulated nodes share one set of KV watchers (`views`): in a real cluster every node
 * watches the buckets itself, and nats-server delivers every lease write to every node; in
 * one process that fan-out would measure the simulation's client, not the cluster. `own`
 * gives each simulated node its own watchers, to measure nats-server's fan-out.
 *
 * @module
 */

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ClusterMember } from "../src/cluster/cluster_member.ts";
import { type ClusterViews, openViews } from "../src/cluster/cluster_views.ts";
import { openBuckets } from "../src/cluster/cluster_node.ts";
import { kvKey } from "../src/cluster/kv_keys.ts";
import { startNats } from "../tests/_helpers/brokers.ts";

/** CPU seconds (user + system) of a process, read from /proc by a shell. */
async function cpuSeconds(pid: number): Promise<number> {
  const { stdout } = await new Deno.Command("sh", {
    args: ["-c", `cat /proc/${pid}/stat 2>/dev/null`],
    stdout: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks of 10 ms
}

async function until(ok: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (!ok()) {
    if (performance.now() - t0 > timeoutMs) return NaN;
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - t0;
}

/** Runs the bench and prints `name: value (target)` lines. */
export async function controlPlaneBench(
  {
    streams = 10_000,
    nodes = 100,
    ttlMs = 30_000,
    measureMs = undefined as number | undefined,
    ownWatchers = false,
  } = {},
): Promise<void> {
  // The server's store goes under bench/out (the bench task may write only there).
  const nats = await startNats({
    tmpRoot: new URL("./out/brokers", import.meta.url).pathname,
  });
  const pidOf = async () => {
    const { stdout } = await new Deno.Command("sh", {
      args: ["-c", `pgrep -f "nats-server -a 127.0.0.1 -p ${nats.port}"`],
      stdout: "piped",
    }).output();
    return Number(new TextDecoder().decode(stdout).trim().split("\n")[0]);
  };
  const natsPid = await pidOf();
  const conns: NatsConnection[] = [];
  const members: ClusterMember[] = [];
  let running = 0;
  let views: ClusterViews | undefined;
  try {
    const seedConn = await connect({ servers: nats.url });
    conns.push(seedConn);
    const buckets = await openBuckets(seedConn, "bench", 60_000);
    const record = (id: string) =>
      JSON.stringify({ config: { id, source: "x" }, addedAt: 0, addedBy: "bench" });
    for (let i = 0; i < streams; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, streams - i) }, (_, j) => {
          const id = `cam${i + j}`;
          return buckets.streams.put(kvKey(id), record(id));
        }),
      );
    }
    // One watcher set for the simulated nodes: in a real cluster each node runs its own and
    // receives every lease write; here that fan-out would cost this one process nodes×.
    if (!ownWatchers) views = await openViews(buckets);
    const t0 = performance.now();
    for (let n = 0; n < nodes; n++) {
      const nc = await connect({ servers: nats.url });
      conns.push(nc);
      members.push(
        await ClusterMember.join(await openBuckets(nc, "bench", 60_000), {
          nodeId: `node${n}`,
          leaseTtlMs: ttlMs,
          capacity: () => Math.ceil(2 * streams / nodes),
        }, {
          start: () => {
            running++;
            return Promise.resolve();
          },
          stop: () => {
            running--;
            return Promise.resolve();
          },
          progress: () => ({ frame: 0, rate: 10 }),
        }, { deferLoop: true, ...(views ? { views } : {}) }),
      );
    }
    // Every node has joined before any places: one placement, not a rebalance per join.
    for (const m of members) m.startLoop();
    const placed = await until(() => running === streams, 10 * ttlMs);
    console.log(
      `control plane: ${streams} streams placed on ${nodes} nodes: ${
        (placed + 0).toFixed(0)
      } ms after the last node joined, ${(performance.now() - t0).toFixed(0)} ms after the first`,
    );
    // Let the rebalancing settle for one TTL, then measure the steady state.
    await new Promise((r) => setTimeout(r, ttlMs / 3));
    const renewals = () => members.reduce((s, m) => s + m.counters.renewals, 0);
    // Renewals come in waves (a node renews the leases it claimed together): a window of a
    // whole TTL holds about three of them.
    const [n0, s0] = [await cpuSeconds(natsPid), await cpuSeconds(Deno.pid)];
    const [r0, w0] = [renewals(), performance.now()];
    await new Promise((r) => setTimeout(r, measureMs ?? ttlMs));
    const [r1, w1] = [renewals(), performance.now()];
    const [n1, s1] = [await cpuSeconds(natsPid), await cpuSeconds(Deno.pid)];
    const seconds = (w1 - w0) / 1000;
    const expected = streams / (ttlMs / 3000);
    console.log(
      `control plane lease renewals/s: ${((r1 - r0) / seconds).toFixed(0)} (${
        expected.toFixed(0)
      } expected: every lease each third of the ${ttlMs / 1000} s TTL)`,
    );
    console.log(
      `control plane nats-server CPU: ${
        (100 * (n1 - n0) / seconds).toFixed(0)
      }% of one core; nodes' (this process, ${nodes} members) ${
        (100 * (s1 - s0) / seconds).toFixed(0)
      }%`,
    );
    // A node dies: how long until its streams run elsewhere.
    const victim = members.pop()!;
    const lost = victim.held();
    await victim.abandon();
    const replaced = await until(
      () => lost.every((id) => members.some((m) => m.mayPublish(id))),
      5 * ttlMs,
    );
    console.log(
      `control plane re-placement of a lost node's ${lost.length} streams: ${
        (replaced / 1000).toFixed(1)
      } s after it died (lease TTL ${ttlMs / 1000} s; target ≤ TTL + 3 s)`,
    );
    const conflicts = members.reduce((sum, m) => sum + m.counters.conflicts, 0);
    const lostLeases = members.reduce((sum, m) => sum + m.counters.lost, 0);
    console.log(
      `control plane claim conflicts: ${conflicts}, leases lost by their holders: ${lostLeases} (0 expected in a steady state)`,
    );
  } finally {
    await Promise.all(members.map((m) => m.abandon()));
    await views?.streams.close();
    await views?.leases.close();
    await views?.nodes.close();
    await Promise.all(conns.map((c) => c.close()));
    await nats.close();
  }
}

if (import.meta.main) {
  const [streams, nodes, ttlMs] = Deno.args.slice(0, 3).map(Number);
  await controlPlaneBench({
    ownWatchers: Deno.args[3] === "own",
    streams: streams || undefined,
    nodes: nodes || undefined,
    ttlMs: ttlMs || undefined,
  });
}
