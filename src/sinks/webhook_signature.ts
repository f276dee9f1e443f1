/**
 * The signature of a webhook request: HMAC-SHA256 of the exact body bytes with the shared
 * secret, sent as `X-Streamdet-Signature: sha256=<hex>` (as GitHub signs its webhooks).
 * A receiver computes the same over the bytes it received, before parsing them, and
 * compares in constant time: {@link verifySignature} does both (WebCrypto, so it runs in
 * Deno, Node, Bun, browsers and workers alike).
 *
 * @module
 */

/** The header that carries the signature. */
export const SIGNATURE_HEADER = "X-Streamdet-Signature";

const encoder = new TextEncoder();

function bytesOf(body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof body === "string" ? encoder.encode(body) : new Uint8Array(body);
}

/**
 * The HMAC-SHA256 key of a secret (import it once, sign many bodies).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const key = await signingKey("s3cret");
 * assert.equal(key.algorithm.name, "HMAC");
 * ```
 */
export function signingKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/**
 * The signature header's value of a body: `sha256=` and the HMAC-SHA256 in lowercase hex.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // RFC 4231, test case 2
 * assert.equal(await signBody("Jefe", "what do ya want for nothing?"),
 *   "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
 * ```
 */
export async function signBody(
  secret: string | CryptoKey,
  body: string | Uint8Array,
): Promise<string> {
  const key = typeof secret === "string" ? await signingKey(secret) : secret;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytesOf(body)));
  return "sha256=" + Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Whether a signature header's value is the body's, with the secret: compared by WebCrypto
 * in constant time. A missing or malformed header is `false`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const body = '{"v":3,"type":"counts"}';
 * const header = await signBody("s3cret", body);
 * assert.equal(await verifySignature("s3cret", body, header), true);
 * assert.equal(await verifySignature("s3cret", body + " ", header), false);
 * assert.equal(await verifySignature("other", body, header), false);
 * assert.equal(await verifySignature("s3cret", body, null), false);
 * ```
 */
export async function verifySignature(
  secret: string | CryptoKey,
  body: string | Uint8Array,
  header: string | null | undefined,
): Promise<boolean> {
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? "")?.[1];
  if (!hex) return false;
  const mac = new Uint8Array(32);
  for (let i = 0; i < 32; i++) mac[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  const key = typeof secret === "string" ? await signingKey(secret) : secret;
  return await crypto.subtle.verify("HMAC", key, mac, bytesOf(body));
}
