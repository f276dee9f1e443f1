/**
 * How every error of the runtime shows a value it did not expect: the "found" half of
 * `<where>: <field>: expected <what>, found <what>`. One function, so that the same
 * mistake reads the same whichever door it came through (a config file, a manifest, a
 * WebSocket message, a results file, an argument of a pure op).
 *
 * @module
 */

/**
 * Describes a value for an error message: `the number -1`, `the string "4"`, `nothing`
 * (undefined: a missing field), `null`, `true`, `an array of 3 items`, `an object with
 * keys a, b`, `a Float64Array of length 8`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(describe("4"), 'the string "4"');
 * assert.equal(describe(0), "the number 0");
 * assert.equal(describe(undefined), "nothing");
 * assert.equal(describe([1, 2]), "an array of 2 items");
 * assert.equal(describe({ port: 1, host: "a" }), "an object with keys port, host");
 * assert.equal(describe(new Float64Array(8)), "a Float64Array of length 8");
 * ```
 */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "string") {
    const text = JSON.stringify(value.slice(0, 60));
    return `the string ${value.length > 60 ? text.slice(0, -1) + '..."' : text}`;
  }
  if (typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return `the bigint ${value}`;
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    const length = (value as unknown as { length?: number }).length ?? value.byteLength;
    return `${/^[AEIO]/.test(name) ? "an" : "a"} ${name} of length ${length}`;
  }
  if (Array.isArray(value)) {
    return value.length === 1 ? "an array of 1 item" : `an array of ${value.length} items`;
  }
  if (typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 0) return "an empty object";
    const shown = keys.slice(0, 8).join(", ") + (keys.length > 8 ? ", ..." : "");
    return `an object with ${keys.length === 1 ? "key" : "keys"} ${shown}`;
  }
  return `a ${typeof value}`;
}
