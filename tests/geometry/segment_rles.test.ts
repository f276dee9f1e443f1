import assert from "node:assert/strict";
import { segmentRles } from "../../src/geometry/segment_rles.ts";
import { encodeRle } from "../../src/geometry/rle.ts";
import { random } from "../_helpers/random.ts";

Deno.test("segmentRles() gives each segment the RLE that encodeRle() gives its mask alone", () => {
  const rand = random(7);
  for (const [h, w] of [[1, 1], [5, 7], [36, 64], [17, 3]]) {
    const ids = new Int32Array(h * w);
    // blocky segments with some void
    for (let i = 0; i < ids.length; i++) ids[i] = rand() < 0.1 ? 0 : 1 + Math.floor(rand() * 5);
    const rles = segmentRles(ids, h, w);
    const present = [...new Set(ids)].filter((v) => v > 0).sort((a, b) => a - b);
    assert.deepEqual([...rles.keys()], present);
    for (const id of present) {
      const mask = Uint8Array.from(ids, (v) => v === id ? 1 : 0);
      assert.deepEqual(rles.get(id), encodeRle(mask, h, w), `id ${id} at ${h}×${w}`);
    }
  }
});

Deno.test("segmentRles() refuses an id map of the wrong size", () => {
  assert.throws(() => segmentRles(new Int32Array(5), 2, 3), /expected 2×3 = 6 values, found 5/);
});
