/**
 * Serves a pipeline over HTTP and WebSocket with `Deno.serve`, and shuts it all down
 * cleanly: clients told, sources stopped, no ffmpeg child left.
 *
 * @module
 */

import type { Pipeline } from "../pipeline/pipeline.ts";
import type { ServerConfig } from "../pipeline/config.ts";
import { type ClusterRef, createApp } from "./app.ts";
import { WsHub } from "./ws_hub.ts";

/** A running server. */
export interface RunningServer {
  /** `http://host:port` it listens on. */
  url: string;
  port: number;
  hub: WsHub;
  /** Closes the clients (status message, close code 1001), stops the pipeline, then the
   * listener. */
  shutdown(): Promise<void>;
  /** Resolves once shut down. */
  finished: Promise<void>;
}

/**
 * Starts serving `pipeline` on `server.hostname:server.port` (port 0: any free port).
 *
 * @example
 * ```ts ignore
 * const running = await serve(pipeline, config.server);
 * console.log(`viewer: ${running.url}/`);
 * await running.shutdown();
 * ```
 */
export function serve(
  pipeline: Pipeline,
  server: ServerConfig,
  { cluster }: { cluster?: ClusterRef } = {},
): Promise<RunningServer> {
  const hub = new WsHub(pipeline, server);
  const app = createApp(pipeline, hub, server, cluster);
  return new Promise((resolve, reject) => {
    let httpServer: Deno.HttpServer<Deno.NetAddr>;
    try {
      httpServer = Deno.serve({
        hostname: server.hostname,
        port: server.port,
        onListen: () => {},
      }, app.fetch);
    } catch (error) {
      reject(error);
      return;
    }
    let stopping: Promise<void> | undefined;
    const shutdown = () =>
      stopping ??= (async () => {
        hub.announceShutdown();
        await pipeline.stop();
        hub.close();
        await httpServer.shutdown();
      })();
    const { hostname, port } = httpServer.addr;
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    resolve({
      url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
      port,
      hub,
      shutdown,
      finished: httpServer.finished,
    });
  });
}
