/**
 * The WebSocket hub: accepts clients, keeps their subscriptions, and fans each result,
 * thumbnail and status event of the pipeline out to the clients that want it. A result's
 * JSON is built once per distinct filter, not once per client.
 *
 * @module
 */

import type { Pipeline } from "../pipeline/pipeline.ts";
import type { ServerConfig } from "../pipeline/config.ts";
import type {
  StatusEvent,
  StreamEvent,
  StreamResult,
  StreamThumbnail,
} from "../pipeline/events.ts";
import { resultMessage } from "../pipeline/result_message.ts";
import { SCHEMA_VERSION } from "../wire/result_message.ts";
import { type CloseReason, WsClient } from "./ws_client.ts";
import type { RemoteStreams } from "../cluster/remote_feed.ts";
import type { ResultMessage } from "../wire/result_message.ts";
import { filterRemoteResult, helloStreams } from "./ws_remote.ts";
import { subscriptionIds, subscriptionTemplate, thumbnailMessage } from "./ws_subscribe.ts";
import {
  parseClientMessage,
  protocolError,
  serverMessage,
  statusMessage,
  type SubscribeRequest,
  type Subscription,
} from "./ws_protocol.ts";

/**
 * Fans a pipeline's output out to WebSocket clients.
 *
 * @example
 * ```ts ignore
 * const hub = new WsHub(pipeline, config.server);
 * app.get("/ws", (c) => hub.upgrade(c.req.raw));
 * await hub.close();
 * ```
 */
export class WsHub {
  #pipeline: Pipeline;
  #limits: ServerConfig;
  #clients = new Set<WsClient>();
  /** Messages sent to clients that have gone. */
  #sentByGone = 0;
  #nextId = 1;
  /** Per client with a capped wildcard: the streams it left out, in order. */
  #capped = new Map<WsClient, Set<string>>();
  #off: (() => void)[];
  #closing = false;
  /** Cluster mode: the streams other nodes run. */
  #remote: RemoteStreams | undefined;

  constructor(pipeline: Pipeline, limits: ServerConfig) {
    this.#pipeline = pipeline;
    this.#limits = limits;
    // Counted by each client, summed when the metrics are collected: no hook per message.
    pipeline.metrics.wsSentTotal = () => {
      let total = this.#sentByGone;
      for (const c of this.#clients) total += c.sent;
      return total;
    };
    this.#off = [
      pipeline.on("result", (r) => this.#onResult(r)),
      pipeline.on("thumbnail", (t) => this.#onThumbnail(t)),
      pipeline.on("status", (e) => this.#onStatus(e)),
      pipeline.on("event", (e) => this.#onEvent(e)),
    ];
  }

  /**
   * Cluster mode: serves every stream of the cluster. Results and events of streams other
   * nodes run come from their subjects while a client wants them; this node's own results
   * go out only while it holds the stream's lease, with its `node` id.
   */
  attachRemote(remote: RemoteStreams): void {
    this.#remote = remote;
    this.#off.push(
      remote.onMessage((m, kind) =>
        kind === "results"
          ? this.#onRemoteResult(m as ResultMessage)
          : this.#onEvent(m as unknown as StreamEvent)
      ),
      remote.onStreams((streamId, present) =>
        present
          ? this.#onStatus({ type: "stream", streamId, state: "starting", at: Date.now() })
          : this.streamRemoved(streamId)
      ),
    );
  }

  /** Clients connected now. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Upgrades a request to a WebSocket client (503 when full or shutting down). */
  upgrade(request: Request): Response {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: "expected a WebSocket upgrade request" }, { status: 426 });
    }
    if (this.#closing) return Response.json({ error: "shutting down" }, { status: 503 });
    if (this.#clients.size >= this.#limits.maxClients) {
      return Response.json(
        { error: `too many clients: at most ${this.#limits.maxClients}` },
        { status: 503 },
      );
    }
    // Deno pings an idle client and closes it when no pong comes: give that a minute, so
    // that a slow reader meets the queue's own rule (dropped, told, closed with 4008) first.
    const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 60 });
    const metrics = this.#pipeline.metrics;
    const client = new WsClient(this.#nextId++, socket, this.#limits, {
      onClose: (reason) => this.#remove(client, reason),
      onDropped: (n) => metrics.wsDropped.inc(n),
    });
    this.#clients.add(client);
    metrics.wsClients.set(this.#clients.size);
    socket.onopen = () => {
      client.send(
        serverMessage({
          type: "hello",
          schema: SCHEMA_VERSION,
          streams: helloStreams(this.#pipeline, this.#remote),
          models: this.#pipeline.models().map((m) => ({
            id: m.id,
            state: m.state,
            classes: m.classes,
            ...(m.keypoints ? { keypoints: m.keypoints } : {}),
          })),
          limits: {
            maxSubscriptions: this.#limits.maxSubscriptions,
            maxMessageBytes: this.#limits.maxMessageBytes,
            clientQueue: this.#limits.clientQueue,
            slowClientMs: this.#limits.slowClientMs,
          },
        }),
        false,
      );
    };
    socket.onmessage = (event) => this.#onMessage(client, event.data);
    // A client closed while messages waited for it, or after losing some, was too slow.
    const ended = () => client.close(client.queued > 0 || client.dropped > 0 ? "slow" : "closed");
    socket.onclose = ended;
    socket.onerror = ended;
    return response;
  }

  /** Tells every client the server is stopping, and takes no new ones (status events of
   * the streams stopping still go out). */
  announceShutdown(): void {
    this.#closing = true;
    const text = serverMessage({
      type: "status",
      event: "server",
      state: "stopping",
      at: Date.now(),
    });
    for (const client of this.#clients) client.send(text, false);
  }

  /** Closes every client (code 1001), after what is queued for it. */
  close(): void {
    if (!this.#closing) this.announceShutdown();
    for (const off of this.#off) off();
    for (const client of [...this.#clients]) client.close("shutdown");
  }

  #remove(client: WsClient, reason: CloseReason): void {
    if (!this.#clients.delete(client)) return;
    this.#sentByGone += client.sent;
    const metrics = this.#pipeline.metrics;
    metrics.wsClients.set(this.#clients.size);
    this.#capped.delete(client);
    if (reason === "slow" || reason === "too-large") metrics.wsDisconnected.inc({ reason });
    for (const s of client.subscriptions.values()) {
      if (s.thumbnails) this.#pipeline.wantThumbnails(s.streamId, -1);
      if (s.panoptic) this.#pipeline.wantPanoptic(s.streamId, -1);
    }
    client.subscriptions.clear();
  }

  #onMessage(client: WsClient, data: unknown): void {
    const text = typeof data === "string" ? data : "";
    const max = this.#limits.maxMessageBytes;
    // UTF-8 takes at least one byte per UTF-16 unit: only short texts need encoding.
    const size = typeof data !== "string"
      ? (data as ArrayBuffer).byteLength ?? 0
      : data.length > max
      ? data.length
      : new TextEncoder().encode(data).length;
    if (size > max) {
      client.close("too-large");
      return;
    }
    try {
      if (typeof data !== "string") {
        throw protocolError([], "a text message", "a binary message");
      }
      const message = parseClientMessage(text);
      if (message.type === "ping") {
        client.send(serverMessage({ type: "pong", at: Date.now() }), false);
      } else if (message.type === "subscribe") {
        this.#subscribe(client, message);
      } else {
        const ids = message.streams === "*" ? [...client.subscriptions.keys()] : message.streams;
        if (message.streams === "*") {
          client.wildcard = undefined;
          this.#capped.delete(client);
        }
        for (const id of ids) this.#drop(client, id);
        this.#sendSubscribed(client);
      }
    } catch (error) {
      // A ProtocolError names the field; anything else is answered too, and the
      // connection stays.
      client.send(
        serverMessage({ type: "error", code: "bad-request", message: (error as Error).message }),
        false,
      );
    }
  }

  #subscribe(client: WsClient, request: SubscribeRequest): void {
    const known = new Set(this.#pipeline.streams().map((s) => s.id));
    for (const id of this.#remote?.ids() ?? []) known.add(id);
    const wildcard = request.streams === "*";
    const { ids, capped } = subscriptionIds(
      request,
      known,
      new Set(client.subscriptions.keys()),
      this.#limits.maxSubscriptions,
    );
    const template = subscriptionTemplate(request);
    if (wildcard) {
      client.wildcard = template;
      this.#capped.set(client, new Set(capped));
    }
    for (const id of ids) this.#add(client, { streamId: id, ...template });
    this.#sendSubscribed(client);
    // A client that joins late gets the counts so far at once.
    if (template.events) { for (const id of ids) this.#sendCounts(client, id); }
  }

  /** Sends a client a stream's counts now (streams with tracking). */
  #sendCounts(client: WsClient, streamId: string): void {
    const counts = this.#pipeline.counts(streamId);
    if (counts) client.send(serverMessage(counts), false);
  }

  /** Sends a client its subscriptions, and the streams its wildcard left out if any. */
  #sendSubscribed(client: WsClient): void {
    const capped = this.#capped.get(client);
    client.send(
      serverMessage({
        type: "subscribed",
        streams: [...client.subscriptions.keys()],
        ...(capped?.size
          ? { capped: { maxSubscriptions: this.#limits.maxSubscriptions, streams: [...capped] } }
          : {}),
      }),
      false,
    );
  }

  #add(client: WsClient, subscription: Subscription): void {
    this.#drop(client, subscription.streamId);
    if (subscription.classNames && subscription.classNames.length > 0) {
      const model = this.#pipeline.stream(subscription.streamId)?.model;
      const labels = model ? this.#pipeline.labels(model) : new Map<number, string>();
      const byName = new Map([...labels].map(([id, name]) => [name, id]));
      subscription.classes = [
        ...(subscription.classes ?? []),
        ...subscription.classNames.map((n) => byName.get(n) ?? -1),
      ];
    }
    const s = subscription;
    s.filterKey = `${s.classes?.join(",") ?? "*"}|${s.minScore}|${s.masks}|${s.panoptic}`;
    client.subscriptions.set(subscription.streamId, subscription);
    this.#remote?.want(subscription.streamId, 1);
    this.#capped.get(client)?.delete(subscription.streamId);
    if (subscription.thumbnails) this.#pipeline.wantThumbnails(subscription.streamId, 1);
    if (subscription.panoptic) this.#pipeline.wantPanoptic(subscription.streamId, 1);
  }

  #drop(client: WsClient, streamId: string): void {
    const old = client.subscriptions.get(streamId);
    if (!old) return;
    client.subscriptions.delete(streamId);
    this.#remote?.want(streamId, -1);
    if (old.thumbnails) this.#pipeline.wantThumbnails(streamId, -1);
    if (old.panoptic) this.#pipeline.wantPanoptic(streamId, -1);
  }

  #onResult(result: StreamResult): void {
    const remote = this.#remote;
    if (remote && !remote.mayPublish(result.streamId)) return; // not (or no longer) ours
    const cache = new Map<string, string>();
    const labels = this.#pipeline.labels(result.model);
    for (const client of this.#clients) {
      const s = client.subscriptions.get(result.streamId);
      if (!s) continue;
      const key = s.filterKey!;
      let text = cache.get(key);
      if (text === undefined) {
        const message = resultMessage(result, labels, s);
        text = JSON.stringify(remote ? { ...message, node: remote.nodeId } : message);
        cache.set(key, text);
      }
      client.send(text, true);
    }
  }

  #onRemoteResult(message: ResultMessage): void {
    const cache = new Map<string, string>();
    for (const client of this.#clients) {
      const s = client.subscriptions.get(message.streamId);
      if (!s) continue;
      let text = cache.get(s.filterKey!);
      if (text === undefined) {
        text = JSON.stringify(filterRemoteResult(message, s));
        cache.set(s.filterKey!, text);
      }
      client.send(text, true);
    }
  }

  /** Sends an event to the clients subscribed to its stream with `events`: all of a
   * stream's counts and occupancy, and the events of objects of the classes they keep.
   * Never dropped for a slow client (counts must add up). */
  #onEvent(event: StreamEvent): void {
    let text: string | undefined;
    const classId = "classId" in event ? event.classId : undefined;
    for (const client of this.#clients) {
      const s = client.subscriptions.get(event.streamId);
      if (!s?.events) continue;
      if (classId !== undefined && s.classes && !s.classes.includes(classId)) continue;
      text ??= serverMessage(event);
      client.send(text, false);
    }
  }

  #onThumbnail(t: StreamThumbnail): void {
    let text: string | undefined;
    for (const client of this.#clients) {
      if (!client.subscriptions.get(t.streamId)?.thumbnails) continue;
      text ??= serverMessage(thumbnailMessage(t));
      client.send(text, true);
    }
  }

  #onStatus(event: StatusEvent): void {
    if (event.type === "sink") return; // the operator's: logged and in /metrics
    const text = serverMessage(statusMessage(event));
    const streamId = "streamId" in event ? event.streamId : undefined;
    for (const client of this.#clients) {
      // A stream that appears joins wildcard subscriptions, or, where one is full, is
      // left out and the client told.
      if (
        streamId && client.wildcard && !client.subscriptions.has(streamId) &&
        event.type === "stream" && event.state === "starting"
      ) {
        if (client.subscriptions.size < this.#limits.maxSubscriptions) {
          this.#add(client, { streamId, ...client.wildcard });
          if (client.wildcard.events) this.#sendCounts(client, streamId);
        } else {
          const capped = this.#capped.get(client) ?? new Set();
          this.#capped.set(client, capped.add(streamId));
          this.#sendSubscribed(client);
        }
      }
      if (streamId === undefined || client.subscriptions.has(streamId)) client.send(text, false);
    }
  }

  /** Tells subscribers a stream is gone and forgets their subscriptions to it. */
  streamRemoved(streamId: string): void {
    const text = serverMessage({ type: "status", event: "removed", streamId, at: Date.now() });
    for (const capped of this.#capped.values()) capped.delete(streamId);
    for (const client of this.#clients) {
      if (!client.subscriptions.has(streamId)) continue;
      client.send(text, false);
      this.#drop(client, streamId);
    }
  }
}
