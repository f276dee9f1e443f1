/**
 * The inference worker: owns one ONNX Runtime session, so that `session.run` (which
 * blocks its thread for the whole inference) never runs on the thread that serves HTTP
 * and WebSockets. Started by `WorkerSession`; speaks {@link WorkerRequest} /
 * {@link WorkerReply}.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import * as ort from "onnxruntime-node";
import { loadModel } from "./load_model.ts";
import type { ModelManifest } from "./manifest.ts";
import { type Detections, postprocess, type PostprocessTiming } from "./postprocess.ts";
import { splitRawOutputs } from "./raw_outputs.ts";
import type { WireTensor, WireType, WorkerReply, WorkerRequest } from "./worker_protocol.ts";

let session: ort.InferenceSession | undefined;
let manifest: ModelManifest | undefined;
let inputName = "images";
let shape: (batch: number) => number[] = (b) => [b];

function reply(message: WorkerReply, transfer: Transferable[] = []): void {
  try {
    self.postMessage(message, transfer);
  } catch {
    // Buffers ORT allocated outside the JS heap cannot be detached: send copies.
    self.postMessage(message);
  }
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.kind === "load") {
    try {
      const model = await loadModel(request.manifestPath, {
        ...request.options,
        onWarning: () => {},
      });
      session = model.session;
      manifest = model.manifest;
      const { input } = model.manifest;
      inputName = input.name;
      shape = input.layout === "NCHW"
        ? (b) => [b, 3, input.height, input.width]
        : () => [3, input.height, input.width];
      reply({
        kind: "ready",
        manifest: model.manifest,
        provider: model.provider,
        warnings: model.warnings,
      });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      reply({ kind: "load-error", name: e.name, message: e.message });
    }
  } else if (request.kind === "run") {
    const { id, input, batch, post } = request;
    try {
      if (!session) throw new Error("no model loaded");
      const tensor = new ort.Tensor("float32", new Float32Array(input), shape(batch));
      const t0 = performance.now();
      const out = await session.run({ [inputName]: tensor });
      const runMs = performance.now() - t0;
      const outputs: Record<string, WireTensor> = {};
      const transfer: Transferable[] = [input];
      for (const [name, t] of Object.entries(out)) {
        const data = t.data as Float32Array | BigInt64Array | Int32Array | Uint8Array;
        outputs[name] = {
          buffer: data.buffer as ArrayBuffer,
          byteOffset: data.byteOffset,
          length: data.length,
          type: t.type as WireType,
          dims: [...t.dims],
        };
        if (!transfer.includes(data.buffer as ArrayBuffer)) {
          transfer.push(data.buffer as ArrayBuffer);
        }
      }
      let detections: Detections[] | undefined, postMs: number | undefined;
      let stages: PostprocessTiming[] | undefined;
      if (post && manifest) {
        const t1 = performance.now();
        const raws = splitRawOutputs(out, batch, manifest);
        stages = post.geometries.map(() => ({ postMs: 0, fusionMs: 0 }));
        const noFusion = { ...post.options, panoptic: false as const };
        detections = post.geometries.map((g, i) =>
          postprocess(raws[i], g, post.fusion?.[i] === false ? noFusion : post.options, stages![i])
        );
        postMs = performance.now() - t1;
      }
      reply({ kind: "result", id, outputs, input, runMs, detections, postMs, stages }, transfer);
    } catch (error) {
      reply({
        kind: "run-error",
        id,
        message: error instanceof Error ? error.message : String(error),
        input,
      }, [
        input,
      ]);
    }
  } else if (request.kind === "close") {
    await session?.release();
    session = undefined;
    reply({ kind: "closed" });
    self.close();
  }
};
