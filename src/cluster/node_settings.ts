/**
 * A node's cluster settings from its configuration and the command line: `--cluster URL`
 * and `--node-id ID` fill or override the `cluster` section; the node id defaults to the
 * host name and the HTTP port; capacity `"auto"` is read from the engine's measurements.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { PipelineConfig } from "../pipeline/config.ts";
import type { ModelInfo } from "../pipeline/pipeline.ts";
import { type ClusterConfig, ClusterConfigSchema } from "../wire/cluster_config.ts";
import { parseWire } from "../wire/parse.ts";

/** Frames per second one stream is assumed to need when capacity is `"auto"`. */
export const AUTO_STREAM_FPS = 10;

/**
 * The cluster settings of a node, or undefined when it is not in cluster mode. Throws a
 * {@link ConfigError} naming the flag for a bad URL or node id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const base = { cluster: undefined } as unknown as Parameters<typeof clusterSettings>[0];
 * assert.equal(clusterSettings(base, {}), undefined);
 * assert.equal(clusterSettings(base, { cluster: "nats://127.0.0.1:4222" })?.leaseTtlMs, 6000);
 * assert.throws(() => clusterSettings(base, { cluster: "127.0.0.1:4222" }), /--cluster: url: expected a NATS URL/);
 * ```
 */
export function clusterSettings(
  config: Pick<PipelineConfig, "cluster">,
  flags: { cluster?: string; nodeId?: string },
): ClusterConfig | undefined {
  if (!config.cluster && flags.cluster === undefined) return undefined;
  const merged = {
    ...(config.cluster ?? {}),
    ...(flags.cluster !== undefined ? { url: flags.cluster } : {}),
    ...(flags.nodeId !== undefined ? { nodeId: flags.nodeId } : {}),
  };
  const where = flags.cluster !== undefined ? "--cluster" : "cluster";
  return parseWire(ClusterConfigSchema, merged, where, ConfigError);
}

/**
 * The streams a node may run: the configured number, or with `"auto"` the best frames per
 * second the engine measured (summed over models) over {@link AUTO_STREAM_FPS}, at least 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(nodeCapacity(3, []), 3);
 * assert.equal(nodeCapacity("auto", []), 1);
 * ```
 */
export function nodeCapacity(capacity: ClusterConfig["capacity"], models: ModelInfo[]): number {
  if (capacity !== "auto") return capacity;
  let fps = 0;
  for (const m of models) {
    const measured = m.status?.tuning?.measurements ?? [];
    fps += Math.max(0, ...measured.map((x) => x.framesPerSecond));
  }
  return Math.max(1, Math.floor(fps / AUTO_STREAM_FPS));
}

/** The default node id: the host name and the HTTP port. */
export function defaultNodeId(hostname: string, port: number): string {
  return `${hostname}-${port}`.replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 64);
}
