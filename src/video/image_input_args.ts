/**
 * The input options of an image sequence on ffmpeg's command line: the numbered links
 * of `prepareImages`, read by the image reader as a sequence (never as a glob), timed at
 * the source's image rate.
 *
 * @module
 */

/** Frames per second images are timed at when the source does not say (`imageRate`). */
export const DEFAULT_IMAGE_RATE = 25;

/**
 * The input options for the numbered `pattern` of `prepareImages` (`<folder>/%d.jpg`,
 * from 0), at `rate` frames per second, opened under `whitelist` (`file`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(imageInputArgs("/tmp/streamdet-images-x/%d.jpg", 5, "file"), [
 *   "-protocol_whitelist", "file",
 *   "-f", "image2", "-pattern_type", "sequence", "-start_number", "0",
 *   "-framerate", "5",
 *   "-i", "/tmp/streamdet-images-x/%d.jpg",
 * ]);
 * ```
 */
export function imageInputArgs(
  pattern: string,
  rate: number = DEFAULT_IMAGE_RATE,
  whitelist = "file",
): string[] {
  if (!(rate > 0) || !Number.isFinite(rate)) {
    throw new RangeError(`imageInputArgs(): rate: expected a number > 0, found ${rate}`);
  }
  return [
    ...["-protocol_whitelist", whitelist],
    ...["-f", "image2", "-pattern_type", "sequence", "-start_number", "0"],
    ...["-framerate", String(rate)],
    ...["-i", pattern],
  ];
}
