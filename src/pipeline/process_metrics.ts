/**
 * The process's own metrics with the standard Prometheus names (`process_*`, under the
 * pipeline's prefix), computed when `/metrics` is scraped: resident memory, CPU time and
 * start time from Deno's own APIs, and virtual memory, data segment, open and maximum file
 * descriptors from the process's `/proc` entry.
 *
 * Deno opens `/proc/self` only under `--allow-all`, which the project's tasks do not give:
 * then, when the process may run `/bin/sh` (`--allow-run`, as `serve` and `detect` have),
 * one short child reads `/proc/<pid>` for it (at most one at a time, at most once per
 * `maxAgeMs`); without either, those four metrics are not exported at all (never a 0 that
 * looks like a reading). The V8 heap keeps prom-client's names (`nodejs_heap_*`,
 * `nodejs_external_memory_bytes`). prom-client's default collectors are not used: under
 * Deno most of them read 0 whatever happens (event loop lag, active handles, requests and
 * resources, and the `/proc` ones without `--allow-all`).
 *
 * @module
 */

import client from "prom-client";
import process from "node:process";
import { registerHeapMetrics } from "./heap_metrics.ts";

/** What the process's `/proc` entry says at one moment. */
export interface ProcSnapshot {
  /** `VmSize`: virtual memory size, bytes. */
  virtualBytes: number;
  /** `VmData`: data segment (heap and anonymous mappings), bytes. */
  dataBytes: number;
  /** File descriptors open (the reader's own included: one directory or one pipe). */
  openFds: number;
  /** The soft limit on open file descriptors; `undefined` when unlimited. */
  maxFds: number | undefined;
}

/** How this process can read its `/proc` entry: itself (`--allow-all`), through a
 * child process (`--allow-run`), or not at all. */
export type ProcAccess = "direct" | "child" | "none";

const SHELL = "/bin/sh";
const CHILD_TIMEOUT_MS = 2_000;
const FD_MARK = "--- fd";

/**
 * How this process can read its own `/proc` entry under its permissions (asks nothing:
 * no permission prompt).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(["direct", "child", "none"].includes(procAccess()));
 * ```
 */
export function procAccess(): ProcAccess {
  if (Deno.build.os !== "linux") return "none";
  try {
    Deno.readTextFileSync("/proc/self/limits");
    return "direct";
  } catch {
    // NotCapable without --allow-all
  }
  try {
    if (Deno.permissions.querySync({ name: "run", command: SHELL }).state === "granted") {
      return "child";
    }
  } catch {
    // no permission API here
  }
  return "none";
}

/**
 * Reads the process's `/proc` entry the way `access` says; `undefined` when it cannot
 * (no access, the child failed or took more than 2 s).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const snapshot = await readProcSnapshot(procAccess());
 * if (snapshot) assert.ok(snapshot.openFds > 0 && snapshot.virtualBytes > 0);
 * ```
 */
export async function readProcSnapshot(access: ProcAccess): Promise<ProcSnapshot | undefined> {
  try {
    if (access === "direct") {
      const fds = [...Deno.readDirSync("/proc/self/fd")].length;
      return parseProc(
        Deno.readTextFileSync("/proc/self/status"),
        Deno.readTextFileSync("/proc/self/limits"),
        fds,
      );
    }
    if (access === "child") return await readThroughChild();
  } catch {
    // gone unreadable (a permission revoked, a malformed entry): not exported this time
  }
  return undefined;
}

async function readThroughChild(): Promise<ProcSnapshot | undefined> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), CHILD_TIMEOUT_MS);
  try {
    const { success, stdout } = await new Deno.Command(SHELL, {
      args: [
        "-c",
        `cat "$1/status" "$1/limits" && echo "${FD_MARK}" && ls -1U "$1/fd"`,
        "sh",
        `/proc/${Deno.pid}`,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
      signal: abort.signal,
    }).output();
    if (!success) return undefined;
    const text = new TextDecoder().decode(stdout);
    const mark = text.indexOf(`\n${FD_MARK}\n`);
    if (mark < 0) return undefined;
    const fds = text.slice(mark + FD_MARK.length + 2).split("\n").filter((l) => l !== "").length;
    const head = text.slice(0, mark);
    return parseProc(head, head, fds);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The snapshot in the text of `/proc/<pid>/status` and `/proc/<pid>/limits` with `fds`
 * descriptors open; throws when a field is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const status = "Name:\tdeno\nVmSize:\t 2048 kB\nVmData:\t  512 kB\n";
 * const limits = "Max open files            1024                 4096                 files\n";
 * assert.deepEqual(parseProc(status, limits, 12),
 *   { virtualBytes: 2048 * 1024, dataBytes: 512 * 1024, openFds: 12, maxFds: 1024 });
 * ```
 */
export function parseProc(status: string, limits: string, fds: number): ProcSnapshot {
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s*(\\d+) kB$`, "m").exec(status);
    if (!m) throw new Error(`/proc status: ${field}: expected "<n> kB", found nothing`);
    return Number(m[1]) * 1024;
  };
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  if (!m) throw new Error(`/proc limits: Max open files: expected a limit, found nothing`);
  return {
    virtualBytes: kb("VmSize"),
    dataBytes: kb("VmData"),
    openFds: fds,
    maxFds: m[1] === "unlimited" ? undefined : Number(m[1]),
  };
}

/** A gauge that exports no sample while its reading is missing. */
class ReadingGauge extends client.Gauge {
  #read: () => Promise<number | undefined>;

  constructor(
    name: string,
    help: string,
    registry: client.Registry,
    read: () => Promise<number | undefined>,
  ) {
    super({ name, help, registers: [registry] });
    this.#read = read;
  }

  override async get(): Promise<client.MetricObjectWithValues<client.MetricValue<string>>> {
    const value = await this.#read();
    if (value !== undefined) this.set(value);
    const metric = await super.get();
    return value === undefined ? { ...metric, values: [] } : metric;
  }
}

/** Options of {@link registerProcessMetrics}. */
export interface ProcessMetricsOptions {
  /** Put before every name (`streamdet_` gives `streamdet_process_open_fds`). */
  prefix?: string;
  /** A `/proc` reading younger than this is reused (default 1000 ms; 0: read each time). */
  maxAgeMs?: number;
  /** How to read `/proc` (default: {@link procAccess}). */
  access?: ProcAccess;
}

/**
 * Registers the process metrics in `registry`: `process_resident_memory_bytes`,
 * `process_cpu_user_seconds_total`, `process_cpu_system_seconds_total`,
 * `process_cpu_seconds_total`, `process_start_time_seconds` and the V8 heap's
 * `nodejs_heap_size_total_bytes`, `nodejs_heap_size_used_bytes`,
 * `nodejs_external_memory_bytes`, `nodejs_heap_space_size_{total,used,available}_bytes{space}`
 * always;
 * `process_virtual_memory_bytes`, `process_heap_bytes`, `process_open_fds`,
 * `process_max_fds` when `/proc` can be read. Returns the access used.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import client from "prom-client";
 * const registry = new client.Registry();
 * registerProcessMetrics(registry, { prefix: "demo_", access: "none" });
 * const text = await registry.metrics();
 * assert.match(text, /^demo_process_resident_memory_bytes [1-9]\d*$/m);
 * assert.doesNotMatch(text, /demo_process_open_fds/);
 * ```
 */
export function registerProcessMetrics(
  registry: client.Registry,
  { prefix = "", maxAgeMs = 1_000, access = procAccess() }: ProcessMetricsOptions = {},
): ProcAccess {
  const registers = [registry];
  new client.Gauge({
    name: `${prefix}process_resident_memory_bytes`,
    help: "Resident memory size in bytes (Deno.memoryUsage)",
    registers,
    collect() {
      this.set(Deno.memoryUsage().rss);
    },
  });
  const cpu = (
    name: string,
    help: string,
    seconds: (u: ReturnType<typeof process.cpuUsage>) => number,
  ) =>
    new client.Counter({
      name: `${prefix}${name}`,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(seconds(process.cpuUsage()));
      },
    });
  cpu("process_cpu_user_seconds_total", "User CPU time spent in seconds", (u) => u.user / 1e6);
  cpu(
    "process_cpu_system_seconds_total",
    "System CPU time spent in seconds",
    (u) => u.system / 1e6,
  );
  cpu(
    "process_cpu_seconds_total",
    "User and system CPU time spent in seconds",
    (u) => (u.user + u.system) / 1e6,
  );
  new client.Gauge({
    name: `${prefix}process_start_time_seconds`,
    help: "Start time of the process since the Unix epoch in seconds",
    registers,
  }).set(Math.round(performance.timeOrigin) / 1000);
  registerHeapMetrics(registry, prefix);
  if (access === "none") return access;

  let last: { at: number; snapshot: ProcSnapshot | undefined } | undefined;
  let pending: Promise<ProcSnapshot | undefined> | undefined;
  const snapshot = (): Promise<ProcSnapshot | undefined> => {
    if (last && performance.now() - last.at < maxAgeMs) return Promise.resolve(last.snapshot);
    return pending ??= readProcSnapshot(access).then((s) => {
      last = { at: performance.now(), snapshot: s };
      pending = undefined;
      return s;
    });
  };
  const gauge = (name: string, help: string, pick: (s: ProcSnapshot) => number | undefined) =>
    new ReadingGauge(`${prefix}${name}`, help, registry, async () => {
      const s = await snapshot();
      return s && pick(s);
    });
  gauge(
    "process_virtual_memory_bytes",
    "Virtual memory size in bytes (VmSize)",
    (s) => s.virtualBytes,
  );
  gauge("process_heap_bytes", "Process heap size in bytes (VmData)", (s) => s.dataBytes);
  gauge("process_open_fds", "Number of open file descriptors", (s) => s.openFds);
  gauge(
    "process_max_fds",
    "Maximum number of open file descriptors (soft limit; no sample when unlimited)",
    (s) => s.maxFds,
  );
  return access;
}
