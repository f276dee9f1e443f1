/**
 * WebSocket fan-out to many clients: result messages per second received by 500 real
 * WebSocket clients from our `WsHub` behind the real `serve()` (Hono app on
 * `Deno.serve`), against a bare `Deno.serve` + `Deno.upgradeWebSocket` server that sends
 * the same JSON texts to the same number of clients in a plain loop; target ≥ 0.8.
 *
 * - Messages: about 50 real `StreamResult`s are recorded first from a short run of the
 *   shipped Mask R-CNN on the demo video, then replayed, over and over, through a small
 *   stand-in for the pipeline (the part `WsHub` and the app use: `on`, `streams`,
 *   `stream`, `models`, `labels`, `wantThumbnails`, `readiness`, `metrics`, `stop`), so
 *   the hub is fed at full speed without inference; it builds each message itself
 *   (`resultMessage` + `JSON.stringify`, once per result) as it does in production. The
 *   bare server sends the texts the hub's subscribers get, made once beforehand.
 * - Clients: for each server, 500 clients in a Web Worker of their own (their own thread
 *   and event loop, so that receiving does not run on the server's thread), each with its
 *   own TCP connection, upgraded by the RFC 6455 handshake and subscribed to the stream;
 *   the worker reports how many messages every client has. By default each client reads
 *   the server's frames off its connection and only counts them (no UTF-8 decoding, no
 *   events): with the `WebSocket` API (`--client=websocket`) receiving a message costs
 *   the client more than sending it costs the server, so the single client thread, not
 *   the server, sets the rate, and both servers measure the same.
 * - Pace: rounds of one message to every client; a round is delivered when every client
 *   has it; the sender keeps at most `window` rounds undelivered (8: far below the hub's
 *   socket buffer, so nothing queues or drops), i.e. as fast as delivery allows.
 * - Timing: the two servers alternate in phases of 0.5 s (10 per server after a
 *   warm-up, 5 s each in all); the figure is the median of the ratios of adjacent
 *   phases (hub / bare), so that the machine's drift hits both; the rates printed are
 *   the messages delivered over the time they took, all phases.
 *
 * Run alone with `deno run -A bench/fanout_bench.ts [--clients=500] [--seconds=5]
 * [--masks=0|1] [--client=frames|websocket]`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { resolvePipelineConfig } from "../src/pipeline/config.ts";
import type {
  StatusEvent,
  StreamEvent,
  StreamResult,
  StreamThumbnail,
} from "../src/pipeline/events.ts";
import { PipelineMetrics } from "../src/pipeline/metrics.ts";
import {
  createPipeline,
  type ModelInfo,
  type Pipeline,
  type Readiness,
} from "../src/pipeline/pipeline.ts";
import { resultMessage } from "../src/pipeline/result_message.ts";
import { serverConfig } from "../src/pipeline/server_config.ts";
import type { StreamInfo } from "../src/pipeline/stream_runner.ts";
import { serve } from "../src/server/serve.ts";
import type { Subscription } from "../src/server/ws_protocol.ts";
import { resolveFfmpeg } from "../src/video/ffmpeg_binary.ts";
import { median } from "../src/stats.ts";
import { OPCODE, RawWebSocket } from "../tests/_helpers/raw_websocket.ts";
import { report } from "./timing.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const MANIFEST = `${ROOT}models/street-maskrcnn/manifest.json`;
const DEMO = `${ROOT}models/demo/street.mp4`;
const STREAM = "file";
/** Length of one measured phase of a server, in milliseconds. */
const PHASE_MS = 500;

/**
 * Settings of {@link fanoutBench}.
 *
 * @example
 * ```ts
 * import type { FanoutBenchOptions } from "./fanout_bench.ts";
 * const withMasks: FanoutBenchOptions = { clients: 500, masks: true, client: "websocket" };
 * ```
 */
export interface FanoutBenchOptions {
  /** WebSocket clients per server (500). */
  clients?: number;
  /** Seconds measured per server, in 0.5 s phases alternating with the other server (5). */
  seconds?: number;
  /** Subscribe with instance masks (RLE) in the messages (false: boxes, labels, scores). */
  masks?: boolean;
  /** Rounds sent ahead of the slowest client (8). */
  window?: number;
  /** Results recorded from the real pipeline and replayed (50). */
  results?: number;
  /** The clients: lean frame readers on TCP (`"frames"`, default) or `WebSocket`s. */
  client?: ClientKind;
}

/**
 * How the benchmark's clients read: `"frames"` parses the WebSocket frames off a TCP
 * connection and only counts them; `"websocket"` uses the `WebSocket` API.
 *
 * @example
 * ```ts
 * import type { ClientKind } from "./fanout_bench.ts";
 * const kinds: ClientKind[] = ["frames", "websocket"];
 * ```
 */
export type ClientKind = "frames" | "websocket";

/**
 * What {@link fanoutBench} measured (also printed).
 *
 * @example
 * ```ts
 * import type { FanoutBenchResult } from "./fanout_bench.ts";
 * const ratio = (r: FanoutBenchResult) => r.hub / r.bare;
 * ```
 */
export interface FanoutBenchResult {
  /** Messages per second received through `WsHub` behind `serve()`. */
  hub: number;
  /** Messages per second received from the bare broadcast server. */
  bare: number;
  /** Mean length of a result message, in characters. */
  messageChars: number;
}

/**
 * Records real results, then measures both servers' fan-out and prints the line; every
 * server, client and worker it starts is closed when it returns.
 *
 * @example
 * ```ts ignore
 * const { hub, bare } = await fanoutBench({ clients: 100, seconds: 2 });
 * console.log(hub / bare);
 * ```
 */
export async function fanoutBench(options: FanoutBenchOptions = {}): Promise<FanoutBenchResult> {
  const clients = options.clients ?? 500;
  const seconds = options.seconds ?? 5;
  const masks = options.masks ?? false;
  const window = options.window ?? 8;
  const client = options.client ?? "frames";
  const replay = await recordResults(options.results ?? 50);
  // What the hub's subscribers ask for, and hence the filter it builds their messages with.
  const subscription: Subscription = {
    streamId: STREAM,
    minScore: 0,
    masks,
    panoptic: false,
    thumbnails: false,
    events: false,
  };
  const subscribe = JSON.stringify({ type: "subscribe", streams: [STREAM], masks });
  const texts = replay.results.map((r) =>
    JSON.stringify(resultMessage(r, replay.labels, subscription))
  );
  const messageChars = texts.reduce((n, t) => n + t.length, 0) / texts.length;

  const hubSide = await HubSide.start(replay);
  const bareSide = BareSide.start(texts);
  const sides: Side[] = [hubSide, bareSide];
  const groups: ClientGroup[] = [];
  try {
    for (const side of sides) {
      const group = await ClientGroup.start(side.wsUrl, clients, subscribe, client);
      groups.push(group);
      side.group = group;
    }
    for (const side of sides) await side.phase(PHASE_MS, window); // warm-up
    const phases = Math.max(1, Math.round(seconds * 1000 / PHASE_MS));
    const runs: Phase[][] = [[], []];
    for (let p = 0; p < phases; p++) {
      const order = p % 2 === 0 ? [0, 1] : [1, 0];
      for (const k of order) runs[k].push(await sides[k].phase(PHASE_MS, window));
    }
    const rate = (ps: Phase[]) =>
      sum(ps, (p) => p.rounds) * clients / (sum(ps, (p) => p.ms) / 1000);
    const perMessageUs = (ps: Phase[]) =>
      1000 * sum(ps, (p) => p.sendMs) / (sum(ps, (p) => p.rounds) * clients);
    const [hub, bare] = runs.map(rate);
    const pairs = runs[0].map((h, i) => rate([h]) / rate([runs[1][i]]));
    const stats = await Promise.all(groups.map((g) => g.close()));
    groups.length = 0;
    const other = stats.map((s) => s.other);
    const chars = stats.map((s) => (s.chars / Math.max(1, s.results)).toFixed(0));
    report("ws fan-out msgs/s vs bare broadcast", median(pairs), 0.8, [
      `WsHub behind serve(): ${fmt(hub)} msgs/s; bare Deno.serve broadcast: ${fmt(bare)} msgs/s ` +
      `(all phases; the figure is the median ratio of adjacent phases: ${
        pairs.map((r) => r.toFixed(2)).join(", ")
      })`,
      `server thread in send per message: hub ${perMessageUs(runs[0]).toFixed(2)} us, bare ${
        perMessageUs(runs[1]).toFixed(2)
      } us (synchronous part: hub logic, message building, socket.send)`,
      `${clients} clients per server (a worker each), result messages of ${
        messageChars.toFixed(0)
      } chars (${masks ? "with" : "without"} masks; mean received: hub ${chars[0]}, bare ${
        chars[1]
      }), ${replay.results.length} recorded results replayed, ${window} rounds in flight, ` +
      `${phases} x ${PHASE_MS} ms per server; non-result messages: hub ${other[0]}, bare ${
        other[1]
      }`,
    ], true);
    return { hub, bare, messageChars };
  } finally {
    await Promise.all(groups.map((g) => g.close()));
    for (const side of sides) await side.close();
  }
}

interface Recorded {
  results: StreamResult[];
  labels: ReadonlyMap<number, string>;
  models: ModelInfo[];
  stream: StreamInfo;
}

/** The first `count` results of the shipped Mask R-CNN on the demo file. */
async function recordResults(count: number): Promise<Recorded> {
  const config = resolvePipelineConfig({
    models: { street: { manifest: MANIFEST, providers: ["cpu"] } },
    streams: [{ id: STREAM, source: DEMO, policy: "lossless" }],
    sources: { roots: [ROOT] },
  }, { name: "fan-out bench", baseDir: ROOT });
  const pipeline = await createPipeline(config, {
    ffmpeg: await resolveFfmpeg({ env: Deno.env.toObject() }),
    metrics: new PipelineMetrics({ collectDefault: false }),
    onWarning: () => {},
  });
  try {
    const results: StreamResult[] = [];
    const done = Promise.withResolvers<void>();
    pipeline.on("result", (r) => {
      if (results.length < count) results.push(r);
      if (results.length === count) done.resolve();
    });
    const timer = setTimeout(
      () => done.reject(new Error(`fewer than ${count} results in 60 s`)),
      60_000,
    );
    await done.promise.finally(() => clearTimeout(timer));
    return {
      results,
      labels: new Map(pipeline.labels("street")),
      models: pipeline.models(),
      stream: pipeline.stream(STREAM)!,
    };
  } finally {
    await pipeline.stop();
  }
}

type Listeners = {
  result: (r: StreamResult) => void;
  status: (e: StatusEvent) => void;
  thumbnail: (t: StreamThumbnail) => void;
  event: (e: StreamEvent) => void;
};

/** The part of a `Pipeline` that `WsHub` and `createApp` use, replaying recorded results. */
class ReplayPipeline {
  readonly metrics = new PipelineMetrics({ collectDefault: false });
  #recorded: Recorded;
  #listeners: { [K in keyof Listeners]: Set<Listeners[K]> } = {
    result: new Set(),
    status: new Set(),
    thumbnail: new Set(),
    event: new Set(),
  };

  constructor(recorded: Recorded) {
    this.#recorded = recorded;
  }

  on<K extends keyof Listeners>(type: K, listener: Listeners[K]): () => void {
    this.#listeners[type].add(listener);
    return () => this.#listeners[type].delete(listener);
  }

  /** Hands `result` to the result listeners (the hub), as the pipeline does. */
  emit(result: StreamResult): void {
    for (const listener of this.#listeners.result) listener(result);
  }

  streams(): StreamInfo[] {
    return [this.#recorded.stream];
  }

  stream(id: string): StreamInfo | undefined {
    return id === STREAM ? this.#recorded.stream : undefined;
  }

  models(): ModelInfo[] {
    return this.#recorded.models;
  }

  labels(_model: string): ReadonlyMap<number, string> {
    return this.#recorded.labels;
  }

  wantThumbnails(_streamId: string, _delta: 1 | -1): void {}

  readiness(): Readiness {
    return { ready: true, models: [], streams: [] };
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}

/** One phase of sending: rounds delivered to every client, and how long it took. */
interface Phase {
  rounds: number;
  ms: number;
  /** Milliseconds spent in `send` (the server's synchronous work). */
  sendMs: number;
}

/** A server under test: sends one message to every client per round. */
abstract class Side {
  group: ClientGroup | undefined;
  #sent = 0;

  abstract readonly wsUrl: string;
  /** Sends round `n` to every client. */
  abstract send(n: number): void;
  abstract close(): Promise<void>;

  /** Sends for `ms`, at most `window` rounds ahead of delivery, then waits for the last
   * round to be delivered. */
  async phase(ms: number, window: number): Promise<Phase> {
    const group = this.group!;
    const t0 = performance.now();
    const from = group.delivered;
    let sendMs = 0;
    while (performance.now() - t0 < ms) {
      const s0 = performance.now();
      while (this.#sent - group.delivered < window) this.send(this.#sent++);
      sendMs += performance.now() - s0;
      await group.progress();
    }
    while (group.delivered < this.#sent) await group.progress();
    return { rounds: group.delivered - from, ms: performance.now() - t0, sendMs };
  }
}

/** Our hub behind the real app and `serve()`. */
class HubSide extends Side {
  readonly wsUrl: string;
  #pipeline: ReplayPipeline;
  #results: StreamResult[];
  #shutdown: () => Promise<void>;

  private constructor(
    wsUrl: string,
    pipeline: ReplayPipeline,
    results: StreamResult[],
    shutdown: () => Promise<void>,
  ) {
    super();
    this.wsUrl = wsUrl;
    this.#pipeline = pipeline;
    this.#results = results;
    this.#shutdown = shutdown;
  }

  static async start(recorded: Recorded): Promise<HubSide> {
    const pipeline = new ReplayPipeline(recorded);
    const running = await serve(
      pipeline as unknown as Pipeline,
      serverConfig("fan-out bench: server", { port: 0 }),
    );
    const url = running.url.replace(/^http/, "ws") + "/ws";
    return new HubSide(url, pipeline, recorded.results, running.shutdown);
  }

  send(n: number): void {
    this.#pipeline.emit(this.#results[n % this.#results.length]);
  }

  close(): Promise<void> {
    return this.#shutdown();
  }
}

/** A bare `Deno.serve` + `Deno.upgradeWebSocket` server: a set of sockets and a loop. */
class BareSide extends Side {
  readonly wsUrl: string;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #sockets: Set<WebSocket>;
  #texts: string[];

  private constructor(
    server: Deno.HttpServer<Deno.NetAddr>,
    sockets: Set<WebSocket>,
    texts: string[],
  ) {
    super();
    this.#server = server;
    this.#sockets = sockets;
    this.#texts = texts;
    this.wsUrl = `ws://127.0.0.1:${server.addr.port}/`;
  }

  static start(texts: string[]): BareSide {
    const sockets = new Set<WebSocket>();
    const subscribed = JSON.stringify({ v: 3, type: "subscribed", streams: [STREAM] });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return new Response("expected a WebSocket upgrade", { status: 426 });
      }
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onmessage = () => {
        sockets.add(socket);
        socket.send(subscribed);
      };
      socket.onclose = () => sockets.delete(socket);
      return response;
    });
    return new BareSide(server, sockets, texts);
  }

  send(n: number): void {
    const text = this.#texts[n % this.#texts.length];
    for (const socket of this.#sockets) socket.send(text);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.close();
    await this.#server.shutdown();
  }
}

/** Messages between the main thread and a client worker. */
type ToWorker =
  | { kind: "connect"; url: string; clients: number; subscribe: string; client: ClientKind }
  | { kind: "close" };
type FromWorker =
  | { kind: "ready" }
  | { kind: "delivered"; rounds: number }
  | { kind: "error"; message: string }
  | { kind: "closed"; results: number; chars: number; other: number };

/** `clients` WebSocket clients of one server, in a worker; `delivered` is how many result
 * messages every one of them has received. */
class ClientGroup {
  delivered = 0;
  #worker: Worker;
  #wake: (() => void) | undefined;
  #closed: Promise<Extract<FromWorker, { kind: "closed" }>> | undefined;
  #onClosed: ((m: Extract<FromWorker, { kind: "closed" }>) => void) | undefined;
  #fail: ((e: Error) => void) | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  static start(
    url: string,
    clients: number,
    subscribe: string,
    client: ClientKind,
  ): Promise<ClientGroup> {
    const worker = new Worker(import.meta.url, { type: "module" });
    const group = new ClientGroup(worker);
    return new Promise((resolve, reject) => {
      group.#fail = (e) => {
        worker.terminate();
        reject(e);
      };
      worker.onerror = (e) => {
        e.preventDefault();
        group.#fail?.(new Error(`client worker: ${e.message}`));
      };
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        const m = e.data;
        if (m.kind === "ready") resolve(group);
        else if (m.kind === "delivered") {
          group.delivered = m.rounds;
          group.#wake?.();
        } else if (m.kind === "error") group.#fail?.(new Error(m.message));
        else if (m.kind === "closed") group.#onClosed?.(m);
      };
      worker.postMessage({ kind: "connect", url, clients, subscribe, client } satisfies ToWorker);
    });
  }

  /** Resolves at the next delivery report (or after 5 s: something is wrong). */
  progress(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no delivery for 5 s")), 5000);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  /** Closes the clients and stops the worker; what they received. */
  close(): Promise<{ results: number; chars: number; other: number }> {
    this.#closed ??= new Promise<Extract<FromWorker, { kind: "closed" }>>((resolve) => {
      const timer = setTimeout(
        () => resolve({ kind: "closed", results: 0, chars: 0, other: 0 }),
        5000,
      );
      this.#onClosed = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#worker.postMessage({ kind: "close" } satisfies ToWorker);
    }).finally(() => this.#worker.terminate());
    return this.#closed;
  }
}

/** The worker side: connects the clients, counts what they receive, reports deliveries. */
function clientWorker(): void {
  const scope = globalThis as unknown as {
    postMessage(m: FromWorker): void;
    onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  };
  const clients: { close(): Promise<void> }[] = [];
  let results = 0, chars = 0, other = 0;
  scope.onmessage = async (e) => {
    const m = e.data;
    if (m.kind === "close") {
      await Promise.all(clients.map((c) => c.close()));
      scope.postMessage({ kind: "closed", results, chars, other });
      return;
    }
    // counts[i]: results client i received; atLeast[k]: clients that received ≥ k.
    const counts = new Int32Array(m.clients);
    const atLeast: number[] = [m.clients];
    let delivered = 0;
    const connect = (i: number) =>
      new Promise<void>((resolve, reject) => {
        const onMessage = (kind: MessageKind, length: number) => {
          if (kind === "result") {
            results++;
            chars += length;
            const c = ++counts[i];
            atLeast[c] = (atLeast[c] ?? 0) + 1;
            if (c === delivered + 1) {
              const before = delivered;
              while (atLeast[delivered + 1] === m.clients) delivered++;
              if (delivered > before) scope.postMessage({ kind: "delivered", rounds: delivered });
            }
          } else if (kind === "subscribed") resolve();
          else if (kind === "other") other++;
        };
        const start = m.client === "frames" ? FrameClient.connect : ApiClient.connect;
        start(m.url, m.subscribe, onMessage).then((c) => clients.push(c), reject);
      });
    try {
      for (let i = 0; i < m.clients; i += 50) {
        const batch = [];
        for (let k = i; k < Math.min(m.clients, i + 50); k++) batch.push(connect(k));
        await Promise.all(batch);
      }
      scope.postMessage({ kind: "ready" });
    } catch (error) {
      scope.postMessage({ kind: "error", message: (error as Error).message });
    }
  };
}

/** What a client received: a result, the reply to its subscription, the hello, or else. */
type MessageKind = "result" | "subscribed" | "hello" | "other";

/** Bytes of a message's start that tell its type. */
const HEAD_BYTES = 32;

function messageKind(head: string): MessageKind {
  if (head.startsWith('{"v":3,"type":"result"')) return "result";
  if (head.startsWith('{"v":3,"type":"subscribed"')) return "subscribed";
  if (head.startsWith('{"v":3,"type":"hello"')) return "hello";
  return "other";
}

/** A client on the `WebSocket` API: every message is decoded to a string and dispatched
 * as an event, which costs the client more than the server spends sending it. */
class ApiClient {
  #socket: WebSocket;
  #closed: Promise<void>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) => socket.addEventListener("close", () => resolve()));
  }

  static connect(
    url: string,
    subscribe: string,
    onMessage: (kind: MessageKind, length: number) => void,
  ): Promise<ApiClient> {
    const socket = new WebSocket(url);
    const client = new ApiClient(socket);
    socket.onmessage = (event) => {
      const text = event.data as string;
      onMessage(messageKind(text.slice(0, 32)), text.length);
    };
    return new Promise((resolve, reject) => {
      socket.onopen = () => {
        socket.send(subscribe);
        resolve(client);
      };
      socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
  }

  close(): Promise<void> {
    if (this.#socket.readyState < 2) this.#socket.close();
    return this.#closed;
  }
}

/**
 * A WebSocket client on a TCP connection of its own (the tests' {@link RawWebSocket}:
 * RFC 6455 by hand, a masked text frame to subscribe, a close frame to leave) that reads
 * the server's frames just far enough to count messages and classify them by their first
 * bytes: no UTF-8 decoding, no events, so that the clients can keep up with the server
 * they measure.
 */
class FrameClient {
  #ws: RawWebSocket;
  #done: Promise<void>;

  private constructor(ws: RawWebSocket) {
    this.#ws = ws;
    this.#done = ws.readAll();
  }

  static async connect(
    url: string,
    subscribe: string,
    onMessage: (kind: MessageKind, length: number) => void,
  ): Promise<FrameClient> {
    const ws = await RawWebSocket.connect(url, {
      keep: HEAD_BYTES,
      onMessage: (opcode, head, length) => {
        if (opcode === OPCODE.text) onMessage(messageKind(String.fromCharCode(...head)), length);
      },
    });
    const client = new FrameClient(ws);
    await ws.sendText(subscribe);
    return client;
  }

  /** Sends a close frame and waits for the server to close (1 s at most). */
  async close(): Promise<void> {
    try {
      await this.#ws.sendClose(1000);
    } catch {
      // already closed
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#done, new Promise((r) => timer = setTimeout(r, 1000))]);
    clearTimeout(timer);
    this.#ws.close();
    await this.#done;
  }
}

function sum<T>(items: T[], value: (item: T) => number): number {
  return items.reduce((n, item) => n + value(item), 0);
}

function fmt(rate: number): string {
  return Math.round(rate).toLocaleString("en-US");
}

const inWorker = typeof (globalThis as Record<string, unknown>).WorkerGlobalScope !== "undefined";
if (inWorker) clientWorker();
else if (import.meta.main) {
  const options: Record<string, number | boolean | string> = {};
  for (const arg of Deno.args) {
    const m = /^--(\w+)=([\w.]+)$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg} (expected --name=value)`);
    options[m[1]] = m[1] === "masks" ? m[2] === "1" : m[1] === "client" ? m[2] : Number(m[2]);
  }
  await fanoutBench(options as FanoutBenchOptions);
}
