/**
 * One WebSocket client's send side: a bounded queue in front of the socket, so that a
 * slow client loses its oldest messages (and is told how many) instead of growing memory
 * or holding up the others, and is disconnected if it stays behind.
 *
 * @module
 */

import { serverMessage, type Subscription } from "./ws_protocol.ts";

/** Limits of a client's queue. */
export interface ClientLimits {
  /** Messages waiting before the oldest droppable one goes. */
  clientQueue: number;
  /** Bytes in the socket's own buffer before messages wait in the queue. */
  socketBufferBytes: number;
  /** Dropping for this long disconnects the client. */
  slowClientMs: number;
}

/** What a client reports when it stops. */
export type CloseReason = "slow" | "closed" | "too-large" | "shutdown";

interface Queued {
  text: string;
  /** Results and thumbnails may be dropped; status messages are kept when possible. */
  droppable: boolean;
}

/** The socket surface a client uses (a `WebSocket`). */
export interface SocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/**
 * A client: its subscriptions and its send queue.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const sent: string[] = [];
 * const socket = { readyState: 1, bufferedAmount: 0, send: (t: string) => sent.push(t), close() {} };
 * const client = new WsClient(1, socket, { clientQueue: 2, socketBufferBytes: 1024, slowClientMs: 1000 });
 * client.send('{"a":1}', true);
 * assert.deepEqual(sent, ['{"a":1}']); // room in the socket: straight through
 * client.close("closed");
 * ```
 */
export class WsClient {
  readonly id: number;
  readonly subscriptions: Map<string, Subscription> = new Map();
  /** Subscribed to every stream, present and future, with this template. */
  wildcard: Omit<Subscription, "streamId"> | undefined;
  /** Messages sent, and dropped from the queue. */
  sent = 0;
  dropped = 0;
  #socket: SocketLike;
  #limits: ClientLimits;
  #queue: Queued[] = [];
  #pendingDropNotice = 0;
  #behindSince: number | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #onClose: (reason: CloseReason) => void;
  #onDropped: (n: number) => void;

  constructor(
    id: number,
    socket: SocketLike,
    limits: ClientLimits,
    hooks: {
      onClose?: (reason: CloseReason) => void;
      onDropped?: (n: number) => void;
    } = {},
  ) {
    this.id = id;
    this.#socket = socket;
    this.#limits = limits;
    this.#onClose = hooks.onClose ?? (() => {});
    this.#onDropped = hooks.onDropped ?? (() => {});
  }

  /** Messages waiting in the queue. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Sends now if the socket has room and nothing waits; queues otherwise. */
  send(text: string, droppable: boolean): void {
    if (this.#closed) return;
    if (this.#queue.length === 0 && this.#pendingDropNotice === 0 && this.#hasRoom()) {
      this.#write(text);
      return;
    }
    this.#queue.push({ text, droppable });
    if (this.#queue.length > this.#limits.clientQueue) this.#dropOldest();
    this.#timer ??= setInterval(() => this.#flush(), 10);
  }

  /** Stops sending; closes the socket with a code that says why. On shutdown what is
   * queued is sent first. */
  close(reason: CloseReason): void {
    if (this.#closed) return;
    if (reason === "shutdown" && this.#socket.readyState === 1) {
      for (const q of this.#queue.splice(0)) this.#write(q.text);
    }
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    const codes: Record<CloseReason, [number, string]> = {
      slow: [4008, "too slow: messages kept being dropped"],
      "too-large": [1009, "message too large"],
      shutdown: [1001, "server shutting down"],
      closed: [1000, "closed"],
    };
    if (this.#socket.readyState === 0 || this.#socket.readyState === 1) {
      try {
        this.#socket.close(...codes[reason]);
      } catch {
        // already closing
      }
    }
    this.#onClose(reason);
  }

  #hasRoom(): boolean {
    return this.#socket.readyState === 1 &&
      this.#socket.bufferedAmount < this.#limits.socketBufferBytes;
  }

  #write(text: string): void {
    try {
      this.#socket.send(text);
      this.sent++;
    } catch {
      this.close("closed");
    }
  }

  #dropOldest(): void {
    let at = this.#queue.findIndex((q) => q.droppable);
    if (at < 0) at = 0;
    this.#queue.splice(at, 1);
    this.dropped++;
    this.#pendingDropNotice++;
    this.#onDropped(1);
    this.#behindSince ??= Date.now();
  }

  #flush(): void {
    if (this.#closed) return;
    if (this.#socket.readyState > 1) return this.close("closed");
    while (this.#hasRoom() && (this.#pendingDropNotice > 0 || this.#queue.length > 0)) {
      if (this.#pendingDropNotice > 0) {
        this.#write(
          serverMessage({ type: "dropped", count: this.#pendingDropNotice, total: this.dropped }),
        );
        this.#pendingDropNotice = 0;
        continue;
      }
      this.#write(this.#queue.shift()!.text);
    }
    if (this.#queue.length === 0 && this.#pendingDropNotice === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#behindSince = undefined;
    } else if (
      this.#behindSince !== undefined && Date.now() - this.#behindSince > this.#limits.slowClientMs
    ) {
      this.close("slow");
    }
  }
}
