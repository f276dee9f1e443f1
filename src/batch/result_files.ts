/**
 * One input's output files in a detect job, and how a frame's result is written to them:
 * a line of JSON Lines (the result message, then the frame's events of tracked objects),
 * COCO results entries, an overlay for the annotated video, the rows of the frame's tracks
 * in MOTChallenge text; and at the end the input's counts. Each file is written at a hidden temporary path and appears at its own
 * path on {@link ResultFiles.commit}, or never (see `AtomicOutput`).
 *
 * @module
 */

import type { FfmpegBinary } from "../video/ffmpeg_binary.ts";
import type { ClassSpec } from "../wire/manifest.ts";
import type { StreamEvent, StreamResult } from "../pipeline/events.ts";
import { type ResultMessage, SCHEMA_VERSION } from "../wire/result_message.ts";
import { motRows } from "./mot_rows.ts";
import { resultMessage } from "../pipeline/result_message.ts";
import { cocoResults } from "../sinks/coco_results.ts";
import { AtomicOutput } from "../sinks/atomic_file.ts";
import { AnnotatedVideoWriter } from "../sinks/annotated_video.ts";
import { drawOverlay } from "../sinks/overlay.ts";
import { writeAll } from "../sinks/write_all.ts";
import type { OutputPaths } from "./output_paths.ts";

/** Options of {@link ResultFiles.open}. */
export interface ResultFilesOptions {
  /** The input (the annotated video's pictures are read from it again). */
  input: string;
  /** The files to write: those set. */
  paths: OutputPaths;
  /** Class names by id of a model (for the result messages). */
  labels: (model: string) => ReadonlyMap<number, string>;
  /** The model's classes (the overlays' colours and names). */
  classes: readonly ClassSpec[];
  /** A keypoint model's skeleton (1-based pairs), drawn over its detections' keypoints. */
  skeleton?: readonly (readonly [number, number])[];
  /** Runs the annotated video's encoder. */
  ffmpeg: FfmpegBinary;
  /** The input's frame rate, asked at the first result (the annotated video's rate; 25
   * when unknown). */
  fps: () => number | undefined;
  /** Write the run's timings as zeros (result `latency`, `capturedAt`, `publishedAt`,
   * `batchSize` 1, no `decoder`; events' and counts' `at`): the files then hold only what
   * the input and the options decide, byte for byte the same on any machine and run. */
  reproducible?: boolean;
}

/**
 * The output files of one input. Results are written one at a time, in frame order;
 * {@link commit} moves every file to its path, {@link abort} removes them all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveFfmpeg } from "../video/ffmpeg_binary.ts";
 * const dir = await Deno.makeTempDir();
 * const files = await ResultFiles.open({
 *   input: `${dir}/clip.mp4`,
 *   paths: { jsonl: `${dir}/clip.jsonl`, coco: `${dir}/clip.coco.json` },
 *   labels: () => new Map([[1, "car"]]),
 *   classes: [],
 *   ffmpeg: await resolveFfmpeg({ env: Deno.env.toObject() }),
 *   fps: () => 25,
 * });
 * await files.write({
 *   streamId: "input-0", model: "model", index: 0, ptsMs: 0, width: 64, height: 32, batchSize: 1,
 *   detections: { boxes: new Float32Array([1, 2, 30, 20]), scores: new Float32Array([0.9]),
 *     classIds: new Int32Array([1]) },
 *   timeline: { capturedAt: 0, decodedAt: 0, queuedAt: 0, batchFormedAt: 0, preprocessEnd: 0,
 *     inferenceStart: 0, inferenceEnd: 0, postprocessEnd: 0, fusionEnd: 0, publishedAt: 0 },
 *   latency: { decode: 0, wait: 0, batch: 0, preprocess: 0, session: 0, inference: 0,
 *     postprocess: 0, fusion: 0, publish: 0, totalMs: 0 },
 * });
 * assert.equal(files.frames, 1);
 * await assert.rejects(Deno.stat(`${dir}/clip.jsonl`)); // nothing at the final path yet
 * await files.commit();
 * assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/clip.jsonl`)).frame, 0);
 * const coco = JSON.parse(await Deno.readTextFile(`${dir}/clip.coco.json`));
 * assert.deepEqual(coco, [{ image_id: 1, category_id: 1, bbox: [1, 2, 29, 18], score: 0.9 }]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class ResultFiles {
  readonly #options: ResultFilesOptions;
  #jsonl?: TextOutput;
  #coco?: TextOutput;
  #mot?: TextOutput;
  #counts?: TextOutput;
  #cocoEntries = 0;
  #video?: Promise<AnnotatedVideoWriter>;
  #frames = 0;

  private constructor(options: ResultFilesOptions) {
    this.#options = options;
  }

  /** Opens the JSON Lines and COCO results files (the annotated video starts with the
   * first result, at its frame's size). */
  static async open(options: ResultFilesOptions): Promise<ResultFiles> {
    const files = new ResultFiles(options);
    try {
      if (options.paths.jsonl) files.#jsonl = await TextOutput.open(options.paths.jsonl);
      if (options.paths.coco) files.#coco = await TextOutput.open(options.paths.coco, "[");
      if (options.paths.mot) files.#mot = await TextOutput.open(options.paths.mot);
      if (options.paths.counts) files.#counts = await TextOutput.open(options.paths.counts);
    } catch (error) {
      await files.abort();
      throw error;
    }
    return files;
  }

  /** Frames written: the last result's index + 1 (0 before the first result). */
  get frames(): number {
    return this.#frames;
  }

  /**
   * Writes the result of a frame (the next one of the input, or a later one). With an
   * annotated video, a frame skipped before it (it failed in the model) gets an empty
   * overlay, so the video keeps every frame of the input.
   */
  async write(r: StreamResult): Promise<void> {
    const message = resultMessage(r, this.#options.labels(r.model), {
      masks: true,
      panoptic: true,
    });
    if (this.#options.reproducible) withoutTimings(message);
    if (this.#jsonl) await this.#jsonl.write(JSON.stringify(message) + "\n");
    if (this.#coco) {
      // One write a frame, not one per entry (each is an asynchronous file operation).
      let text = "";
      for (const entry of cocoResults(message)) {
        text += (this.#cocoEntries++ === 0 ? "\n" : ",\n") + JSON.stringify(entry);
      }
      if (text) await this.#coco.write(text);
    }
    if (this.#mot) await this.#mot.write(motRows(r));
    if (this.#options.paths.video) {
      const video = await this.#startVideo(r);
      // Each overlay at its own frame's size (an input may change size; the writer
      // stretches it onto the picture). A frame that failed in the model still gets its
      // (empty) overlay: same frame count.
      const overlay = async (detections: StreamResult["detections"]) =>
        await video.write(
          drawOverlay(detections, r.width, r.height, this.#options.classes, {
            skeleton: this.#options.skeleton,
          }),
          { width: r.width, height: r.height },
        );
      while (this.#frames < r.index) {
        await overlay(emptyDetections);
        this.#frames++;
      }
      await overlay(r.detections);
    }
    this.#frames = r.index + 1;
  }

  /** Writes an event of a tracked object (after its frame's result) to the JSON Lines. */
  async writeEvent(e: StreamEvent): Promise<void> {
    const event = this.#options.reproducible && "at" in e ? { ...e, at: 0 } : e;
    if (this.#jsonl) {
      await this.#jsonl.write(JSON.stringify({ v: SCHEMA_VERSION, ...event }) + "\n");
    }
  }

  /** Completes every file and moves it to its path; `summary` is the counts file's
   * content (tracked inputs). */
  async commit(summary?: unknown): Promise<void> {
    if (this.#jsonl) await this.#jsonl.commit();
    if (this.#mot) await this.#mot.commit();
    const at = (key: string, value: unknown) =>
      this.#options.reproducible && key === "at" ? 0 : value;
    if (this.#counts) {
      await this.#counts.commit(JSON.stringify(summary ?? null, at, 2) + "\n");
    }
    if (this.#coco) await this.#coco.commit("\n]\n");
    const video = await this.#video;
    if (video) await video.close();
  }

  /** Removes every file not committed yet (the final paths are left untouched). */
  async abort(): Promise<void> {
    for (const output of [this.#jsonl, this.#coco, this.#mot, this.#counts]) await output?.abort();
    const video = await this.#video?.catch(() => undefined);
    await video?.abort();
  }

  /** The annotated video's writer, started at the first result's frame size. */
  #startVideo(r: StreamResult): Promise<AnnotatedVideoWriter> {
    this.#video ??= AnnotatedVideoWriter.start(this.#options.ffmpeg, {
      input: this.#options.input,
      output: this.#options.paths.video!,
      width: r.width,
      height: r.height,
      fps: this.#options.fps() || 25,
    });
    return this.#video;
  }
}

const emptyDetections = {
  boxes: new Float32Array(0),
  scores: new Float32Array(0),
  classIds: new Int32Array(0),
};

const encoder = new TextEncoder();

/** A text file written through an open handle at an `AtomicOutput`'s temporary path. */
class TextOutput {
  readonly #output: AtomicOutput;
  readonly #file: Deno.FsFile;

  private constructor(output: AtomicOutput, file: Deno.FsFile) {
    this.#output = output;
    this.#file = file;
  }

  /** Reserves the temporary file, opens it and writes `head`. */
  static async open(path: string, head = ""): Promise<TextOutput> {
    const output = await AtomicOutput.create(path);
    const file = await Deno.open(output.tempPath, { write: true, create: true, truncate: true });
    const text = new TextOutput(output, file);
    if (head) await text.write(head);
    return text;
  }

  async write(text: string): Promise<void> {
    await writeAll(this.#file, encoder.encode(text));
  }

  /** Writes `tail`, closes the file and moves it to its path. */
  async commit(tail = ""): Promise<void> {
    if (tail) await this.write(tail);
    this.#file.close();
    await this.#output.commit();
  }

  /** Closes the file (if still open) and removes it unless committed. */
  async abort(): Promise<void> {
    try {
      this.#file.close();
    } catch {
      // closed already
    }
    await this.#output.abort();
  }
}

/**
 * Sets a result message's run timings to zeros, in place (see
 * `ResultFilesOptions.reproducible`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const m = { latency: { decode: 3, totalMs: 9 }, capturedAt: 5, publishedAt: 7, batchSize: 4, decoder: { delayFrames: 2 } };
 * withoutTimings(m as never);
 * assert.deepEqual(m, { latency: { decode: 0, totalMs: 0 }, capturedAt: 0, publishedAt: 0, batchSize: 1 });
 * ```
 */
export function withoutTimings(message: ResultMessage): void {
  for (const key of Object.keys(message.latency) as (keyof ResultMessage["latency"])[]) {
    message.latency[key] = 0;
  }
  message.capturedAt = 0;
  message.publishedAt = 0;
  message.batchSize = 1;
  delete message.decoder;
}
