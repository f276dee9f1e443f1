import assert from "node:assert/strict";
import { WsClient } from "../../src/server/ws_client.ts";

/** A socket whose buffer the test fills and drains (the real socket is in the e2e and
 * load tests; this one makes the queue's rules exact). */
function socket() {
  return {
    readyState: 1,
    bufferedAmount: 0,
    sent: [] as string[],
    closed: undefined as number | undefined,
    send(t: string) {
      this.sent.push(t);
    },
    close(code?: number) {
      this.closed = code;
      this.readyState = 3;
    },
  };
}

const limits = { clientQueue: 3, socketBufferBytes: 100, slowClientMs: 60 };

Deno.test("a client whose socket is backed up loses its oldest results first and is told how many", async () => {
  const s = socket();
  const client = new WsClient(1, s, limits);
  s.bufferedAmount = 1000; // backed up
  client.send("status", false);
  for (let i = 0; i < 5; i++) client.send(`r${i}`, true);
  assert.equal(client.queued, 3);
  assert.equal(client.dropped, 3);
  s.bufferedAmount = 0;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(s.sent[0], '{"v":3,"type":"dropped","count":3,"total":3}');
  assert.deepEqual(s.sent.slice(1), ["status", "r3", "r4"]);
  client.close("closed");
});

Deno.test("a client that stays behind is disconnected with code 4008", async () => {
  const s = socket();
  let reason = "";
  const client = new WsClient(1, s, limits, { onClose: (r) => reason = r });
  s.bufferedAmount = 1000;
  for (let i = 0; i < 10; i++) client.send(`r${i}`, true);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(s.closed, 4008);
  assert.equal(reason, "slow");
});
