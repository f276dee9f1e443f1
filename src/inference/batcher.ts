/**
 * Cross-stream batching, as DeepStream's nvstreammux (`batched-push-timeout`) and
 * Triton's dynamic batcher (`max_queue_delay`): frames from every stream that uses one
 * model are gathered into a batch that closes at `maxBatch` frames or `maxWaitMs` after
 * its first frame, whichever comes first, and runs on the first free worker session.
 * A full batch may also be handed to a busy session, to run as soon as its current one
 * is over: the session then never waits for the main thread's pre-processing.
 *
 * @module
 */

import type { Frame } from "../types.ts";
import type { FrameGeometry } from "../types.ts";
import { checkInteger, checkNumber } from "../geometry/validate.ts";
import type { Detections, PostprocessOptions } from "./postprocess.ts";
import { preprocess } from "./preprocess.ts";
import type { WorkerSession } from "./worker_session.ts";
import type { ModelManifest } from "./manifest.ts";
import { now } from "../clock.ts";

/** The largest batch a model runs unless told otherwise (fewer when its graph accepts fewer). */
export const DEFAULT_MAX_BATCH = 4;

/** What a manifest's input says of the batches its graph accepts. */
export interface GraphBatch {
  layout: ModelManifest["input"]["layout"];
  batch: readonly number[] | "dynamic";
}

/**
 * The largest batch a graph's input accepts, from its manifest: 1 for a single-image
 * (CHW) graph, the largest of the fixed sizes it was exported with, or `Infinity` for a
 * dynamic batch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(graphMaxBatch({ layout: "CHW", batch: [1] }), 1);
 * assert.equal(graphMaxBatch({ layout: "NCHW", batch: [1, 2, 4] }), 4);
 * assert.equal(graphMaxBatch({ layout: "NCHW", batch: "dynamic" }), Infinity);
 * ```
 */
export function graphMaxBatch(input: GraphBatch): number {
  if (input.layout === "CHW") return 1;
  return input.batch === "dynamic" ? Infinity : Math.max(...input.batch);
}

/**
 * The batch size a model runs with: `requested` when its graph accepts it, else a
 * `RangeError` that names both (`fn(): options.maxBatch: expected at most 1, ... found
 * 4`); with nothing requested, the largest the graph accepts, at most
 * {@link DEFAULT_MAX_BATCH}. `graph` names the graph in the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const single = { layout: "CHW", batch: [1] } as const;
 * assert.equal(resolveMaxBatch({ layout: "NCHW", batch: "dynamic" }, undefined, "f"), 4);
 * assert.equal(resolveMaxBatch(single, undefined, "f"), 1);
 * assert.throws(() => resolveMaxBatch(single, 4, "f", "m/model.onnx"), {
 *   message:
 *     "f(): options.maxBatch: expected at most 1, the largest batch m/model.onnx accepts (one CHW image), found 4",
 * });
 * ```
 */
export function resolveMaxBatch(
  input: GraphBatch,
  requested: number | undefined,
  fn: string,
  graph = "the graph",
): number {
  const largest = graphMaxBatch(input);
  const maxBatch = requested ?? Math.min(DEFAULT_MAX_BATCH, largest);
  checkInteger(fn, "options.maxBatch", maxBatch, 1);
  if (maxBatch > largest) {
    const accepts = input.layout === "CHW"
      ? "one CHW image"
      : `fixed batch sizes ${(input.batch as readonly number[]).join(", ")}`;
    throw new RangeError(
      `${fn}(): options.maxBatch: expected at most ${largest}, the largest batch ${graph} accepts (${accepts}), found ${maxBatch}`,
    );
  }
  return maxBatch;
}

/** Options of a {@link Batcher}. */
export interface BatcherOptions {
  /** Close a batch at this many frames (default: the largest batch the graph accepts, at
   * most {@link DEFAULT_MAX_BATCH}; more than the graph accepts is a `RangeError`). */
  maxBatch?: number;
  /** Close a batch this long after its first frame (default 10 ms). */
  maxWaitMs?: number;
  /** How each image's candidates become detections (done in the worker). */
  postprocess: PostprocessOptions;
}

/**
 * When each step of a frame's trip through the batcher happened: epoch ms on the shared
 * clock (`now()`, src/clock.ts), each taken on the thread where its event happened.
 */
export interface BatchTiming {
  /** Main thread: the frame was submitted. */
  queuedAt: number;
  /** Main thread: its batch closed (pre-processing began). */
  batchFormedAt: number;
  /** Main thread: the batch was converted and handed to its session. */
  preprocessEnd: number;
  /** Inference worker: `session.run` of its batch began... */
  inferenceStart: number;
  /** ...and ended. */
  inferenceEnd: number;
  /** Post-processing worker: this image's selection and mask pasting done (images of a
   * batch go one by one). */
  postprocessEnd: number;
  /** Post-processing worker: this image's panoptic fusion done (= `postprocessEnd`
   * without fusion). */
  fusionEnd: number;
  /** Main thread: the batch's detections were back. */
  returnedAt: number;
}

/** The detections of one submitted frame. */
export interface BatchResult {
  streamId: string;
  index: number;
  ptsMs: number;
  detections: Detections;
  /** Frames in the batch it ran in (padding excluded). */
  batchSize: number;
  timing: BatchTiming;
}

/** Per-frame choices of {@link Batcher.submit}. */
export interface SubmitOptions {
  /** Fuse a panoptic map for this frame (default true; the model must have a semantic head). */
  fusion?: boolean;
}

interface Pending {
  frame: Frame;
  geometry: FrameGeometry;
  fusion: boolean;
  queuedAt: number;
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
}

/**
 * Gathers frames from many streams into batches for a pool of sessions of one model.
 * Each `submit` resolves with that frame's own detections, in source pixels of its own
 * geometry; results never cross streams. Graphs with fixed batch sizes get the smallest
 * size that holds the batch, padded with zeros.
 *
 * @example
 * ```ts ignore
 * const sessions = [await WorkerSession.start("models/street-maskrcnn/manifest.json")];
 * const batcher = new Batcher(sessions, { maxBatch: 4, maxWaitMs: 10, postprocess });
 * const result = await batcher.submit(frame, geometry);
 * ```
 */
export class Batcher {
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  #sessions: WorkerSession[];
  /** Batches each session has been given and not finished running. */
  #running: Map<WorkerSession, number>;
  #queue: Pending[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #buffers = new Map<number, Float32Array[]>();
  #options: BatcherOptions;
  #closed = false;
  /** Batches run, by size (index = frames in the batch). */
  readonly batchSizes: number[];
  /**
   * The most frames that can be waiting at once (the sum of the streams' in-flight
   * windows, set by the pipeline): once that many are queued no more can come, so the
   * batch closes without waiting for `maxWaitMs` (default: unknown, Infinity).
   */
  expected = Infinity;

  constructor(sessions: WorkerSession[], options: BatcherOptions) {
    if (sessions.length === 0) {
      throw new RangeError("Batcher(): sessions: expected at least one session, found none");
    }
    const maxBatch = resolveMaxBatch(sessions[0].manifest.input, options.maxBatch, "Batcher");
    checkNumber("Batcher", "options.maxWaitMs", options.maxWaitMs ?? 10, 0);
    this.maxBatch = maxBatch;
    this.maxWaitMs = options.maxWaitMs ?? 10;
    this.#sessions = sessions;
    this.#running = new Map(sessions.map((s) => [s, 0]));
    this.#options = options;
    this.batchSizes = new Array(maxBatch + 1).fill(0);
  }

  /** Frames waiting for a batch. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Queues a frame (already at the model's input size); resolves with its detections. */
  submit(frame: Frame, geometry: FrameGeometry, options: SubmitOptions = {}): Promise<BatchResult> {
    const { input } = this.#sessions[0].manifest;
    if (frame.width !== input.width || frame.height !== input.height) {
      return Promise.reject(
        new RangeError(
          `Batcher.submit(): frame ${frame.streamId}#${frame.index}: expected ${input.width}×${input.height} (the model's input), found ${frame.width}×${frame.height}`,
        ),
      );
    }
    if (this.#closed) return Promise.reject(new Error("Batcher.submit(): the batcher is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({
        frame,
        geometry,
        fusion: options.fusion ?? true,
        queuedAt: now(),
        resolve,
        reject,
      });
      if (this.#queue.length >= this.maxBatch) this.#dispatch();
      else if (this.#queue.length >= this.expected) this.#dispatch(true);
      else if (this.#timer === undefined) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#dispatch(true);
        }, this.maxWaitMs);
      }
    });
  }

  /** Rejects what is queued and stops taking frames (the sessions stay the caller's). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const p of this.#queue.splice(0)) p.reject(new Error("Batcher closed"));
  }

  /** Starts batches while there are frames and sessions to take them. A partial batch
   * only starts when its wait is over (`due`), and only on an idle session; a full one
   * also goes to a session that is running one batch, to follow it. */
  #dispatch(due = false): void {
    while (this.#queue.length > 0) {
      const full = this.#queue.length >= this.maxBatch;
      if (!full && !due) break;
      const session = this.#session(full ? 2 : 1);
      if (!session) break;
      this.#run(session, this.#queue.splice(0, this.maxBatch));
      due = false;
    }
    if (this.#queue.length > 0 && this.#timer === undefined && this.#session(1)) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#dispatch(true);
      }, this.maxWaitMs);
    }
  }

  /** The least busy session running fewer than `limit` batches. */
  #session(limit: number): WorkerSession | undefined {
    let best: WorkerSession | undefined;
    for (const [session, n] of this.#running) {
      if (n < limit && (best === undefined || n < this.#running.get(best)!)) best = session;
    }
    return best;
  }

  async #run(session: WorkerSession, items: Pending[]): Promise<void> {
    this.#running.set(session, this.#running.get(session)! + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#running.set(session, this.#running.get(session)! - 1);
      if (!this.#closed) this.#dispatch(this.#timer === undefined);
    };
    const dispatchedAt = now();
    const { input } = session.manifest;
    const size = this.#graphBatch(items.length);
    const buffer = this.#takeBuffer(size, input.width * input.height * 3);
    preprocess(
      items.map((p) => p.frame.data),
      input.width,
      input.height,
      items[0].frame.format,
      input,
      buffer,
    );
    if (size > items.length) buffer.fill(0, items.length * 3 * input.width * input.height);
    this.batchSizes[items.length]++;
    const preprocessEnd = now();
    try {
      const post = {
        geometries: items.map((p) => p.geometry),
        fusion: items.map((p) => p.fusion),
        options: this.#options.postprocess,
      };
      const result = await session.run(buffer, size, post, (ran) => {
        this.#returnBuffer(size, ran.input);
        release();
      });
      // Every mark was taken where its event happened, on the one clock: the batch's
      // start of pre-processing here, the run's start and end in the inference worker,
      // each image's post-processing in the post-processing worker.
      const { startedAt: inferenceStart, endedAt: inferenceEnd, doneAt: done } = result;
      items.forEach((p, i) => {
        const stage = result.stages![i];
        const postprocessEnd = stage.postprocessEnd ?? inferenceEnd;
        const fusionEnd = stage.fusionEnd ?? postprocessEnd;
        p.resolve({
          streamId: p.frame.streamId,
          index: p.frame.index,
          ptsMs: p.frame.ptsMs,
          detections: result.detections![i],
          batchSize: items.length,
          timing: {
            queuedAt: p.queuedAt,
            batchFormedAt: dispatchedAt,
            preprocessEnd,
            inferenceStart,
            inferenceEnd,
            postprocessEnd,
            fusionEnd,
            returnedAt: done,
          },
        });
      });
    } catch (error) {
      for (const p of items) p.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      release();
    }
  }

  /** The graph batch that holds `n` frames: `n` for a dynamic graph, else the smallest
   * fixed size ≥ n. */
  #graphBatch(n: number): number {
    const { batch } = this.#sessions[0].manifest.input;
    if (batch === "dynamic") return n;
    return Math.min(...batch.filter((b) => b >= n));
  }

  #takeBuffer(size: number, perImage: number): Float32Array {
    return this.#buffers.get(size)?.pop() ?? new Float32Array(size * perImage);
  }

  #returnBuffer(size: number, buffer: Float32Array): void {
    const list = this.#buffers.get(size) ?? [];
    if (list.length < 2) list.push(buffer);
    this.#buffers.set(size, list);
  }
}
