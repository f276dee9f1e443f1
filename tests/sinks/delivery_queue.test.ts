import assert from "node:assert/strict";
import {
  type DeliveryOutcome,
  DeliveryQueue,
  type DeliveryTarget,
  PermanentDeliveryError,
} from "../../src/sinks/delivery_queue.ts";
import { Backoff } from "../../src/sinks/backoff.ts";

type Message = { n: number; attempts: number };

/** A target whose readiness and answers the test sets; it keeps what it delivered. */
class Target implements DeliveryTarget<Message> {
  isReady = true;
  delivered: number[] = [];
  batches: number[][] = [];
  /** Errors to throw, one per call, before succeeding. */
  failures: Error[] = [];
  ready(): boolean {
    return this.isReady;
  }
  deliver(batch: Message[]): Promise<void> {
    this.batches.push(batch.map((m) => m.n));
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    this.delivered.push(...batch.map((m) => m.n));
    return Promise.resolve();
  }
}

function queueOf(
  target: Target,
  options: { capacity?: number; batch?: number; maxAttempts?: number } = {},
) {
  const outcomes: [number, DeliveryOutcome][] = [];
  const errors: string[] = [];
  const queue = new DeliveryQueue<Message>(target, {
    capacity: options.capacity ?? 10,
    batch: options.batch,
    maxAttempts: options.maxAttempts ?? 3,
    backoff: { initialDelayMs: 1, maxDelayMs: 4 },
    onOutcome: (m, outcome) => outcomes.push([m.n, outcome]),
    onError: (e) => errors.push((e as Error).message),
  });
  const push = (...ns: number[]) => ns.forEach((n) => queue.push({ n, attempts: 0 }));
  return { queue, outcomes, errors, push };
}

Deno.test("a full buffer drops its oldest messages and counts them, while the target is down", async () => {
  const target = new Target();
  target.isReady = false;
  const { queue, outcomes, push } = queueOf(target, { capacity: 3 });
  push(1, 2, 3, 4, 5);
  assert.equal(queue.buffered, 3);
  assert.deepEqual(outcomes, [[1, "dropped"], [2, "dropped"]]);
  target.isReady = true;
  queue.wake();
  await queue.drain(1000);
  await queue.stop();
  assert.deepEqual(target.delivered, [3, 4, 5]);
  assert.deepEqual(outcomes.slice(2), [[3, "sent"], [4, "sent"], [5, "sent"]]);
});

Deno.test("a refused batch is tried again, in order, until it goes through", async () => {
  const target = new Target();
  target.failures = [new Error("HTTP 500"), new Error("HTTP 500")];
  const { queue, outcomes, errors, push } = queueOf(target, { batch: 2 });
  push(1, 2, 3);
  await queue.drain(1000);
  await queue.stop();
  assert.deepEqual(target.batches, [[1, 2], [1, 2], [1, 2], [3]]);
  assert.deepEqual(target.delivered, [1, 2, 3]);
  assert.deepEqual(errors, ["HTTP 500", "HTTP 500"]);
  assert.ok(outcomes.every(([, o]) => o === "sent"));
});

Deno.test("a message that fails maxAttempts times is counted failed and the next one goes", async () => {
  const target = new Target();
  target.failures = [new Error("a"), new Error("b"), new Error("c")];
  const { queue, outcomes, push } = queueOf(target, { maxAttempts: 3 });
  push(1, 2);
  await queue.drain(1000);
  await queue.stop();
  assert.deepEqual(outcomes, [[1, "failed"], [2, "sent"]]);
  assert.deepEqual(target.batches, [[1], [1], [1], [2]]);
});

Deno.test("a permanent error fails its batch at once", async () => {
  const target = new Target();
  target.failures = [new PermanentDeliveryError("HTTP 400")];
  const { queue, outcomes, push } = queueOf(target, { maxAttempts: 5 });
  push(1, 2);
  await queue.drain(1000);
  await queue.stop();
  assert.deepEqual(outcomes, [[1, "failed"], [2, "sent"]]);
});

Deno.test("a batch lost with the connection waits for the target to be ready again", async () => {
  const target = new Target();
  const { queue, push } = queueOf(target, { batch: 4, maxAttempts: 10 });
  target.deliver = (batch) => {
    target.batches.push(batch.map((m) => m.n));
    target.isReady = false; // the connection drops during the delivery
    return Promise.reject(new Error("the connection closed"));
  };
  push(1, 2);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(target.batches, [[1, 2]], "not tried again while not ready");
  assert.equal(queue.buffered, 2);
  target.deliver = Target.prototype.deliver;
  target.isReady = true;
  queue.wake();
  await queue.drain(1000);
  await queue.stop();
  assert.deepEqual(target.delivered, [1, 2]);
});

Deno.test("a batch put back beyond the capacity loses its oldest messages", async () => {
  const target = new Target();
  let release: () => void = () => {};
  target.deliver = (batch) => {
    target.batches.push(batch.map((m) => m.n));
    target.isReady = false;
    return new Promise((_, reject) => release = () => reject(new Error("lost")));
  };
  const { queue, outcomes, push } = queueOf(target, { capacity: 3, batch: 2, maxAttempts: 10 });
  push(1, 2);
  await new Promise((r) => setTimeout(r, 10));
  push(3, 4, 5); // 1 and 2 are in flight: the buffer holds 3, 4, 5
  release(); // 1 and 2 come back in front, and the two oldest of the five go
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(outcomes, [[1, "dropped"], [2, "dropped"]]);
  assert.equal(queue.buffered, 3);
  await queue.stop();
  assert.deepEqual(outcomes.slice(2), [[3, "dropped"], [4, "dropped"], [5, "dropped"]]);
});

Deno.test("stopping counts what is left dropped, and a push after it too", async () => {
  const target = new Target();
  target.isReady = false;
  const { queue, outcomes, push } = queueOf(target);
  push(1, 2);
  await queue.stop();
  push(3);
  assert.deepEqual(outcomes, [[1, "dropped"], [2, "dropped"], [3, "dropped"]]);
  assert.equal(queue.buffered, 0);
});

Deno.test("a million pushes into a dead target keep the buffer at its capacity and count every drop", async () => {
  const target = new Target();
  target.isReady = false;
  let dropped = 0;
  const queue = new DeliveryQueue<Message>(target, {
    capacity: 1000,
    maxAttempts: 3,
    backoff: { initialDelayMs: 1, maxDelayMs: 1 },
    onOutcome: () => dropped++,
  });
  for (let n = 0; n < 1_000_000; n++) queue.push({ n, attempts: 0 });
  assert.equal(queue.buffered, 1000);
  assert.equal(dropped, 999_000);
  await queue.stop();
});

Deno.test("the backoff doubles up to its ceiling and starts over after a success", () => {
  const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000 });
  assert.deepEqual(Array.from({ length: 6 }, () => backoff.next()), [
    100,
    200,
    400,
    800,
    1000,
    1000,
  ]);
  backoff.reset();
  assert.equal(backoff.next(), 100);
});

Deno.test("a capacity below one is refused, naming it", () => {
  assert.throws(
    () =>
      new DeliveryQueue(new Target(), {
        capacity: 0,
        maxAttempts: 1,
        backoff: { initialDelayMs: 1, maxDelayMs: 1 },
      }),
    { name: "RangeError", message: "DeliveryQueue(): capacity: expected an integer >= 1, found 0" },
  );
});
