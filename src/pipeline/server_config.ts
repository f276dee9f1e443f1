/**
 * The `server` section of a pipeline configuration on its own: for a server started
 * without a configuration file (the fan-out benchmark). Its format is
 * `ServerConfigSchema` in src/wire/server_config.ts.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { parseWire } from "../wire/parse.ts";
import { type ServerConfig, ServerConfigSchema } from "../wire/server_config.ts";

export type { ServerConfig } from "../wire/server_config.ts";

/**
 * Checks a `server` section (`at` names it in errors) and fills its defaults.
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
  return parseWire(ServerConfigSchema, value ?? {}, at, ConfigError);
}
