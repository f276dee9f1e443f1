/**
 * Bearer-token check of write routes.
 *
 * @module
 */

/**
 * Whether `header` (an `Authorization` header) carries `token` as a bearer token; the
 * comparison takes the same time wherever the first difference is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(bearerMatches("Bearer s3cret", "s3cret"), true);
 * assert.equal(bearerMatches("Bearer s3creT", "s3cret"), false);
 * assert.equal(bearerMatches(null, "s3cret"), false);
 * ```
 */
export function bearerMatches(header: string | null | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!match) return false;
  const a = new TextEncoder().encode(match[1].trim());
  const b = new TextEncoder().encode(token);
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
