/**
 * An ONNX Runtime session in a Web Worker, driven from the main thread.
 *
 * @module
 */

import { ManifestError, ModelLoadError, StreamdetError } from "../errors.ts";
import type { LoadModelOptions, ProviderName } from "./load_model.ts";
import type { ModelManifest } from "./manifest.ts";
import type { TensorLike } from "./raw_outputs.ts";
import type { Detections, PostprocessTiming } from "./postprocess.ts";
import {
  fromWire,
  type PostReply,
  type PostRequest,
  type PostSpec,
  type WorkerReply,
  type WorkerRequest,
} from "./worker_protocol.ts";
import { now } from "../clock.ts";
import type { InputArray } from "./input_parts.ts";

export type { InputArray };

/** What one run gives back. */
export interface WorkerRunResult<T extends InputArray = Float32Array> {
  /** Outputs by tensor name (empty when post-processed: they went to the
   * post-processing worker). */
  outputs: Record<string, TensorLike>;
  /** The input array (the first, when it was sent in parts), handed back for reuse. */
  input: T;
  /** Every part of the input, handed back in the order they were sent. */
  inputs: T[];
  /** Epoch ms just before `session.run`, stamped in the inference worker. */
  startedAt: number;
  /** Epoch ms just after `session.run`, stamped in the inference worker. */
  endedAt: number;
  /** Milliseconds inside `session.run` (`endedAt - startedAt`). */
  runMs: number;
  /** Post-processed detections, one per geometry, when asked for. */
  detections?: Detections[];
  /** Milliseconds of post-processing in the post-processing worker. */
  postMs?: number;
  /** Per image, in the order they ran: post-processing and fusion milliseconds and the
   * moments each ended, stamped in the post-processing worker. */
  stages?: PostprocessTiming[];
  /** Epoch ms when the main thread had the whole answer (outputs or detections). */
  doneAt: number;
}

/** The first part of a run's answer: the session is free again, post-processing may go on. */
export interface RanInfo<T extends InputArray = Float32Array> {
  /** The input array (the first part), handed back for reuse. */
  input: T;
  /** Every part of the input, handed back. */
  inputs: T[];
  /** Epoch ms, stamped in the inference worker around `session.run`. */
  startedAt: number;
  endedAt: number;
}

interface PendingRun {
  resolve: (r: WorkerRunResult<InputArray>) => void;
  reject: (e: Error) => void;
  onRan?: (info: RanInfo<InputArray>) => void;
  ran?: RanInfo<InputArray>;
  posted?: PostReply;
  /** Makes the arrays handed back of the type that was sent. */
  wrap: (b: ArrayBuffer) => InputArray;
}

/**
 * One model session on its own thread, with a second thread for post-processing. `run()`
 * transfers the input's buffers to the worker (no copy) and returns them with the outputs;
 * the main thread stays free meanwhile. A run with `post` frees the session as soon as
 * the inference is over (`onRan`): its outputs go straight to the post-processing
 * thread, so that the next batch can run while this one is post-processed.
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
  #postWorker: Worker;
  #pending = new Map<number, PendingRun>();
  #nextId = 0;
  #closed = false;

  private constructor(
    worker: Worker,
    postWorker: Worker,
    ready: Extract<WorkerReply, { kind: "ready" }>,
  ) {
    this.#worker = worker;
    this.#postWorker = postWorker;
    this.manifest = ready.manifest;
    this.provider = ready.provider;
    this.warnings = ready.warnings;
    worker.onmessage = (event: MessageEvent<WorkerReply>) => this.#onReply(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#failAll(new ModelLoadError(`inference worker crashed: ${event.message}`));
    };
    postWorker.onmessage = (event: MessageEvent<PostReply>) => this.#onPosted(event.data);
    postWorker.onerror = (event) => {
      event.preventDefault();
      this.#failAll(new StreamdetError(`post-processing worker crashed: ${event.message}`));
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
    const postWorker = new Worker(new URL("./postprocess_worker.ts", import.meta.url).href, {
      type: "module",
    });
    const channel = new MessageChannel();
    postWorker.postMessage(
      { kind: "connect", port: channel.port2 } satisfies PostRequest,
      [channel.port2],
    );
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        worker.terminate();
        postWorker.terminate();
        reject(error);
      };
      postWorker.onerror = (event) => {
        event.preventDefault();
        fail(new ModelLoadError(`post-processing worker failed to start: ${event.message}`));
      };
      worker.onmessage = (event: MessageEvent<WorkerReply>) => {
        const reply = event.data;
        if (reply.kind === "ready") {
          resolve(new WorkerSession(worker, postWorker, reply));
        } else if (reply.kind === "load-error") {
          postWorker.terminate();
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
        fail(new ModelLoadError(`inference worker failed to start: ${event.message}`));
      };
      const request: WorkerRequest = { kind: "load", manifestPath, options, post: channel.port1 };
      worker.postMessage(request, [channel.port1]);
    });
  }

  /**
   * Runs a batch of `batch` images (the graph's batch, padding included). The input is
   * the whole tensor in the manifest's element type (`Float32Array` for a float32 graph,
   * `Uint8Array` for a uint8 one), or a list of parts the worker joins in order, e.g. one
   * decoded frame per image; missing images of the batch are zeros. Every part's buffer
   * is transferred (detached here until the session hands it back). With `post`, each
   * image is also post-processed, on the post-processing thread. `onRan` is called as
   * soon as the inference is over, with the input: the session takes the next run from
   * then on. Runs queue in the worker in the order they were asked for.
   */
  run<T extends InputArray>(
    input: T | readonly T[],
    batch: number,
    post?: PostSpec,
    onRan?: (info: RanInfo<T>) => void,
  ): Promise<WorkerRunResult<T>> {
    if (this.#closed) {
      return Promise.reject(new Error("WorkerSession.run(): the session is closed"));
    }
    // A view into a larger buffer is sent as just its bytes.
    const parts = (ArrayBuffer.isView(input) ? [input as T] : [...input as readonly T[]]).map((
      p,
    ) => p.byteOffset !== 0 || p.byteLength !== p.buffer.byteLength ? p.slice() as T : p);
    const wrap = parts[0] instanceof Float32Array
      ? (b: ArrayBuffer) => new Float32Array(b)
      : (b: ArrayBuffer) => new Uint8Array(b);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {
        resolve: resolve as (r: WorkerRunResult<InputArray>) => void,
        reject,
        onRan: onRan as ((info: RanInfo<InputArray>) => void) | undefined,
        wrap,
      });
      const inputs = parts.map((p) => p.buffer as ArrayBuffer);
      const request: WorkerRequest = { kind: "run", id, inputs, batch, post };
      this.#worker.postMessage(request, inputs);
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
    this.#postWorker.terminate();
    this.#failAll(new Error("WorkerSession closed before the run finished"));
  }

  #onReply(reply: WorkerReply): void {
    const pending = "id" in reply ? this.#pending.get(reply.id) : undefined;
    if (!pending) return;
    if (reply.kind === "result") {
      this.#pending.delete(reply.id);
      const outputs: Record<string, TensorLike> = {};
      for (const [name, t] of Object.entries(reply.outputs)) {
        outputs[name] = { data: fromWire(t), dims: t.dims };
      }
      const ran = this.#ran(pending, reply);
      pending.resolve({ outputs, ...ran, runMs: ran.endedAt - ran.startedAt, doneAt: now() });
    } else if (reply.kind === "ran") {
      this.#ran(pending, reply);
      if (pending.posted) this.#finish(reply.id, pending);
    } else if (reply.kind === "run-error") {
      this.#pending.delete(reply.id);
      // The input comes back on failure too (frames lent to the run are the caller's again).
      const at = now();
      this.#ran(pending, { inputs: reply.inputs, startedAt: at, endedAt: at });
      pending.reject(new StreamdetError(`inference failed: ${reply.message}`));
    }
  }

  #ran(
    pending: PendingRun,
    reply: { inputs: ArrayBuffer[]; startedAt: number; endedAt: number },
  ): RanInfo<InputArray> {
    const inputs = reply.inputs.map(pending.wrap);
    const ran = { input: inputs[0], inputs, startedAt: reply.startedAt, endedAt: reply.endedAt };
    pending.ran = ran;
    pending.onRan?.(ran);
    return ran;
  }

  #onPosted(reply: PostReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    pending.posted = reply;
    if (pending.ran) this.#finish(reply.id, pending);
  }

  /** Settles a post-processed run once both its halves are here (the session is told
   * it is free before its caller hears of a post-processing failure). */
  #finish(id: number, pending: PendingRun): void {
    this.#pending.delete(id);
    const { ran, posted } = pending;
    if (posted!.kind === "post-error") {
      pending.reject(new StreamdetError(`post-processing failed: ${posted!.message}`));
      return;
    }
    pending.resolve({
      outputs: {},
      ...ran!,
      runMs: ran!.endedAt - ran!.startedAt,
      detections: posted!.detections,
      postMs: posted!.postMs,
      stages: posted!.stages,
      doneAt: now(),
    });
  }

  #failAll(error: Error): void {
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
}
