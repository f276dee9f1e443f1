import assert from "node:assert/strict";
import {
  anchorsForLevel,
  anchorStride,
  cellAnchors,
  FCOS_ANCHOR_SIZES,
  RETINANET_ANCHOR_SIZES,
  RETINANET_ASPECT_RATIOS,
} from "../../src/geometry/anchors.ts";
import { float32FromBase64, loadFixture } from "../_helpers/fixtures.ts";

interface AnchorCase {
  name: string;
  sizes: number[][];
  aspectRatios: number[][];
  imageHeight: number;
  imageWidth: number;
  grids: [number, number][];
  cellAnchors: number[][];
  anchors: string[];
}

const { cases } = await loadFixture<{ cases: AnchorCase[] }>("single_stage/anchors.json");

Deno.test("cellAnchors() rounds base anchors as torchvision's AnchorGenerator does", () => {
  for (const c of cases) {
    c.sizes.forEach((sizes, l) => {
      assert.deepEqual(
        [...cellAnchors(sizes, c.aspectRatios[l])],
        c.cellAnchors[l],
        `${c.name}, level ${l}`,
      );
    });
  }
});

Deno.test("anchorsForLevel() gives torchvision's anchors for every level, strides from anchorStride()", () => {
  for (const c of cases) {
    c.grids.forEach(([h, w], l) => {
      const stride = anchorStride(c.imageHeight, c.imageWidth, h, w);
      const ours = anchorsForLevel(c.sizes[l], c.aspectRatios[l], stride, h, w);
      assert.deepEqual([...ours], [...float32FromBase64(c.anchors[l])], `${c.name}, level ${l}`);
    });
  }
});

Deno.test("the RetinaNet and FCOS presets are torchvision's default generators' sizes", () => {
  const retina = cases.find((c) => c.name.startsWith("RetinaNet"))!;
  const fcos = cases.find((c) => c.name.startsWith("FCOS"))!;
  assert.deepEqual(RETINANET_ANCHOR_SIZES, retina.sizes);
  for (const ratios of retina.aspectRatios) assert.deepEqual(RETINANET_ASPECT_RATIOS, ratios);
  assert.deepEqual(FCOS_ANCHOR_SIZES, fcos.sizes);
  for (const ratios of fcos.aspectRatios) assert.deepEqual(ratios, [1]);
});

Deno.test("anchorsForLevel() takes different strides per axis and an empty feature map", () => {
  const anchors = anchorsForLevel([8], [1], [8, 26], 2, 2);
  assert.deepEqual([...anchors.subarray(4, 8)], [22, -4, 30, 4]); // row 0, column 1
  assert.deepEqual([...anchors.subarray(8, 12)], [-4, 4, 4, 12]); // row 1, column 0
  assert.equal(anchorsForLevel([8], [1], 8, 0, 5).length, 0);
});

Deno.test("the anchor functions reject bad sizes, ratios and strides with clear errors", () => {
  assert.throws(
    () => cellAnchors([], [1]),
    new TypeError(
      "cellAnchors(): sizes: expected a non-empty array of positive numbers, found an array of 0 items",
    ),
  );
  assert.throws(
    () => cellAnchors([32], [0]),
    new RangeError("cellAnchors(): aspectRatios[0]: expected a finite number >= 5e-324, found 0"),
  );
  assert.throws(
    () => anchorsForLevel([32], [1], [8] as unknown as [number, number], 2, 2),
    new TypeError(
      "anchorsForLevel(): stride: expected a number or [strideH, strideW], found an array of 1 item",
    ),
  );
  assert.throws(() => anchorsForLevel([32], [1], 8.5, 2, 2), RangeError);
  assert.throws(
    () => anchorStride(64, 64, 0, 8),
    new RangeError("anchorStride(): featureHeight: expected an integer >= 1, found 0"),
  );
});
