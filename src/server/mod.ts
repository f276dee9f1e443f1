/**
 * `streamdet/server`: serving a pipeline. {@link serve} starts the HTTP server (REST
 * routes, Prometheus `/metrics`, the WebSocket results protocol and the live viewer).
 * Needs what `./pipeline` needs, and `--allow-net`.
 *
 * @example
 * ```ts ignore
 * import { createPipeline, loadPipelineConfig } from "../pipeline/mod.ts";
 * import { serve } from "./mod.ts";
 * const config = await loadPipelineConfig("pipelines/demo.json");
 * const server = await serve(await createPipeline(config), config.server);
 * console.log(`viewer at ${server.url}`);
 * ```
 *
 * @module
 */

export { type RunningServer, serve } from "./serve.ts";
export {
  type ClientMessage,
  parseClientMessage,
  type SubscribeRequest,
  type Subscription,
} from "./ws_protocol.ts";
