/**
 * A server in a child process (`src/cli.ts serve`), so that its memory can be measured
 * apart from the test's clients: its resident set size comes from its own `GET /metrics`
 * (`streamdet_memory_rss_bytes`).
 *
 * @module
 */

import { CLI, CLI_FLAGS as FLAGS, ROOT } from "./server.ts";

/** A `serve` child process and where it listens. */
export interface ServerProcess {
  url: string;
  wsUrl: string;
  pid: number;
  /** The Prometheus text of `GET /metrics`. */
  metrics(): Promise<string>;
  /** `streamdet_memory_rss_bytes` now. */
  rss(): Promise<number>;
  /** The last lines the child wrote (stdout and stderr), for failure messages. */
  log(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`); resolves with the code. */
  close(graceMs?: number): Promise<number>;
}

/**
 * Writes `config` (absolute paths; the server gets port 0 unless given) to a temporary
 * file and runs `serve` on it; resolves once it prints the URL it serves on.
 *
 * @example
 * ```ts ignore
 * const server = await startServerProcess({ models: { m: { manifest: FASTERRCNN } }, streams: [] });
 * console.log(await server.rss());
 * await server.close();
 * ```
 */
export async function startServerProcess(
  config: Record<string, unknown>,
  { startTimeoutMs = 120_000 }: { startTimeoutMs?: number } = {},
): Promise<ServerProcess> {
  const dir = await Deno.makeTempDir({ prefix: "streamdet-load-" });
  const path = `${dir}/pipeline.json`;
  const server = { port: 0, ...(config.server as object ?? {}) };
  await Deno.writeTextFile(
    path,
    JSON.stringify({ sources: { roots: [ROOT, "/tmp"] }, ...config, server }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...FLAGS, CLI, "serve", "--config", path],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let tail = "";
  const keep = (text: string) => {
    tail = (tail + text).slice(-8_000);
  };
  let announce: (url: string) => void = () => {};
  const announced = new Promise<string>((resolve) => announce = resolve);
  const pump = async (stream: ReadableStream<Uint8Array>, watchUrl: boolean) => {
    let seen = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      keep(text);
      if (watchUrl) {
        seen = (seen + text).slice(-4_000);
        const url = /serving \d+ stream\(s\) on (http:\/\/\S+)/.exec(seen)?.[1];
        if (url) announce(url);
      }
    }
  };
  const pumps = Promise.all([pump(child.stdout, true), pump(child.stderr, false)]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  let closing: Promise<number> | undefined;
  const close = (graceMs = 15_000) =>
    closing ??= (async () => {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch {
          // exited meanwhile
        }
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // exited
        }
      }, graceMs);
      const { code } = await status;
      clearTimeout(timer);
      await pumps;
      await Deno.remove(dir, { recursive: true });
      return code;
    })();

  let timer: ReturnType<typeof setTimeout> | undefined;
  const url = await Promise.race([
    announced,
    status.then((s) => `exit ${s.code}`),
    new Promise<string>((resolve) => timer = setTimeout(() => resolve("timeout"), startTimeoutMs)),
  ]);
  clearTimeout(timer);
  if (!url.startsWith("http")) {
    await close(2_000);
    throw new Error(`serve did not start (${url}):\n${tail}`);
  }
  const metrics = async () => {
    const res = await fetch(`${url}/metrics`);
    const text = await res.text();
    if (!res.ok) throw new Error(`GET /metrics: ${res.status} ${text}`);
    return text;
  };
  return {
    url,
    wsUrl: url.replace(/^http/, "ws") + "/ws",
    pid: child.pid,
    metrics,
    rss: async () => metricValue(await metrics(), "streamdet_memory_rss_bytes"),
    log: () => tail,
    close,
  };
}

/**
 * The value of a metric line of a Prometheus text (`name` or `name{labels}`), summed over
 * the lines that match; 0 when none does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const text = 'a_total 3\nb{reason="slow"} 2\nb{reason="too-large"} 1\n';
 * assert.equal(metricValue(text, "a_total"), 3);
 * assert.equal(metricValue(text, "b"), 3);
 * assert.equal(metricValue(text, 'b{reason="slow"}'), 2);
 * ```
 */
export function metricValue(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    if (space < 0) continue;
    const key = line.slice(0, space);
    const matches = key === name || (!name.includes("{") && key.startsWith(name + "{"));
    if (matches) sum += Number(line.slice(space + 1));
  }
  return sum;
}
