/**
 * The `server` section of a pipeline configuration: where to listen, the write token, and
 * the WebSocket limits.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";
import { intIn } from "./ranges.ts";

const atLeast = (min: number) => z.int().min(min);

/**
 * Server settings, every default filled when parsed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWire } from "./parse.ts";
 * const s = parseWire(ServerConfigSchema, { port: 0 }, "a.json: server");
 * assert.deepEqual([s.hostname, s.port, s.clientQueue, s.token], ["127.0.0.1", 0, 64, undefined]);
 * assert.throws(
 *   () => parseWire(ServerConfigSchema, { port: 70000 }, "a.json: server"),
 *   { message: "a.json: server: port: expected an integer in [0, 65535], found the number 70000" },
 * );
 * ```
 */
export const ServerConfigSchema = strictObject({
  hostname: z.string().min(1).default("127.0.0.1").describe(
    "Interface to bind (default 127.0.0.1: loopback only).",
  ),
  port: intIn(0, 65535).default(8080).describe("TCP port (default 8080; 0 picks a free one)."),
  token: z.string().min(1).optional().describe(
    "Bearer token that write routes need; without one they are refused. The CLI reads STREAMDET_TOKEN when the file has none.",
  ),
  maxClients: atLeast(1).default(1000).describe("WebSocket clients at once (default 1000)."),
  maxSubscriptions: atLeast(1).default(16).describe(
    "Streams one client may subscribe to (default 16).",
  ),
  maxMessageBytes: atLeast(64).default(4096).describe(
    "Largest message a client may send, in bytes (default 4096).",
  ),
  clientQueue: atLeast(1).default(64).describe(
    "Messages waiting per client before the oldest result is dropped (default 64).",
  ),
  socketBufferBytes: atLeast(1024).default(1 << 20).describe(
    "Bytes buffered in a client's socket before messages wait in its queue (default 1 MiB).",
  ),
  slowClientMs: atLeast(1).default(5000).describe(
    "A client that keeps dropping for this long is disconnected with code 4008, ms (default 5000).",
  ),
}, {
  description: "The HTTP and WebSocket server: where it listens, its write token, its limits.",
});

/** Server settings, every default filled. */
export type ServerConfig = z.output<typeof ServerConfigSchema>;
