import assert from "node:assert/strict";
import { drawOverlay } from "../../src/sinks/overlay.ts";
import {
  drawText,
  FIRST_CHAR,
  glyph,
  GLYPH_HEIGHT,
  LAST_CHAR,
  textWidth,
} from "../../src/sinks/bitmap_font.ts";
import type { ClassSpec } from "../../src/inference/manifest.ts";
import type { Detections } from "../../src/inference/postprocess.ts";
import type { PanopticResult, PastedMask } from "../../src/types.ts";

const CLASSES: ClassSpec[] = [
  { id: 1, name: "car", isThing: true, color: [255, 0, 0] },
  { id: 2, name: "person", isThing: true, color: [0, 0, 255] },
  { id: 10, name: "road", isThing: false, color: [0, 200, 0] },
];

function detections(
  boxes: number[],
  scores: number[],
  classIds: number[],
  extra: Partial<Detections> = {},
): Detections {
  return {
    boxes: new Float32Array(boxes),
    scores: new Float32Array(scores),
    classIds: new Int32Array(classIds),
    ...extra,
  };
}

function pixel(rgba: Uint8Array, width: number, x: number, y: number): number[] {
  const o = (y * width + x) * 4;
  return [...rgba.subarray(o, o + 4)];
}

/** A mask covering its whole crop. */
function fullMask(x: number, y: number, width: number, height: number): PastedMask {
  return { x, y, width, height, data: new Uint8Array(width * height).fill(1) };
}

Deno.test("a box is outlined 2 pixels thick in its class colour and everything else stays transparent", () => {
  const W = 100, H = 80;
  const rgba = drawOverlay(detections([20, 30, 60, 50], [0.9], [1]), W, H, CLASSES, {
    labels: false,
  });
  assert.equal(rgba.length, W * H * 4);
  const red = [255, 0, 0, 255], clear = [0, 0, 0, 0];
  for (let y = 30; y < 50; y++) {
    assert.deepEqual(pixel(rgba, W, 20, y), red, `left edge at y=${y}`);
    assert.deepEqual(pixel(rgba, W, 21, y), red);
    assert.deepEqual(pixel(rgba, W, 58, y), red, `right edge at y=${y}`);
    assert.deepEqual(pixel(rgba, W, 59, y), red);
  }
  for (let x = 20; x < 60; x++) {
    assert.deepEqual(pixel(rgba, W, x, 30), red, `top edge at x=${x}`);
    assert.deepEqual(pixel(rgba, W, x, 49), red, `bottom edge at x=${x}`);
  }
  assert.deepEqual(pixel(rgba, W, 22, 40), clear, "inside the outline");
  assert.deepEqual(pixel(rgba, W, 19, 40), clear, "left of the box");
  assert.deepEqual(pixel(rgba, W, 60, 40), clear, "right of the box");
  assert.deepEqual(pixel(rgba, W, 40, 29), clear, "above the box");
  assert.deepEqual(pixel(rgba, W, 40, 50), clear, "below the box");
  let opaque = 0, other = 0;
  for (let p = 0; p < W * H; p++) {
    if (rgba[p * 4 + 3] === 255) opaque++;
    else if (rgba[p * 4 + 3] !== 0) other++;
  }
  assert.equal(opaque, 40 * 20 - 36 * 16, "exactly the outline's pixels");
  assert.equal(other, 0);
});

Deno.test("instance masks are tinted at alpha 130 and stuff segments at alpha 90, in their class colours", () => {
  const W = 40, H = 20;
  // Stuff (road) on the left half; a thing segment that instance masks replace.
  const segmentIds = new Int32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < 20; x++) segmentIds[y * W + x] = 1;
  for (let y = 0; y < 4; y++) for (let x = 30; x < 40; x++) segmentIds[y * W + x] = 2;
  const panoptic: PanopticResult = {
    width: W,
    height: H,
    segmentIds,
    segments: [
      { id: 1, categoryId: 10, isThing: false, area: 400 },
      { id: 2, categoryId: 2, isThing: true, score: 0.9, instanceIndex: 0, area: 40 },
    ],
  };
  // A car mask straddling the stuff's edge (box far bigger, so the outline is elsewhere).
  const d = detections([10, 5, 30, 15], [0.8], [1], {
    masks: [fullMask(14, 8, 12, 4)],
    panoptic,
  });
  const rgba = drawOverlay(d, W, H, CLASSES, { labels: false, boxThickness: 0 });
  assert.deepEqual(pixel(rgba, W, 2, 2), [0, 200, 0, 90], "stuff only");
  assert.deepEqual(pixel(rgba, W, 22, 9), [255, 0, 0, 130], "mask only");
  const both = pixel(rgba, W, 16, 9);
  assert.ok(both[3] > 130 && both[3] < 255, `mask over stuff is more opaque: ${both}`);
  assert.ok(both[0] > 150 && both[1] > 0 && both[1] < 100, `and mixes the colours: ${both}`);
  assert.deepEqual(pixel(rgba, W, 35, 1), [0, 0, 0, 0], "thing segments are the masks' job");
  assert.deepEqual(pixel(rgba, W, 30, 18), [0, 0, 0, 0]);

  // Without instance masks, the panoptic thing segments are tinted instead.
  const noMasks = drawOverlay(
    detections([10, 5, 30, 15], [0.8], [1], { panoptic }),
    W,
    H,
    CLASSES,
    { labels: false, boxThickness: 0, stuffAlpha: 60, maskAlpha: 200 },
  );
  assert.deepEqual(pixel(noMasks, W, 35, 1), [0, 0, 255, 200]);
  assert.deepEqual(pixel(noMasks, W, 2, 2), [0, 200, 0, 60]);
});

Deno.test("a label with the class name and score is drawn above the box, kept inside the frame", () => {
  const W = 200, H = 100;
  const rgba = drawOverlay(detections([50, 40, 120, 90], [0.97], [2]), W, H, CLASSES);
  const text = "person 0.97";
  const labelHeight = GLYPH_HEIGHT + 4, labelWidth = textWidth(text) + 4;
  let colored = 0, ink = 0;
  for (let y = 40 - labelHeight; y < 40; y++) {
    for (let x = 50; x < 50 + labelWidth; x++) {
      const [r, g, b, a] = pixel(rgba, W, x, y);
      assert.equal(a, 255, `label pixel (${x}, ${y}) is opaque`);
      if (r === 0 && g === 0 && b === 255) colored++;
      else if (r === 255 && g === 255 && b === 255) ink++; // white on dark blue
    }
  }
  assert.equal(colored + ink, labelWidth * labelHeight);
  assert.ok(ink > 40, `the text has ink: ${ink} pixels`);
  assert.deepEqual(pixel(rgba, W, 50 + labelWidth, 35), [0, 0, 0, 0], "nothing right of it");
  assert.deepEqual(pixel(rgba, W, 50, 40 - labelHeight - 1), [0, 0, 0, 0], "nor above");

  // A box touching the top right corner: its label moves inside the frame.
  const corner = drawOverlay(detections([190, 0, 200, 30], [0.5], [1]), W, H, CLASSES);
  const cornerWidth = textWidth("car 0.50") + 4;
  assert.deepEqual(pixel(corner, W, W - cornerWidth, 0).slice(0, 3), [255, 0, 0]);
  assert.deepEqual(pixel(corner, W, W - 1, labelHeight - 1)[3], 255);
  assert.deepEqual(pixel(corner, W, W - cornerWidth - 1, 5), [0, 0, 0, 0]);
});

Deno.test("a class missing from the list is drawn in a fixed colour and labelled by its id", () => {
  const a = drawOverlay(detections([10, 20, 30, 40], [0.6], [7]), 60, 50, CLASSES);
  const b = drawOverlay(detections([10, 20, 30, 40], [0.6], [7]), 60, 50, CLASSES);
  assert.deepEqual(a, b);
  const edge = pixel(a, 60, 10, 30);
  assert.equal(edge[3], 255);
  assert.notDeepEqual(edge.slice(0, 3), [0, 0, 0]);
  // "class 7 0.60" is 12 characters: its label is wider than the 20-pixel box.
  assert.equal(pixel(a, 60, 10 + textWidth("class 7 0.60") + 3, 12)[3], 255);
});

Deno.test("detections below minScore are not drawn, and the best one is drawn on top", () => {
  const d = detections([10, 10, 30, 30, 10, 10, 30, 30], [0.3, 0.9], [1, 2]);
  const rgba = drawOverlay(d, 50, 50, CLASSES, { labels: false });
  assert.deepEqual(pixel(rgba, 50, 10, 20), [0, 0, 255, 255], "the 0.9 person above the 0.3 car");
  const filtered = drawOverlay(
    detections([10, 10, 30, 30], [0.3], [1]),
    50,
    50,
    CLASSES,
    { minScore: 0.5 },
  );
  assert.ok(filtered.every((v) => v === 0));
});

Deno.test("drawOverlay reuses and clears the buffer it is given, aligned or not", () => {
  const W = 30, H = 20;
  const d = detections([5, 5, 15, 15], [0.9], [1]);
  const fresh = drawOverlay(d, W, H, CLASSES);
  const out = new Uint8Array(W * H * 4).fill(77);
  assert.equal(drawOverlay(d, W, H, CLASSES, { out }), out);
  assert.deepEqual(out, fresh);
  const backing = new Uint8Array(W * H * 4 + 1).fill(77);
  const unaligned = backing.subarray(1);
  drawOverlay(d, W, H, CLASSES, { out: unaligned });
  assert.deepEqual(unaligned, fresh);
});

Deno.test("drawOverlay says what it expected when the buffer, masks or panoptic map do not fit", () => {
  const d = detections([5, 5, 15, 15], [0.9], [1]);
  assert.throws(
    () => drawOverlay(d, 30, 20, CLASSES, { out: new Uint8Array(10) }),
    /options\.out: expected 30×20×4 = 2400 bytes, found 10/,
  );
  assert.throws(
    () => drawOverlay({ ...d, masks: [] }, 30, 20, CLASSES),
    /expected one mask per detection \(1\), found 0/,
  );
  const panoptic = { width: 10, height: 10, segmentIds: new Int32Array(100), segments: [] };
  assert.throws(
    () => drawOverlay({ ...d, panoptic }, 30, 20, CLASSES),
    /panoptic: expected a 30×20 map \(the frame\), found 10×10/,
  );
  assert.throws(() => drawOverlay(d, 0, 20, CLASSES), /positive integer width and height/);
  assert.throws(() => drawOverlay(d, 30, 20, CLASSES, { maskAlpha: 300 }), /maskAlpha/);
});

Deno.test("the bitmap font has a distinct glyph for every printable ASCII character", () => {
  const seen = new Map<string, string>();
  assert.ok(glyph(32).every((v) => v === 0), "space is blank");
  for (let code = FIRST_CHAR + 1; code <= LAST_CHAR; code++) {
    const bitmap = glyph(code);
    assert.equal(bitmap.length, 35);
    assert.ok(bitmap.some((v) => v === 1), `${String.fromCharCode(code)} has ink`);
    const key = bitmap.join("");
    assert.equal(
      seen.get(key),
      undefined,
      `${String.fromCharCode(code)} looks like ${seen.get(key)}`,
    );
    seen.set(key, String.fromCharCode(code));
  }
  assert.deepEqual(glyph(10), glyph("?".charCodeAt(0)), "others draw as ?");
});

Deno.test("drawText draws every printable character, clipped at the frame's edges", () => {
  const all = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
  const W = textWidth(all, 2) + 4, H = 20;
  const rgba = new Uint8Array(W * H * 4);
  const end = drawText(rgba, W, H, 2, 2, all, [10, 20, 30], 2);
  assert.equal(end, 2 + 95 * 12);
  for (let c = 1; c < 95; c++) {
    let ink = 0;
    for (let y = 2; y < 16; y++) {
      for (let x = 2 + c * 12; x < 2 + c * 12 + 10; x++) ink += rgba[(y * W + x) * 4 + 3] ? 1 : 0;
    }
    assert.ok(ink >= 4 && ink % 4 === 0, `${all[c]}: ${ink} pixels, in 2×2 squares`);
  }
  // Half outside on every side: no throw, no wrap-around.
  const small = new Uint8Array(8 * 8 * 4);
  drawText(small, 8, 8, -3, -3, "W@", [255, 255, 255]);
  drawText(small, 8, 8, 5, 5, "W@", [255, 255, 255]);
  assert.ok(small.some((v) => v === 255));
  assert.throws(() => drawText(small, 9, 9, 0, 0, "a", [0, 0, 0]), /expected at least 9×9×4/);
});
