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
import { resultMessage } from "../pipeline/result_message.ts";
import type { JsonlSinkConfig } from "../wire/sink_config.ts";
import { SCHEMA_VERSION } from "../wire/result_message.ts";
import type { Sink, SinkStats } from "./sink.ts";
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
export class JsonlSink implements Sink {
  readonly id: string;
  readonly type = "jsonl";
  readonly path: string;
  #file: Deno.FsFile;
  #pipeline: Pipeline;
  #streams: string[] | undefined;
  #pending: Promise<void> = Promise.resolve();
  #off: (() => void)[];
  #lines = 0;
  #failed: Error | undefined;

  private constructor(
    id: string,
    path: string,
    file: Deno.FsFile,
    pipeline: Pipeline,
    streams?: string[],
  ) {
    this.id = id;
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

  /** Opens (creating or appending to) the sink's file and starts writing (`id`: default
   * `config.id`, else `jsonl`). */
  static async open(config: JsonlSinkConfig, pipeline: Pipeline, id?: string): Promise<JsonlSink> {
    await Deno.mkdir(dirname(config.path), { recursive: true });
    const file = await Deno.open(config.path, { create: true, append: true });
    return new JsonlSink(id ?? config.id ?? "jsonl", config.path, file, pipeline, config.streams);
  }

  /** Lines written so far. */
  get lines(): number {
    return this.#lines;
  }

  /** Lines written (`sent`), and whether a write failed. */
  get stats(): SinkStats {
    const failed = this.#failed ? 1 : 0;
    return { sent: this.#lines, dropped: 0, failed, buffered: 0, connected: failed === 0 };
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
