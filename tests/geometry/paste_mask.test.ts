import assert from "node:assert/strict";
import { pasteMask, pasteMasks } from "../../src/geometry/paste_mask.ts";
import { float32FromBase64, loadFixture } from "../_helpers/fixtures.ts";

interface PasteCase {
  height: number;
  width: number;
  maskSize: number;
  instances: {
    box: number[];
    mask: string;
    x: number;
    y: number;
    width: number;
    height: number;
    probabilities: string;
  }[];
}

const { cases } = await loadFixture<{ cases: PasteCase[] }>("geometry/paste_mask.json");

Deno.test("pasteMask() gives detectron2's pasted pixels and paste region at several thresholds", () => {
  let pixels = 0, nearThreshold = 0;
  for (const c of cases) {
    for (const [k, inst] of c.instances.entries()) {
      const probs = float32FromBase64(inst.probabilities);
      for (const threshold of [0.5, 0.3, 0.8]) {
        const what = `${c.width}x${c.height} instance ${k} @ ${threshold}`;
        const pasted = pasteMask(
          float32FromBase64(inst.mask),
          c.maskSize,
          inst.box,
          c.height,
          c.width,
          threshold,
        );
        assert.deepEqual(
          [pasted.x, pasted.y, pasted.width, pasted.height],
          [inst.x, inst.y, inst.width, inst.height],
          what,
        );
        for (let p = 0; p < probs.length; p++) {
          // grid_sample's float32 rounding differs from ours by ~1e-7: only pixels that
          // close to the threshold may land on the other side.
          if (Math.abs(probs[p] - threshold) < 1e-5) {
            nearThreshold++;
            continue;
          }
          assert.equal(pasted.data[p], probs[p] >= threshold ? 1 : 0, `${what}, pixel ${p}`);
          pixels++;
        }
      }
    }
  }
  assert.ok(pixels > 50_000 && nearThreshold < pixels / 1000, `${pixels} ${nearThreshold}`);
});

Deno.test("pasteMasks() pastes each mask as pasteMask() does", () => {
  const c = cases[1];
  const n = c.instances.length, plane = c.maskSize * c.maskSize;
  const masks = new Float32Array(n * plane), boxes = new Float32Array(n * 4);
  c.instances.forEach((inst, i) => {
    masks.set(float32FromBase64(inst.mask), i * plane);
    boxes.set(inst.box, i * 4);
  });
  const all = pasteMasks(masks, c.maskSize, boxes, c.height, c.width);
  all.forEach((pasted, i) => {
    const one = pasteMask(
      masks.subarray(i * plane, (i + 1) * plane),
      c.maskSize,
      c.instances[i].box,
      c.height,
      c.width,
    );
    assert.deepEqual(pasted, one);
  });
});

Deno.test("pasteMask() returns an empty crop for a box outside the frame", () => {
  const pasted = pasteMask(new Float32Array(4).fill(1), 2, [200, 10, 220, 30], 100, 100);
  assert.equal(pasted.width * pasted.height, 0);
  assert.equal(pasted.data.length, 0);
});

Deno.test("pasteMask() rejects a mask whose length is not maskSize²", () => {
  assert.throws(
    () => pasteMask(new Float32Array(783), 28, [0, 0, 10, 10], 100, 100),
    new RangeError(
      "pasteMask(): mask: expected a Float32Array of 28×28 = 784 probabilities, found length 783",
    ),
  );
});

Deno.test("pasteMask() rejects a box that is not 4 numbers and a frame size that is not an integer", () => {
  const mask = new Float32Array(4);
  assert.throws(
    () => pasteMask(mask, 2, [0, 0, 10], 100, 100),
    /box: expected 4 numbers \(x1, y1, x2, y2\)/,
  );
  assert.throws(
    () => pasteMask(mask, 2, [0, 0, 1, 1], 100.5, 100),
    /imageHeight: expected an integer >= 0, found 100.5/,
  );
  assert.throws(() => pasteMask(mask, 2, [0, 0, 1, 1], 100, -1), /imageWidth/);
});

Deno.test("pasteMasks() rejects masks that do not match the number of boxes", () => {
  assert.throws(
    () => pasteMasks(new Float32Array(3 * 4), 2, new Float32Array(8), 10, 10),
    new RangeError(
      "pasteMasks(): masks: expected a Float32Array of 2×2×2 = 8 probabilities, found length 12",
    ),
  );
});
