import assert from "node:assert/strict";
import { FrameReader, maskedFrame, OPCODE, RawWebSocket } from "../_helpers/raw_websocket.ts";
import { random } from "../_helpers/random.ts";

const opts = { sanitizeOps: true, sanitizeResources: true };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An unmasked (server-to-client) frame. */
function serverFrame(opcode: number, payload: Uint8Array, fin = true): Uint8Array {
  const n = payload.length;
  const extra = n < 126 ? 0 : n < 65_536 ? 2 : 8;
  const frame = new Uint8Array(2 + extra + n);
  frame[0] = (fin ? 0x80 : 0) | opcode;
  frame[1] = extra === 0 ? n : extra === 2 ? 126 : 127;
  const view = new DataView(frame.buffer);
  if (extra === 2) view.setUint16(2, n);
  if (extra === 8) view.setBigUint64(2, BigInt(n));
  frame.set(payload, 2 + extra);
  return frame;
}

function bytes(n: number, seed: number): Uint8Array {
  const rand = random(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

type Seen = [opcode: number, payload: Uint8Array, length: number];

function reader(keep?: number): { reader: FrameReader; seen: Seen[] } {
  const seen: Seen[] = [];
  const r = new FrameReader((op, payload, length) => seen.push([op, payload.slice(), length]), {
    keep,
  });
  return { reader: r, seen };
}

const big = bytes(70_000, 1); // a 64-bit length
const medium = bytes(300, 2); // a 16-bit length
const stream = join([
  serverFrame(OPCODE.text, encoder.encode("hello")),
  serverFrame(OPCODE.binary, medium),
  serverFrame(OPCODE.text, new Uint8Array(0)),
  // A text message in three fragments, with a ping between two of them.
  serverFrame(OPCODE.text, encoder.encode("frag"), false),
  serverFrame(OPCODE.ping, encoder.encode("p")),
  serverFrame(OPCODE.continuation, encoder.encode("men"), false),
  serverFrame(OPCODE.continuation, encoder.encode("ted")),
  serverFrame(OPCODE.binary, big),
  // A masked frame (what a server reads): unmasked as it is parsed.
  maskedFrame(OPCODE.text, encoder.encode("masked text")),
  serverFrame(OPCODE.close, new Uint8Array([0x03, 0xe8, ...encoder.encode("bye")])),
]);
const expected: Seen[] = [
  [OPCODE.text, encoder.encode("hello"), 5],
  [OPCODE.binary, medium, 300],
  [OPCODE.text, new Uint8Array(0), 0],
  [OPCODE.ping, encoder.encode("p"), 1],
  [OPCODE.text, encoder.encode("fragmented"), 10],
  [OPCODE.binary, big, 70_000],
  [OPCODE.text, encoder.encode("masked text"), 11],
  [OPCODE.close, new Uint8Array([0x03, 0xe8, ...encoder.encode("bye")]), 5],
];

Deno.test("FrameReader reads every kind of frame however the stream is cut into chunks", () => {
  // In one chunk, byte by byte over the first frames, and in seeded random chunks.
  const one = reader();
  one.reader.feed(stream);
  assert.deepEqual(one.seen, expected);
  const bytewise = reader();
  for (let i = 0; i < stream.length; i++) bytewise.reader.feed(stream.subarray(i, i + 1));
  assert.deepEqual(bytewise.seen, expected);
  for (let seed = 1; seed <= 20; seed++) {
    const rand = random(seed);
    const chunked = reader();
    for (let at = 0; at < stream.length;) {
      const n = 1 + Math.floor(rand() * (rand() < 0.5 ? 16 : 4096));
      // The caller may reuse its buffer: feed a copy and scribble over it afterwards.
      const chunk = stream.slice(at, at + n);
      chunked.reader.feed(chunk);
      chunk.fill(0xee);
      at += n;
    }
    assert.deepEqual(chunked.seen, expected, `seed ${seed}`);
  }
});

Deno.test("FrameReader with keep hands over only the first bytes of each message, and its whole length", () => {
  const { reader: r, seen } = reader(4);
  for (let i = 0; i < stream.length; i += 7) r.feed(stream.subarray(i, i + 7));
  assert.deepEqual(
    seen.map(([op, payload, length]) => [op, [...payload], length]),
    expected.map(([op, payload, length]) => [
      op,
      [...(op >= 8 ? payload : payload.subarray(0, 4))],
      length,
    ]),
  );
});

Deno.test("maskedFrame writes 7-bit, 16-bit and 64-bit lengths that FrameReader reads back", () => {
  for (const n of [0, 125, 126, 65_535, 65_536, 100_000]) {
    const payload = bytes(n, n);
    const frame = maskedFrame(OPCODE.binary, payload);
    assert.equal(frame[1] & 0x80, 0x80, "masked");
    const { reader: r, seen } = reader();
    r.feed(frame);
    assert.deepEqual(seen, [[OPCODE.binary, payload, n]], `${n} bytes`);
  }
});

/** An echo server on loopback (text and binary), closed by the test. */
function echoServer(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = (e) => socket.send(e.data);
    return response;
  });
}

Deno.test(
  "RawWebSocket talks to a Deno WebSocket server: messages both ways, reads of a bounded size, the close handshake",
  opts,
  async () => {
    const server = echoServer();
    const texts: string[] = [];
    const ws = await RawWebSocket.connect(`ws://127.0.0.1:${server.addr.port}/path?x=1`, {
      onMessage: (op, payload) => op === OPCODE.text && texts.push(decoder.decode(payload)),
    });
    try {
      const long = "x".repeat(100_000);
      await ws.sendText("one");
      await ws.sendText(long);
      const before = ws.bytesRead;
      assert.equal(await ws.read(10), true);
      assert.ok(ws.bytesRead - before <= 10, "a read takes at most maxBytes");
      while (texts.length < 2) assert.equal(await ws.read(), true);
      assert.deepEqual(texts, ["one", long]);
      await ws.sendClose(1000, "done");
      assert.deepEqual(await ws.drain(5_000), { code: 1000, reason: "done" });
      assert.equal(ws.eof, true, "the server ended the connection");
      assert.equal(await ws.read(), false);
    } finally {
      ws.close();
      await server.shutdown();
    }
  },
);

Deno.test("RawWebSocket.readAll ends when the client is closed while it waits", opts, async () => {
  const server = echoServer();
  const ws = await RawWebSocket.connect(`ws://127.0.0.1:${server.addr.port}/`);
  const reading = ws.readAll();
  ws.close();
  await reading;
  await server.shutdown();
});

Deno.test(
  "RawWebSocket.connect rejects a refused upgrade and a wrong Sec-WebSocket-Accept",
  opts,
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const answers = [
      "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Accept: wrong\r\n\r\n",
    ];
    const serving = (async () => {
      for (const answer of answers) {
        const conn = await listener.accept();
        await conn.read(new Uint8Array(4096));
        await conn.write(encoder.encode(answer));
        conn.close();
      }
    })();
    const url = `ws://127.0.0.1:${listener.addr.port}/ws`;
    try {
      await assert.rejects(
        RawWebSocket.connect(url),
        {
          message:
            `${url}: expected "HTTP/1.1 101 Switching Protocols", found "HTTP/1.1 426 Upgrade Required"`,
        },
      );
      await assert.rejects(
        RawWebSocket.connect(url),
        /Sec-WebSocket-Accept: expected \S+=, found wrong$/,
      );
    } finally {
      await serving;
      listener.close();
    }
  },
);
