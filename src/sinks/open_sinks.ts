/**
 * Opening a pipeline's configured sinks: JSON Lines files, MQTT, NATS and webhooks, each
 * with its id (`id`, else `<type>-<index>`). A network sink returns at once and connects
 * in the background: a destination that is down is a status event and a retry, never a
 * failure of the pipeline or of the other sinks.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { SinkConfig } from "../pipeline/config.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import { JsonlSink } from "./jsonl_sink.ts";
import { openMqttSink } from "./mqtt_sink.ts";
import { openNatsSink } from "./nats_sink.ts";
import { type EnvReader, processEnv, type Sink } from "./sink.ts";
import { openWebhookSink } from "./webhook_sink.ts";

/** Options of {@link openSinks}. */
export interface OpenSinksOptions {
  /** Reads the environment variables that hold credentials and secrets (default: the
   * process's). */
  env?: EnvReader;
}

/**
 * The id of each sink: its `id`, else `<type>-<index>`. Two sinks with one id are a
 * `ConfigError` naming the second.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(sinkIds([{ type: "mqtt" }, { type: "nats", id: "site" }]), ["mqtt-0", "site"]);
 * assert.throws(() => sinkIds([{ type: "mqtt", id: "a" }, { type: "nats", id: "a" }]), {
 *   name: "ConfigError",
 *   message: 'sinks[1].id: expected an id no other sink has, found the string "a", the id of sinks[0]',
 * });
 * ```
 */
export function sinkIds(configs: readonly { type: string; id?: string }[]): string[] {
  const ids = configs.map((c, i) => c.id ?? `${c.type}-${i}`);
  ids.forEach((id, i) => {
    const first = ids.indexOf(id);
    if (first < i) {
      throw new ConfigError(
        `sinks[${i}].id: expected an id no other sink has, found the string "${id}", the id of sinks[${first}]`,
      );
    }
  });
  return ids;
}

/**
 * Opens every sink of a configuration on a pipeline. A `ConfigError` (two sinks with one
 * id, an environment variable named by the configuration that is not set, a webhook
 * without its secret) closes what was opened and is thrown.
 *
 * @example
 * ```ts ignore
 * const sinks = await openSinks(config.sinks, pipeline);
 * await Promise.all(sinks.map((s) => s.close()));
 * ```
 */
export async function openSinks(
  configs: readonly SinkConfig[],
  pipeline: Pipeline,
  { env = processEnv }: OpenSinksOptions = {},
): Promise<Sink[]> {
  const ids = sinkIds(configs);
  const opened: Sink[] = [];
  try {
    for (const [i, config] of configs.entries()) {
      const options = { id: ids[i], where: `sinks[${i}]`, env };
      switch (config.type) {
        case "jsonl":
          opened.push(await JsonlSink.open(config, pipeline, ids[i]));
          break;
        case "mqtt":
          opened.push(openMqttSink(pipeline, config, options));
          break;
        case "nats":
          opened.push(openNatsSink(pipeline, config, options));
          break;
        case "webhook":
          opened.push(openWebhookSink(pipeline, config, options));
          break;
      }
    }
  } catch (error) {
    await Promise.all(opened.map((sink) => sink.close().catch(() => {})));
    throw error;
  }
  return opened;
}
