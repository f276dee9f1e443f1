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
import { now } from "../clock.ts";
import { loadModel } from "./load_model.ts";
import { inputShape } from "./input_layout.ts";
import { joinInput } from "./input_parts.ts";
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
let inputType: "float32" | "uint8" = "float32";
let shape: (batch: number) => number[] = (b) => [b];
/** Buffers that per-image parts are joined into, by size: kept for the next run. */
const joined = new Map<number, ArrayBuffer>();
/** The runs, one after the other: `session.run` yields before it starts (onnxruntime-node
 * defers the native call with `setImmediate`), so without this chain a second request
 * would start while the first one's inference has not even begun, and both would stamp
 * a start long before their real one. */
let runs: Promise<void> = Promise.resolve();

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
      inputType = input.dtype;
      shape = (b) => inputShape(input, b);
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
    runs = runs.then(() => run(request));
  } else if (request.kind === "close") {
    await runs;
    await session?.release();
    session = undefined;
    postPort?.close();
    reply({ kind: "closed" });
    self.close();
  }
};

/** Runs one batch, stamping its start and end on the shared clock in this thread. */
async function run(request: Extract<WorkerRequest, { kind: "run" }>): Promise<void> {
  const { id, inputs, batch, post } = request;
  try {
    if (!session) throw new Error("no model loaded");
    if (post && !postPort) throw new Error("no post-processing worker");
    const dims = shape(batch);
    const data = joinInput(inputs, inputType, dims.reduce((a, b) => a * b, 1), joined);
    const tensor = new ort.Tensor(inputType, data, dims);
    const startedAt = now();
    const out = await session.run({ [inputName]: tensor });
    const endedAt = now();
    const { outputs, transfer } = toWire(out);
    if (post) {
      reply({ kind: "ran", id, inputs, startedAt, endedAt }, inputs);
      const message: PostRequest = { kind: "post", id, outputs, batch, post };
      postTransferring(postPort!, message, transfer);
    } else {
      reply({ kind: "result", id, outputs, inputs, startedAt, endedAt }, [...inputs, ...transfer]);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    reply({ kind: "run-error", id, message, inputs }, inputs);
  }
}
