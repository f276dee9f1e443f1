/**
 * The inference worker: owns one ONNX Runtime session, so that `session.run` (which
 * blocks its thread for the whole inference) never runs on the thread that serves HTTP
 * and WebSockets. Started by `WorkerSession`; speaks {@link WorkerRequest} /
 * {@link WorkerReply}. A run that asks for post-processing hands its outputs to the
 * post-processing worker (`postprocess_worker.ts`) and takes the next run at once.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import * as ort from "onnxruntime-node";
import { loadModel } from "./load_model.ts";
import {
  type PostRequest,
  postTransferring,
  toWire,
  type WorkerReply,
  type WorkerRequest,
} from "./worker_protocol.ts";

let session: ort.InferenceSession | undefined;
let postPort: MessagePort | undefined;
let inputName = "images";
let shape: (batch: number) => number[] = (b) => [b];

function reply(message: WorkerReply, transfer: Transferable[] = []): void {
  postTransferring(self, message, transfer);
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.kind === "load") {
    postPort = request.post;
    try {
      const model = await loadModel(request.manifestPath, {
        ...request.options,
        onWarning: () => {},
      });
      session = model.session;
      const { input } = model.manifest;
      inputName = input.name;
      shape = input.layout === "NCHW"
        ? (b) => [b, 3, input.height, input.width]
        : () => [3, input.height, input.width];
      postPort?.postMessage({ kind: "manifest", manifest: model.manifest } satisfies PostRequest);
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
      if (post && !postPort) throw new Error("no post-processing worker");
      const tensor = new ort.Tensor("float32", new Float32Array(input), shape(batch));
      const t0 = performance.now();
      const out = await session.run({ [inputName]: tensor });
      const runMs = performance.now() - t0;
      const { outputs, transfer } = toWire(out);
      if (post) {
        reply({ kind: "ran", id, input, runMs }, [input]);
        const message: PostRequest = { kind: "post", id, outputs, batch, post };
        postTransferring(postPort!, message, transfer);
      } else {
        reply({ kind: "result", id, outputs, input, runMs }, [input, ...transfer]);
      }
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
    postPort?.close();
    reply({ kind: "closed" });
    self.close();
  }
};
