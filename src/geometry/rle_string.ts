/**
 * The compressed counts string of COCO RLE, as pycocotools' `maskApi.c` writes and reads
 * it (`rleToString`, `rleFrString`): each run length, from the fourth on as the
 * difference with the run two places before (the C code's `if (i > 2)`, so the third
 * run is written whole), in 5-bit groups, least significant first, as ASCII
 * characters 48..111 (`'0'..'o'`); bit 0x20 of a character says another group
 * follows, bit 0x10 of the last group is the sign.
 *
 * @module
 */

import { checkInteger } from "./validate.ts";
import { describe } from "../describe.ts";

/** Largest run length a `Uint32Array` of counts can hold (pycocotools' `uint`). */
const MAX_RUN = 0xffffffff;
/** Groups one value may take: 7 × 5 bits cover a signed difference of two runs. */
const MAX_GROUPS = 7;

/**
 * Writes run lengths as a compressed counts string, byte for byte as pycocotools'
 * `rleToString` (what `maskUtils.encode` returns in `counts`, decoded as ASCII).
 *
 * @param counts Run lengths over the column-major pixels, zeros first (integers in
 * `[0, 2³² - 1]`; a `Uint32Array` as the other RLE functions use).
 *
 * @example Runs of 2 zeros, 3 ones, 1 zero, 1 one (pycocotools' docstring mask)
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(rleCountsToString([2, 3, 1, 1]), "231N"); // 4th run written as 1 - 3 = -2
 * assert.equal(rleCountsToString([0, 100]), "0T3"); // 100 = 4 + 3 × 32: 'T' = 48 + (4 | 0x20)
 * ```
 */
export function rleCountsToString(counts: ArrayLike<number>): string {
  if (counts === null || typeof counts !== "object" || typeof counts.length !== "number") {
    throw new TypeError(
      `rleCountsToString(): counts: expected an array of run lengths, found ${describe(counts)}`,
    );
  }
  const m = counts.length;
  for (let i = 0; i < m; i++) {
    const c = counts[i];
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0 || c > MAX_RUN) {
      throw new RangeError(
        `rleCountsToString(): counts[${i}]: expected an integer in [0, ${MAX_RUN}], found ${
          describe(c)
        }`,
      );
    }
  }
  return countsToString(counts);
}

/**
 * {@link rleCountsToString} without the checks, for counts known to be valid (the other
 * RLE functions call it on the `Uint32Array`s they build).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(countsToString(new Uint32Array([0, 100])), "0T3");
 * ```
 */
export function countsToString(counts: ArrayLike<number>): string {
  const m = counts.length;
  const bytes = new Uint8Array(m * MAX_GROUPS);
  let p = 0;
  for (let i = 0; i < m; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    let more = true;
    if (x >= -0x80000000 && x <= 0x7fffffff) {
      while (more) {
        let c = x & 0x1f;
        x >>= 5;
        more = c & 0x10 ? x !== -1 : x !== 0;
        if (more) c |= 0x20;
        bytes[p++] = c + 48;
      }
    } else {
      while (more) {
        const q = Math.floor(x / 32);
        let c = x - q * 32;
        x = q;
        more = c & 0x10 ? x !== -1 : x !== 0;
        if (more) c |= 0x20;
        bytes[p++] = c + 48;
      }
    }
  }
  let s = "";
  for (let i = 0; i < p; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(p, i + 8192)));
  }
  return s;
}

/**
 * Reads a compressed counts string into run lengths, as pycocotools' `rleFrString`,
 * and checks that they describe a `height × width` mask: every character in ASCII
 * 48..111, no value cut short, no negative or overlong run, and runs summing to
 * `height × width` (pycocotools checks none of these; its C code would read past the
 * string or loop forever on some of them).
 *
 * @param counts Compressed counts string (`Rle.counts`).
 * @param height Mask height in pixels (`Rle.size[0]`).
 * @param width Mask width in pixels (`Rle.size[1]`).
 * @returns The run lengths, zeros first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...rleCountsFromString("231N", 1, 7)], [2, 3, 1, 1]);
 * assert.throws(() => rleCountsFromString("231N", 2, 7), RangeError); // sums to 7, not 14
 * assert.throws(() => rleCountsFromString("2~", 1, 7), RangeError); // '~' is not 48..111
 * ```
 */
export function rleCountsFromString(counts: string, height: number, width: number): Uint32Array {
  checkInteger("rleCountsFromString", "height", height, 0);
  checkInteger("rleCountsFromString", "width", width, 0);
  return parseCountsString("rleCountsFromString", "counts", counts, height, width);
}

/**
 * {@link rleCountsFromString} with the function and argument names that errors should
 * carry (`decodeRle(): rle.counts: ...`). `height` and `width` must already be checked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => parseCountsString("decodeRle", "rle.counts", "0T", 10, 10),
 *   /decodeRle\(\): rle\.counts: expected a complete compressed counts string/,
 * );
 * ```
 */
export function parseCountsString(
  fn: string,
  name: string,
  s: unknown,
  height: number,
  width: number,
): Uint32Array {
  if (typeof s !== "string") {
    throw new TypeError(
      `${fn}(): ${name}: expected a compressed counts string, found ${describe(s)}`,
    );
  }
  const total = height * width;
  const n = s.length;
  const out = new Uint32Array(n);
  let m = 0;
  let p = 0;
  let sum = 0;
  while (p < n) {
    const start = p;
    let x = 0;
    let k = 0;
    let scale = 1;
    let more = true;
    while (more) {
      if (p >= n) {
        throw new RangeError(
          `${fn}(): ${name}: expected a complete compressed counts string, found one that ends ` +
            `inside run ${m} (its last character has the continuation bit 0x20)`,
        );
      }
      const code = s.charCodeAt(p);
      if (code < 48 || code > 111) {
        throw new RangeError(
          `${fn}(): ${name}: expected ASCII characters 48..111 ('0'..'o'), found ${
            JSON.stringify(s[p])
          } (code ${code}) at index ${p}`,
        );
      }
      const c = code - 48;
      x += (c & 0x1f) * scale;
      more = (c & 0x20) !== 0;
      p++;
      k++;
      scale *= 32;
      if (!more && c & 0x10) x -= scale;
      if (more && k >= MAX_GROUPS) {
        throw new RangeError(
          `${fn}(): ${name}: expected at most ${MAX_GROUPS} characters per run, found more at ` +
            `index ${start} (run ${m})`,
        );
      }
    }
    if (m > 2) x += out[m - 2];
    if (x < 0 || x > MAX_RUN) {
      throw new RangeError(
        `${fn}(): ${name}: expected run lengths in [0, ${MAX_RUN}], found ${x} for run ${m} ` +
          `(characters from index ${start})`,
      );
    }
    sum += x;
    if (sum > total) {
      throw new RangeError(
        `${fn}(): ${name}: expected runs summing to height × width = ${height} × ${width} = ` +
          `${total}, found run ${m} overflowing it (sum ${sum})`,
      );
    }
    out[m++] = x;
  }
  if (sum !== total) {
    throw new RangeError(
      `${fn}(): ${name}: expected runs summing to height × width = ${height} × ${width} = ` +
        `${total}, found ${sum}`,
    );
  }
  return out.slice(0, m);
}
