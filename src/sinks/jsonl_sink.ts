/**
 * A JSON Lines sink: one result message (masks and panoptic included) per line for the
 * chosen streams of a running pipeline, and, for streams with tracking, their event
 * messages (`track`, `line`, `zone`, and `counts` when lines or zones change) right after
 * the result of the frame they were seen in.
 *
 * @module
 */

import { dirname } from "node:path";
import type { Pipeline } from "../pipeline/pipeline.ts";
import type { SinkConfig } from "../pipeline/config.ts";
import { resultMessage } from "../pipeline/result_message.ts";
import { SCHEMA_VERSION } from "../wire/result_message.ts";
import { writeAll } from "./write_all.ts";

/**
 * Appends every result of the configured streams to a file, one JSON message per line.
 *
 * @example
 * ```ts ignore
 * const sink = await JsonlSink.open({ type: "jsonl", path: "/tmp/results.jsonl" }, pipeline);
 * await pipeline.finished();
 * await sink.close();
 * ```
 */
export class JsonlSink {
  readonly path: string;
  #file: Deno.FsFile;
  #pipeline: Pipeline;
  #streams: string[] | undefined;
  #pending: Promise<void> = Promise.resolve();
  #off: (() => void)[];
  #lines = 0;
  #failed: Error | undefined;

  private constructor(path: string, file: Deno.FsFile, pipeline: Pipeline, streams?: string[]) {
    this.path = path;
    this.#file = file;
    this.#pipeline = pipeline;
    this.#streams = streams;
    const encoder = new TextEncoder();
    const wanted = streams ? new Set(streams) : undefined;
    for (const id of streams ?? ["*"]) pipeline.wantPanoptic(id, 1);
    const write = (line: string) => {
      this.#lines++;
      const bytes = encoder.encode(line + "\n");
      this.#pending = this.#pending.then(() => writeAll(file, bytes)).catch((e) => {
        this.#failed ??= e;
      });
    };
    this.#off = [
      pipeline.on("result", (r) => {
        if (wanted && !wanted.has(r.streamId)) return;
        write(JSON.stringify(
          resultMessage(r, pipeline.labels(r.model), { masks: true, panoptic: true }),
        ));
      }),
      pipeline.on("event", (e) => {
        if (wanted && !wanted.has(e.streamId)) return;
        write(JSON.stringify({ v: SCHEMA_VERSION, ...e }));
      }),
    ];
  }

  /** Opens (creating or appending to) the sink's file and starts writing. */
  static async open(config: SinkConfig, pipeline: Pipeline): Promise<JsonlSink> {
    await Deno.mkdir(dirname(config.path), { recursive: true });
    const file = await Deno.open(config.path, { create: true, append: true });
    return new JsonlSink(config.path, file, pipeline, config.streams);
  }

  /** Lines written so far. */
  get lines(): number {
    return this.#lines;
  }

  /** Stops listening and closes the file; rejects if a write failed. */
  async close(): Promise<void> {
    for (const off of this.#off) off();
    for (const id of this.#streams ?? ["*"]) this.#pipeline.wantPanoptic(id, -1);
    await this.#pending;
    this.#file.close();
    if (this.#failed) throw this.#failed;
  }
}

/**
 * Opens every sink of a configuration on a pipeline.
 *
 * @example
 * ```ts ignore
 * const sinks = await openSinks(config.sinks, pipeline);
 * await Promise.all(sinks.map((s) => s.close()));
 * ```
 */
export function openSinks(configs: SinkConfig[], pipeline: Pipeline): Promise<JsonlSink[]> {
  return Promise.all(configs.map((c) => JsonlSink.open(c, pipeline)));
}
