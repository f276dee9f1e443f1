/**
 * Small checkers for configuration values: each names the field by its path in the
 * configuration (`pipelines/demo.json: streams[1].source`) and throws a
 * {@link ConfigError} that says what was expected and what was found.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { describe } from "../describe.ts";

/** A plain JSON object. */
export type Json = Record<string, unknown>;

/**
 * Checks that `value` is a plain object, and that it has no keys outside `known` (a typo
 * in a config is an error, not a silently ignored field).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(configObject("a.json: server", { port: 1 }, ["port"]), { port: 1 });
 * assert.throws(() => configObject("a.json: server", { prot: 1 }, ["port"]), /unknown field "prot"/);
 * ```
 */
export function configObject(path: string, value: unknown, known?: readonly string[]): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(`${path}: expected an object, found ${describe(value)}`);
  }
  if (known) {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        throw new ConfigError(
          `${path}: unknown field ${JSON.stringify(key)} (expected one of ${known.join(", ")})`,
        );
      }
    }
  }
  return value as Json;
}

/**
 * Checks an optional string (a non-empty one when present).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(configString("a.json: id", undefined, "x"), "x");
 * assert.throws(() => configString("a.json: id", 3), /expected a non-empty string, found the number 3/);
 * ```
 */
export function configString(path: string, value: unknown, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || value.length === 0) {
    throw new ConfigError(`${path}: expected a non-empty string, found ${describe(value)}`);
  }
  return value;
}

/**
 * Checks an optional number in `[min, max]` (an integer when `integer`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(configNumber("a.json: port", undefined, 8080, { min: 0, integer: true }), 8080);
 * assert.throws(() => configNumber("a.json: port", -1, 8080, { min: 0 }), /expected a number >= 0, found the number -1/);
 * ```
 */
export function configNumber(
  path: string,
  value: unknown,
  fallback: number | undefined,
  { min = -Infinity, max = Infinity, integer = false } = {},
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const what = integer ? "an integer" : "a number";
  const range = max === Infinity ? ` >= ${min}` : ` in [${min}, ${max}]`;
  const ok = typeof value === "number" && (Number.isFinite(value) || value === Infinity) &&
    value >= min && value <= max && (!integer || Number.isInteger(value) || value === Infinity);
  if (!ok) {
    throw new ConfigError(
      `${path}: expected ${what}${min === -Infinity ? "" : range}, found ${describe(value)}`,
    );
  }
  return value as number;
}

/**
 * Checks an optional boolean.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(configBoolean("a.json: loop", undefined, false), false);
 * assert.throws(() => configBoolean("a.json: loop", "yes", false), /expected true or false/);
 * ```
 */
export function configBoolean(path: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new ConfigError(`${path}: expected true or false, found ${describe(value)}`);
  }
  return value;
}

/**
 * Checks an optional choice among fixed strings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(configChoice("a.json: nms", "soft-linear", ["hard", "soft-linear"]), "soft-linear");
 * assert.throws(() => configChoice("a.json: nms", "soft", ["hard"]), /expected one of "hard", found the string "soft"/);
 * ```
 */
export function configChoice<T extends string>(
  path: string,
  value: unknown,
  choices: readonly T[],
  fallback?: T,
): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || !choices.includes(value as T)) {
    const list = choices.map((c) => JSON.stringify(c)).join(", ");
    throw new ConfigError(`${path}: expected one of ${list}, found ${describe(value)}`);
  }
  return value as T;
}

/**
 * Checks an optional array of non-empty strings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(configStrings("a.json: classes", ["car"], []), ["car"]);
 * assert.throws(() => configStrings("a.json: classes", "car", []), /expected an array of strings/);
 * ```
 */
export function configStrings(path: string, value: unknown, fallback: string[]): string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v.length === 0)) {
    throw new ConfigError(`${path}: expected an array of strings, found ${describe(value)}`);
  }
  return value as string[];
}
