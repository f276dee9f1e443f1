/**
 * `streamdet/pipeline`: the runtime. {@link createPipeline} wires sources, models and
 * post-processing from a configuration ({@link loadPipelineConfig} reads a file,
 * {@link resolvePipelineConfig} checks an object), publishes one result per frame with
 * its latency timeline, and reports status events and Prometheus metrics. Needs what
 * `./video` and `./inference` need.
 *
 * @example
 * ```ts ignore
 * import { createPipeline, loadPipelineConfig } from "./mod.ts";
 * const pipeline = await createPipeline(await loadPipelineConfig("pipelines/demo.json"));
 * pipeline.on("result", (r) => console.log(r.streamId, r.index, r.latency.totalMs));
 * await pipeline.stop();
 * ```
 *
 * @module
 */

export { CapacityError, ConfigError, ConflictError, LimitError } from "../errors.ts";
export {
  type ConfigOrigin,
  type LimitsConfig,
  type LogLevel,
  type ModelConfig,
  type PipelineConfig,
  resolvePipelineConfig,
  resolveStreamConfig,
  type ServerConfig,
  type SinkConfig,
  type StreamConfig,
} from "./config.ts";
export { loadPipelineConfig } from "./load_config.ts";
export {
  createPipeline,
  type ModelInfo,
  Pipeline,
  type PipelineOptions,
  type Readiness,
} from "./pipeline.ts";
export type { StreamInfo } from "./stream_runner.ts";
export { statusLevel, StatusLog } from "./status_log.ts";
export type {
  FrameErrorEvent,
  ModelStatusEvent,
  SinkState,
  SinkStatusEvent,
  StatusEvent,
  StreamResult,
  StreamState,
  StreamStatusEvent,
  StreamThumbnail,
} from "./events.ts";
export {
  type FrameTimeline,
  type LatencyBreakdown,
  latencyBreakdown,
  type StageName,
  STAGES,
} from "./timeline.ts";
export {
  type DetectionMessage,
  type PanopticSegmentMessage,
  type ResultFilter,
  type ResultMessage,
  resultMessage,
  SCHEMA_VERSION,
} from "./result_message.ts";
