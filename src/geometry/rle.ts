/**
 * COCO run-length encoding of binary masks, as pycocotools' `maskUtils.encode` /
 * `decode` / `frPyObjects` (for uncompressed RLE) compute it (`common/maskApi.c`):
 * runs over the column-major pixels, starting with a run of zeros, in the compressed
 * string form that COCO JSON files carry.
 *
 * Masks in this library are row-major (`index = y * width + x`); only the RLE counts
 * are column-major. Inside, run lengths are kept as `Uint32Array`s ({@link RleRuns}).
 *
 * @module
 */

import type { Rle, UncompressedRle } from "../types.ts";
import { countsToString, parseCountsString } from "./rle_string.ts";
import { checkInteger } from "./validate.ts";
import { describe } from "../describe.ts";

/** Most pixels one mask may have: run lengths are 32-bit unsigned, as in pycocotools. */
const MAX_PIXELS = 0xffffffff;

/** A parsed RLE: the size and the run lengths (zeros first, column-major). */
export interface RleRuns {
  /** Mask height in pixels. */
  height: number;
  /** Mask width in pixels. */
  width: number;
  /** Run lengths over the column-major pixels, starting with zeros; they sum to height × width. */
  counts: Uint32Array;
}

/**
 * Checks an RLE object of either form (compressed string counts or plain counts) and
 * parses it into {@link RleRuns}. Errors name `fn` and `name`:
 * `decodeRle(): rle.size: expected [height, width] ...`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const runs = parseRle("myOp", "rle", { size: [2, 2], counts: [1, 2, 1] });
 * assert.deepEqual([...runs.counts], [1, 2, 1]);
 * assert.throws(() => parseRle("myOp", "rle", { size: [2, 2], counts: [1, 2] }), RangeError);
 * ```
 */
export function parseRle(fn: string, name: string, rle: unknown): RleRuns {
  if (rle === null || typeof rle !== "object" || Array.isArray(rle)) {
    throw new TypeError(
      `${fn}(): ${name}: expected an RLE object {size: [height, width], counts}, found ${
        describe(rle)
      }`,
    );
  }
  const { size, counts } = rle as { size?: unknown; counts?: unknown };
  const [height, width] = checkSize(fn, `${name}.size`, size);
  if (typeof counts === "string") {
    return {
      height,
      width,
      counts: parseCountsString(fn, `${name}.counts`, counts, height, width),
    };
  }
  if (!Array.isArray(counts) && !(counts instanceof Uint32Array)) {
    throw new TypeError(
      `${fn}(): ${name}.counts: expected a compressed counts string or an array of run ` +
        `lengths, found ${describe(counts)}`,
    );
  }
  const out = new Uint32Array(counts.length);
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0 || c > MAX_PIXELS) {
      throw new RangeError(
        `${fn}(): ${name}.counts[${i}]: expected a run length (an integer >= 0), found ${
          describe(c)
        }`,
      );
    }
    out[i] = c;
    sum += c;
  }
  if (sum !== height * width) {
    throw new RangeError(
      `${fn}(): ${name}.counts: expected runs summing to height × width = ${height} × ${width} = ` +
        `${height * width}, found ${sum}`,
    );
  }
  return { height, width, counts: out };
}

/**
 * Checks `[height, width]` (two integers >= 0 whose product fits 32 bits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkSize("decodeRle", "rle.size", [480, 640]), [480, 640]);
 * assert.throws(() => checkSize("decodeRle", "rle.size", [480]), RangeError);
 * ```
 */
export function checkSize(fn: string, name: string, size: unknown): [number, number] {
  const expected = "[height, width] (two integers >= 0)";
  if (!Array.isArray(size)) {
    throw new TypeError(`${fn}(): ${name}: expected ${expected}, found ${describe(size)}`);
  }
  if (size.length !== 2) {
    throw new RangeError(`${fn}(): ${name}: expected ${expected}, found ${describe(size)}`);
  }
  checkInteger(fn, `${name}[0]`, size[0], 0);
  checkInteger(fn, `${name}[1]`, size[1], 0);
  if (size[0] * size[1] > MAX_PIXELS) {
    throw new RangeError(
      `${fn}(): ${name}: expected at most 2³² - 1 pixels, found ${size[0]} × ${size[1]}`,
    );
  }
  return [size[0], size[1]];
}

/**
 * Writes parsed runs back as a compressed {@link Rle}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const rle = runsToRle({ height: 1, width: 7, counts: new Uint32Array([2, 3, 1, 1]) });
 * assert.deepEqual(rle, { size: [1, 7], counts: "231N" });
 * ```
 */
export function runsToRle(runs: RleRuns): Rle {
  return { size: [runs.height, runs.width], counts: countsToString(runs.counts) };
}

/**
 * Run lengths of a row-major mask, column-major as pycocotools' `rleEncode` (without
 * the checks of {@link encodeRle}). Nonzero bytes count as 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // 2×2, only the bottom-right pixel set: column-major 0, 0, 0, 1
 * assert.deepEqual([...encodeCounts(new Uint8Array([0, 0, 0, 1]), 2, 2)], [3, 1]);
 * ```
 */
export function encodeCounts(mask: Uint8Array, height: number, width: number): Uint32Array {
  let counts = new Uint32Array(64);
  let k = 0;
  let previous = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let i = x, end = x + height * width; i < end; i += width) {
      const v = mask[i] !== 0 ? 1 : 0;
      if (v !== previous) {
        if (k === counts.length) {
          const grown = new Uint32Array(k * 2);
          grown.set(counts);
          counts = grown;
        }
        counts[k++] = run;
        run = 0;
        previous = v;
      }
      run++;
    }
  }
  if (k === counts.length) {
    const grown = new Uint32Array(k + 1);
    grown.set(counts);
    counts = grown;
  }
  counts[k++] = run;
  return counts.slice(0, k);
}

/**
 * Encodes a binary mask as compressed COCO RLE, byte for byte as
 * `pycocotools.mask.encode(np.asfortranarray(mask))` (its `counts` decoded as ASCII).
 *
 * @param mask Row-major `height × width` bytes; nonzero is 1 (pycocotools would start a
 * new run at every change of value, so masks of other values than 0 and 1 differ there).
 * @param height Mask height in pixels.
 * @param width Mask width in pixels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // 3×4 mask with a 2×2 square at x = 1..2, y = 0..1
 * const mask = new Uint8Array([
 *   0, 1, 1, 0,
 *   0, 1, 1, 0,
 *   0, 0, 0, 0,
 * ]);
 * assert.deepEqual(encodeRle(mask, 3, 4), { size: [3, 4], counts: "32103" });
 * ```
 */
export function encodeRle(mask: Uint8Array, height: number, width: number): Rle {
  checkInteger("encodeRle", "height", height, 0);
  checkInteger("encodeRle", "width", width, 0);
  if (height * width > MAX_PIXELS) {
    throw new RangeError(
      `encodeRle(): height × width: expected at most 2³² - 1 pixels, found ${height} × ${width}`,
    );
  }
  const expected = `a Uint8Array of height × width = ${height * width} bytes (row-major)`;
  if (!(mask instanceof Uint8Array)) {
    throw new TypeError(`encodeRle(): mask: expected ${expected}, found ${describe(mask)}`);
  }
  if (mask.length !== height * width) {
    throw new RangeError(`encodeRle(): mask: expected ${expected}, found length ${mask.length}`);
  }
  return { size: [height, width], counts: countsToString(encodeCounts(mask, height, width)) };
}

/**
 * Paints runs into a row-major mask of 0 and 1 (without the checks of {@link decodeRle}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const mask = decodeCounts({ height: 2, width: 2, counts: new Uint32Array([3, 1]) });
 * assert.deepEqual([...mask], [0, 0, 0, 1]);
 * ```
 */
export function decodeCounts(runs: RleRuns): Uint8Array {
  const { height, width, counts } = runs;
  const out = new Uint8Array(height * width);
  if (out.length === 0) return out;
  let x = 0;
  let y = 0;
  for (let j = 0; j < counts.length; j++) {
    let run = counts[j];
    if (j & 1) {
      while (run > 0) {
        const step = Math.min(run, height - y);
        for (let i = y * width + x, end = (y + step) * width + x; i < end; i += width) out[i] = 1;
        run -= step;
        y += step;
        if (y === height) {
          y = 0;
          x++;
        }
      }
    } else {
      const position = x * height + y + run;
      x = Math.floor(position / height);
      y = position - x * height;
    }
  }
  return out;
}

/**
 * Decodes COCO RLE (compressed or uncompressed) into a row-major mask of 0 and 1, as
 * `pycocotools.mask.decode` (which returns it column-major). Counts that do not
 * describe a `size[0] × size[1]` mask are a `RangeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const mask = decodeRle({ size: [3, 4], counts: "32103" });
 * assert.deepEqual([...mask], [0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
 * assert.deepEqual(decodeRle({ size: [3, 4], counts: [3, 2, 1, 2, 4] }), mask);
 * ```
 */
export function decodeRle(rle: Rle | UncompressedRle): Uint8Array {
  return decodeCounts(parseRle("decodeRle", "rle", rle));
}

/**
 * Compresses an uncompressed RLE (crowd annotations store their masks so), as
 * `pycocotools.mask.frPyObjects(rle, h, w)` does for one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(compressRle({ size: [3, 4], counts: [3, 2, 1, 2, 4] }), {
 *   size: [3, 4],
 *   counts: "32103",
 * });
 * ```
 */
export function compressRle(rle: UncompressedRle | Rle): Rle {
  return runsToRle(parseRle("compressRle", "rle", rle));
}
