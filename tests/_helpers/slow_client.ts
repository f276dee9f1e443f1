/**
 * A deliberately slow WebSocket client for the fault tests: a {@link RawWebSocket} that
 * reads as little as it is told to, so that the server's socket buffer and queue for it
 * fill up. It counts the server's messages by type without keeping them.
 *
 * @module
 */

import { OPCODE, RawWebSocket } from "./raw_websocket.ts";

const decoder = new TextDecoder();

/** What a slow client saw of the server's messages. */
export interface SlowClientStats {
  /** Bytes read from the socket (handshake included). */
  bytesRead: number;
  /** Text messages parsed, by `type`. */
  types: Record<string, number>;
  /** Sum of the `count` of the `dropped` notices. */
  droppedNotices: number;
  /** Text messages that are not JSON objects with `v: 3` and a string `type`. */
  malformed: number;
}

/**
 * A raw-TCP WebSocket client that reads only when asked.
 *
 * @example
 * ```ts ignore
 * const slow = await SlowClient.connect(server.wsUrl);
 * slow.sendText(JSON.stringify({ type: "subscribe", streams: ["a"], thumbnails: true }));
 * await slow.readSome(256); // a trickle
 * const close = await slow.drain(10_000); // { code: 4008, reason: "..." }
 * slow.close();
 * ```
 */
export class SlowClient {
  #ws: RawWebSocket;
  #counts: Counts;

  private constructor(ws: RawWebSocket, counts: Counts) {
    this.#ws = ws;
    this.#counts = counts;
  }

  /** What it saw so far. */
  get stats(): SlowClientStats {
    return { bytesRead: this.#ws.bytesRead, ...this.#counts };
  }

  /** The server's close frame, once read. */
  get closeFrame(): { code: number; reason: string } | undefined {
    return this.#ws.closeFrame;
  }

  /** The server closed the TCP connection (a read returned end of stream). */
  get eof(): boolean {
    return this.#ws.eof;
  }

  /** Connects to `ws://host:port/path`, performs the opening handshake and checks the
   * server's `Sec-WebSocket-Accept`. */
  static async connect(wsUrl: string): Promise<SlowClient> {
    const counts: Counts = { types: {}, droppedNotices: 0, malformed: 0 };
    const ws = await RawWebSocket.connect(wsUrl, {
      onMessage: (opcode, payload) => {
        if (opcode === OPCODE.text) count(counts, decoder.decode(payload));
      },
    });
    return new SlowClient(ws, counts);
  }

  /** Sends a text message in one masked frame. */
  sendText(text: string): Promise<void> {
    return this.#ws.sendText(text);
  }

  /** Sends a masked close frame with `code`. */
  sendClose(code = 1000): Promise<void> {
    return this.#ws.sendClose(code);
  }

  /** Reads once, at most `maxBytes`, and parses what came; false at end of stream. */
  readSome(maxBytes: number): Promise<boolean> {
    return this.#ws.read(maxBytes);
  }

  /**
   * Reads everything, fast, until the server's close frame arrives (answered with a
   * close frame), then until the server ends the TCP connection, or `timeoutMs` passes.
   * Resolves with the close frame (undefined if none came).
   */
  drain(timeoutMs: number): Promise<{ code: number; reason: string } | undefined> {
    return this.#ws.drain(timeoutMs);
  }

  /** Closes the TCP connection (idempotent). */
  close(): void {
    this.#ws.close();
  }
}

type Counts = Omit<SlowClientStats, "bytesRead">;

/** Counts one text message. */
function count(stats: Counts, text: string): void {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    stats.malformed++;
    return;
  }
  const message = m as Record<string, unknown>;
  if (m === null || typeof m !== "object" || message.v !== 3 || typeof message.type !== "string") {
    stats.malformed++;
    return;
  }
  stats.types[message.type] = (stats.types[message.type] ?? 0) + 1;
  if (message.type === "dropped") stats.droppedNotices += Number(message.count);
}
