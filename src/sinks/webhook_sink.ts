/**
 * The webhook sink: each event message (and, with `results`, each result message) POSTed
 * as JSON to a URL, one request at a time in order, signed with HMAC-SHA256 over the exact
 * body bytes (`X-Streamdet-Signature: sha256=<hex>`, see `webhook_signature.ts`). A request
 * not answered within `timeoutMs`, a network error, a 5xx, 408 or 429 is tried again with
 * backoff, up to `attempts` tries; another 4xx fails at once. Every request carries
 * `X-Streamdet-Delivery` (the same on each try of a message: receivers can drop repeats),
 * `X-Streamdet-Timestamp` (epoch ms it was sent) and `X-Streamdet-Attempt`.
 *
 * @module
 */

import type { WebhookSinkConfig } from "../wire/sink_config.ts";
import { PermanentDeliveryError } from "./delivery_queue.ts";
import { NetworkSink, type NetworkSinkOptions } from "./network_sink.ts";
import {
  errorText,
  processEnv,
  redactUrl,
  secretFromEnv,
  type SinkHost,
  type SinkLink,
  type SinkMessage,
  type SinkTransport,
} from "./sink.ts";
import type { MessageKind } from "./sink_metrics.ts";
import { SIGNATURE_HEADER, signBody, signingKey } from "./webhook_signature.ts";

/** The default environment variable of the webhook's signing secret. */
export const WEBHOOK_SECRET_ENV = "STREAMDET_WEBHOOK_SECRET";

/**
 * Opens a webhook sink on a pipeline. Throws a `ConfigError` naming the field when its
 * secret's environment variable is not set.
 *
 * @example
 * ```ts ignore
 * const sink = openWebhookSink(pipeline, parseWire(WebhookSinkSchema, { type: "webhook", url: "https://example.com/hook" }, "sink"));
 * await sink.close();
 * ```
 */
export function openWebhookSink(
  host: SinkHost,
  config: WebhookSinkConfig,
  { id = config.id ?? "webhook", where = "sink", env = processEnv }: NetworkSinkOptions = {},
): NetworkSink {
  const secret = secretFromEnv(
    env,
    config.secretEnv,
    WEBHOOK_SECRET_ENV,
    `${where}.secretEnv`,
    true,
  )!;
  const transport = new WebhookTransport(config, secret);
  return new NetworkSink(host, id, "webhook", redactUrl(config.url), config, transport);
}

/** Whether an HTTP status is worth another try. */
function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** POSTs one message at a time. */
class WebhookTransport implements SinkTransport {
  readonly batch = 1;
  readonly maxAttempts: number;
  readonly kinds: readonly MessageKind[];
  #config: WebhookSinkConfig;
  #key: Promise<CryptoKey>;
  #client = Deno.createHttpClient({});
  #encoder = new TextEncoder();
  #link: SinkLink | undefined;
  #closing = false;
  #abort: AbortController | undefined;

  constructor(config: WebhookSinkConfig, secret: string) {
    this.#config = config;
    this.#key = signingKey(secret);
    this.maxAttempts = config.attempts;
    this.kinds = [
      ...(config.results ? ["result" as const] : []),
      ...(config.events ? ["event" as const] : []),
    ];
  }

  ready(): boolean {
    return !this.#closing;
  }

  start(link: SinkLink): void {
    this.#link = link;
  }

  async deliver([message]: SinkMessage[]): Promise<void> {
    const link = this.#link!;
    const body = this.#encoder.encode(message.body);
    const signature = await signBody(await this.#key, body);
    const { url, timeoutMs } = this.#config;
    const abort = new AbortController();
    this.#abort = abort;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "streamdet",
          [SIGNATURE_HEADER]: signature,
          "X-Streamdet-Timestamp": String(Date.now()),
          "X-Streamdet-Delivery": `${link.runId}-${message.seq}`,
          "X-Streamdet-Attempt": String(message.attempts + 1),
        },
        signal: abort.signal,
        client: this.#client,
      });
      await response.body?.cancel();
      if (response.ok) {
        link.connected();
        return;
      }
      const reason = `HTTP ${response.status}${
        response.statusText ? ` ${response.statusText}` : ""
      }`;
      throw retryable(response.status) ? new Error(reason) : new PermanentDeliveryError(reason);
    } catch (error) {
      if (this.#closing) throw error;
      const reason = timedOut ? `no answer within ${timeoutMs} ms` : errorText(error);
      link.disconnected(reason, message.attempts + 1);
      throw error instanceof PermanentDeliveryError ? error : new Error(reason, { cause: error });
    } finally {
      clearTimeout(timer);
      this.#abort = undefined;
    }
  }

  close(): Promise<void> {
    this.#closing = true;
    this.#abort?.abort();
    this.#client.close();
    return Promise.resolve();
  }
}
