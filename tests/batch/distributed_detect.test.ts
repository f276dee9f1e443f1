/**
 * `detect --queue` and `worker` as separate processes on a real nats-server, with the real
 * model and ffmpeg: every input completes exactly once (a worker killed mid-file included)
 * with the outputs of a single-machine `detect`; undecodable, unreachable and
 * too-often-delivered inputs fail alone and say why; bad queue URLs are refused.
 *
 * "The outputs of a single-machine detect": byte for byte, except the measurements of the
 * run in the JSON Lines and the counts file (when each frame was captured and published,
 * its stage latencies and batch size, when each event was published): those differ
 * between any two runs, on one machine too (see docs/distributed-detect.md).
 */

import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { JobQueue } from "../../src/cluster/job_queue.ts";
import type { JobOutcome, JobProgress } from "../../src/cluster/taken_job.ts";
import { freePort, IGNORE_NATS, startNats } from "../_helpers/brokers.ts";
import { runFfmpeg } from "../_helpers/media.ts";
import { CLI, CLI_FLAGS, DEMO_VIDEO, FASTERRCNN } from "../_helpers/server.ts";

const MODEL = FASTERRCNN.replace(/\/manifest\.json$/, "");

/** A command-line process of the test, its output collected as it comes. */
function cli(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...CLI_FLAGS, CLI, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = { stdout: "", stderr: "" };
  const read = (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") =>
    stream.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (text) => void (out[key] += text) }),
    );
  const done = Promise.all([read(child.stdout, "stdout"), read(child.stderr, "stderr")]);
  return {
    child,
    out,
    /** Waits for the exit (killing it after `timeoutMs`); its code and output. */
    async result(timeoutMs = 120_000) {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      try {
        const status = await child.status;
        await done;
        return { code: status.code, ...out };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Clips of one second (15 frames) cut from the demo video, `c00.mp4`... */
async function clips(dir: string, n: number): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const paths = Array.from({ length: n }, (_, i) => `${dir}/c${String(i).padStart(2, "0")}.mp4`);
  await Promise.all(paths.map((path, i) =>
    runFfmpeg([
      ...["-ss", String(i), "-i", DEMO_VIDEO, "-frames:v", "15", "-an"],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path],
    ])
  ));
  return paths;
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test({
  name:
    "12 inputs on 3 workers, one killed mid-file: each completes exactly once, with the outputs of a single-machine detect",
  ignore: IGNORE_NATS,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "streamdet-distributed-" });
    const nats = await startNats();
    const nc = await connect({ servers: nats.url });
    const workers: ReturnType<typeof cli>[] = [];
    try {
      await clips(`${dir}/in`, 12);
      // --reproducible: the run's timings as zeros, so that every byte can be compared.
      const flags = ["--model", MODEL, "--track", "--annotate", "--reproducible", `${dir}/in`];
      const single = await cli(["detect", ...flags, "--out", `${dir}/single`]).result();
      assert.equal(single.code, 0, single.stderr);

      // Who starts what: every "started" progress message (frames 0) of every job.
      const starts: JobProgress[] = [];
      let killed: JobProgress | undefined;
      const sub = nc.subscribe("streamdet.jobs.*.*.progress", {
        callback: (_e, msg) => {
          const p = msg.json<JobProgress<{ frames: number }>>();
          if (p.detail.frames !== 0) return;
          starts.push(p);
          if (killed) return;
          // The first worker to start a file dies at once, mid-file: kill -9.
          killed = p;
          const pid = Number(p.worker.split(":").pop());
          workers.find((w) => w.child.pid === pid)!.child.kill("SIGKILL");
        },
      });
      for (let i = 0; i < 3; i++) {
        workers.push(cli(["worker", "--queue", nats.url, "--concurrency", "1"]));
      }
      const submitted = await cli([
        ...["detect", "--queue", nats.url, "--ack-wait", "3", ...flags, "--out", `${dir}/out`],
      ]).result();
      assert.equal(submitted.code, 0, submitted.stdout + submitted.stderr);
      assert.ok(killed, "a worker was killed");
      assert.equal(submitted.stdout.match(/: 15 frames -> /g)?.length, 12, submitted.stdout);
      // Not a terminal: one plain line per input as it completes.
      assert.equal(submitted.stderr.match(/^\[\d+\/12\] .*: done, 15 frames$/gm)?.length, 12);

      // Exactly once: one outcome per job, the killed worker's job done by another one.
      const jsm = await jetstreamManager(nc);
      const state = (await jsm.streams.info("streamdet_jobs_done")).state;
      assert.deepEqual([state.messages, state.num_subjects], [12, 12]);
      const outcomes: JobOutcome[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
        outcomes.push((await jsm.streams.getMessage("streamdet_jobs_done", { seq }))!.json());
      }
      assert.ok(outcomes.every((o) => o.state === "completed"));
      const redone = outcomes.find((o) => o.job === killed!.job)!;
      assert.notEqual(redone.worker, killed.worker);
      assert.ok(redone.deliveries >= 2, `delivered ${redone.deliveries} times`);
      const startedBy = starts.filter((s) => s.job === killed!.job).map((s) => s.worker);
      assert.ok(startedBy.length >= 2 && startedBy[0] === killed.worker, startedBy.join(", "));
      assert.equal((await jsm.consumers.info("streamdet_jobs", "workers")).num_ack_pending, 0);
      sub.unsubscribe();

      // The survivors stop on SIGTERM (exit 0) having acked 12 jobs between them.
      let acked = 0;
      for (const w of workers.filter((w) => w.child.pid !== Number(killed!.worker.split(":")[1]))) {
        w.child.kill("SIGTERM");
        const r = await w.result();
        assert.equal(r.code, 0, r.stderr);
        acked += Number(r.stderr.match(/stopped: (\d+) completed, 0 failed/)?.[1]);
      }
      assert.equal(acked, 12);

      // The same files, byte for byte; the killed worker's hidden temporary files are all
      // that is left besides.
      const visible = names(`${dir}/out`).filter((n) => !n.startsWith("."));
      assert.deepEqual(visible, names(`${dir}/single`));
      assert.equal(visible.length, 12 * 5);
      for (const name of visible) {
        assert.deepEqual(
          await Deno.readFile(`${dir}/out/${name}`),
          await Deno.readFile(`${dir}/single/${name}`),
          name,
        );
      }
      const stem = `c${killed.job.padStart(2, "0")}`;
      const hidden = names(`${dir}/out`).filter((n) => n.startsWith("."));
      assert.ok(hidden.every((n) => n.startsWith(`.${stem}.`)), hidden.join(", "));
    } finally {
      for (const w of workers) {
        try {
          w.child.kill("SIGKILL");
        } catch { /* exited */ }
        await w.result().catch(() => {});
      }
      await nc.close();
      await nats.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "an undecodable input, an input the worker cannot see and a job whose workers keep dying fail alone, each saying why",
  ignore: IGNORE_NATS,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "streamdet-distributed-" });
    const nats = await startNats();
    let worker: ReturnType<typeof cli> | undefined;
    try {
      const [a, b] = await clips(`${dir}/in`, 2);
      await Deno.writeTextFile(`${dir}/in/corrupt.mp4`, "this is not a video");
      await Deno.copyFile(b, `${dir}/in/gone.mp4`);
      const submitter = cli([
        ...["detect", "--queue", nats.url, "--model", MODEL, "--out", `${dir}/out`],
        ...["--max-deliver", "1", "--ack-wait", "1", a, b, `${dir}/in/corrupt.mp4`],
        `${dir}/in/gone.mp4`,
      ]);
      // A worker takes the first job and dies holding it; the last input disappears from
      // the shared folder after it was submitted.
      const doomed = await JobQueue.connect(nats.url);
      const held = await doomed.take({ worker: "doomed", waitMs: 30_000 });
      assert.equal(held?.job, "0");
      await doomed.close();
      await Deno.remove(`${dir}/in/gone.mp4`);
      worker = cli(["worker", "--queue", nats.url]);
      const r = await submitter.result();
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const line = (input: string) =>
        r.stdout.split("\n").find((l) => l.startsWith(`${input}: `)) ?? r.stdout;
      assert.match(
        line(a),
        /: FAILED: delivered 2 times, more than the 1 allowed: each worker that took it died or stopped answering for longer than the ack wait \(1 s\)$/,
      );
      assert.match(line(b), /: 15 frames -> /);
      assert.match(line(`${dir}/in/corrupt.mp4`), /: FAILED: .*Invalid data found/);
      assert.match(
        line(`${dir}/in/gone.mp4`),
        /: FAILED: .*gone\.mp4: the input is not there on worker [^:]+:\d+: inputs and the output folder must be at the same paths on every worker \(a shared mount\)$/,
      );
      // Terminated jobs are gone for good: nothing is waiting or taken.
      const queue = await JobQueue.connect(nats.url);
      assert.deepEqual(await queue.pending(), { waiting: 0, taken: 0 });
      await queue.close();
      assert.deepEqual(names(`${dir}/out`), ["c01.coco.json", "c01.jsonl"]);
    } finally {
      worker?.child.kill("SIGTERM");
      await worker?.result();
      await nats.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a queue that refuses connections is named with exit code 1; a malformed URL is a usage error",
  ignore: IGNORE_NATS,
  async fn() {
    const url = `nats://127.0.0.1:${freePort()}`;
    const refused = await cli(["detect", "--queue", url, "--model", MODEL, DEMO_VIDEO]).result();
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(
      refused.stderr.trim(),
      `error: --queue: cannot reach the NATS server at ${url}: connection refused`,
    );
    const worker = await cli(["worker", "--queue", url]).result();
    assert.equal(worker.code, 1);
    assert.match(worker.stderr, /cannot reach the NATS server at nats:\/\/127\.0\.0\.1:\d+/);
    for (
      const [args, message] of [
        [["detect", "--queue", "http://h:4222", DEMO_VIDEO], /--queue: expected a NATS URL/],
        [["detect", "--queue", "nats://", DEMO_VIDEO], /--queue: expected a NATS URL/],
        [["detect", "--max-deliver", "2", DEMO_VIDEO], /--max-deliver: only with --queue/],
        [["worker"], /worker needs --queue/],
        [["worker", "--queue", url, "--model", MODEL], /--model: belongs to the submitter/],
      ] as const
    ) {
      const r = await cli([...args]).result();
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  },
});
