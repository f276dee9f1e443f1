/**
 * NATS subjects of a stream's messages: `<prefix>.<stream>.results` and
 * `<prefix>.<stream>.events`, the subjects the NATS sink publishes on and the cluster's
 * nodes publish and subscribe to.
 *
 * A stream id may hold ".", NATS's token separator, so an id becomes one subject token
 * with each "." written `%2E` (ids hold no "%": see {@link STREAM_ID}); MQTT topics need no
 * escaping (ids hold no "/", "+" or "#").
 *
 * @module
 */

import { STREAM_ID } from "./ids.ts";

/** What a subject carries: result messages, or event messages (`track`, `line`, `zone`,
 * `counts`). */
export type SubjectKind = "results" | "events";

/** The default first token of every subject. */
export const DEFAULT_SUBJECT_PREFIX = "streamdet";

/**
 * A stream id as one NATS subject token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(subjectToken("cam.1"), "cam%2E1");
 * assert.equal(subjectToken("door"), "door");
 * ```
 */
export function subjectToken(streamId: string): string {
  return streamId.replaceAll(".", "%2E");
}

/**
 * The stream id a subject token stands for, or undefined if it is no stream's token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(streamIdOfToken("cam%2E1"), "cam.1");
 * assert.equal(streamIdOfToken("a*b"), undefined);
 * ```
 */
export function streamIdOfToken(token: string): string | undefined {
  const id = token.replaceAll("%2E", ".");
  return STREAM_ID.test(id) && subjectToken(id) === token ? id : undefined;
}

/**
 * The subject of a stream's results or events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(streamSubject("cam.1", "results"), "streamdet.cam%2E1.results");
 * assert.equal(streamSubject("door", "events", "site1.streamdet"), "site1.streamdet.door.events");
 * ```
 */
export function streamSubject(
  streamId: string,
  kind: SubjectKind,
  prefix: string = DEFAULT_SUBJECT_PREFIX,
): string {
  return `${prefix}.${subjectToken(streamId)}.${kind}`;
}

/**
 * The wildcard subject of every stream's results or events (`<prefix>.*.<kind>`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(allStreamsSubject("events"), "streamdet.*.events");
 * ```
 */
export function allStreamsSubject(
  kind: SubjectKind,
  prefix: string = DEFAULT_SUBJECT_PREFIX,
): string {
  return `${prefix}.*.${kind}`;
}

/**
 * The stream and kind of a subject under `prefix`, or undefined if it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseStreamSubject("streamdet.cam%2E1.events"), { streamId: "cam.1", kind: "events" });
 * assert.equal(parseStreamSubject("other.cam.events"), undefined);
 * ```
 */
export function parseStreamSubject(
  subject: string,
  prefix: string = DEFAULT_SUBJECT_PREFIX,
): { streamId: string; kind: SubjectKind } | undefined {
  if (!subject.startsWith(prefix + ".")) return undefined;
  const rest = subject.slice(prefix.length + 1).split(".");
  if (rest.length !== 2 || (rest[1] !== "results" && rest[1] !== "events")) return undefined;
  const streamId = streamIdOfToken(rest[0]);
  return streamId === undefined ? undefined : { streamId, kind: rest[1] };
}
