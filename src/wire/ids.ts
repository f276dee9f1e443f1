/**
 * The ids users give streams, models, lines and zones: what results, events, metrics and
 * URLs name them by.
 *
 * @module
 */

/**
 * Ids of streams and models: what results, status events, metrics and URLs name them by.
 * Every character is one a URL path segment holds unescaped; `.` and `..` are refused,
 * since clients rewrite those segments (`GET /streams/..` becomes `GET /`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(STREAM_ID.test("front-door.cam_1"));
 * assert.ok(STREAM_ID.test("..."));
 * assert.ok(!STREAM_ID.test("a b"));
 * assert.ok(!STREAM_ID.test(".."));
 * ```
 */
export const STREAM_ID = /^(?!\.\.?$)[A-Za-z0-9_.-]{1,64}$/;

/** What {@link STREAM_ID} allows, as an error says it. */
export const STREAM_ID_PHRASE = 'letters, digits, "_", "." or "-" (at most 64)';

/**
 * What an error about an id that {@link STREAM_ID} refuses expects: the characters, or,
 * for `.` and `..`, another id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(idPhrase("a b"), 'letters, digits, "_", "." or "-" (at most 64)');
 * assert.equal(idPhrase("..", "a model id"), 'a model id other than "." or ".." (URL path segments that clients rewrite)');
 * ```
 */
export function idPhrase(found: unknown, what?: string): string {
  return found === "." || found === ".."
    ? `${what ?? "an id"} other than "." or ".." (URL path segments that clients rewrite)`
    : what === undefined
    ? STREAM_ID_PHRASE
    : `${what} of ${STREAM_ID_PHRASE}`;
}
