/**
 * Where the CPU goes while the pipeline or `detect` runs: every thread of this process and
 * every ffmpeg child, sampled from /proc while they run (a thread's counter is kept as last
 * seen, so threads and children that end before the run does are counted too), grouped:
 *
 * - `ort`: the inference workers (a Web Worker's JS thread and ONNX Runtime's intra-op
 *   threads, which inherit its name `worker-N`; `WorkerSession` starts the inference
 *   worker first, so its N is odd): inference;
 * - `post`: the post-processing workers (selection, mask pasting, panoptic fusion);
 * - `main`: the main thread (batching, tracking, result messages, WebSocket, writing);
 * - `io`: Deno's tokio threads (pipes from ffmpeg, sockets, files);
 * - `gc`: V8's platform threads (concurrent marking and sweeping);
 * - `decode`: ffmpeg children (decoding, scaling; thumbnails when encoded).
 *
 * Linux only (`/proc`); elsewhere every group reads 0.
 *
 * @module
 */

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU milliseconds by group. */
export type CpuBudget = Record<"ort" | "post" | "main" | "io" | "gc" | "decode" | "other", number>;

interface Seen {
  name: string;
  ms: number;
}

function parseStat(text: string): { name: string; ms: number; pid: string } | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const name = text.slice(text.indexOf("(") + 1, close);
  const pid = text.slice(0, text.indexOf(" "));
  const fields = text.slice(close + 2).split(" ");
  // Fields after the name: state(0) ppid(1) ... utime(11) stime(12).
  return { name, pid, ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
}

/** Deno reads /proc only with --allow-all, so a shell reads it (--allow-run suffices): one
 * long-lived child that, for each line it reads, prints the threads' stat lines, a
 * separator, the children's, and an end mark. Not one child per sample: spawning a child
 * from this process while ORT runs cost the pipeline a quarter of its frames/s at 10
 * samples a second (bench/RESULTS.md, fourth pass), so the sampler measured its own
 * disturbance. Samples are asked for, so that the last one is taken after `stop()`. */
const SCRIPT = "while read -r _; do cat /proc/$1/task/*/stat 2>/dev/null; echo '--'; " +
  "for c in $(cat /proc/$1/task/*/children 2>/dev/null); do cat /proc/$c/stat 2>/dev/null; " +
  "done; echo '=='; done";
const END = "\n==\n";

/**
 * Samples this process's threads and its children every `everyMs` between `start()` and
 * `stop()` (through one child shell started by `start()`); `stop()` returns the CPU
 * milliseconds spent in each group meanwhile. A thread's or child's counter is kept as
 * last seen, so what ends before `stop()` counts up to its last sample.
 *
 * @example
 * ```ts ignore
 * const sampler = new CpuSampler();
 * await sampler.start();
 * await runSomething();
 * console.log(budgetLine(await sampler.stop(), frames, wallMs));
 * ```
 */
export class CpuSampler {
  #threads = new Map<string, Seen>();
  #children = new Map<string, Seen>();
  #base = new Map<string, number>();
  #workers = new Map<string, number>();
  #child: Deno.ChildProcess | undefined;
  #ask: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #reading: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #asked = 0;
  #samples = 0;
  #waiters: { at: number; resolve: () => void }[] = [];
  #budget: CpuBudget | undefined;

  constructor(readonly everyMs = 500) {}

  /** Starts the sampling child and takes the first sample (the baseline of every thread
   * alive now). Without a shell, or off Linux, every group reads 0. */
  async start(): Promise<void> {
    try {
      this.#child = new Deno.Command("sh", {
        args: ["-c", SCRIPT, "sh", String(Deno.pid)],
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
    } catch {
      return; // no shell, or not Linux
    }
    this.#ask = this.#child.stdin.getWriter();
    this.#reading = this.#read(this.#child.stdout);
    await this.#sample();
    for (const [tid, s] of this.#threads) this.#base.set(tid, s.ms);
    this.#timer = setInterval(() => {
      if (this.#samples === this.#asked) this.#sample(); // one at a time
    }, this.everyMs);
  }

  /** Takes a last sample, stops the child and returns the CPU spent since `start()`, by
   * group (the same budget on a second call). */
  async stop(): Promise<CpuBudget> {
    if (this.#budget) return this.#budget;
    clearInterval(this.#timer);
    if (this.#child) {
      await this.#sample();
      await this.#ask?.close().catch(() => {}); // the shell's loop ends at end of input
      await this.#child.status;
      await this.#reading;
    }
    const budget: CpuBudget = { ort: 0, post: 0, main: 0, io: 0, gc: 0, decode: 0, other: 0 };
    // A worker whose name several threads share runs ONNX Runtime (its intra-op pool).
    for (const [tid, s] of this.#threads) {
      const ms = s.ms - (this.#base.get(tid) ?? 0);
      budget[this.#group(s.name)] += ms;
    }
    for (const s of this.#children.values()) budget.decode += s.ms;
    return this.#budget = budget;
  }

  /** Asks the child for a sample; resolves once it is read (at once if the child ended). */
  #sample(): Promise<void> {
    if (this.#reading === undefined || this.#ask === undefined) return Promise.resolve();
    const at = ++this.#asked;
    const read = new Promise<void>((resolve) => this.#waiters.push({ at, resolve }));
    this.#ask.write(new Uint8Array([10])).catch(() => {});
    return read;
  }

  #group(name: string): keyof CpuBudget {
    if (name === "deno") return "main";
    if (name.startsWith("tokio")) return "io";
    if (name === "V8" || name.startsWith("V8 ")) return "gc";
    if (name.startsWith("worker-")) {
      // WorkerSession starts its inference worker, then its post-processing worker, and
      // nothing else starts workers here: odd numbers run ORT (so does a name that
      // several threads share: ORT's intra-op pool inherits its worker's name).
      const n = Number(name.slice(7));
      return (this.#workers.get(name) ?? 0) > 1 || n % 2 === 1 ? "ort" : "post";
    }
    return "other";
  }

  async #read(stdout: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let text = "";
    try {
      for await (const chunk of stdout) {
        text += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = text.indexOf(END)) >= 0) {
          this.#parse(text.slice(0, end));
          text = text.slice(end + END.length);
          this.#samples++;
          this.#waiters = this.#waiters.filter((w) => {
            if (this.#samples < w.at) return true;
            w.resolve();
            return false;
          });
        }
      }
    } catch {
      // killed by stop()
    } finally {
      this.#reading = undefined;
      for (const w of this.#waiters.splice(0)) w.resolve();
    }
  }

  #parse(text: string): void {
    const [threads, children = ""] = text.split("\n--\n");
    const names = new Map<string, number>();
    for (const line of threads.split("\n")) {
      const s = parseStat(line);
      if (!s) continue;
      this.#threads.set(s.pid, { name: s.name, ms: s.ms });
      names.set(s.name, (names.get(s.name) ?? 0) + 1);
    }
    for (const [name, n] of names) {
      this.#workers.set(name, Math.max(this.#workers.get(name) ?? 0, n));
    }
    for (const line of children.split("\n")) {
      const s = parseStat(line);
      if (s) this.#children.set(s.pid, { name: s.name, ms: s.ms });
    }
  }
}

/**
 * One line: CPU milliseconds per frame of each group, their total, and the wall time per
 * frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const b = { ort: 800, post: 100, main: 50, io: 20, gc: 10, decode: 20, other: 0 };
 * assert.equal(budgetLine(b, 10, 600),
 *   "CPU per frame: ORT 80.0 ms, post-processing 10.0, main thread 5.0, I/O 2.0, GC 1.0, ffmpeg 2.0 = 100.0 ms of CPU per 60.0 ms of wall time (1.67 cores busy)");
 * ```
 */
export function budgetLine(budget: CpuBudget, frames: number, wallMs: number): string {
  const per = (ms: number) => (ms / frames).toFixed(1);
  const total = Object.values(budget).reduce((a, b) => a + b, 0);
  const other = budget.other > 0 ? `, other ${per(budget.other)}` : "";
  return `CPU per frame: ORT ${per(budget.ort)} ms, post-processing ${per(budget.post)}, ` +
    `main thread ${per(budget.main)}, I/O ${per(budget.io)}, GC ${per(budget.gc)}, ` +
    `ffmpeg ${per(budget.decode)}${other} = ${per(total)} ms of CPU per ${
      per(wallMs)
    } ms of wall time (${(total / wallMs).toFixed(2)} cores busy)`;
}
