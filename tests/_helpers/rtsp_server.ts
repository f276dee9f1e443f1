/**
 * A real RTSP server for the tests: GStreamer's RTSP server (Debian's
 * `gir1.2-gst-rtsp-server-1.0`, `python3-gi` and GStreamer's base, good and bad plugins)
 * run by `tests/_helpers/rtsp_server.py`, serving a live H.264 test pattern on loopback
 * with the RTP transports it accepts chosen: TCP only, UDP only, or both.
 *
 * Without those packages the tests that need the server are skipped, unless
 * `STREAMDET_REQUIRE_SERVERS=1` (CI: `.ci/run` installs them) makes them fail.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The script that serves. */
const SCRIPT = fileURLToPath(new URL("./rtsp_server.py", import.meta.url));
/** Debian's Python (its python3-gi), else the first `python3` on PATH. */
const PYTHON = (() => {
  try {
    return Deno.statSync("/usr/bin/python3").isFile ? "/usr/bin/python3" : "python3";
  } catch {
    return "python3";
  }
})();

/** Whether a missing server must fail the tests that need one (CI sets it). */
export const SERVERS_REQUIRED: boolean = Deno.env.get("STREAMDET_REQUIRE_SERVERS") === "1";

/** Why this machine cannot run the RTSP server (what to install), or undefined if it can. */
export const RTSP_SERVER_MISSING: string | undefined = await (async () => {
  try {
    const { success, stderr } = await new Deno.Command(PYTHON, {
      args: [SCRIPT, "--check"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    return success ? undefined : new TextDecoder().decode(stderr).trim() || "the check failed";
  } catch (error) {
    return `cannot run ${PYTHON}: ${(error as Error).message}`;
  }
})();

/**
 * Whether a test that needs the RTSP server is skipped: the server is missing and not
 * required. When it is missing and required, {@link startRtspServer} throws.
 */
export const IGNORE_RTSP: boolean = RTSP_SERVER_MISSING !== undefined && !SERVERS_REQUIRED;

/** The RTP transports a server accepts (others are answered `461 Unsupported transport`). */
export type RtspProtocols = "tcp" | "udp" | "both";

/** How a client asked for RTP in one SETUP: over TCP, UDP, or TCP tunnelled over HTTP. */
export type SetupTransport = "tcp" | "udp" | "http";

/** A running RTSP server. */
export interface RtspServer {
  /** `rtsp://127.0.0.1:<port>/test`. */
  url: string;
  /** The transport of every SETUP clients asked so far, refused ones included, in order. */
  setups: SetupTransport[];
  /** Stops the server and waits for its process to end. */
  close(): Promise<void>;
}

/**
 * Starts an RTSP server on a free loopback port and waits until it listens (at most
 * `timeoutMs`). Its process ends with `close()`, and on its own if the test process dies
 * (it stops when its stdin closes).
 *
 * @example
 * ```ts ignore
 * const server = await startRtspServer({ protocols: "udp" });
 * // { id: "cam", source: server.url, rtspTransport: "udp" }
 * await server.close();
 * ```
 */
export async function startRtspServer(
  { protocols = "both", timeoutMs = 15_000 }: { protocols?: RtspProtocols; timeoutMs?: number } =
    {},
): Promise<RtspServer> {
  if (RTSP_SERVER_MISSING !== undefined) {
    throw new Error(`the RTSP server cannot run here: ${RTSP_SERVER_MISSING}`);
  }
  const child = new Deno.Command(PYTHON, {
    args: [SCRIPT, "--port", "0", "--protocols", protocols],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdin = child.stdin.getWriter();
  let stderr = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (text) => void (stderr = (stderr + text).slice(-4000)) }),
  );
  // The first stdout line says where it listens, the next ones each SETUP asked.
  let announce: (line: string | undefined) => void = () => {};
  const announced = new Promise<string | undefined>((resolve) => announce = resolve);
  const setups: SetupTransport[] = [];
  let buffer = "";
  const stdoutDone = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write: (text) => {
        buffer += text;
        for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 1);
          if (line.startsWith("setup ")) {
            const { transport, tunneled } = JSON.parse(line.slice(6));
            setups.push(tunneled ? "http" : /^RTP\/AVP\/TCP/.test(transport) ? "tcp" : "udp");
          } else {
            announce(line);
          }
        }
      },
      close: () => announce(undefined),
    }),
  );
  const close = async () => {
    await stdin.close().catch(() => {}); // the server stops when its stdin ends
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, 5000);
    await child.status;
    clearTimeout(timer);
    await Promise.all([stdoutDone, stderrDone]).catch(() => {});
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const line = await Promise.race([
    announced,
    new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), timeoutMs)),
  ]);
  clearTimeout(timer);
  const url = typeof line === "string" ? /^ready (rtsp:\/\/\S+)$/.exec(line)?.[1] : undefined;
  if (url === undefined) {
    await close();
    throw new Error(
      `the RTSP server did not start (${
        line === "timeout" ? `not listening after ${timeoutMs} ms` : `said ${JSON.stringify(line)}`
      }): ${stderr.trim()}`,
    );
  }
  return { url, setups, close };
}
