/**
 * Where the CPU goes while the pipeline or `detect` runs: every thread of this process and
 * every ffmpeg child, sampled from /proc while they run (a thread's counter is kept as last
 * seen, so threads and children that end before the run does are counted too), grouped:
 *
 * - `ort`: the inference workers (a Web Worker's JS thread and ONNX Runtime's intra-op
 *   threads, which inherit its name): inference;
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

function stat(path: string): { name: string; ms: number; ppid: number } | undefined {
  try {
    const text = Deno.readTextFileSync(path);
    const close = text.lastIndexOf(")");
    const name = text.slice(text.indexOf("(") + 1, close);
    const fields = text.slice(close + 2).split(" ");
    // Fields after the name: state(0) ppid(1) ... utime(11) stime(12).
    return {
      name,
      ppid: Number(fields[1]),
      ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS,
    };
  } catch {
    return undefined;
  }
}

/**
 * Samples this process's threads and its children every `everyMs` between `start()` and
 * `stop()`; `stop()` returns the CPU milliseconds spent in each group meanwhile.
 *
 * @example
 * ```ts ignore
 * const sampler = new CpuSampler();
 * sampler.start();
 * await runSomething();
 * console.log(budgetLine(sampler.stop(), frames));
 * ```
 */
export class CpuSampler {
  #threads = new Map<string, Seen>();
  #children = new Map<string, Seen>();
  #base = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #workers = new Map<string, number>();

  constructor(readonly everyMs = 100) {}

  /** Takes the first sample (the baseline of every thread alive now). */
  start(): void {
    this.#sample();
    for (const [tid, s] of this.#threads) this.#base.set(tid, s.ms);
    this.#timer = setInterval(() => this.#sample(), this.everyMs);
  }

  /** Takes the last sample and returns the CPU spent since `start()`, by group. */
  stop(): CpuBudget {
    if (this.#timer !== undefined) this.#sample();
    clearInterval(this.#timer);
    this.#timer = undefined;
    const budget: CpuBudget = { ort: 0, post: 0, main: 0, io: 0, gc: 0, decode: 0, other: 0 };
    // A worker whose name several threads share runs ONNX Runtime (its intra-op pool).
    for (const [tid, s] of this.#threads) {
      const ms = s.ms - (this.#base.get(tid) ?? 0);
      budget[this.#group(s.name)] += ms;
    }
    for (const s of this.#children.values()) budget.decode += s.ms;
    return budget;
  }

  #group(name: string): keyof CpuBudget {
    if (name === "deno") return "main";
    if (name.startsWith("tokio")) return "io";
    if (name === "V8" || name.startsWith("V8 ")) return "gc";
    if (name.startsWith("worker-")) return (this.#workers.get(name) ?? 0) > 1 ? "ort" : "post";
    return "other";
  }

  #sample(): void {
    const names = new Map<string, number>();
    try {
      for (const entry of Deno.readDirSync("/proc/self/task")) {
        const s = stat(`/proc/self/task/${entry.name}/stat`);
        if (!s) continue;
        this.#threads.set(entry.name, { name: s.name, ms: s.ms });
        names.set(s.name, (names.get(s.name) ?? 0) + 1);
      }
      for (const [name, n] of names) {
        this.#workers.set(name, Math.max(this.#workers.get(name) ?? 0, n));
      }
      const self = Deno.pid;
      for (const entry of Deno.readDirSync("/proc")) {
        if (!/^\d+$/.test(entry.name)) continue;
        const s = stat(`/proc/${entry.name}/stat`);
        if (s && s.ppid === self) this.#children.set(entry.name, { name: s.name, ms: s.ms });
      }
    } catch {
      // not Linux
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
