/**
 * `streamdet/wire`: the external formats of the runtime, one zod 4 schema each, with their
 * TypeScript types: the pipeline configuration, the model manifest, the WebSocket client
 * and server messages, the result message (also one line of a JSON Lines results file),
 * and the COCO / panoptic files the evaluation reads. A client can validate what it
 * receives with them; {@link parseWire} / {@link checkWire} report issues in the
 * project's style (`<where>: <field>: expected <what>, found <what>`). The JSON Schema
 * files under `schemas/` are made from the same schemas ({@link WIRE_FORMATS}). This entry
 * imports nothing native and needs no permission.
 *
 * @example Check a message a client received
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWire, ServerMessageSchema } from "./mod.ts";
 * const issues = checkWire(ServerMessageSchema, { v: 3, type: "dropped", count: -1, total: 3 });
 * assert.deepEqual(issues.map((i) => [i.path.join("."), i.expected]), [["count", "an integer >= 1"]]);
 * ```
 *
 * @module
 */

export { checkWire, parseWire, type WireErrorClass, wireMessage } from "./parse.ts";
export { fieldPath, formatIssue, type WireIssue } from "./issues.ts";
export { jsonSchemaOf, type WireFormat } from "./json_schema.ts";
export { WIRE_FORMATS } from "./formats.ts";

// Results and WebSocket messages
export {
  type DetectionMessage,
  DetectionMessageSchema,
  type LatencyBreakdown,
  LatencySchema,
  type PanopticSegmentMessage,
  PanopticSegmentMessageSchema,
  type ResultMessage,
  ResultMessageSchema,
  type RleMessage,
  RleSchema,
  SCHEMA_VERSION,
  type StageName,
  STAGES,
} from "./result_message.ts";
export {
  AnyResultMessageSchema,
  type ResultMessageV1,
  ResultMessageV1Schema,
  ResultMessageV2Schema,
  upgradeResultMessageV1,
} from "./result_message_v1.ts";
export {
  type CountsMessage,
  CountsMessageSchema,
  type EventMessage,
  EventMessageSchema,
  type LineCountsMessage,
  type LineEventMessage,
  type TrackEventMessage,
  type ZoneCountsMessage,
  type ZoneEventMessage,
} from "./event_messages.ts";
export {
  type ClientMessage,
  ClientMessageSchema,
  type PingRequest,
  type SubscribeRequest,
  SubscribeRequestSchema,
  type UnsubscribeRequest,
} from "./ws_client_messages.ts";
export {
  type DroppedMessage,
  type ErrorMessage,
  type HelloMessage,
  type PongMessage,
  type ServerMessage,
  ServerMessageSchema,
  type StatusMessage,
  type SubscribedMessage,
  type ThumbnailMessage,
} from "./ws_server_messages.ts";

// Configuration and models
export { type PipelineConfigFile, PipelineConfigSchema } from "./pipeline_config.ts";
export { StreamConfigSchema } from "./stream_config.ts";
export {
  type AnchorName,
  type LineConfig,
  LineConfigSchema,
  type TrackingConfig,
  TrackingConfigSchema,
  type ZoneConfig,
  ZoneConfigSchema,
} from "./analytics_config.ts";
export { type ManifestFile, ManifestSchema, MODEL_KINDS, type ModelKind } from "./manifest.ts";
export {
  COCO_KEYPOINT_NAMES,
  COCO_SKELETON,
  KEYPOINT_ENCODINGS,
  type KeypointSpec,
  KeypointSpecSchema,
} from "./keypoint_spec.ts";
export { NMS_KINDS, type NmsKind } from "./nms_kinds.ts";
export { type ProviderName, PROVIDERS } from "./providers.ts";

// Evaluation inputs
export { CocoGroundTruthSchema, CocoResultsSchema } from "./coco.ts";
export { PanopticRleJsonSchema } from "./panoptic.ts";
export * from "./subjects.ts";
