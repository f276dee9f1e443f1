/**
 * The limits on streams added while a pipeline runs (`limits` in the configuration):
 * how many streams, and how many input pixels per second one stream and all of them may
 * take. A stream's pixel rate is known once its source has opened (width × height × frame
 * rate of the input, before any resampling: ffmpeg decodes every frame), so the pipeline
 * checks it then; these functions say whether a stream fits, and word the error when not.
 *
 * @module
 */

import { CapacityError, LimitError } from "../errors.ts";
import type { LimitsConfig } from "./config.ts";

/** The frame rate counted for an input that does not give one. */
export const UNKNOWN_FPS = 30;

/**
 * How long `Pipeline.addStream` waits for an added stream's source to open, fail or
 * start reconnecting, before it answers without knowing the input's size (the limits are
 * then checked when it connects). A live source gives up its first attempt sooner (its
 * connect timeout, 10 s).
 */
export const ADMISSION_WAIT_MS = 15_000;

/** The native size and rate of an input, as its source reports them. */
export interface InputSize {
  width: number;
  height: number;
  /** 0 when the input gives no rate. */
  fps: number;
}

/**
 * Pixels per second an input makes ffmpeg decode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(pixelRate({ width: 1920, height: 1080, fps: 30 }), 62_208_000);
 * assert.equal(pixelRate({ width: 100, height: 10, fps: 0 }), 100 * 10 * UNKNOWN_FPS);
 * ```
 */
export function pixelRate(input: InputSize): number {
  return input.width * input.height * (input.fps > 0 ? input.fps : UNKNOWN_FPS);
}

/**
 * The error of one more stream when `count` streams are listed already (`limits.maxStreams`
 * reached: HTTP 429), or undefined when it fits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const limits = { maxStreams: 2, maxPixelRate: 1e6, maxTotalPixelRate: 2e6 };
 * assert.equal(streamCountError("POST /streams", 1, limits), undefined);
 * assert.equal(
 *   streamCountError("POST /streams", 2, limits)?.message,
 *   "POST /streams: limits.maxStreams: expected at most 2 streams, found 2 already (delete one to add another)",
 * );
 * ```
 */
export function streamCountError(
  where: string,
  count: number,
  limits: LimitsConfig,
): CapacityError | undefined {
  const max = limits.maxStreams;
  if (count < max) return undefined;
  return new CapacityError(
    `${where}: limits.maxStreams: expected at most ${max} streams, found ${count} already ` +
      "(delete one to add another)",
    { limit: "limits.maxStreams", requested: count + 1, allowed: max },
  );
}

/**
 * The error of a stream whose input is `input` while the other streams take `others`
 * pixels per second: over `limits.maxPixelRate` on its own (a {@link LimitError}, HTTP
 * 400), or over `limits.maxTotalPixelRate` with the others (a {@link CapacityError}, HTTP
 * 429); undefined when it fits. Without `input` (not open yet), whether the total budget
 * is used up already.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const limits = { maxStreams: 16, maxPixelRate: 250e6, maxTotalPixelRate: 1e9 };
 * const eightK = { width: 7680, height: 4320, fps: 60 };
 * assert.equal(
 *   pixelRateError("POST /streams", eightK, 0, limits)?.message,
 *   "POST /streams: limits.maxPixelRate: expected an input of at most 250 million pixels/s, " +
 *     "found 7680×4320 at 60 fps: 1990.7 million pixels/s",
 * );
 * const hd = { width: 1920, height: 1080, fps: 30 };
 * assert.equal(pixelRateError("POST /streams", hd, 0, limits), undefined);
 * const full = pixelRateError("POST /streams", hd, 950e6, limits);
 * assert.deepEqual([full?.name, full?.requested, full?.allowed], ["CapacityError", 950e6 + 62_208_000, 1e9]);
 * assert.equal(pixelRateError("POST /streams", undefined, 1e9, limits)?.name, "CapacityError");
 * ```
 */
export function pixelRateError(
  where: string,
  input: InputSize | undefined,
  others: number,
  limits: LimitsConfig,
): LimitError | undefined {
  const total = limits.maxTotalPixelRate;
  if (input === undefined) {
    if (others < total) return undefined;
    return new CapacityError(
      `${where}: limits.maxTotalPixelRate: expected at most ${rate(total)} for all streams ` +
        `together, found ${rate(others)} running already`,
      { limit: "limits.maxTotalPixelRate", requested: others, allowed: total },
    );
  }
  const own = pixelRate(input);
  const fps = input.fps > 0
    ? `${input.fps} fps`
    : `an unknown rate (counted as ${UNKNOWN_FPS} fps)`;
  const what = `${input.width}×${input.height} at ${fps}: ${rate(own)}`;
  if (own > limits.maxPixelRate) {
    return new LimitError(
      `${where}: limits.maxPixelRate: expected an input of at most ${
        rate(limits.maxPixelRate)
      }, found ${what}`,
      { limit: "limits.maxPixelRate", requested: own, allowed: limits.maxPixelRate },
    );
  }
  if (others + own <= total) return undefined;
  return new CapacityError(
    `${where}: limits.maxTotalPixelRate: expected at most ${rate(total)} for all streams ` +
      `together, found ${rate(others)} running and ${what} for this one`,
    { limit: "limits.maxTotalPixelRate", requested: others + own, allowed: total },
  );
}

/** `1990.7 million pixels/s`, or `15360 pixels/s` under a million. */
function rate(pixelsPerSecond: number): string {
  return pixelsPerSecond >= 1e6
    ? `${Number((pixelsPerSecond / 1e6).toFixed(1))} million pixels/s`
    : `${Math.round(pixelsPerSecond)} pixels/s`;
}
