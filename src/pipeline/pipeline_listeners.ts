/**
 * The listeners of a pipeline: of its results, its status events, its thumbnails and the
 * events of its tracked objects. A
 * listener that throws is reported as a warning; the others still hear the event.
 *
 * @module
 */

import type { StatusEvent, StreamEvent, StreamResult, StreamThumbnail } from "./events.ts";

/** A listener of each kind of event a pipeline tells (see `Pipeline.on`). */
export type PipelineListener = {
  result: (r: StreamResult) => void;
  status: (e: StatusEvent) => void;
  thumbnail: (t: StreamThumbnail) => void;
  /** `track`, `line`, `zone` and `counts` of streams with tracking. */
  event: (e: StreamEvent) => void;
};

/**
 * The listeners of a pipeline, by kind of event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const warnings: string[] = [];
 * const listeners = new PipelineListeners((m) => warnings.push(m));
 * const heard: string[] = [];
 * listeners.on("status", () => {
 *   throw new Error("oops");
 * });
 * const off = listeners.on("status", (e) => heard.push(e.type));
 * listeners.emit("status", { type: "model", model: "street", state: "loading", at: Date.now() });
 * off();
 * listeners.emit("status", { type: "model", model: "street", state: "loaded", at: Date.now() });
 * assert.deepEqual(heard, ["model"]);
 * assert.deepEqual(warnings, ["a status listener threw: oops", "a status listener threw: oops"]);
 * ```
 */
export class PipelineListeners {
  #listeners: { [K in keyof PipelineListener]: Set<PipelineListener[K]> } = {
    result: new Set(),
    status: new Set(),
    thumbnail: new Set(),
    event: new Set(),
  };
  #warn: (message: string) => void;

  /** `warn` hears of a listener that threw. */
  constructor(warn: (message: string) => void) {
    this.#warn = warn;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof PipelineListener>(type: K, listener: PipelineListener[K]): () => void {
    this.#listeners[type].add(listener);
    return () => this.#listeners[type].delete(listener);
  }

  /** Tells every listener of `type`, in the order added. */
  emit<K extends keyof PipelineListener>(
    type: K,
    value: Parameters<PipelineListener[K]>[0],
  ): void {
    for (const listener of this.#listeners[type]) {
      try {
        (listener as (v: typeof value) => void)(value);
      } catch (error) {
        this.#warn(`a ${type} listener threw: ${(error as Error).message}`);
      }
    }
  }
}
