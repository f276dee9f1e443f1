/**
 * The streams of a running pipeline: starting each one on its model (a stream whose model
 * failed or whose source is refused is listed as failed, the others run), adding one at
 * runtime under the admission rules (`stream_admission.ts`), refusing one whose input
 * turns out over a limit, removing one, and telling each model how many frames its
 * running streams may have in flight.
 *
 * @module
 */

import { ConfigError, type LimitError } from "../errors.ts";
import { type StreamLoad, streamWindow, workloadOf } from "./stream_workload.ts";
import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import { checkSource } from "./check_source.ts";
import type { PipelineConfig, StreamConfig } from "./config.ts";
import type { StatusEvent } from "./events.ts";
import type { PipelineMetrics } from "./metrics.ts";
import type { PipelineListeners } from "./pipeline_listeners.ts";
import type { PipelineModel } from "./pipeline_model.ts";
import { admissionError, StreamAdmission, streamExists } from "./stream_admission.ts";
import { type StreamInfo, StreamRunner } from "./stream_runner.ts";
import { type StreamSlot, streamSlotInfo } from "./stream_slot.ts";

/** What a pipeline's streams need from it. */
export interface StreamSlotsContext {
  /** Its configuration: `roots` and `limits` are read from it. */
  config: PipelineConfig;
  ffmpeg: FfmpegBinary;
  metrics: PipelineMetrics;
  /** Its models, by id. */
  models: ReadonlyMap<string, PipelineModel>;
  /** Where results, status events and thumbnails go. */
  listeners: PipelineListeners;
  warn: (message: string) => void;
  /** Whether anyone wants a stream's thumbnails now. */
  wantsThumbnails: (streamId: string) => boolean;
  /** Whether anyone wants a stream's panoptic maps now. */
  wantsPanoptic: (streamId: string) => boolean;
  /** A stream was removed (what was counted for it can be forgotten). */
  onRemoved: (streamId: string) => void;
}

/**
 * The streams of a pipeline, by id, in the order added.
 *
 * @example
 * ```ts ignore
 * const streams = new StreamSlots(context);
 * for (const stream of config.streams) await streams.start(stream);
 * const info = await streams.add(resolveStreamConfig(body, config.models, origin), "POST /streams");
 * await streams.remove(info.id);
 * ```
 */
export class StreamSlots {
  #context: StreamSlotsContext;
  #slots = new Map<string, StreamSlot>();

  constructor(context: StreamSlotsContext) {
    this.#context = context;
  }

  /** Every stream, in the order added. */
  values(): IterableIterator<StreamSlot> {
    return this.#slots.values();
  }

  /** Whether a stream has that id. */
  has(id: string): boolean {
    return this.#slots.has(id);
  }

  /** One stream, or undefined. */
  get(id: string): StreamSlot | undefined {
    return this.#slots.get(id);
  }

  /** Starts a stream of the configuration: one whose model failed or whose source is
   * refused is listed as failed. */
  async start(config: StreamConfig): Promise<StreamSlot> {
    return await this.#start(config, false);
  }

  /**
   * Adds a stream while running (`where` names the request): throws a `ConflictError` if
   * its id is taken, a `ConfigError` if its model is not loaded, a `SourceError` if its
   * source is refused, a `CapacityError` if there is no room for one more stream; then
   * waits (at most `ADMISSION_WAIT_MS`) for its source to open, fail or start
   * reconnecting, and throws the `LimitError` of an input over a limit (the stream
   * stopped and removed).
   */
  async add(config: StreamConfig, where: string): Promise<StreamInfo> {
    if (this.#slots.has(config.id)) throw streamExists(where, config.id);
    const model = this.#context.models.get(config.model)!;
    if (!model.runtime) {
      throw new ConfigError(
        `${where}.model: model "${config.model}" is not loaded: ${model.error ?? "still loading"}`,
      );
    }
    const slot = await this.#start(config, true, where);
    if (!slot.admission) return streamSlotInfo(slot);
    await slot.admission.waitOpened();
    if (slot.refused) {
      // Refused at once: the stream was never added.
      await this.#drop(slot);
      throw slot.refused;
    }
    return streamSlotInfo(slot);
  }

  /** Stops and removes a stream; false if there is none with that id. */
  async remove(id: string): Promise<boolean> {
    const slot = this.#slots.get(id);
    if (!slot) return false;
    await this.#drop(slot);
    return true;
  }

  /** Starts a stream; `strict` (a stream added at runtime, `where` naming the request)
   * rethrows a refused source, a taken id or a limit reached instead of recording a
   * failed stream, and holds the stream to `limits` when its source connects. */
  async #start(config: StreamConfig, strict: boolean, where = "stream"): Promise<StreamSlot> {
    const context = this.#context;
    const model = context.models.get(config.model)!;
    const slot: StreamSlot = { config };
    if (!model.runtime) {
      this.#slots.set(config.id, slot);
      this.#fail(slot, `model "${config.model}" failed to load: ${model.error}`);
      return slot;
    }
    try {
      await checkSource(config.source, context.config.roots);
    } catch (error) {
      if (strict) throw error;
      this.#slots.set(config.id, slot);
      this.#fail(slot, (error as Error).message);
      return slot;
    }
    if (strict) {
      const limits = context.config.limits;
      const refusal = admissionError(where, slot, this.#slots, limits);
      if (refusal) throw refusal;
      slot.admission = new StreamAdmission(where, limits);
    }
    try {
      slot.runner = new StreamRunner(config, model.runtime, {
        ffmpeg: context.ffmpeg,
        roots: context.config.roots,
        metrics: context.metrics,
        onResult: (r) => context.listeners.emit("result", r),
        onStatus: (e) => this.#onRunnerStatus(slot, e),
        onThumbnail: (t) => context.listeners.emit("thumbnail", t),
        onEvent: (e) => context.listeners.emit("event", e),
        wantsThumbnails: () => context.wantsThumbnails(config.id),
        wantsPanoptic: () => context.wantsPanoptic(config.id),
        where: strict ? where : `stream "${config.id}"`,
      });
    } catch (error) {
      // Lines or zones naming a class the model has not.
      if (strict) throw error;
      this.#slots.set(config.id, slot);
      this.#fail(slot, (error as Error).message);
      return slot;
    }
    this.#slots.set(config.id, slot);
    context.listeners.emit("status", {
      type: "stream",
      streamId: config.id,
      state: "starting",
      at: Date.now(),
    });
    // Streams of the configuration were known when the model loaded (and tuned itself).
    this.#updateExpected(config.model, strict);
    // The source opens in the background: a live camera may take its reconnects.
    const runner = slot.runner;
    runner.start().then(() => runner.finished()).catch(() => {}).finally(() => {
      slot.done = true;
      this.#updateExpected(config.model, true);
    });
    return slot;
  }

  /** A status event of a stream's runner: passed on, and for a stream added at runtime,
   * its limits checked each time its source connects. */
  #onRunnerStatus(slot: StreamSlot, event: StatusEvent): void {
    if (slot.refused) return; // its "failed" event said why; "stopped" would hide it
    this.#context.listeners.emit("status", event);
    // The input's rate is known once it opens: a live stream that outruns the engine's
    // single-frame setting makes it re-choose.
    if (event.type === "stream" && event.state === "connected") {
      this.#updateExpected(slot.config.model, true);
    }
    const admission = slot.admission;
    if (!admission || event.type !== "stream") return;
    if (event.state === "connected") {
      const error = admission.inputError(slot, this.#slots.values());
      if (error) this.#refuse(slot, error);
    }
    admission.observe(event.state);
  }

  /** Records why a stream failed, and reports it. */
  #fail(slot: StreamSlot, reason: string): void {
    slot.error = reason;
    this.#context.metrics.setState(slot.config.id, "failed");
    this.#context.listeners.emit("status", {
      type: "stream",
      streamId: slot.config.id,
      state: "failed",
      at: Date.now(),
      reason,
    });
  }

  /** Stops a stream over a limit; it stays listed as failed with the limit's error (unless
   * `add`, still waiting for it, removes it). */
  #refuse(slot: StreamSlot, error: LimitError): void {
    const id = slot.config.id;
    slot.refused = error;
    this.#fail(slot, error.message);
    slot.runner?.stop().then(() => {
      // Stopping removed its metrics: a stream still listed shows as failed again.
      if (this.#slots.get(id) === slot) this.#context.metrics.setState(id, "failed");
    }).catch((e) =>
      this.#context.warn(`${id}: stopping after ${error.limit}: ${(e as Error).message}`)
    );
  }

  /** Stops a stream and removes it (unless another stream took its id meanwhile). */
  async #drop(slot: StreamSlot): Promise<void> {
    const { id, model } = slot.config;
    if (this.#slots.get(id) === slot) this.#slots.delete(id);
    this.#context.onRemoved(id);
    await slot.runner?.stop();
    this.#updateExpected(model, true);
  }

  /** Sets how many frames each running stream of a model may have in flight (see
   * `streamWindow`), and tells the model, whose batch closes early once every one of them
   * is queued; with `retune`, an engine that tuned itself re-chooses for the streams that
   * run now (their kinds and live rates), and the windows follow its new setting. */
  #updateExpected(model: string, retune: boolean): void {
    const runtime = this.#context.models.get(model)?.runtime;
    if (!runtime) return;
    const running = () =>
      [...this.#slots.values()].filter((s) => s.config.model === model && s.runner && !s.done)
        .map((s) => s.runner!);
    const apply = () => {
      const runners = running();
      const { sessions, maxBatch, tuning } = runtime.status();
      // Alone and tuned for throughput: a live stream that outruns the single-frame setting.
      const outrun = runners.length === 1 && tuning?.mode === "throughput";
      let sum = 0;
      for (const runner of runners) {
        runner.setWindow(streamWindow(
          { lossless: runner.lossless, maxInFlight: runner.config.maxInFlight },
          { sessions, maxBatch, outrun },
        ));
        sum += runner.maxInFlight;
      }
      runtime.setExpectedFrames(sum);
    };
    apply();
    const loads: StreamLoad[] = running().map((r) => ({ lossless: r.lossless, fps: r.rate }));
    if (retune && loads.length > 0) {
      runtime.setWorkload(workloadOf(loads)).then(apply).catch((e) =>
        this.#context.warn(`model ${model}: re-tuning failed: ${(e as Error).message}`)
      );
    }
  }
}
