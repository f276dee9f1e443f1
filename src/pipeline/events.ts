/**
 * What a pipeline tells its listeners: one result per frame, and status events of its
 * streams, models and sinks.
 *
 * @module
 */

import type { DecoderTiming } from "../video/decoder_delay.ts";
import type { SourceState } from "../types.ts";
import type { Detections } from "../inference/postprocess.ts";
import type { FrameTimeline, LatencyBreakdown } from "./timeline.ts";
import type { Thumbnail } from "./thumbnail_encoder.ts";
import type { EventMessage } from "../wire/event_messages.ts";

/** The detections of one frame of a stream, with its timeline. */
export interface StreamResult {
  streamId: string;
  /** Model id (from the configuration). */
  model: string;
  /** Frame index in the stream: 0, 1, 2... across reconnects. */
  index: number;
  ptsMs: number;
  /** Source (native) frame size: the detections' coordinates are in these pixels. */
  width: number;
  height: number;
  detections: Detections;
  /** Streams with tracking: the track of each detection (0: not tracked, e.g. a low score
   * that matched no track, or a new track not yet confirmed). */
  trackIds?: Int32Array;
  /** Frames in the inference batch this frame ran in. */
  batchSize: number;
  timeline: FrameTimeline;
  latency: LatencyBreakdown;
  /** The decoder's reordering of this frame (live and real-time inputs, when ffmpeg's
   * log tells it): frames it held back, and for how long. */
  decoder?: DecoderTiming;
}

/** A JPEG of a frame's picture, for viewers (sent apart from its result, shortly after). */
export interface StreamThumbnail extends Thumbnail {
  streamId: string;
  index: number;
  ptsMs: number;
  /** Source frame size, which the thumbnail shows scaled to `width × height`. */
  sourceWidth: number;
  sourceHeight: number;
}

/** States of a stream: its source's states, and `starting` before the source opens. */
export type StreamState = SourceState | "starting";

/** A stream changed state (its source connected, reconnects, ended, failed...). */
export interface StreamStatusEvent {
  type: "stream";
  streamId: string;
  state: StreamState;
  /** Epoch ms. */
  at: number;
  attempt?: number;
  reason?: string;
  /** The input's picture size, when it opens and when it changes (see `SourceStatus`). */
  input?: { width: number; height: number };
  /** Something wrong with the input that does not change the state (see `SourceStatus`). */
  warning?: string;
}

/** A frame failed in the model (the stream goes on). */
export interface FrameErrorEvent {
  type: "frame-error";
  streamId: string;
  index: number;
  at: number;
  reason: string;
}

/** A model loaded (possibly on a fallback provider), or failed to load. */
export interface ModelStatusEvent {
  type: "model";
  model: string;
  state: "loading" | "loaded" | "fallback" | "failed" | "closed";
  at: number;
  provider?: string;
  reason?: string;
}

/** States of a sink (`src/sinks/`): its destination takes messages, is unreachable (it
 * keeps retrying and buffering), or its buffer is full and the oldest messages go. */
export type SinkState = "connected" | "disconnected" | "dropping";

/** A sink that delivers over a network (MQTT, NATS, webhook) changed state. */
export interface SinkStatusEvent {
  type: "sink";
  /** The sink's id (`id` in the configuration, else `<type>-<index>`). */
  sink: string;
  sinkType: "mqtt" | "nats" | "webhook";
  /** Its destination, without credentials. */
  url: string;
  state: SinkState;
  at: number;
  /** Failed connection attempts (or tries of a message) in a row. */
  attempt?: number;
  /** The error, when disconnected. */
  reason?: string;
  /** Messages dropped by this sink so far. */
  dropped?: number;
}

/** Any status event. */
export type StatusEvent = StreamStatusEvent | FrameErrorEvent | ModelStatusEvent | SinkStatusEvent;

/** An event of tracked objects (`track`, `line`, `zone`) or a stream's `counts`: the wire
 * message (`src/wire/event_messages.ts`) without its version, which publishers add. */
export type StreamEvent = EventMessage extends infer T ? T extends unknown ? Omit<T, "v"> : never
  : never;
