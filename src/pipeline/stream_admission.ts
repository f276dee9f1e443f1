/**
 * The admission of a stream added while a pipeline runs: before it starts, whether its id
 * is free and the limits leave room for one more stream; once its source connects (and on
 * every reconnect), whether its input fits `limits` (`stream_limits.ts` words each
 * error); and how long `Pipeline.addStream` waits for the source to open.
 *
 * @module
 */

import { describe } from "../describe.ts";
import { ConflictError, type LimitError } from "../errors.ts";
import { formatIssue } from "../wire/issues.ts";
import type { LimitsConfig } from "./config.ts";
import type { StreamState } from "./events.ts";
import type { StreamSlot } from "./stream_slot.ts";
import { ADMISSION_WAIT_MS, pixelRate, pixelRateError, streamCountError } from "./stream_limits.ts";

/**
 * The error of a stream added with an id that exists already (HTTP 409).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const error = streamExists("POST /streams", "cam1");
 * assert.equal(error.name, "ConflictError");
 * assert.equal(
 *   error.message,
 *   'POST /streams: id: expected a new stream id, found the string "cam1", which exists already',
 * );
 * ```
 */
export function streamExists(where: string, id: string): ConflictError {
  const issue = {
    path: ["id"],
    expected: "a new stream id",
    found: `${describe(id)}, which exists already`,
  };
  return new ConflictError(formatIssue(where, issue), { issues: [issue] });
}

/**
 * Pixels per second of the inputs of every running stream of `slots` but `except` (a
 * stream whose source has not opened yet counts 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveStreamConfig } from "./config.ts";
 * const config = resolveStreamConfig({ id: "cam1", source: "rtsp://10.0.0.2/live" },
 *   [{ id: "street" }], { name: "POST /streams", baseDir: "/srv" });
 * assert.equal(runningPixelRate([{ config }], undefined), 0); // not started
 * ```
 */
export function runningPixelRate(
  slots: Iterable<StreamSlot>,
  except: StreamSlot | undefined,
): number {
  let sum = 0;
  for (const s of slots) {
    if (s === except || s.done || s.refused) continue;
    const input = s.runner?.source.info?.input;
    if (input) sum += pixelRate(input);
  }
  return sum;
}

/**
 * The error of starting `slot`, a stream added at runtime, while `slots` are listed: its
 * id is taken (another request may have added it while its source was checked), or
 * `limits.maxStreams` streams are listed, or the total pixel budget is used up; undefined
 * when it may start.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveStreamConfig } from "./config.ts";
 * const origin = { name: "POST /streams", baseDir: "/srv" };
 * const cam1 = resolveStreamConfig({ id: "cam1", source: "rtsp://10.0.0.2/live" }, [{ id: "m" }], origin);
 * const limits = { maxStreams: 1, maxPixelRate: 250e6, maxTotalPixelRate: 1e9 };
 * const slots = new Map();
 * assert.equal(admissionError("POST /streams", { config: cam1 }, slots, limits), undefined);
 * slots.set("cam1", { config: cam1 });
 * assert.equal(admissionError("POST /streams", { config: cam1 }, slots, limits)?.name, "ConflictError");
 * const cam2 = { config: { ...cam1, id: "cam2" } };
 * assert.equal(admissionError("POST /streams", cam2, slots, limits)?.name, "CapacityError");
 * ```
 */
export function admissionError(
  where: string,
  slot: StreamSlot,
  slots: ReadonlyMap<string, StreamSlot>,
  limits: LimitsConfig,
): ConflictError | LimitError | undefined {
  if (slots.has(slot.config.id)) return streamExists(where, slot.config.id);
  return streamCountError(where, slots.size, limits) ??
    pixelRateError(where, undefined, runningPixelRate(slots.values(), slot), limits);
}

/**
 * A stream added at runtime, held to `limits` each time its source connects; it knows
 * when the source first opened (connected, failed or started reconnecting).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const limits = { maxStreams: 16, maxPixelRate: 250e6, maxTotalPixelRate: 1e9 };
 * const admission = new StreamAdmission("POST /streams", limits);
 * admission.observe("connecting");
 * admission.observe("connected");
 * await admission.waitOpened(); // at once: the source opened
 * ```
 */
export class StreamAdmission {
  /** The request that added the stream (`POST /streams`), which its errors name. */
  readonly where: string;
  #limits: LimitsConfig;
  #opened = Promise.withResolvers<void>();

  constructor(where: string, limits: LimitsConfig) {
    this.where = where;
    this.#limits = limits;
  }

  /** Once `slot`'s source has connected: the limit its input is over with the other
   * running streams of `slots`, or undefined when it fits. */
  inputError(slot: StreamSlot, slots: Iterable<StreamSlot>): LimitError | undefined {
    const input = slot.runner?.source.info?.input;
    return pixelRateError(this.where, input, runningPixelRate(slots, slot), this.#limits);
  }

  /** Notes a state of the stream: any but `starting` and `connecting` means its source
   * opened, failed or started reconnecting. */
  observe(state: StreamState): void {
    if (state !== "starting" && state !== "connecting") this.#opened.resolve();
  }

  /** Resolves once the source opened (see {@link StreamAdmission.observe}), or after
   * `ADMISSION_WAIT_MS` without knowing. */
  async waitOpened(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#opened.promise,
      new Promise((resolve) => timer = setTimeout(resolve, ADMISSION_WAIT_MS)),
    ]);
    clearTimeout(timer);
  }
}
