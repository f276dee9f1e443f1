/**
 * Real message brokers for the tests: Debian's `nats-server` (JetStream on, its store in a
 * temporary folder) and Debian's `mosquitto`, each on a free loopback port, started by the
 * test and stopped, paused (`SIGSTOP`), resumed or restarted on the same port by it. Their
 * files go in a temporary folder (under `tmpRoot` when given: the benches may write only
 * under bench/out).
 *
 * Without the packages the tests that need them are skipped, unless
 * `STREAMDET_REQUIRE_SERVERS=1` (CI: `.ci/run` installs them) makes them fail.
 *
 * @module
 */

import { SERVERS_REQUIRED } from "./rtsp_server.ts";
import { freePort } from "./media.ts";

/** Why `command` cannot run here (what to install), or undefined if it can. */
async function missing(command: string, args: string[], pkg: string): Promise<string | undefined> {
  try {
    await new Deno.Command(command, { args, stdout: "null", stderr: "null" }).output();
    return undefined;
  } catch {
    return `${command} is not installed (Debian's ${pkg})`;
  }
}

/** Why this machine cannot run `nats-server`, or undefined if it can. */
export const NATS_MISSING: string | undefined = await missing(
  "nats-server",
  ["--version"],
  "nats-server",
);
/** Why this machine cannot run `mosquitto`, or undefined if it can. */
export const MOSQUITTO_MISSING: string | undefined = await missing(
  "mosquitto",
  ["-h"],
  "mosquitto",
);

/** Whether a test that needs `nats-server` is skipped (missing and not required). */
export const IGNORE_NATS: boolean = NATS_MISSING !== undefined && !SERVERS_REQUIRED;
/** Whether a test that needs `mosquitto` is skipped (missing and not required). */
export const IGNORE_MOSQUITTO: boolean = MOSQUITTO_MISSING !== undefined && !SERVERS_REQUIRED;

export { freePort } from "./media.ts";

/** Waits until something accepts TCP connections on `port`, at most `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch (error) {
      if (performance.now() > deadline) {
        throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms: ${error}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A broker process the test controls. */
export interface Broker {
  /** `nats://127.0.0.1:<port>` or `mqtt://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Stops the process (SIGTERM, then waits). */
  stop(): Promise<void>;
  /** Starts it again on the same port (and, for NATS, the same store). */
  start(): Promise<void>;
  /** Sends `SIGSTOP` (`pause`) or `SIGCONT` (`resume`). */
  signal(signal: "SIGSTOP" | "SIGCONT" | "SIGKILL"): void;
  /** Stops it for good and removes its files. */
  close(): Promise<void>;
}

async function broker(
  scheme: string,
  missingWhy: string | undefined,
  spawn: (port: number, dir: string) => Deno.Command,
  port: number,
  tmpRoot?: string,
): Promise<Broker> {
  if (missingWhy) throw new Error(`STREAMDET_REQUIRE_SERVERS=1 but ${missingWhy}`);
  if (tmpRoot) await Deno.mkdir(tmpRoot, { recursive: true });
  const dir = await Deno.makeTempDir({ prefix: `streamdet-${scheme}-`, dir: tmpRoot });
  let child: Deno.ChildProcess | undefined;
  const start = async () => {
    child = spawn(port, dir).spawn();
    await waitForPort(port);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c) return;
    try {
      c.kill("SIGCONT");
      c.kill("SIGTERM");
    } catch { /* already gone */ }
    await c.status;
  };
  await start();
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    start,
    stop,
    signal: (s) => child?.kill(s),
    close: async () => {
      await stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Starts Debian's `nats-server` with JetStream on a free loopback port (or `port`).
 *
 * @example
 * ```ts ignore
 * const nats = await startNats();
 * // connect({ servers: nats.url })
 * await nats.close();
 * ```
 */
export function startNats(
  { port = freePort(), args = [], tmpRoot }: { port?: number; args?: string[]; tmpRoot?: string } =
    {},
): Promise<Broker> {
  return broker(
    "nats",
    NATS_MISSING,
    (p, dir) =>
      new Deno.Command("nats-server", {
        args: ["-a", "127.0.0.1", "-p", String(p), "-js", "-sd", dir, ...args],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }),
    port,
    tmpRoot,
  );
}

/**
 * Starts Debian's `mosquitto` on a free loopback port (anonymous clients allowed).
 *
 * @example
 * ```ts ignore
 * const mqtt = await startMosquitto();
 * // mqtt.connect(mqttBroker.url)
 * await mqtt.close();
 * ```
 */
export function startMosquitto(
  { port = freePort(), tmpRoot }: { port?: number; tmpRoot?: string } = {},
): Promise<Broker> {
  return broker(
    "mqtt",
    MOSQUITTO_MISSING,
    (p, dir) => {
      const conf = `${dir}/mosquitto.conf`;
      Deno.writeTextFileSync(conf, `listener ${p} 127.0.0.1\nallow_anonymous true\n`);
      return new Deno.Command("mosquitto", {
        args: ["-c", conf],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      });
    },
    port,
    tmpRoot,
  );
}
