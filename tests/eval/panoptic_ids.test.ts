import assert from "node:assert/strict";
import { idsFromRgb, rgbFromIds } from "../../src/eval/panoptic_ids.ts";

Deno.test("idsFromRgb() reads a colour as R + 256 G + 256² B, as panopticapi's rgb2id", () => {
  // deno-fmt-ignore
  const rgb = new Uint8Array([
    0, 0, 0,   255, 0, 0,   0, 1, 0,   0, 0, 1,   255, 255, 255,
    12, 34, 56,   1, 2, 3,   0, 0, 0,   7, 0, 0,   0, 255, 0,
  ]);
  assert.deepEqual(
    idsFromRgb(rgb, 2, 5),
    new Int32Array([0, 255, 256, 65536, 16777215, 12 + 34 * 256 + 56 * 65536, 197121, 0, 7, 65280]),
  );
});

Deno.test("idsFromRgb() skips the alpha of RGBA pixels", () => {
  const rgba = new Uint8ClampedArray([1, 2, 3, 255, 4, 5, 6, 0]);
  assert.deepEqual(idsFromRgb(rgba, 1, 2, 4), new Int32Array([197121, 394500]));
});

Deno.test("rgbFromIds() writes an id as its three base-256 digits, as panopticapi's id2rgb", () => {
  const ids = new Int32Array([0, 1, 255, 256, 65535, 65536, 16777215, 5 * 1000 + 3]);
  // deno-fmt-ignore
  const expected = new Uint8Array([
    0, 0, 0,   1, 0, 0,   255, 0, 0,   0, 1, 0,
    255, 255, 0,   0, 0, 1,   255, 255, 255,   5003 % 256, 5003 >> 8, 0,
  ]);
  assert.deepEqual(rgbFromIds(ids, 2, 4), expected);
});

Deno.test("rgbFromIds() and idsFromRgb() round-trip every id a colour can hold", () => {
  let state = 12345;
  const ids = Int32Array.from({ length: 64 * 48 }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % 0x1000000;
  });
  ids[0] = 0;
  ids[1] = 0xffffff;
  assert.deepEqual(idsFromRgb(rgbFromIds(ids, 48, 64), 48, 64), ids);
});

Deno.test("rgbFromIds() rejects an id that no colour can hold", () => {
  assert.throws(() => rgbFromIds(new Int32Array([1, -1]), 1, 2), {
    name: "RangeError",
    message: "rgbFromIds(): ids[1]: expected an id in [0, 16777215] (R + 256 G + 256² B), found -1",
  });
  assert.throws(() => rgbFromIds(new Int32Array([0x1000000]), 1, 1), RangeError);
});

Deno.test("idsFromRgb() and rgbFromIds() reject buffers of the wrong kind or size", () => {
  assert.throws(() => idsFromRgb(new Uint8Array(5), 1, 2), {
    name: "RangeError",
    message:
      "idsFromRgb(): rgb: expected a Uint8Array of height × width × 3 = 6 bytes, found length 5",
  });
  assert.throws(() => idsFromRgb([0, 0, 0] as unknown as Uint8Array, 1, 1), {
    name: "TypeError",
    message:
      "idsFromRgb(): rgb: expected a Uint8Array of height × width × 3 = 3 bytes, found an array of 3 items",
  });
  assert.throws(() => idsFromRgb(new Uint8Array(3), 1, 1, 2 as 3), RangeError);
  assert.throws(() => idsFromRgb(new Uint8Array(3), 1.5, 2), RangeError);
  assert.throws(() => rgbFromIds(new Uint32Array(2) as unknown as Int32Array, 1, 2), {
    name: "TypeError",
    message:
      "rgbFromIds(): ids: expected an Int32Array of height × width = 2 ids, found a Uint32Array of length 2",
  });
  assert.throws(() => rgbFromIds(new Int32Array(3), 1, 2), {
    name: "RangeError",
    message: "rgbFromIds(): ids: expected an Int32Array of height × width = 2 ids, found length 3",
  });
  assert.throws(() => rgbFromIds(new Int32Array(0), -1, 0), RangeError);
});

Deno.test("idsFromRgb() and rgbFromIds() accept an empty image", () => {
  assert.deepEqual(idsFromRgb(new Uint8Array(0), 0, 5), new Int32Array(0));
  assert.deepEqual(rgbFromIds(new Int32Array(0), 3, 0), new Uint8Array(0));
});
