/**
 * The job queue on a real nats-server (JetStream), without video: jobs are taken once and
 * completed once, kept alive while worked on, delivered again when their worker dies,
 * failed for good when terminated or delivered too often, and a redelivered job whose
 * outcome is recorded is not done twice.
 */

import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import {
  type JobOutcome,
  type JobProgress,
  JobQueue,
  JobQueueError,
  newRunId,
} from "../../src/cluster/job_queue.ts";
import { freePort, IGNORE_NATS, startNats } from "../_helpers/brokers.ts";

/** A watcher of a run that collects what it hears. */
async function watching(queue: JobQueue, run: string) {
  const outcomes: JobOutcome[] = [];
  const progress: JobProgress[] = [];
  const watch = await queue.watch(run, {
    outcome: (o) => outcomes.push(o),
    progress: (p) => progress.push(p),
  });
  return { outcomes, progress, close: () => watch.close() };
}

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = performance.now();
  while (!ok()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test({
  name: "each job is taken by one worker, its progress and its one outcome reach the watcher",
  ignore: IGNORE_NATS,
  async fn() {
    const nats = await startNats();
    const a = await JobQueue.connect(nats.url, { ackWaitMs: 5000 });
    const b = await JobQueue.connect(nats.url);
    try {
      assert.equal(b.ackWaitMs, 5000, "the ack wait the submitter set is the queue's");
      const run = newRunId();
      const w = await watching(a, run);
      for (const job of ["0", "1", "2"]) await a.submit(run, job, { input: `/in/${job}.mp4` });
      await a.submit(run, "0", { input: "/in/again.mp4" }); // the same job twice: kept once
      const taken = [
        await a.take({ worker: "a" }),
        await b.take({ worker: "b" }),
        await a.take({ worker: "a" }),
      ];
      assert.deepEqual(taken.map((t) => t?.job), ["0", "1", "2"]);
      assert.deepEqual(taken[0]!.payload, { input: "/in/0.mp4" });
      assert.equal(await b.take({ worker: "b", waitMs: 1000 }), undefined, "no fourth job");
      taken[1]!.progress({ frames: 7 });
      for (const t of taken) await t!.complete({ frames: Number(t!.job) });
      await until("three outcomes", () => w.outcomes.length === 3);
      await until("the progress message", () => w.progress.length === 1);
      assert.deepEqual(w.progress[0], {
        run,
        job: "1",
        worker: "b",
        deliveries: 1,
        detail: { frames: 7 },
      });
      assert.deepEqual(
        w.outcomes.map((o) => [o.job, o.state, o.worker, o.deliveries, o.detail]),
        [["0", "completed", "a", 1, { frames: 0 }], ["1", "completed", "b", 1, { frames: 1 }], [
          "2",
          "completed",
          "a",
          1,
          { frames: 2 },
        ]],
      );
      assert.deepEqual(await a.pending(), { waiting: 0, taken: 0 });
      assert.equal((await a.outcome(run, "1"))?.worker, "b");
      await w.close();
      // A watcher that starts late still hears every outcome.
      const late = await watching(b, run);
      await until("the recorded outcomes", () => late.outcomes.length === 3);
      await late.close();
    } finally {
      await a.close();
      await b.close();
      await nats.close();
    }
  },
});

Deno.test({
  name:
    "a job is kept alive while worked on, and delivered again after the ack wait once its worker dies",
  ignore: IGNORE_NATS,
  async fn() {
    const nats = await startNats();
    const a = await JobQueue.connect(nats.url); // creates the queue: 30 s
    const b = await JobQueue.connect(nats.url, { ackWaitMs: 1000 }); // sets 1 s
    try {
      assert.equal(a.ackWaitMs, 30_000);
      const run = newRunId();
      await a.submit(run, "0", { n: 0 });
      const first = await a.take({ worker: "a" });
      assert.equal(first?.deliveries, 1);
      assert.equal(a.ackWaitMs, 1000, "read again when a job is taken");
      // Three ack waits while `a` works on it: nobody else gets it.
      assert.equal(await b.take({ worker: "b", waitMs: 3000 }), undefined);
      await a.close(); // the worker dies: no more working(), no answer
      const t0 = performance.now();
      const again = await b.take({ worker: "b", waitMs: 5000 });
      assert.equal(again?.job, "0");
      assert.equal(again?.deliveries, 2);
      assert.ok(performance.now() - t0 < 4000);
      await again!.complete();
      assert.deepEqual(await b.pending(), { waiting: 0, taken: 0 });
    } finally {
      await a.close().catch(() => {});
      await b.close();
      await nats.close();
    }
  },
});

Deno.test({
  name: "a failed job is terminated: its reason is recorded and it is never delivered again",
  ignore: IGNORE_NATS,
  async fn() {
    const nats = await startNats();
    const q = await JobQueue.connect(nats.url, { ackWaitMs: 1000 });
    try {
      const run = newRunId();
      const w = await watching(q, run);
      await q.submit(run, "0", {});
      await q.submit(run, "1", {});
      const bad = await q.take({ worker: "w" });
      await bad!.fail("cannot decode: Invalid data found when processing input");
      const good = await q.take({ worker: "w" });
      await good!.complete();
      // Two ack waits later, the failed one has not come back.
      assert.equal(await q.take({ worker: "w", waitMs: 2000 }), undefined);
      await until("two outcomes", () => w.outcomes.length === 2);
      assert.deepEqual(w.outcomes[0], {
        run,
        job: "0",
        state: "failed",
        reason: "cannot decode: Invalid data found when processing input",
        worker: "w",
        deliveries: 1,
      });
      assert.deepEqual(await q.pending(), { waiting: 0, taken: 0 });
      await w.close();
    } finally {
      await q.close();
      await nats.close();
    }
  },
});

Deno.test({
  name:
    "a job delivered more often than its submitter allowed is failed by the worker that receives it",
  ignore: IGNORE_NATS,
  async fn() {
    const nats = await startNats();
    const submitter = await JobQueue.connect(nats.url, { ackWaitMs: 1000 });
    try {
      const run = newRunId();
      const w = await watching(submitter, run);
      await submitter.submit(run, "0", {}, { maxDeliver: 2 });
      for (const worker of ["w1", "w2"]) {
        const q = await JobQueue.connect(nats.url);
        const job = await q.take({ worker, waitMs: 5000 });
        assert.equal(job?.worker, worker);
        await q.close(); // dies holding it
      }
      const q3 = await JobQueue.connect(nats.url);
      assert.equal(await q3.take({ worker: "w3", waitMs: 3000 }), undefined, "not handed out");
      await q3.close();
      await until("the outcome", () => w.outcomes.length === 1);
      assert.equal(w.outcomes[0].state, "failed");
      assert.equal(w.outcomes[0].worker, "w3");
      assert.match(
        w.outcomes[0].reason!,
        /^delivered 3 times, more than the 2 allowed: each worker that took it died/,
      );
      assert.deepEqual(await submitter.pending(), { waiting: 0, taken: 0 });
      await w.close();
    } finally {
      await submitter.close();
      await nats.close();
    }
  },
});

Deno.test({
  name:
    "a redelivered job whose outcome was recorded before its worker died is acked, not done again",
  ignore: IGNORE_NATS,
  async fn() {
    const nats = await startNats();
    const q = await JobQueue.connect(nats.url, { ackWaitMs: 1000 });
    const nc = await connect({ servers: nats.url });
    try {
      const run = newRunId();
      await q.submit(run, "0", {});
      const doomed = await JobQueue.connect(nats.url);
      const job = await doomed.take({ worker: "doomed" });
      // It records its outcome (as `complete` does first), then dies before the ack.
      const outcome: JobOutcome = {
        run,
        job: "0",
        state: "completed",
        worker: "doomed",
        deliveries: 1,
      };
      await jetstream(nc).publish(`streamdet.jobs.${run}.0.done`, JSON.stringify(outcome), {
        msgID: `${run}.0`,
      });
      assert.equal(job?.job, "0");
      await doomed.close();
      assert.equal(await q.take({ worker: "next", waitMs: 3000 }), undefined);
      assert.deepEqual(await q.pending(), { waiting: 0, taken: 0 });
      const w = await watching(q, run);
      await until("the outcome", () => w.outcomes.length === 1);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(w.outcomes, [outcome], "recorded once");
      await w.close();
    } finally {
      await nc.close();
      await q.close();
      await nats.close();
    }
  },
});

Deno.test({
  name:
    "a worker that finishes a job whose outcome another delivery recorded first records nothing",
  ignore: IGNORE_NATS,
  async fn() {
    const nats = await startNats();
    const q = await JobQueue.connect(nats.url);
    const nc = await connect({ servers: nats.url });
    try {
      const run = newRunId();
      const w = await watching(q, run);
      await q.submit(run, "0", {});
      const slow = await q.take({ worker: "slow" });
      // Meanwhile another delivery of it (the slow one stalled past the ack wait) recorded:
      const first: JobOutcome = {
        run,
        job: "0",
        state: "completed",
        worker: "fast",
        deliveries: 2,
      };
      await jetstream(nc).publish(`streamdet.jobs.${run}.0.done`, JSON.stringify(first));
      assert.equal(await slow!.complete({ frames: 1 }), false);
      await until("the outcome", () => w.outcomes.length === 1);
      assert.deepEqual(w.outcomes, [first]);
      assert.deepEqual(await q.outcome(run, "0"), first);
      assert.deepEqual(await q.pending(), { waiting: 0, taken: 0 }, "acked all the same");
      await w.close();
    } finally {
      await nc.close();
      await q.close();
      await nats.close();
    }
  },
});

Deno.test({
  name: "cancel removes the jobs of a run that no worker took, and only that run's",
  ignore: IGNORE_NATS,
  async fn() {
    const nats = await startNats();
    const q = await JobQueue.connect(nats.url);
    try {
      const [r1, r2] = [newRunId(), newRunId()];
      for (const job of ["0", "1", "2"]) await q.submit(r1, job, {});
      await q.submit(r2, "0", {});
      assert.equal(await q.cancel(r1), 3);
      const left = await q.take({ worker: "w" });
      assert.equal(left?.run, r2);
      await left!.complete();
    } finally {
      await q.close();
      await nats.close();
    }
  },
});

Deno.test({
  name: "a server that refuses connections is named in the error; a malformed URL is refused",
  ignore: IGNORE_NATS,
  async fn() {
    const url = `nats://127.0.0.1:${freePort()}`;
    await assert.rejects(JobQueue.connect(url), (error: Error) => {
      assert.ok(error instanceof JobQueueError);
      assert.equal(error.message, `cannot reach the NATS server at ${url}: connection refused`);
      return true;
    });
    await assert.rejects(JobQueue.connect("http://127.0.0.1:4222"), RangeError);
    await assert.rejects(JobQueue.connect("nats://"), RangeError);
  },
});

Deno.test({
  name: "a server without JetStream is said to need it",
  ignore: IGNORE_NATS,
  async fn() {
    const port = freePort();
    const child = new Deno.Command("nats-server", {
      args: ["-a", "127.0.0.1", "-p", String(port)],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const { waitForPort } = await import("../_helpers/brokers.ts");
      await waitForPort(port);
      await assert.rejects(
        JobQueue.connect(`nats://127.0.0.1:${port}`),
        /^JobQueueError: the NATS server at nats:\/\/127\.0\.0\.1:\d+ cannot hold the job queue: .*\(start nats-server with -js\)$/,
      );
    } finally {
      child.kill("SIGTERM");
      await child.status;
    }
  },
});
