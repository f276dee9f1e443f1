/**
 * The `server` section of a pipeline configuration: where to listen, the write token,
 * and the WebSocket limits.
 *
 * @module
 */

import { configNumber, configObject, configString } from "./config_checks.ts";

/** Server settings, every default filled. */
export interface ServerConfig {
  /** Interface to bind (default `127.0.0.1`: loopback only). */
  hostname: string;
  /** TCP port (default 8080; 0 picks a free one). */
  port: number;
  /** Bearer token that write routes need; without one they are refused. The CLI reads
   * `STREAMDET_TOKEN` when the file has none. */
  token?: string;
  /** WebSocket clients at once (default 1000). */
  maxClients: number;
  /** Streams one client may subscribe to (default 16). */
  maxSubscriptions: number;
  /** Largest message a client may send, in bytes (default 4096). */
  maxMessageBytes: number;
  /** Messages waiting per client before the oldest are dropped (default 64). */
  clientQueue: number;
  /** Bytes buffered in a client's socket before messages wait in its queue (default 1 MiB). */
  socketBufferBytes: number;
  /** A client that keeps dropping for this long is disconnected (default 5000 ms). */
  slowClientMs: number;
}

const KEYS = [
  "hostname",
  "port",
  "token",
  "maxClients",
  "maxSubscriptions",
  "maxMessageBytes",
  "clientQueue",
  "socketBufferBytes",
  "slowClientMs",
];

/**
 * Checks the `server` section (`at` names it in errors) and fills its defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const s = serverConfig("a.json: server", { port: 0 });
 * assert.deepEqual([s.hostname, s.port, s.clientQueue, s.token], ["127.0.0.1", 0, 64, undefined]);
 * assert.throws(() => serverConfig("a.json: server", { port: 70000 }), /port: expected an integer in \[0, 65535\]/);
 * ```
 */
export function serverConfig(at: string, value: unknown): ServerConfig {
  const s = configObject(at, value ?? {}, KEYS);
  const int = (key: string, fallback: number, min: number, max = Infinity) =>
    configNumber(`${at}.${key}`, s[key], fallback, { min, max, integer: true });
  return {
    hostname: configString(`${at}.hostname`, s.hostname, "127.0.0.1"),
    port: int("port", 8080, 0, 65535),
    ...(s.token === undefined ? {} : { token: configString(`${at}.token`, s.token) }),
    maxClients: int("maxClients", 1000, 1),
    maxSubscriptions: int("maxSubscriptions", 16, 1),
    maxMessageBytes: int("maxMessageBytes", 4096, 64),
    clientQueue: int("clientQueue", 64, 1),
    socketBufferBytes: int("socketBufferBytes", 1 << 20, 1024),
    slowClientMs: int("slowClientMs", 5000, 1),
  };
}
