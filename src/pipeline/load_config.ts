/**
 * Reads a pipeline configuration file: JSON, or a TypeScript / JavaScript module whose
 * default export is the configuration object.
 *
 * @module
 */

import { dirname, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../errors.ts";
import { type PipelineConfig, resolvePipelineConfig } from "./config.ts";

/**
 * Loads and checks `path`. Relative paths inside are relative to its folder. Throws a
 * {@link ConfigError} that names the file (and the field) when it cannot be used.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const config = await loadPipelineConfig("pipelines/demo.json");
 * assert.equal(config.streams[0].id, "demo");
 * await assert.rejects(loadPipelineConfig("pipelines/missing.json"), /cannot read/);
 * ```
 */
export async function loadPipelineConfig(path: string): Promise<PipelineConfig> {
  const file = resolve(path);
  const origin = { name: path, baseDir: dirname(file) };
  const ext = extname(file);
  let value: unknown;
  if ([".ts", ".js", ".mts", ".mjs"].includes(ext)) {
    try {
      value = (await import(pathToFileURL(file).href)).default;
    } catch (error) {
      throw new ConfigError(`${path}: cannot load the module: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (value === undefined) {
      throw new ConfigError(`${path}: expected a default export (the configuration), found none`);
    }
  } else {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      throw new ConfigError(`${path}: cannot read the file: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(
        `${path}: expected JSON, found a syntax error: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
  return resolvePipelineConfig(value, origin);
}
