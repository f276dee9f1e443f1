import assert from "node:assert/strict";
import { pastedMaskToRle } from "../../src/geometry/pasted_rle.ts";
import { decodeRle, encodeRle } from "../../src/geometry/rle.ts";
import type { PastedMask } from "../../src/types.ts";
import { random } from "../_helpers/random.ts";

/** The crop pasted into a zero `height × width` plane. */
function paste(mask: PastedMask, height: number, width: number): Uint8Array {
  const full = new Uint8Array(height * width);
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      full[(mask.y + y) * width + mask.x + x] = mask.data[y * mask.width + x];
    }
  }
  return full;
}

/** A random crop inside the frame: anywhere, often touching borders, sometimes empty. */
function randomCrop(rand: () => number, height: number, width: number): PastedMask {
  const pick = (n: number) => Math.floor(rand() * n);
  const edge = (size: number) => {
    // Position and extent, biased to touch the frame's borders and to be degenerate.
    const r = rand();
    let start = pick(size + 1), end = start + pick(size - start + 1);
    if (r < 0.15) start = 0;
    else if (r < 0.3) end = size;
    else if (r < 0.4) [start, end] = [0, size];
    if (end < start) end = start;
    if (rand() < 0.08) end = start; // zero extent
    return [start, end - start];
  };
  const [x, w] = edge(width), [y, h] = edge(height);
  const data = new Uint8Array(w * h);
  const kind = rand();
  if (kind < 0.1) {
    // all zeros
  } else if (kind < 0.2) data.fill(1);
  else if (kind < 0.35) data.fill(255); // any nonzero byte counts as 1
  else {
    const density = rand();
    for (let i = 0; i < data.length; i++) data[i] = rand() < density ? 1 : 0;
  }
  return { x, y, width: w, height: h, data };
}

Deno.test("pastedMaskToRle() equals encodeRle() of the mask pasted into a zero plane for random crops", () => {
  const rand = random(20240611);
  let checked = 0, touching = 0;
  for (let t = 0; t < 3000; t++) {
    const height = Math.floor(rand() * 9), width = Math.floor(rand() * 9);
    const mask = randomCrop(rand, height, width);
    const full = paste(mask, height, width);
    const what = `${width}×${height} frame, ${mask.width}×${mask.height} crop at ` +
      `(${mask.x}, ${mask.y}), data [${[...mask.data]}]`;
    assert.deepEqual(pastedMaskToRle(mask, height, width), encodeRle(full, height, width), what);
    checked++;
    if (mask.y > 0 && mask.y + mask.height === height && mask.width > 1) touching++;
  }
  assert.equal(checked, 3000);
  assert.ok(touching > 100, `only ${touching} crops touch the bottom border below a top gap`);
});

Deno.test("pastedMaskToRle() decodes back to the pasted plane for larger random frames", () => {
  const rand = random(7);
  for (let t = 0; t < 200; t++) {
    const height = 1 + Math.floor(rand() * 60), width = 1 + Math.floor(rand() * 60);
    const mask = randomCrop(rand, height, width);
    const full = paste(mask, height, width).map((v) => v ? 1 : 0);
    const rle = pastedMaskToRle(mask, height, width);
    assert.deepEqual(rle.size, [height, width]);
    assert.deepEqual(decodeRle(rle), full, `${width}×${height}, crop at (${mask.x}, ${mask.y})`);
  }
});

Deno.test("pastedMaskToRle() keeps the zero rows above a crop out of the ones of the column before", () => {
  // Each crop column ends with a 1 on the frame's last row; the next column starts with
  // two rows of zeros above the crop.
  const mask = { x: 1, y: 2, width: 2, height: 2, data: new Uint8Array([0, 0, 1, 1]) };
  const full = paste(mask, 4, 4);
  assert.deepEqual(pastedMaskToRle(mask, 4, 4), encodeRle(full, 4, 4));
  assert.deepEqual(decodeRle(pastedMaskToRle(mask, 4, 4)), full);
});

Deno.test("pastedMaskToRle() handles an all-ones crop filling the whole frame and empty frames", () => {
  const ones = { x: 0, y: 0, width: 3, height: 2, data: new Uint8Array(6).fill(1) };
  assert.deepEqual(pastedMaskToRle(ones, 2, 3), encodeRle(new Uint8Array(6).fill(1), 2, 3));
  const none = { x: 0, y: 0, width: 0, height: 0, data: new Uint8Array(0) };
  assert.deepEqual(pastedMaskToRle(none, 0, 0), encodeRle(new Uint8Array(0), 0, 0));
  assert.deepEqual(pastedMaskToRle(none, 5, 0), encodeRle(new Uint8Array(0), 5, 0));
  const flat = { x: 4, y: 0, width: 0, height: 3, data: new Uint8Array(0) };
  assert.deepEqual(pastedMaskToRle(flat, 3, 4), encodeRle(new Uint8Array(12), 3, 4));
});

Deno.test("pastedMaskToRle() throws a RangeError for a crop reaching outside the frame", () => {
  const crop = (x: number, y: number, width: number, height: number): PastedMask => ({
    x,
    y,
    width,
    height,
    data: new Uint8Array(width * height),
  });
  for (const mask of [crop(-1, 0, 2, 2), crop(0, -1, 2, 2), crop(3, 0, 2, 2), crop(0, 3, 2, 2)]) {
    assert.throws(() => pastedMaskToRle(mask, 4, 4), (error: unknown) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, /pastedMaskToRle\(\): mask: expected a crop inside 4×4/);
      return true;
    });
  }
  assert.throws(() => pastedMaskToRle(crop(0, 0, 1, 1), 0, 0), RangeError);
  assert.throws(() => pastedMaskToRle(crop(0, 0, 0, 0), -1, 2), RangeError);
});

Deno.test("pastedMaskToRle() throws a RangeError when the crop's data is not width × height bytes", () => {
  const mask = { x: 0, y: 0, width: 2, height: 2, data: new Uint8Array(3) };
  assert.throws(() => pastedMaskToRle(mask, 4, 4), /mask\.data: expected 2×2 = 4 bytes/);
});
