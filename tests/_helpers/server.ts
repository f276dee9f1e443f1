/**
 * Test helpers for the server: a pipeline + server on a random loopback port, live
 * loopback streams served by an ffmpeg child, and a WebSocket client that collects
 * messages and waits for the ones a test needs.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { resolvePipelineConfig } from "../../src/pipeline/config.ts";
import { createPipeline, type Pipeline } from "../../src/pipeline/pipeline.ts";
import { PipelineMetrics } from "../../src/pipeline/metrics.ts";
import { type RunningServer, serve } from "../../src/server/serve.ts";
import { freePort, testFfmpeg } from "./media.ts";
import { installSignalListeners } from "../../src/video/child_registry.ts";

// The child registry's signal listeners live as long as the process: install them
// before any test, so that the first test to start ffmpeg is not blamed for them.
installSignalListeners();

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The shipped Mask R-CNN's manifest. */
export const MASKRCNN = `${ROOT}models/street-maskrcnn/manifest.json`;
/** The shipped Faster R-CNN's manifest (cheaper: no masks). */
export const FASTERRCNN = `${ROOT}models/street-fasterrcnn/manifest.json`;
/** The bundled demo video. */
export const DEMO_VIDEO = `${ROOT}models/demo/street.mp4`;
/** The command line, and the permissions its tasks give it. */
export const CLI = `${ROOT}src/cli.ts`;
export const CLI_FLAGS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-env",
  "--allow-ffi",
  "--allow-net",
  "--allow-sys",
];
/** The write token test servers use. */
export const TOKEN = "test-token";

/** A pipeline and its server, started for a test. */
export interface TestServer {
  url: string;
  wsUrl: string;
  pipeline: Pipeline;
  running: RunningServer;
  /** Shuts down the server and the pipeline. */
  close(): Promise<void>;
}

/**
 * Starts a pipeline from a config object (relative paths against the repository root;
 * the server section gets port 0 and {@link TOKEN} unless given) and serves it.
 *
 * @example
 * ```ts ignore
 * const server = await startTestServer({ models: { m: { manifest: FASTERRCNN } }, streams: [] });
 * await server.close();
 * ```
 */
export async function startTestServer(
  config: Record<string, unknown>,
  { panoptic = "always" }: { panoptic?: "always" | "on-demand" } = {},
): Promise<TestServer> {
  const server = { port: 0, token: TOKEN, ...(config.server as object ?? {}) };
  const resolved = resolvePipelineConfig(
    { sources: { roots: [ROOT, "/tmp"] }, ...config, server },
    {
      name: "test config",
      baseDir: ROOT,
    },
  );
  const pipeline = await createPipeline(resolved, {
    ffmpeg: await testFfmpeg(),
    metrics: new PipelineMetrics({ collectDefault: false }),
    onWarning: () => {},
    panoptic,
  });
  const running = await serve(pipeline, resolved.server);
  return {
    url: running.url,
    wsUrl: running.url.replace(/^http/, "ws") + "/ws",
    pipeline,
    running,
    close: () => running.shutdown(),
  };
}

/** An ffmpeg child serving a live MPEG-TS stream over HTTP on loopback. */
export interface LoopbackStream {
  /** The URL a source reads it at. */
  url: string;
  /** Kills the serving ffmpeg (the stream drops). */
  kill(): Promise<void>;
  /** Starts serving again on the same URL. */
  restart(): void;
}

/**
 * Serves `input` (default: the demo video, looped) as a live stream at `rate` frames per
 * second, re-encoded with x264 zerolatency, over HTTP (`-listen 1`), to one client.
 * Each restart serves the next client.
 *
 * @example
 * ```ts ignore
 * const live = await loopbackStream();
 * // { id: "cam", source: live.url }
 * await live.kill();
 * ```
 */
export async function loopbackStream(
  { input = DEMO_VIDEO, port = freePort() }: { input?: string; port?: number } = {},
): Promise<LoopbackStream> {
  const ffmpeg = await testFfmpeg();
  const url = `http://127.0.0.1:${port}/live.ts`;
  let child: Deno.ChildProcess | undefined;
  let stopped = false;
  let loop: Promise<void> | undefined;
  const start = () => {
    stopped = false;
    // -listen 1 serves one client and exits when it leaves: serve again until killed.
    loop = (async () => {
      while (!stopped) {
        child = new Deno.Command(ffmpeg.path, {
          args: [
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-re",
            "-stream_loop",
            "-1",
            "-i",
            input,
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-g",
            "15",
            "-pix_fmt",
            "yuv420p",
            "-f",
            "mpegts",
            "-listen",
            "1",
            url,
          ],
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).spawn();
        await child.status;
        if (!stopped) await new Promise((r) => setTimeout(r, 50));
      }
    })();
  };
  start();
  return {
    url,
    kill: async () => {
      stopped = true;
      try {
        child?.kill("SIGKILL");
      } catch {
        // already gone
      }
      await loop;
    },
    restart: start,
  };
}

/** A message the server sent (parsed JSON). */
// deno-lint-ignore no-explicit-any
export type Message = Record<string, any>;

/**
 * A real WebSocket client that keeps every message and can wait for one.
 *
 * @example
 * ```ts ignore
 * const client = await TestClient.connect(server.wsUrl);
 * client.send({ type: "subscribe", streams: ["cam"] });
 * const result = await client.waitFor((m) => m.type === "result");
 * await client.close();
 * ```
 */
export class TestClient {
  readonly messages: Message[] = [];
  /** Receive time (performance.timeOrigin + now) of each message, same order. */
  readonly receivedAt: number[] = [];
  closeCode: number | undefined;
  closeReason: string | undefined;
  #socket: WebSocket;
  #waiters: { test: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  #closed: Promise<void>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) => {
      socket.addEventListener("close", (e) => {
        this.closeCode = e.code;
        this.closeReason = e.reason;
        resolve();
      });
    });
    socket.addEventListener("message", (e) => {
      const message = JSON.parse(e.data as string);
      this.messages.push(message);
      this.receivedAt.push(performance.timeOrigin + performance.now());
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.test(message)) return true;
        w.resolve(message);
        return false;
      });
    });
  }

  /** Connects and waits for the server's hello. */
  static async connect(url: string): Promise<TestClient> {
    const socket = new WebSocket(url);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), {
        once: true,
      });
    });
    await client.waitFor((m) => m.type === "hello");
    return client;
  }

  /** Sends a JSON message (or raw text). */
  send(message: unknown): void {
    this.#socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The first message (already received or to come) that passes `test`. */
  waitFor(test: (m: Message) => boolean, timeoutMs = 20_000): Promise<Message> {
    const seen = this.messages.find(test);
    if (seen) return Promise.resolve(seen);
    return this.next(test, timeoutMs);
  }

  /** The next message from now on that passes `test`. */
  next(test: (m: Message) => boolean, timeoutMs = 20_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(`no matching message within ${timeoutMs} ms (got ${this.messages.length})`),
        );
      }, timeoutMs);
      const done = (m: Message) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#waiters.push({ test, resolve: done });
    });
  }

  /** Results received so far (optionally of one stream). */
  results(streamId?: string): Message[] {
    return this.messages.filter((m) =>
      m.type === "result" && (streamId === undefined || m.streamId === streamId)
    );
  }

  /** Resolves when the server or `close()` closed the socket. */
  closed(): Promise<void> {
    return this.#closed;
  }

  /** Closes the socket and waits for the close. */
  async close(): Promise<void> {
    if (this.#socket.readyState < 2) this.#socket.close();
    await this.#closed;
  }
}

/**
 * Sends an HTTP request to the test server with the write token (unless `token: null`).
 *
 * @example
 * ```ts ignore
 * const res = await api(server, "POST", "/streams", { id: "b", source: "lavfi:testsrc2" });
 * ```
 */
export async function api(
  server: { url: string },
  method: string,
  path: string,
  body?: unknown,
  { token = TOKEN }: { token?: string | null } = {},
): Promise<{ status: number; json: Message }> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(server.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}
