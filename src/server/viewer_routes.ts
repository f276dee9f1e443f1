/**
 * The viewer page and its assets (`src/server/viewer/`), served at `/` and `/viewer/*`.
 *
 * @module
 */

import { Hono } from "hono";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

const ASSET = /^[a-z0-9_-]+\.(html|js|css|svg|png)$/;

async function asset(name: string): Promise<Response> {
  if (!ASSET.test(name)) return Response.json({ error: `no asset "${name}"` }, { status: 404 });
  try {
    const body = await Deno.readFile(new URL(`./viewer/${name}`, import.meta.url));
    const type = TYPES[name.slice(name.lastIndexOf("."))];
    return new Response(body, { headers: { "Content-Type": type, "Cache-Control": "no-cache" } });
  } catch {
    return Response.json({ error: `no asset "${name}"` }, { status: 404 });
  }
}

/**
 * Routes of the viewer: `GET /` (the page) and `GET /viewer/<file>` (its scripts and
 * styles). File names are checked against a strict pattern: nothing outside the folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const app = viewerRoutes();
 * const page = await app.request("/");
 * assert.equal(page.status, 200);
 * assert.match(page.headers.get("content-type")!, /text\/html/);
 * assert.equal((await app.request("/viewer/..%2Fapp.ts")).status, 404);
 * ```
 */
export function viewerRoutes(): Hono {
  const app = new Hono();
  app.get("/", () => asset("index.html"));
  app.get("/viewer/:name", (c) => asset(c.req.param("name")));
  return app;
}
