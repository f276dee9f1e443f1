/**
 * The HTTP API (Hono): health, readiness, Prometheus metrics, streams and models, the
 * WebSocket endpoint, and the viewer page.
 *
 * @module
 */

import { Hono } from "hono";
import type { Context, Next } from "hono";
import type { Pipeline } from "../pipeline/pipeline.ts";
import type { ServerConfig } from "../pipeline/config.ts";
import { bearerMatches } from "./auth.ts";
import { httpStatusOf } from "./http_status.ts";
import { LimitError } from "../errors.ts";
import type { WsHub } from "./ws_hub.ts";
import { viewerRoutes } from "./viewer_routes.ts";
import type { ClusterNode } from "../cluster/cluster_node.ts";

/** Cluster mode: the node, once it has joined (set after the server listens). */
export interface ClusterRef {
  node?: ClusterNode;
}

/** Largest `POST /streams` body, in bytes. */
const MAX_BODY = 16 * 1024;

/**
 * Builds the app for a pipeline and its WebSocket hub.
 *
 * Routes: `GET /health`, `GET /ready`, `GET /metrics`, `GET /streams`,
 * `GET /streams/:id`, `POST /streams` and `DELETE /streams/:id` (bearer token),
 * `GET /streams/:id/analytics` (lines, zones, counts), `PUT /streams/:id/lines` and
 * `PUT /streams/:id/zones` (bearer token), `GET /models`, `GET /ws` (WebSocket), `GET /`
 * (viewer); in cluster mode `GET /cluster`, and `POST`/`DELETE /streams` change the whole
 * cluster's streams.
 *
 * @example
 * ```ts ignore
 * const app = createApp(pipeline, hub, config.server);
 * Deno.serve({ hostname: "127.0.0.1", port: 8080 }, app.fetch);
 * ```
 */
export function createApp(
  pipeline: Pipeline,
  hub: WsHub,
  server: ServerConfig,
  cluster?: ClusterRef,
): Hono {
  const app = new Hono();
  const started = Date.now();

  const requireToken = async (c: Context, next: Next) => {
    if (!server.token) {
      return c.json({
        error:
          "writes are disabled: no token configured (set server.token in the config or STREAMDET_TOKEN)",
      }, 403);
    }
    if (!bearerMatches(c.req.header("authorization"), server.token)) {
      c.header("WWW-Authenticate", 'Bearer realm="streamdet"');
      return c.json({
        error: "expected an Authorization: Bearer <token> header with the server's token",
      }, 401);
    }
    await next();
    return undefined;
  };

  app.onError((error, c) => c.json({ error: error.message }, 500));
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));

  app.get(
    "/health",
    (c) => c.json({ status: "ok", uptimeS: Math.round((Date.now() - started) / 1000) }),
  );
  app.get("/ready", (c) => {
    const readiness = pipeline.readiness();
    return c.json(readiness, readiness.ready ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    const text = await pipeline.metrics.registry.metrics();
    return c.text(text, 200, { "Content-Type": pipeline.metrics.registry.contentType });
  });
  app.get("/models", (c) => c.json({ models: pipeline.models() }));
  app.get("/streams", (c) => c.json({ streams: pipeline.streams() }));
  app.get("/streams/:id", (c) => {
    const info = pipeline.stream(c.req.param("id"));
    return info ? c.json(info) : c.json({ error: `no stream "${c.req.param("id")}"` }, 404);
  });
  app.get(
    "/cluster",
    (c) =>
      cluster?.node
        ? c.json(cluster.node.info())
        : c.json({ error: "not in cluster mode (serve --cluster nats://host:4222)" }, 404),
  );
  app.post("/streams", requireToken, async (c) => {
    const body = await readJson(c.req.raw, "a JSON stream object");
    if (body instanceof Response) return body;
    if (cluster?.node) {
      try {
        const record = await cluster.node.addStream(body, "POST /streams");
        return c.json(
          { ...record.config, cluster: "added: a node claims it within a second" },
          201,
        );
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === undefined) throw error;
        return c.json({ error: (error as Error).message }, status);
      }
    }
    try {
      const info = await pipeline.addStream(body, { name: "POST /streams", baseDir: Deno.cwd() });
      return c.json(info, 201);
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === undefined) throw error;
      if (!(error instanceof LimitError)) {
        return c.json({ error: (error as Error).message }, status);
      }
      // A stream refused once its source opened was started: its subscribers (a wildcard
      // took it) learn that it is gone.
      const id = (body as { id?: unknown }).id;
      if (typeof id === "string" && !pipeline.stream(id)) hub.streamRemoved(id);
      const { message, limit, requested, allowed } = error;
      return c.json({ error: message, limit, requested, allowed }, status);
    }
  });
  app.delete("/streams/:id", requireToken, async (c) => {
    const id = c.req.param("id") ?? "";
    if (cluster?.node) {
      if (!(await cluster.node.removeStream(id))) {
        return c.json({ error: `the cluster has no stream "${id}"` }, 404);
      }
      return c.body(null, 204);
    }
    if (!(await pipeline.removeStream(id))) return c.json({ error: `no stream "${id}"` }, 404);
    hub.streamRemoved(id);
    return c.body(null, 204);
  });
  app.get("/streams/:id/analytics", (c) => {
    const id = c.req.param("id");
    const info = pipeline.stream(id);
    if (!info) return c.json({ error: `no stream "${id}"` }, 404);
    const counts = pipeline.counts(id);
    if (!counts || !info.tracking) {
      return c.json({ error: `stream "${id}" has no tracking (set "tracking": true on it)` }, 404);
    }
    const { lines, zones } = pipeline.analyticsOf(id)!;
    return c.json({ tracking: info.tracking, lines, zones, counts });
  });
  for (const what of ["lines", "zones"] as const) {
    app.put(`/streams/:id/${what}`, requireToken, async (c) => {
      const id = c.req.param("id") ?? "";
      const body = await readJson(c.req.raw, `a JSON array of ${what}`);
      if (body instanceof Response) return body;
      try {
        const counts = pipeline.setAnalytics(id, what, body, `PUT /streams/${id}/${what}: body`);
        if (!counts) return c.json({ error: `no stream "${id}"` }, 404);
        return c.json({ ...pipeline.analyticsOf(id), counts });
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === undefined) throw error;
        return c.json({ error: (error as Error).message }, status);
      }
    });
  }
  app.get("/ws", (c) => hub.upgrade(c.req.raw));
  app.route("/", viewerRoutes());
  return app;
}

/** A request's JSON body, or the response refusing it (413 over {@link MAX_BODY}, 400 not
 * JSON). */
async function readJson(request: Request, expected: string): Promise<unknown> {
  const text = await request.text();
  if (text.length > MAX_BODY) {
    return Response.json(
      { error: `body: expected at most ${MAX_BODY} bytes, found ${text.length}` },
      { status: 413 },
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    return Response.json({
      error: `body: expected ${expected}, found ${JSON.stringify(text.slice(0, 40))}`,
    }, { status: 400 });
  }
}
