/**
 * The NATS sink (nats.js): every result message on `<subjectPrefix>.<stream>.results` and
 * every event message on `<subjectPrefix>.<stream>.events` (`streamSubject` of
 * src/wire/subjects.ts), and optionally a JetStream stream over those subjects, created or
 * updated at each connect, for replay (each message then carries a `Nats-Msg-Id`, so a
 * batch sent again after a lost connection is stored once).
 *
 * Messages are published only while connected, a batch at a time, and count as sent once
 * a `flush` (the server's PONG) confirms the server read them; a batch whose flush fails
 * goes back in the sink's bounded buffer. The sink connects and reconnects itself with
 * backoff (`reconnect: false` in nats.js, whose own reconnects wait a fixed time), so
 * nats.js never buffers what a closed connection could not send.
 *
 * @module
 */

import { connect, headers, nanos, type NatsConnection } from "@nats-io/transport-node";
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from "@nats-io/jetstream";
import type { NatsSinkConfig } from "../wire/sink_config.ts";
import { allStreamsSubject, streamSubject, type SubjectKind } from "../wire/subjects.ts";
import { Backoff } from "./backoff.ts";
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

/** The default environment variables of the NATS credentials. */
export const NATS_ENV = {
  token: "STREAMDET_NATS_TOKEN",
  user: "STREAMDET_NATS_USER",
  password: "STREAMDET_NATS_PASSWORD",
} as const;

/**
 * Opens a NATS sink on a pipeline: returns at once, connecting (and reconnecting) in the
 * background. Throws a `ConfigError` when an environment variable the configuration names
 * is not set.
 *
 * @example
 * ```ts ignore
 * const sink = openNatsSink(pipeline, parseWire(NatsSinkSchema, { type: "nats", url: "nats://127.0.0.1:4222" }, "sink"));
 * await sink.close();
 * ```
 */
export function openNatsSink(
  host: SinkHost,
  config: NatsSinkConfig,
  { id = config.id ?? "nats", where = "sink", env = processEnv }: NetworkSinkOptions = {},
): NetworkSink {
  const token = secretFromEnv(env, config.tokenEnv, NATS_ENV.token, `${where}.tokenEnv`);
  const user = secretFromEnv(env, config.userEnv, NATS_ENV.user, `${where}.userEnv`);
  const pass = secretFromEnv(env, config.passwordEnv, NATS_ENV.password, `${where}.passwordEnv`);
  const credentials = { ...(token ? { token } : {}), ...(user ? { user, pass } : {}) };
  const transport = new NatsTransport(config, credentials);
  return new NetworkSink(host, id, "nats", redactUrl(config.url), config, transport);
}

/** How long a batch waits for the server to confirm it (a PING round trip), ms. */
const FLUSH_TIMEOUT_MS = 10_000;

/** A NATS connection that takes batches of sink messages. */
class NatsTransport implements SinkTransport {
  readonly batch = 256;
  readonly maxAttempts = 10;
  readonly kinds: readonly MessageKind[];
  #config: NatsSinkConfig;
  #credentials: { token?: string; user?: string; pass?: string };
  #subjects: SubjectKind[];
  #nc: NatsConnection | undefined;
  #connected = false;
  #closing = false;
  #loop: Promise<void> | undefined;
  #cancelSleep: (() => void) | undefined;
  #runId = "";

  constructor(
    config: NatsSinkConfig,
    credentials: { token?: string; user?: string; pass?: string },
  ) {
    this.#config = config;
    this.#credentials = credentials;
    this.#subjects = [
      ...(config.results ? ["results" as const] : []),
      ...(config.events ? ["events" as const] : []),
    ];
    this.kinds = this.#subjects.map((s) => s === "results" ? "result" : "event");
  }

  ready(): boolean {
    return this.#connected;
  }

  start(link: SinkLink): void {
    this.#runId = link.runId;
    this.#loop = this.#run(link);
  }

  async deliver(batch: SinkMessage[]): Promise<void> {
    const nc = this.#nc;
    if (!nc || !this.#connected) throw new Error("not connected");
    const { subjectPrefix, jetstream } = this.#config;
    for (const m of batch) {
      const subject = streamSubject(
        m.streamId,
        m.kind === "result" ? "results" : "events",
        subjectPrefix,
      );
      if (jetstream) {
        const h = headers();
        h.set("Nats-Msg-Id", `${this.#runId}-${m.seq}`);
        nc.publish(subject, m.body, { headers: h });
      } else {
        nc.publish(subject, m.body);
      }
    }
    // A flush in flight when the connection dies may never settle: the connection's end
    // (or a timeout) fails the batch instead, so that the delivery loop goes on.
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        nc.flush(),
        nc.closed().then((error) => {
          throw new Error(`the connection closed${error ? `: ${errorText(error)}` : ""}`);
        }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("no flush within 10 s")), FLUSH_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#cancelSleep?.();
    await this.#nc?.close();
    await this.#loop;
  }

  /** Connects, waits for the connection to close, and again, with backoff. */
  async #run(link: SinkLink): Promise<void> {
    const backoff = new Backoff(this.#config.backoff);
    let attempt = 0;
    while (!this.#closing) {
      let nc: NatsConnection;
      try {
        nc = await connect({
          servers: this.#config.url,
          ...this.#credentials,
          // tls://: TLS required (nats://: as the server asks).
          ...(/^tls:/i.test(this.#config.url) ? { tls: {} } : {}),
          name: `streamdet sink ${link.id}`,
          reconnect: false,
          timeout: 10_000,
          ignoreClusterUpdates: true,
        });
      } catch (error) {
        link.disconnected(errorText(error), ++attempt);
        await this.#sleep(backoff.next());
        continue;
      }
      if (this.#closing) {
        await nc.close();
        break;
      }
      this.#nc = nc;
      attempt = 0;
      backoff.reset();
      const warning = await this.#ensureStream(nc);
      this.#connected = !nc.isClosed();
      if (this.#connected) link.connected();
      if (warning) link.warn(warning);
      const closed = await nc.closed();
      this.#connected = false;
      if (this.#closing) break;
      link.disconnected(closed ? errorText(closed) : "the connection closed", ++attempt);
      await this.#sleep(backoff.next());
    }
  }

  /** Creates the JetStream stream, or adds the sink's subjects and limits to it; returns
   * what went wrong, if something did. */
  async #ensureStream(nc: NatsConnection): Promise<string | undefined> {
    const js = this.#config.jetstream;
    if (!js) return undefined;
    const subjects = this.#subjects.map((k) => allStreamsSubject(k, this.#config.subjectPrefix));
    const limits = {
      ...(js.maxAgeS === undefined ? {} : { max_age: nanos(js.maxAgeS * 1000) }),
      ...(js.maxBytes === undefined ? {} : { max_bytes: js.maxBytes }),
    };
    try {
      const jsm = await jetstreamManager(nc);
      try {
        const info = await jsm.streams.info(js.stream);
        const merged = [...new Set([...(info.config.subjects ?? []), ...subjects])];
        await jsm.streams.update(js.stream, { subjects: merged, ...limits });
      } catch (error) {
        const missing = error instanceof JetStreamApiError &&
          error.code === JetStreamApiCodes.StreamNotFound;
        if (!missing) throw error;
        await jsm.streams.add({ name: js.stream, subjects, ...limits });
      }
    } catch (error) {
      return `JetStream stream "${js.stream}" not created or updated: ${errorText(error)}`;
    }
    return undefined;
  }

  #sleep(ms: number): Promise<void> {
    if (this.#closing) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#cancelSleep = undefined;
        resolve();
      }, ms);
      this.#cancelSleep = () => {
        clearTimeout(timer);
        this.#cancelSleep = undefined;
        resolve();
      };
    });
  }
}
