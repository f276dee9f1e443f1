import assert from "node:assert/strict";
import { ProtocolError } from "../../src/errors.ts";
import { parseClientMessage } from "../../src/server/ws_protocol.ts";
import { checkWire } from "../../src/wire/parse.ts";
import { formatIssue } from "../../src/wire/issues.ts";
import { SERVER_MESSAGE_TYPES, ServerMessageSchema } from "../../src/wire/ws_server_messages.ts";
import {
  api,
  DEMO_VIDEO,
  MASKRCNN,
  type Message,
  startTestServer,
  TestClient,
} from "../_helpers/server.ts";

const opts = { sanitizeOps: true, sanitizeResources: true };

/** Bad client messages and the error each must get: `message: <field>: expected <what>,
 * found <what>`. */
const BAD: [text: string, message: string][] = [
  ["not json", 'message: expected a JSON object, found text that is not JSON: "not json"'],
  ["[1, 2]", "message: expected a JSON object, found an array of 2 items"],
  ["null", "message: expected a JSON object, found null"],
  [
    '{"type":"sub"}',
    'message: type: expected one of "subscribe", "unsubscribe", "ping", found the string "sub"',
  ],
  [
    '{"streams":"*"}',
    'message: type: expected one of "subscribe", "unsubscribe", "ping", found nothing',
  ],
  [
    '{"type":"subscribe"}',
    'message: streams: expected a non-empty array of stream ids, or "*", found nothing',
  ],
  [
    '{"type":"subscribe","streams":"all"}',
    'message: streams: expected a non-empty array of stream ids, or "*", found the string "all"',
  ],
  [
    '{"type":"subscribe","streams":[]}',
    "message: streams: expected a non-empty array of stream ids, found an array of 0 items",
  ],
  [
    '{"type":"subscribe","streams":["file",""]}',
    'message: streams[1]: expected a non-empty string, found the string ""',
  ],
  [
    '{"type":"subscribe","streams":"*","classes":[1,true]}',
    "message: classes[1]: expected a class id (an integer) or a class name, found true",
  ],
  [
    '{"type":"subscribe","streams":"*","classes":"car"}',
    'message: classes: expected an array, found the string "car"',
  ],
  [
    '{"type":"subscribe","streams":"*","minScore":2}',
    "message: minScore: expected a number <= 1, found the number 2",
  ],
  [
    '{"type":"subscribe","streams":"*","minScore":-0.5}',
    "message: minScore: expected a number >= 0, found the number -0.5",
  ],
  [
    '{"type":"subscribe","streams":"*","minScore":"0.5"}',
    'message: minScore: expected a number, found the string "0.5"',
  ],
  [
    '{"type":"subscribe","streams":"*","masks":1}',
    "message: masks: expected true or false, found the number 1",
  ],
  [
    '{"type":"subscribe","streams":"*","mask":true}',
    "message: mask: expected only the fields type, streams, classes, minScore, masks, panoptic, " +
    'thumbnails, events, found an unknown field "mask"',
  ],
  [
    '{"type":"unsubscribe","streams":"*","masks":true}',
    'message: masks: expected only the fields type, streams, found an unknown field "masks"',
  ],
  [
    '{"type":"ping","at":1}',
    'message: at: expected only the fields type, found an unknown field "at"',
  ],
  [
    '{"type":"subscribe","streams":"*","minScore":2,"masks":"yes"}',
    "message: minScore: expected a number <= 1, found the number 2 (and 1 more issue)",
  ],
];

Deno.test("parseClientMessage() rejects a bad message with a ProtocolError that names the field, what was expected and what was found", () => {
  for (const [text, message] of BAD) {
    assert.throws(() => parseClientMessage(text), (error) => {
      assert.ok(error instanceof ProtocolError, text);
      assert.equal(error.message, message, text);
      assert.equal(formatIssue("message", error.issues[0]), message.replace(/ \(and .*\)$/, ""));
      return true;
    });
  }
});

Deno.test("parseClientMessage() returns a good message as it was sent", () => {
  const good: unknown[] = [
    { type: "subscribe", streams: ["a", "b"] },
    {
      type: "subscribe",
      streams: "*",
      classes: [1, "car"],
      minScore: 0,
      masks: true,
      panoptic: false,
      thumbnails: true,
    },
    { type: "subscribe", streams: ["a"], minScore: 1 },
    { type: "unsubscribe", streams: "*" },
    { type: "unsubscribe", streams: ["a"] },
    { type: "ping" },
  ];
  for (const m of good) assert.deepEqual(parseClientMessage(JSON.stringify(m)), m);
});

/** Every message's issues against the server-message schema, with its index and type. */
function schemaProblems(messages: Message[]): string[] {
  return messages.flatMap((m, i) =>
    checkWire(ServerMessageSchema, m).map((issue) =>
      formatIssue(`message ${i} (${m.type}${m.event ? ` ${m.event}` : ""})`, issue)
    )
  );
}

Deno.test(
  "every message a running server sends a WebSocket client fits the server-message schema, and bad client messages get error replies that name the field",
  opts,
  async () => {
    // A queue of one message: a lossless stream's batch of frames publishes its results
    // at once, which overflows it, so that the client also gets `dropped` notices.
    const server = await startTestServer({
      models: { street: { manifest: MASKRCNN, maxWaitMs: 5 } },
      streams: [
        { id: "file", source: DEMO_VIDEO, loop: true, policy: "lossless" },
        {
          id: "second",
          source: DEMO_VIDEO,
          loop: true,
          // The line and zone of pipelines/demo.json: track, line and zone events.
          lines: [{ name: "crossing", points: [[300, 160], [370, 350]] }],
          zones: [{ name: "road", points: [[280, 197], [560, 193], [600, 333], [180, 337]] }],
        },
      ],
      server: { clientQueue: 1, socketBufferBytes: 1024, slowClientMs: 600_000 },
    });
    let client: TestClient | undefined;
    try {
      client = await TestClient.connect(server.wsUrl);
      const c = client;
      c.send({
        type: "subscribe",
        streams: "*",
        masks: true,
        panoptic: true,
        thumbnails: true,
        events: true,
      });
      await c.waitFor((m) => m.type === "subscribed");
      await c.waitFor((m) =>
        m.type === "result" && m.detections.some((d: Message) => d.mask) &&
        m.panoptic?.segments.length > 0
      );
      await c.waitFor((m) => m.type === "thumbnail");
      c.send({ type: "ping" });
      await c.waitFor((m) => m.type === "pong");
      await c.waitFor((m) => m.type === "counts");
      await c.waitFor((m) => m.type === "track");
      await c.waitFor((m) => m.type === "zone");
      await c.waitFor((m) => m.type === "line", 60_000);

      // Bad messages: each gets its error reply, and the connection stays.
      const errors: [string, string][] = [
        ...BAD,
        [
          '{"type":"subscribe","streams":["file","nope"]}',
          'message: streams[1]: expected the id of a stream (one of "file", "second"), found the string "nope"',
        ],
      ];
      for (const [text, message] of errors) {
        const reply = c.next((m) => m.type === "error");
        c.send(text);
        const error = await reply;
        assert.equal(error.code, "bad-request");
        assert.equal(error.message, message, text);
      }

      // A stream added and removed: its status events reach the wildcard subscription.
      const added = await api(server, "POST", "/streams", {
        id: "pattern",
        source: "lavfi:testsrc2=size=160x120:rate=5",
      });
      assert.equal(added.status, 201, JSON.stringify(added.json));
      await c.waitFor((m) =>
        m.type === "status" && m.event === "stream" && m.streamId === "pattern" &&
        m.state === "connected"
      );
      assert.equal((await api(server, "DELETE", "/streams/pattern")).status, 204);
      await c.waitFor((m) => m.type === "status" && m.event === "removed");

      // Drops come when two streams' messages meet in the queue of one.
      await c.waitFor((m) => m.type === "dropped", 60_000);
    } finally {
      // Shutting down sends the last status messages (server stopping, streams stopped).
      await server.close();
      await client?.close();
    }
    const messages = client.messages;
    assert.deepEqual(schemaProblems(messages), []);
    const types = new Set(messages.map((m) => m.type));
    assert.deepEqual(SERVER_MESSAGE_TYPES.filter((t) => !types.has(t)), [], "every type was seen");
    const events = new Set(messages.filter((m) => m.type === "status").map((m) => m.event));
    for (const event of ["stream", "removed", "server"]) {
      assert.ok(events.has(event), `a status ${event} message`);
    }
  },
);

Deno.test("the server-message schema rejects a message that differs from the protocol, naming the field", () => {
  const result = {
    v: 3,
    type: "thumbnail",
    streamId: "cam",
    frame: 3,
    ptsMs: 100,
    width: 32,
    height: 18,
    sourceWidth: 640,
    sourceHeight: 360,
    mime: "image/jpeg",
    data: "AAAA",
  };
  assert.deepEqual(checkWire(ServerMessageSchema, result), []);
  assert.deepEqual(checkWire(ServerMessageSchema, { ...result, v: 1 }), [
    { path: ["v"], expected: "3", found: "the number 1" },
  ]);
  // Unknown fields come first: a misspelt field's own name is the better clue.
  assert.deepEqual(checkWire(ServerMessageSchema, { ...result, frame: -1, extra: true }), [
    {
      path: ["extra"],
      expected:
        "only the fields v, type, streamId, frame, ptsMs, width, height, sourceWidth, sourceHeight, mime, data",
      found: 'an unknown field "extra"',
    },
    { path: ["frame"], expected: "an integer >= 0", found: "the number -1" },
  ]);
});
