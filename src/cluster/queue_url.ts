/**
 * The NATS server of a job queue as the command line gives it (`--queue nats://host:4222`):
 * checked before anything connects, so that a typo is a usage error rather than a
 * connection that never comes, and written without its password in messages.
 *
 * @module
 */

/** Schemes the Node transport of nats.js connects with. */
const SCHEMES = ["nats:", "tls:"];

/**
 * The servers of `text`: one URL or several separated by commas (seeds of one NATS
 * cluster), each `nats://` or `tls://`, a host, an optional port, optional credentials and
 * nothing after the port. Throws a `RangeError` naming the URL otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseQueueUrl("nats://10.0.0.5:4222"), ["nats://10.0.0.5:4222"]);
 * assert.deepEqual(parseQueueUrl("nats://a:4222,tls://b"), ["nats://a:4222", "tls://b"]);
 * assert.throws(() => parseQueueUrl("http://a:4222"), {
 *   message: 'expected a NATS URL (nats://host:port or tls://host:port), found "http://a:4222"',
 * });
 * ```
 */
export function parseQueueUrl(text: string): string[] {
  const urls = text.split(",").map((u) => u.trim());
  for (const url of urls) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      // reported below
    }
    const port = parsed?.port === "" ? 4222 : Number(parsed?.port);
    const ok = parsed !== undefined && SCHEMES.includes(parsed.protocol) &&
      parsed.hostname !== "" && port >= 1 && port <= 65535 &&
      (parsed.pathname === "" || parsed.pathname === "/") && parsed.search === "" &&
      parsed.hash === "";
    if (!ok) {
      throw new RangeError(
        `expected a NATS URL (nats://host:port or tls://host:port), found ${
          JSON.stringify(redactUrl(url))
        }`,
      );
    }
  }
  return urls;
}

/**
 * `url` with its password (if any) written `***`, for messages and logs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(redactUrl("nats://me:secret@host:4222"), "nats://me:***@host:4222");
 * assert.equal(redactUrl("nats://host:4222"), "nats://host:4222");
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, "$1:***@");
}
