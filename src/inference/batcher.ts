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
import { checkNumber } from "../geometry/validate.ts";
import type { Detections, PostprocessOptions } from "./postprocess.ts";
import { preprocess } from "./preprocess.ts";
import {
  DEFAULT_MAX_BATCH,
  type GraphBatch,
  graphMaxBatch,
  resolveMaxBatch,
} from "./batch_size.ts";
import type { InputArray, WorkerSession } from "./worker_session.ts";
import { now } from "../clock.ts";

export { DEFAULT_MAX_BATCH, type GraphBatch, graphMaxBatch, resolveMaxBatch };

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
  /**
   * Lend the frame's bytes to the inference worker instead of copying them (a uint8
   * graph, and a frame whose `data` is its whole buffer; ignored otherwise): `frame.data`
   * is detached from the moment its batch starts until the batch's inference is over,
   * then holds the same bytes again, before the result resolves. Only for a frame that
   * nothing reads meanwhile (default false).
   */
  lend?: boolean;
}

interface Pending {
  frame: Frame;
  geometry: FrameGeometry;
  fusion: boolean;
  lend: boolean;
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
  #maxBatch: number;
  readonly maxWaitMs: number;
  #sessions: WorkerSession[];
  /** Batches each session has been given and not finished running. */
  #running: Map<WorkerSession, number>;
  #queue: Pending[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #buffers = new Map<number, InputArray[]>();
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
    this.#maxBatch = maxBatch;
    this.maxWaitMs = options.maxWaitMs ?? 10;
    this.#sessions = sessions;
    this.#running = new Map(sessions.map((s) => [s, 0]));
    this.#options = options;
    this.batchSizes = new Array(maxBatch + 1).fill(0);
  }

  /** A batch closes at this many frames. */
  get maxBatch(): number {
    return this.#maxBatch;
  }

  /** Changes the batch size from the next batch on (the engine re-tuned); more than the
   * graph accepts is a `RangeError`. */
  set maxBatch(value: number) {
    this.#maxBatch = resolveMaxBatch(this.#sessions[0].manifest.input, value, "Batcher");
    while (this.batchSizes.length <= value) this.batchSizes.push(0);
    this.#dispatch();
  }

  /**
   * Runs the next batches on `sessions` instead (the engine re-tuned): batches already
   * given to the old sessions finish there; resolves with the old sessions once none of
   * them runs a batch of this batcher (the caller closes them).
   */
  async replaceSessions(sessions: WorkerSession[]): Promise<WorkerSession[]> {
    if (sessions.length === 0) {
      throw new RangeError(
        "Batcher.replaceSessions(): sessions: expected at least one, found none",
      );
    }
    const old = this.#sessions;
    this.#sessions = sessions;
    const running = this.#running;
    this.#running = new Map(sessions.map((s) => [s, 0]));
    this.#dispatch();
    while ([...running.values()].some((n) => n > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return old;
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
    const format = input.colorOrder === "BGR" ? "bgr24" : "rgb24";
    if (input.dtype === "uint8" && frame.format !== format) {
      return Promise.reject(
        new RangeError(
          `Batcher.submit(): frame ${frame.streamId}#${frame.index}: expected ${format} pixels (the model takes the frame's bytes as they are, in ${input.colorOrder} order), found ${frame.format}`,
        ),
      );
    }
    if (this.#closed) return Promise.reject(new Error("Batcher.submit(): the batcher is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({
        frame,
        geometry,
        fusion: options.fusion ?? true,
        lend: (options.lend ?? false) && input.dtype === "uint8" && ownsBuffer(frame.data),
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
    // The map of the sessions this batch runs on (a re-tune may replace them meanwhile).
    const running = this.#running;
    running.set(session, running.get(session)! + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      running.set(session, running.get(session)! - 1);
      if (!this.#closed) this.#dispatch(this.#timer === undefined);
    };
    const dispatchedAt = now();
    const size = this.#graphBatch(items.length);
    const lent = items.every((p) => p.lend);
    // Lent frames go as they are (the worker joins them); otherwise one buffer holds the
    // batch: the frames' bytes copied (uint8 graph) or normalised (float32 graph).
    const input = lent ? items.map((p) => p.frame.data) : this.#fill(items, size);
    this.batchSizes[items.length]++;
    const preprocessEnd = now();
    try {
      const post = {
        geometries: items.map((p) => p.geometry),
        fusion: items.map((p) => p.fusion),
        options: this.#options.postprocess,
      };
      const result = await session.run<InputArray>(input, size, post, (ran) => {
        if (lent) items.forEach((p, i) => p.frame.data = ran.inputs[i] as Uint8Array);
        else this.#returnBuffer(size, ran.input);
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

  /** A buffer of the graph's batch `size` holding the items' images as the graph takes
   * them (padding zeroed). */
  #fill(items: Pending[], size: number): InputArray {
    const { input } = this.#sessions[0].manifest;
    const perImage = input.width * input.height * 3;
    const frames = items.map((p) => p.frame.data);
    if (input.dtype === "uint8") {
      const buffer = this.#buffers.get(size)?.pop() as Uint8Array ??
        new Uint8Array(size * perImage);
      frames.forEach((f, i) => buffer.set(f, i * perImage));
      buffer.fill(0, frames.length * perImage);
      return buffer;
    }
    const buffer = this.#buffers.get(size)?.pop() as Float32Array ??
      new Float32Array(size * perImage);
    preprocess(frames, input.width, input.height, items[0].frame.format, input, buffer);
    buffer.fill(0, frames.length * perImage);
    return buffer;
  }

  #returnBuffer(size: number, buffer: InputArray): void {
    const list = this.#buffers.get(size) ?? [];
    if (list.length < 2) list.push(buffer);
    this.#buffers.set(size, list);
  }
}

/** Whether a view covers its whole buffer (so that the buffer can be transferred). */
function ownsBuffer(data: Uint8Array): boolean {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength &&
    data.buffer instanceof ArrayBuffer;
}
