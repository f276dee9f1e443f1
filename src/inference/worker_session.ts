/**
 * An ONNX Runtime session in a Web Worker, driven from the main thread.
 *
 * @module
 */

import { ManifestError, ModelLoadError, StreamdetError } from "../errors.ts";
import type { FrameGeometry } from "../video/ffmpeg_args.ts";
import type { LoadModelOptions, ProviderName } from "./load_model.ts";
import type { ModelManifest } from "./manifest.ts";
import type { TensorLike } from "./raw_outputs.ts";
import type { Detections, PostprocessOptions, PostprocessTiming } from "./postprocess.ts";
import { fromWire, type WorkerReply, type WorkerRequest } from "./worker_protocol.ts";

/** What one run gives back. */
export interface WorkerRunResult {
  /** Outputs by tensor name. */
  outputs: Record<string, TensorLike>;
  /** The input array, handed back by the worker for reuse. */
  input: Float32Array;
  /** Milliseconds inside `session.run`, measured in the worker. */
  runMs: number;
  /** Post-processed detections, one per geometry, when asked for. */
  detections?: Detections[];
  /** Milliseconds of post-processing in the worker. */
  postMs?: number;
  /** Per image: post-processing and fusion milliseconds, in the order they ran. */
  stages?: PostprocessTiming[];
}

/**
 * One model session on its own thread. `run()` transfers the input's buffer to the worker
 * (no copy) and returns it with the outputs; the main thread stays free meanwhile.
 *
 * @example
 * ```ts ignore
 * const session = await WorkerSession.start("models/street-maskrcnn/manifest.json");
 * const { outputs, input } = await session.run(new Float32Array(3 * 288 * 512), 1);
 * await session.close();
 * ```
 */
export class WorkerSession {
  readonly manifest: ModelManifest;
  /** The provider the worker's session runs on. */
  readonly provider: ProviderName;
  /** Providers skipped while loading, and why. */
  readonly warnings: string[];
  #worker: Worker;
  #pending = new Map<
    number,
    { resolve: (r: WorkerRunResult) => void; reject: (e: Error) => void }
  >();
  #nextId = 0;
  #closed = false;

  private constructor(worker: Worker, ready: Extract<WorkerReply, { kind: "ready" }>) {
    this.#worker = worker;
    this.manifest = ready.manifest;
    this.provider = ready.provider;
    this.warnings = ready.warnings;
    worker.onmessage = (event: MessageEvent<WorkerReply>) => this.#onReply(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#failAll(new ModelLoadError(`inference worker crashed: ${event.message}`));
    };
  }

  /** Starts a worker and loads the model in it (see `loadModel` for the errors). */
  static start(
    manifestPath: string,
    options: Omit<LoadModelOptions, "onWarning"> = {},
  ): Promise<WorkerSession> {
    const worker = new Worker(new URL("./inference_worker.ts", import.meta.url).href, {
      type: "module",
    });
    return new Promise((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<WorkerReply>) => {
        const reply = event.data;
        if (reply.kind === "ready") {
          resolve(new WorkerSession(worker, reply));
        } else if (reply.kind === "load-error") {
          worker.terminate();
          reject(
            reply.name === "ManifestError"
              ? new ManifestError(reply.message)
              : reply.name === "RangeError"
              ? new RangeError(reply.message)
              : new ModelLoadError(reply.message),
          );
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        worker.terminate();
        reject(new ModelLoadError(`inference worker failed to start: ${event.message}`));
      };
      const request: WorkerRequest = { kind: "load", manifestPath, options };
      worker.postMessage(request);
    });
  }

  /**
   * Runs a batch of `batch` images; `input`'s buffer is transferred (detached here until
   * the result hands it back). With `post`, the worker also post-processes each image.
   */
  run(
    input: Float32Array,
    batch: number,
    post?: { geometries: FrameGeometry[]; options: PostprocessOptions; fusion?: boolean[] },
  ): Promise<WorkerRunResult> {
    if (this.#closed) {
      return Promise.reject(new Error("WorkerSession.run(): the session is closed"));
    }
    if (input.byteOffset !== 0 || input.byteLength !== input.buffer.byteLength) {
      input = input.slice(); // a view into a larger buffer: send just its bytes
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const buffer = input.buffer as ArrayBuffer;
      const request: WorkerRequest = { kind: "run", id, input: buffer, batch, post };
      this.#worker.postMessage(request, [buffer]);
    });
  }

  /** Releases the session and stops the worker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.#worker.onmessage = (event: MessageEvent<WorkerReply>) => {
        if (event.data.kind === "closed") {
          clearTimeout(timer);
          resolve();
        } else this.#onReply(event.data);
      };
    });
    this.#worker.postMessage({ kind: "close" } satisfies WorkerRequest);
    await closed;
    this.#worker.terminate();
    this.#failAll(new Error("WorkerSession closed before the run finished"));
  }

  #onReply(reply: WorkerReply): void {
    if (reply.kind === "result") {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      const outputs: Record<string, TensorLike> = {};
      for (const [name, t] of Object.entries(reply.outputs)) {
        outputs[name] = { data: fromWire(t), dims: t.dims };
      }
      pending?.resolve({
        outputs,
        input: new Float32Array(reply.input),
        runMs: reply.runMs,
        detections: reply.detections,
        postMs: reply.postMs,
        stages: reply.stages,
      });
    } else if (reply.kind === "run-error") {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      pending?.reject(new StreamdetError(`inference failed: ${reply.message}`));
    }
  }

  #failAll(error: Error): void {
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
}
