/**
 * Messages between the main thread, an inference worker and its post-processing worker.
 * Tensors travel as transferred `ArrayBuffer`s, never copied: the input's buffers go to
 * the inference worker with the request and come back as soon as the run is over, so
 * the caller can fill them again (or, for frames lent as they were decoded, have them
 * back); a batch's raw outputs go from the inference worker to
 * the post-processing worker over a `MessagePort`, so that the next batch runs while
 * this one is post-processed.
 *
 * @module
 */

import type { FrameGeometry } from "../types.ts";
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

/** When a run began and ended: epoch ms on the shared clock (`now()`, src/clock.ts),
 * taken in the inference worker just before and after `session.run`. */
export interface RunStamps {
  startedAt: number;
  endedAt: number;
}

/** Main thread → worker. */
export type WorkerRequest =
  | {
    kind: "load";
    manifestPath: string;
    options: Omit<LoadModelOptions, "onWarning">;
    /** The post-processing worker's end of their channel. */
    post?: MessagePort;
  }
  | {
    kind: "run";
    id: number;
    /** The input tensor's bytes (float32 or uint8 as the manifest says), in parts that
     * the worker joins in order: one part holding the whole tensor (no copy), or one per
     * image (decoded frames lent as they are). Missing images of a fixed-size batch are
     * zeros. */
    inputs: ArrayBuffer[];
    /** Images in the tensor (the graph's batch, padding included). */
    batch: number;
    /** Post-process too (in the post-processing worker): one geometry per image
     * (padding excluded). */
    post?: PostSpec;
  }
  | { kind: "close" };

/** How a batch's images are post-processed. */
export interface PostSpec {
  geometries: FrameGeometry[];
  options: PostprocessOptions;
  /** Per image: false skips its panoptic fusion (nobody asked for it). */
  fusion?: boolean[];
}

/** Main thread or inference worker → post-processing worker. */
export type PostRequest =
  | { kind: "connect"; port: MessagePort }
  | { kind: "manifest"; manifest: ModelManifest }
  | {
    kind: "post";
    id: number;
    outputs: Record<string, WireTensor>;
    batch: number;
    post: PostSpec;
  }
  | { kind: "close" };

/** Post-processing worker → main thread. */
export type PostReply =
  | {
    kind: "posted";
    id: number;
    /** One per geometry of the request's `post`. */
    detections: Detections[];
    /** Milliseconds of post-processing, all images. */
    postMs: number;
    /** Per image, in the order they ran: post-processing and fusion milliseconds, and
     * the moments each ended (stamped in the post-processing worker). */
    stages: PostprocessTiming[];
  }
  | { kind: "post-error"; id: number; message: string };

/** Worker → main thread. */
export type WorkerReply =
  | {
    kind: "ready";
    manifest: ModelManifest;
    provider: ProviderName;
    warnings: string[];
  }
  | { kind: "load-error"; name: string; message: string }
  | ({
    kind: "result";
    id: number;
    outputs: Record<string, WireTensor>;
    /** The request's input buffers, handed back for reuse. */
    inputs: ArrayBuffer[];
  } & RunStamps)
  | ({
    /** A run with `post` is over; its outputs went to the post-processing worker. */
    kind: "ran";
    id: number;
    inputs: ArrayBuffer[];
  } & RunStamps)
  | { kind: "run-error"; id: number; message: string; inputs: ArrayBuffer[] }
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

/**
 * Wire tensors of a run's outputs, and the buffers to transfer with them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const { outputs, transfer } = toWire({ s: { data: new Float32Array([1]), dims: [1], type: "float32" } });
 * assert.deepEqual(outputs.s.dims, [1]);
 * assert.equal(transfer.length, 1);
 * ```
 */
export function toWire(
  out: Record<string, { data: unknown; dims: readonly number[]; type: string }>,
): { outputs: Record<string, WireTensor>; transfer: ArrayBuffer[] } {
  const outputs: Record<string, WireTensor> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [name, t] of Object.entries(out)) {
    const data = t.data as Float32Array | BigInt64Array | Int32Array | Uint8Array;
    const buffer = data.buffer as ArrayBuffer;
    outputs[name] = {
      buffer,
      byteOffset: data.byteOffset,
      length: data.length,
      type: t.type as WireType,
      dims: [...t.dims],
    };
    if (!transfer.includes(buffer)) transfer.push(buffer);
  }
  return { outputs, transfer };
}

/**
 * Posts `message` with `transfer`; where a buffer cannot be detached (ONNX Runtime
 * allocated it outside the JavaScript heap), posts a copy instead.
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const data = new Float32Array([1, 2]);
 * postTransferring(port1, { data }, [data.buffer]);
 * port1.close();
 * port2.close();
 * ```
 */
export function postTransferring(
  target: { postMessage(message: unknown, transfer: Transferable[]): void },
  message: unknown,
  transfer: Transferable[],
): void {
  try {
    target.postMessage(message, transfer);
  } catch {
    target.postMessage(message, []);
  }
}
