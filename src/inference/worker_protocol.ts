/**
 * Messages between the main thread and an inference worker. Tensors travel as
 * transferred `ArrayBuffer`s, never copied: the input buffer goes to the worker with the
 * request and comes back with the result, so the caller can fill it again.
 *
 * @module
 */

import type { FrameGeometry } from "../video/ffmpeg_args.ts";
import type { LoadModelOptions, ProviderName } from "./load_model.ts";
import type { ModelManifest } from "./manifest.ts";
import type { Detections, PostprocessOptions, PostprocessTiming } from "./postprocess.ts";

/** Element types of tensors that cross the thread boundary. */
export type WireType = "float32" | "int64" | "int32" | "uint8";

/** One tensor on the wire: its bytes (transferred), type and shape. */
export interface WireTensor {
  buffer: ArrayBuffer;
  byteOffset: number;
  length: number;
  type: WireType;
  dims: number[];
}

/** Main thread → worker. */
export type WorkerRequest =
  | {
    kind: "load";
    manifestPath: string;
    options: Omit<LoadModelOptions, "onWarning">;
  }
  | {
    kind: "run";
    id: number;
    /** `batch × 3 × H × W` floats (or `3 × H × W` for a CHW graph). */
    input: ArrayBuffer;
    batch: number;
    /** Post-process in the worker too: one geometry per image (padding excluded). */
    post?: {
      geometries: FrameGeometry[];
      options: PostprocessOptions;
      /** Per image: false skips its panoptic fusion (nobody asked for it). */
      fusion?: boolean[];
    };
  }
  | { kind: "close" };

/** Worker → main thread. */
export type WorkerReply =
  | {
    kind: "ready";
    manifest: ModelManifest;
    provider: ProviderName;
    warnings: string[];
  }
  | { kind: "load-error"; name: string; message: string }
  | {
    kind: "result";
    id: number;
    outputs: Record<string, WireTensor>;
    /** The request's input buffer, handed back for reuse. */
    input: ArrayBuffer;
    /** Milliseconds inside `session.run`. */
    runMs: number;
    /** One per geometry of the request's `post`. */
    detections?: Detections[];
    /** Milliseconds of post-processing. */
    postMs?: number;
    /** Per image: post-processing and fusion milliseconds, in the order they ran. */
    stages?: PostprocessTiming[];
  }
  | { kind: "run-error"; id: number; message: string; input: ArrayBuffer }
  | { kind: "closed" };

/**
 * A typed array's view of a wire tensor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const t = { buffer: new Float32Array([1, 2]).buffer, byteOffset: 0, length: 2, type: "float32" as const, dims: [2] };
 * assert.deepEqual([...(fromWire(t) as Float32Array)], [1, 2]);
 * ```
 */
export function fromWire(t: WireTensor): Float32Array | BigInt64Array | Int32Array | Uint8Array {
  switch (t.type) {
    case "float32":
      return new Float32Array(t.buffer, t.byteOffset, t.length);
    case "int64":
      return new BigInt64Array(t.buffer, t.byteOffset, t.length);
    case "int32":
      return new Int32Array(t.buffer, t.byteOffset, t.length);
    default:
      return new Uint8Array(t.buffer, t.byteOffset, t.length);
  }
}
