/**
 * The `cluster` section of a pipeline configuration: the NATS server whose JetStream holds
 * the cluster's streams, leases and nodes, this node's id and capacity, and the lease TTL.
 * `serve --cluster URL [--node-id ID]` fills or overrides it.
 *
 * @module
 */

import { z } from "zod";
import { strictObject } from "./strict_object.ts";
import { intIn } from "./ranges.ts";
import { idPhrase, STREAM_ID } from "./ids.ts";

/** NATS URLs: `nats://`, `tls://`, `ws://` or `wss://` with a host. */
export const NATS_URL = /^(nats|tls|ws|wss):\/\/[^\s/]+(:\d+)?\/?$/;

/**
 * Cluster settings, every default filled when parsed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWire } from "./parse.ts";
 * const c = parseWire(ClusterConfigSchema, { url: "nats://10.0.0.5:4222" }, "a.json: cluster");
 * assert.deepEqual([c.leaseTtlMs, c.capacity, c.prefix], [6000, "auto", "streamdet"]);
 * assert.throws(
 *   () => parseWire(ClusterConfigSchema, { url: "http://x" }, "a.json: cluster"),
 *   { message: 'a.json: cluster: url: expected a NATS URL (nats://host:port, tls://, ws:// or wss://), found the string "http://x"' },
 * );
 * ```
 */
export const ClusterConfigSchema = strictObject({
  url: z.string().regex(NATS_URL, {
    error: "a NATS URL (nats://host:port, tls://, ws:// or wss://)",
  }).describe("The NATS server (JetStream on) every node of the cluster connects to."),
  nodeId: z.string().regex(STREAM_ID, { error: (issue) => idPhrase(issue.input, "a node id") })
    .optional().describe(
      "This node's id, unique in the cluster (default: the host name and the HTTP port).",
    ),
  leaseTtlMs: intIn(500, 600_000).default(6000).describe(
    "A stream whose lease is not renewed for this long is taken over by another node, ms (default 6000; renewed every third of it).",
  ),
  capacity: z.union([z.literal("auto"), intIn(0, 100_000)]).default("auto").describe(
    'Streams this node may run: a number, or "auto" (the engine\'s measured frames/s over 10 frames/s per stream, at least 1).',
  ),
  prefix: z.string().regex(/^[A-Za-z0-9_-]+$/, { error: "letters, digits, _ or -" })
    .default("streamdet").describe(
      "First token of the result subjects and prefix of the KV buckets (default streamdet): clusters sharing one NATS server use different prefixes.",
    ),
}, {
  description:
    "Cluster mode: streams placed on nodes by leases in a NATS JetStream KV bucket (docs/cluster.md).",
});

/** Cluster settings, every default filled. */
export type ClusterConfig = z.output<typeof ClusterConfigSchema>;
