/**
 * A deliberately slow WebSocket client for the fault tests: a raw TCP connection that
 * does the WebSocket handshake by hand, sends masked text frames, and then reads as
 * little as it is told to, so that the server's socket buffer and queue for it fill up.
 * Frames are parsed as they are read (RFC 6455), without keeping the messages.
 *
 * @module
 */

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A frame read from the server. */
export interface RawFrame {
  /** 1 text, 2 binary, 8 close, 9 ping, 10 pong (continuations are joined). */
  opcode: number;
  payload: Uint8Array;
}

/** What a slow client saw of the server's messages. */
export interface SlowClientStats {
  /** Bytes read from the socket (handshake included). */
  bytesRead: number;
  /** Text messages parsed, by `type`. */
  types: Record<string, number>;
  /** Sum of the `count` of the `dropped` notices. */
  droppedNotices: number;
  /** Text messages that are not JSON objects with `v: 2` and a string `type`. */
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
  readonly stats: SlowClientStats = { bytesRead: 0, types: {}, droppedNotices: 0, malformed: 0 };
  /** The server's close frame, once read. */
  closeFrame: { code: number; reason: string } | undefined;
  /** The server closed the TCP connection (a read returned end of stream). */
  eof = false;
  #conn: Deno.TcpConn;
  #pending: Uint8Array = new Uint8Array(0);
  #fragments: Uint8Array[] = [];
  #fragmentOpcode = 0;
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Connects to `ws://host:port/path`, performs the opening handshake and checks the
   * server's `Sec-WebSocket-Accept`. */
  static async connect(wsUrl: string): Promise<SlowClient> {
    const url = new URL(wsUrl);
    const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
    const client = new SlowClient(conn);
    try {
      const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
      await client.#writeAll(encoder.encode(
        `GET ${url.pathname} HTTP/1.1\r\n` +
          `Host: ${url.host}\r\n` +
          "Upgrade: websocket\r\n" +
          "Connection: Upgrade\r\n" +
          `Sec-WebSocket-Key: ${key}\r\n` +
          "Sec-WebSocket-Version: 13\r\n\r\n",
      ));
      let head: Uint8Array = new Uint8Array(0);
      let end = -1;
      while (end < 0) {
        const chunk = await client.#readChunk(4096);
        if (chunk === null) {
          throw new Error("the server closed the connection during the handshake");
        }
        head = concat(head, chunk);
        end = indexOfHeaderEnd(head);
        if (end < 0 && head.length > 16_384) throw new Error("handshake response too long");
      }
      const text = decoder.decode(head.subarray(0, end));
      const status = text.split("\r\n")[0];
      if (!/^HTTP\/1\.1 101\b/.test(status)) {
        throw new Error(
          `expected "HTTP/1.1 101 Switching Protocols", found ${JSON.stringify(status)}`,
        );
      }
      const digest = await crypto.subtle.digest("SHA-1", encoder.encode(key + GUID));
      const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
      const header = /^sec-websocket-accept:\s*(\S+)\s*$/im.exec(text)?.[1];
      if (header !== accept) {
        throw new Error(`Sec-WebSocket-Accept: expected ${accept}, found ${header}`);
      }
      // Frames that came with the handshake response.
      client.#parse(head.subarray(end + 4));
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** Sends a text message in one masked frame (clients must mask, RFC 6455 5.3). */
  sendText(text: string): Promise<void> {
    return this.#writeAll(maskedFrame(1, encoder.encode(text)));
  }

  /** Sends a masked close frame with `code`. */
  sendClose(code = 1000): Promise<void> {
    return this.#writeAll(maskedFrame(8, new Uint8Array([code >> 8, code & 0xff])));
  }

  /** Reads once, at most `maxBytes`, and parses what came; false at end of stream. */
  async readSome(maxBytes: number): Promise<boolean> {
    const chunk = await this.#readChunk(maxBytes);
    if (chunk === null) return false;
    this.#parse(chunk);
    return true;
  }

  /**
   * Reads everything, fast, until the server's close frame arrives (answered with a
   * close frame), then until the server ends the TCP connection, or `timeoutMs` passes.
   * Resolves with the close frame (undefined if none came).
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
        if (!(await this.readSome(65_536))) break;
      } catch {
        break; // closed by the deadline, or reset by the server
      } finally {
        clearTimeout(timer);
      }
    }
    return this.closeFrame;
  }

  /** Closes the TCP connection (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) written += await this.#conn.write(bytes.subarray(written));
  }

  async #readChunk(maxBytes: number): Promise<Uint8Array | null> {
    if (this.#closed) return null;
    const buffer = new Uint8Array(maxBytes);
    const n = await this.#conn.read(buffer);
    if (n === null) {
      this.eof = true;
      return null;
    }
    this.stats.bytesRead += n;
    return buffer.subarray(0, n);
  }

  #parse(chunk: Uint8Array): void {
    this.#pending = this.#pending.length === 0 ? chunk.slice() : concat(this.#pending, chunk);
    for (;;) {
      const frame = readFrame(this.#pending);
      if (!frame) return;
      this.#pending = this.#pending.subarray(frame.size);
      if (frame.opcode === 0) {
        this.#fragments.push(frame.payload);
      } else if (frame.opcode === 1 || frame.opcode === 2) {
        this.#fragmentOpcode = frame.opcode;
        this.#fragments = [frame.payload];
      } else {
        this.#control(frame.opcode, frame.payload);
        continue;
      }
      if (frame.fin) {
        const payload = this.#fragments.reduce(concat, new Uint8Array(0));
        this.#fragments = [];
        if (this.#fragmentOpcode === 1) this.#message(decoder.decode(payload));
      }
    }
  }

  #control(opcode: number, payload: Uint8Array): void {
    if (opcode === 8 && !this.closeFrame) {
      const code = payload.length >= 2 ? (payload[0] << 8) | payload[1] : 1005;
      this.closeFrame = { code, reason: decoder.decode(payload.subarray(2)) };
    }
  }

  #message(text: string): void {
    let m: unknown;
    try {
      m = JSON.parse(text);
    } catch {
      this.stats.malformed++;
      return;
    }
    const message = m as Record<string, unknown>;
    if (
      m === null || typeof m !== "object" || message.v !== 2 || typeof message.type !== "string"
    ) {
      this.stats.malformed++;
      return;
    }
    this.stats.types[message.type] = (this.stats.types[message.type] ?? 0) + 1;
    if (message.type === "dropped") this.stats.droppedNotices += Number(message.count);
  }
}

/** A masked frame (FIN set) of `opcode` carrying `payload`. */
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

/** The first complete (unmasked, server-to-client) frame of `bytes`, or undefined. */
function readFrame(
  bytes: Uint8Array,
): { fin: boolean; opcode: number; payload: Uint8Array; size: number } | undefined {
  if (bytes.length < 2) return undefined;
  const fin = (bytes[0] & 0x80) !== 0;
  const opcode = bytes[0] & 0x0f;
  const masked = (bytes[1] & 0x80) !== 0;
  let length = bytes[1] & 0x7f;
  let at = 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    length = view.getUint16(2);
    at = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    length = Number(view.getBigUint64(2));
    at = 10;
  }
  const maskAt = at;
  if (masked) at += 4;
  if (bytes.length < at + length) return undefined;
  const payload = bytes.slice(at, at + length);
  if (masked) { for (let i = 0; i < length; i++) payload[i] ^= bytes[maskAt + (i & 3)]; }
  return { fin, opcode, payload, size: at + length };
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
