/**
 * `streamdet/sinks`: where results go besides the WebSocket: JSON Lines files of result
 * messages ({@link JsonlSink}), MQTT brokers ({@link openMqttSink}), NATS
 * ({@link openNatsSink}), webhooks ({@link openWebhookSink}, signed: {@link verifySignature}
 * checks a request), all opened for a pipeline's configuration by {@link openSinks}; COCO
 * results ({@link cocoResults}), and annotated videos ({@link AnnotatedVideoWriter},
 * {@link drawOverlay}); outputs are written atomically (a temporary file renamed into
 * place), so a reader never sees half a file. Needs `--allow-write` (and `--allow-run` for
 * the annotated video's ffmpeg; `--allow-net` and `--allow-env` for the network sinks).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cocoResults } from "./mod.ts";
 * const entries = cocoResults({ frame: 6, detections: [
 *   { box: [10, 20, 30, 60], classId: 2, label: "person", score: 0.9 },
 * ] });
 * assert.deepEqual(entries, [{ image_id: 7, category_id: 2, bbox: [10, 20, 20, 40], score: 0.9 }]);
 * ```
 *
 * @module
 */

export { JsonlSink } from "./jsonl_sink.ts";
export { openSinks, type OpenSinksOptions, sinkIds } from "./open_sinks.ts";
export type { EnvReader, Sink, SinkHost, SinkStats } from "./sink.ts";
export { CLOSE_DRAIN_MS, type NetworkSink, type NetworkSinkOptions } from "./network_sink.ts";
export { MQTT_ENV, openMqttSink } from "./mqtt_sink.ts";
export { NATS_ENV, openNatsSink } from "./nats_sink.ts";
export { openWebhookSink, WEBHOOK_SECRET_ENV } from "./webhook_sink.ts";
export { SIGNATURE_HEADER, signBody, signingKey, verifySignature } from "./webhook_signature.ts";
export type { DeliveryOutcome } from "./delivery_queue.ts";
export type { MessageKind, SinkCounts } from "./sink_metrics.ts";
export { cocoResults } from "./coco_results.ts";
export { atomicWriteFile, atomicWriteText } from "./atomic_file.ts";
export {
  AnnotatedVideoError,
  type AnnotatedVideoOptions,
  type AnnotatedVideoSummary,
  AnnotatedVideoWriter,
} from "./annotated_video.ts";
export { drawOverlay, type OverlayOptions } from "./overlay.ts";
export { drawSkeletons, type SkeletonStyle } from "./skeleton_draw.ts";
