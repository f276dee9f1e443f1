/**
 * The one raw WebSocket client of the tests and benchmarks: RFC 6455 by hand on a TCP
 * connection (the opening handshake, masked client frames, the server's frames parsed
 * as they are read), so that a test decides when and how much to read, which the
 * `WebSocket` API does not let it do. The slow client of the fault tests reads a trickle
 * of bytes; the fan-out benchmark's clients read everything but keep only the first
 * bytes of each message.
 *
 * @module
 */

import { writeAll } from "../../src/sinks/write_all.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Opcodes of RFC 6455 frames. */
export const OPCODE = {
  continuation: 0,
  text: 1,
  binary: 2,
  close: 8,
  ping: 9,
  pong: 10,
} as const;

/**
 * Called for each message (text or binary, its fragments joined) and each control frame
 * (close, ping, pong), in the order they arrive.
 *
 * @param opcode `OPCODE.text`, `binary`, `close`, `ping` or `pong`.
 * @param payload The payload's first `keep` bytes, unmasked (a control frame's whole
 * payload). With a finite `keep` it is a view that the next frame overwrites: copy what
 * must outlive the call.
 * @param length The whole payload's length in bytes.
 */
export type OnRawMessage = (opcode: number, payload: Uint8Array, length: number) => void;

/**
 * Parses WebSocket frames from chunks of a byte stream, however the chunks split them
 * (headers included), and hands each message to `onMessage`. Frames may be masked or not;
 * payload bytes past `keep` are counted but not kept (nor copied).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const seen: [number, string, number][] = [];
 * const reader = new FrameReader((op, payload, length) => seen.push([op, new TextDecoder().decode(payload), length]));
 * const frame = new Uint8Array([0x81, 5, ...new TextEncoder().encode("hello")]); // FIN, text, 5 bytes
 * reader.feed(frame.subarray(0, 3));
 * reader.feed(frame.subarray(3));
 * assert.deepEqual(seen, [[1, "hello", 5]]);
 * ```
 */
export class FrameReader {
  #onMessage: OnRawMessage;
  #keep: number;
  /** Header bytes of a frame that straddles two chunks. */
  #carry: Uint8Array | undefined;
  #inFrame = false;
  #remaining = 0;
  #fin = false;
  #control = false;
  #mask: Uint8Array | undefined;
  /** Bytes of the current frame's payload read so far (for its mask). */
  #offset = 0;
  /** The data message being read: opcode, length so far, kept bytes. */
  #opcode = 0;
  #length = 0;
  #head: Uint8Array | undefined;
  #headLength = 0;
  #parts: Uint8Array[] = [];
  /** The control frame being read (at most 125 bytes). */
  #controlOpcode = 0;
  #controlPayload = new Uint8Array(0);

  /** `keep`: bytes of each data message's payload to keep (default: all of them). */
  constructor(onMessage: OnRawMessage, { keep = Infinity }: { keep?: number } = {}) {
    this.#onMessage = onMessage;
    this.#keep = keep;
    if (Number.isFinite(keep)) this.#head = new Uint8Array(keep);
  }

  /** Parses `chunk` (which the reader does not keep: the caller may reuse its buffer). */
  feed(chunk: Uint8Array): void {
    let data = chunk;
    if (this.#carry) {
      data = concat(this.#carry, chunk);
      this.#carry = undefined;
    }
    let at = 0;
    while (at < data.length) {
      if (!this.#inFrame) {
        const available = data.length - at;
        const b1 = data[at + 1];
        const short = b1 & 0x7f;
        const size = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
        if (available < 2 || available < size) {
          this.#carry = data.slice(at);
          return;
        }
        this.#begin(data, at, size);
        at += size;
      }
      const take = Math.min(this.#remaining, data.length - at);
      if (take > 0) this.#take(data.subarray(at, at + take));
      at += take;
      if (this.#remaining === 0) this.#end();
    }
  }

  #begin(data: Uint8Array, at: number, size: number): void {
    const b0 = data[at], b1 = data[at + 1];
    let length = b1 & 0x7f;
    if (length === 126) length = (data[at + 2] << 8) | data[at + 3];
    else if (length === 127) {
      length = Number(new DataView(data.buffer, data.byteOffset + at + 2, 8).getBigUint64(0));
    }
    this.#mask = b1 & 0x80 ? data.slice(at + size - 4, at + size) : undefined;
    this.#fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    this.#control = opcode >= 8;
    if (this.#control) {
      this.#controlOpcode = opcode;
      this.#controlPayload = new Uint8Array(length);
    } else if (opcode !== OPCODE.continuation) {
      this.#opcode = opcode;
      this.#length = 0;
      this.#headLength = 0;
      this.#parts = [];
    }
    this.#remaining = length;
    this.#offset = 0;
    this.#inFrame = true;
  }

  #take(bytes: Uint8Array): void {
    const from = this.#offset;
    this.#offset += bytes.length;
    this.#remaining -= bytes.length;
    let target: Uint8Array;
    let to: number;
    let n = bytes.length;
    if (this.#control) {
      target = this.#controlPayload;
      to = from;
    } else {
      this.#length += n;
      if (this.#head) {
        n = Math.min(n, this.#keep - this.#headLength);
        if (n <= 0) return;
        target = this.#head;
        to = this.#headLength;
        this.#headLength += n;
      } else {
        target = new Uint8Array(n);
        to = 0;
        this.#parts.push(target);
      }
    }
    target.set(n === bytes.length ? bytes : bytes.subarray(0, n), to);
    const mask = this.#mask;
    if (mask) { for (let i = 0; i < n; i++) target[to + i] ^= mask[(from + i) & 3]; }
  }

  #end(): void {
    this.#inFrame = false;
    if (this.#control) {
      this.#onMessage(this.#controlOpcode, this.#controlPayload, this.#controlPayload.length);
    } else if (this.#fin) {
      const payload = this.#head
        ? this.#head.subarray(0, this.#headLength)
        : this.#parts.length === 1
        ? this.#parts[0]
        : this.#parts.reduce(concat, new Uint8Array(0));
      this.#parts = [];
      this.#onMessage(this.#opcode, payload, this.#length);
    }
  }
}

/** Options of {@link RawWebSocket.connect}. */
export interface RawWebSocketOptions {
  /** Called with each message and control frame read (see {@link OnRawMessage}). */
  onMessage?: OnRawMessage;
  /** Bytes of each data message's payload to keep for `onMessage` (default: all). */
  keep?: number;
}

/**
 * A WebSocket client on a TCP connection of its own that reads only when asked
 * ({@link read}, {@link readAll}, {@link drain}). It answers nothing by itself (no pong,
 * no close), so that a test controls every byte it sends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // An echo server on loopback.
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onmessage = (e) => socket.send(`echo ${e.data}`);
 *   return response;
 * });
 * const texts: string[] = [];
 * const ws = await RawWebSocket.connect(`ws://127.0.0.1:${server.addr.port}/`, {
 *   onMessage: (opcode, payload) => opcode === OPCODE.text && texts.push(new TextDecoder().decode(payload)),
 * });
 * await ws.sendText("hi");
 * while (texts.length === 0) await ws.read();
 * assert.deepEqual(texts, ["echo hi"]);
 * await ws.sendClose(1000);
 * assert.deepEqual(await ws.drain(5000), { code: 1000, reason: "" });
 * ws.close();
 * await server.shutdown();
 * ```
 */
export class RawWebSocket {
  /** Bytes read from the connection, the handshake response included. */
  bytesRead = 0;
  /** The server's close frame, once read. */
  closeFrame: { code: number; reason: string } | undefined;
  /** The server ended the TCP connection (a read returned end of stream). */
  eof = false;
  #conn: Deno.TcpConn;
  #reader: FrameReader;
  #buffer = new Uint8Array(65_536);
  #closed = false;

  private constructor(conn: Deno.TcpConn, options: RawWebSocketOptions) {
    this.#conn = conn;
    const onMessage = options.onMessage ?? (() => {});
    this.#reader = new FrameReader((opcode, payload, length) => {
      if (opcode === OPCODE.close && !this.closeFrame) {
        const code = payload.length >= 2 ? (payload[0] << 8) | payload[1] : 1005;
        this.closeFrame = { code, reason: decoder.decode(payload.subarray(2)) };
      }
      onMessage(opcode, payload, length);
    }, { keep: options.keep });
  }

  /**
   * Connects to `ws://host:port/path`, performs the opening handshake, checks the
   * server's `Sec-WebSocket-Accept`, and parses the frames that came with the response
   * (so `onMessage` may be called before it resolves).
   */
  static async connect(url: string, options: RawWebSocketOptions = {}): Promise<RawWebSocket> {
    const { hostname, port, host, pathname, search } = new URL(url);
    const conn = await Deno.connect({ hostname, port: Number(port) });
    const ws = new RawWebSocket(conn, options);
    try {
      const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
      await writeAll(
        conn,
        encoder.encode(
          `GET ${pathname}${search} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        ),
      );
      let head = new Uint8Array(0);
      let end = -1;
      while (end < 0) {
        const n = await conn.read(ws.#buffer);
        if (n === null) {
          throw new Error(`${url}: the server closed the connection during the handshake`);
        }
        ws.bytesRead += n;
        head = concat(head, ws.#buffer.subarray(0, n));
        end = indexOfHeaderEnd(head);
        if (end < 0 && head.length > 16_384) throw new Error(`${url}: handshake response too long`);
      }
      const text = decoder.decode(head.subarray(0, end));
      const status = text.split("\r\n")[0];
      if (!/^HTTP\/1\.1 101\b/.test(status)) {
        throw new Error(
          `${url}: expected "HTTP/1.1 101 Switching Protocols", found ${JSON.stringify(status)}`,
        );
      }
      const digest = await crypto.subtle.digest("SHA-1", encoder.encode(key + GUID));
      const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
      const header = /^sec-websocket-accept:\s*(\S+)\s*$/im.exec(text)?.[1];
      if (header !== accept) {
        throw new Error(`${url}: Sec-WebSocket-Accept: expected ${accept}, found ${header}`);
      }
      ws.#reader.feed(head.subarray(end + 4));
      return ws;
    } catch (error) {
      ws.close();
      throw error;
    }
  }

  /** Sends a text message in one masked frame (clients must mask, RFC 6455 5.3). */
  sendText(text: string): Promise<void> {
    return this.sendFrame(OPCODE.text, encoder.encode(text));
  }

  /** Sends a close frame with `code` (and `reason`). */
  sendClose(code = 1000, reason = ""): Promise<void> {
    const text = encoder.encode(reason);
    const payload = new Uint8Array(2 + text.length);
    payload[0] = code >> 8;
    payload[1] = code & 0xff;
    payload.set(text, 2);
    return this.sendFrame(OPCODE.close, payload);
  }

  /** Sends one masked frame (FIN set) of `opcode` carrying `payload`. */
  sendFrame(opcode: number, payload: Uint8Array): Promise<void> {
    return writeAll(this.#conn, maskedFrame(opcode, payload));
  }

  /** Reads once, at most `maxBytes`, and parses what came; false at end of stream (or
   * once {@link close}d). A reset connection rejects. */
  async read(maxBytes = 65_536): Promise<boolean> {
    if (this.#closed) return false;
    if (this.#buffer.length < maxBytes) this.#buffer = new Uint8Array(maxBytes);
    const n = await this.#conn.read(this.#buffer.subarray(0, maxBytes));
    if (n === null) {
      this.eof = true;
      return false;
    }
    this.bytesRead += n;
    this.#reader.feed(this.#buffer.subarray(0, n));
    return true;
  }

  /** Reads as fast as frames come until the server ends the connection, it is reset, or
   * {@link close} is called. */
  async readAll(): Promise<void> {
    try {
      while (await this.read()) {
        // each read hands its messages to onMessage
      }
    } catch {
      // reset, or closed while reading: the client is done
    }
  }

  /**
   * Reads everything, fast, until the server's close frame arrives (answered with a
   * close frame of the same code), then until the server ends the TCP connection, or
   * `timeoutMs` passes (then the connection is closed). Resolves with the server's close
   * frame (undefined if none came).
   */
  async drain(timeoutMs: number): Promise<{ code: number; reason: string } | undefined> {
    const deadline = Date.now() + timeoutMs;
    let answered = false;
    while (!this.eof && Date.now() < deadline) {
      if (this.closeFrame && !answered) {
        answered = true;
        try {
          await this.sendClose(this.closeFrame.code);
        } catch {
          // the server may have closed its side already
        }
      }
      const timer = setTimeout(() => this.close(), Math.max(0, deadline - Date.now()));
      try {
        if (!(await this.read())) break;
      } catch {
        break; // closed by the deadline, or reset by the server
      } finally {
        clearTimeout(timer);
      }
    }
    return this.closeFrame;
  }

  /** Closes the TCP connection (idempotent); a pending read ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/**
 * A client-to-server frame: FIN set, `opcode`, `payload` masked with a random key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const frame = maskedFrame(OPCODE.text, new Uint8Array(200));
 * assert.deepEqual([frame[0], frame[1], frame[2], frame[3]], [0x81, 0x80 | 126, 0, 200]);
 * assert.equal(frame.length, 2 + 2 + 4 + 200);
 * ```
 */
export function maskedFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 65_536 ? 2 : 8;
  const frame = new Uint8Array(2 + lengthBytes + 4 + n);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) frame[1] = 0x80 | n;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    new DataView(frame.buffer).setUint16(2, n);
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(n));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, 2 + lengthBytes);
  const at = 2 + lengthBytes + 4;
  for (let i = 0; i < n; i++) frame[at + i] = payload[i] ^ mask[i & 3];
  return frame;
}

function indexOfHeaderEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
