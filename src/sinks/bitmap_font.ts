/**
 * A tiny built-in bitmap font for labels drawn into RGBA frames: the classic 5×7 LCD
 * font, printable ASCII 32–126, in 6×8 cells (one column and one row of spacing).
 *
 * Each glyph is 5 column bytes, 10 hex digits in {@link FONT_HEX}; bit `r` of a column
 * byte is row `r`, top row first. They are unpacked once, at load, into row-major 5×7
 * bitmaps. Characters outside the range draw as `?`.
 *
 * @module
 */

/** Glyph width in font pixels. */
export const GLYPH_WIDTH = 5;
/** Glyph height in font pixels. */
export const GLYPH_HEIGHT = 7;
/** Horizontal advance per character in font pixels (glyph plus one column of spacing). */
export const GLYPH_ADVANCE = 6;
/** First and last character codes the font has. */
export const FIRST_CHAR = 32;
export const LAST_CHAR = 126;

/** The glyphs of characters 32–126, 5 column bytes (10 hex digits) each, in order. */
export const FONT_HEX: string = [
  "0000000000", // space
  "00005f0000", // !
  "0007000700", // "
  "147f147f14", // #
  "242a7f2a12", // $
  "2313086462", // %
  "3649552250", // &
  "0005030000", // '
  "001c224100", // (
  "0041221c00", // )
  "082a1c2a08", // *
  "08083e0808", // +
  "0050300000", // ,
  "0808080808", // -
  "0060600000", // .
  "2010080402", // /
  "3e5149453e", // 0
  "00427f4000", // 1
  "4261514946", // 2
  "2141454b31", // 3
  "1814127f10", // 4
  "2745454539", // 5
  "3c4a494930", // 6
  "0171090503", // 7
  "3649494936", // 8
  "064949291e", // 9
  "0036360000", // :
  "0056360000", // ;
  "0814224100", // <
  "1414141414", // =
  "0041221408", // >
  "0201510906", // ?
  "324979413e", // @
  "7e1111117e", // A
  "7f49494936", // B
  "3e41414122", // C
  "7f4141221c", // D
  "7f49494941", // E
  "7f09090101", // F
  "3e41415132", // G
  "7f0808087f", // H
  "00417f4100", // I
  "2040413f01", // J
  "7f08142241", // K
  "7f40404040", // L
  "7f020c027f", // M
  "7f0408107f", // N
  "3e4141413e", // O
  "7f09090906", // P
  "3e4151215e", // Q
  "7f09192946", // R
  "4649494931", // S
  "01017f0101", // T
  "3f4040403f", // U
  "1f2040201f", // V
  "3f4038403f", // W
  "6314081463", // X
  "0708700807", // Y
  "6151494543", // Z
  "007f414100", // [
  "0204081020", // backslash
  "0041417f00", // ]
  "0402010204", // ^
  "4040404040", // _
  "0001020400", // `
  "2054545478", // a
  "7f48444438", // b
  "3844444420", // c
  "384444487f", // d
  "3854545418", // e
  "087e090102", // f
  "0c5252523e", // g
  "7f08040478", // h
  "00447d4000", // i
  "2040443d00", // j
  "7f10284400", // k
  "00417f4000", // l
  "7c04180478", // m
  "7c08040478", // n
  "3844444438", // o
  "7c14141408", // p
  "081414187c", // q
  "7c08040408", // r
  "4854545420", // s
  "043f444020", // t
  "3c4040207c", // u
  "1c2040201c", // v
  "3c4030403c", // w
  "4428102844", // x
  "0c5050503c", // y
  "4464544c44", // z
  "0008364100", // {
  "00007f0000", // |
  "0041360800", // }
  "0804080408", // ~
].join("");

const COUNT = LAST_CHAR - FIRST_CHAR + 1;
/** Row-major 5×7 bitmaps (0 / 1), 35 bytes per glyph. */
const BITMAPS = new Uint8Array(COUNT * GLYPH_WIDTH * GLYPH_HEIGHT);
for (let g = 0; g < COUNT; g++) {
  for (let col = 0; col < GLYPH_WIDTH; col++) {
    const byte = parseInt(
      FONT_HEX.slice((g * GLYPH_WIDTH + col) * 2, (g * GLYPH_WIDTH + col) * 2 + 2),
      16,
    );
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      BITMAPS[g * 35 + row * GLYPH_WIDTH + col] = (byte >> row) & 1;
    }
  }
}
const QUESTION = "?".charCodeAt(0) - FIRST_CHAR;

function glyphIndex(code: number): number {
  return code >= FIRST_CHAR && code <= LAST_CHAR ? code - FIRST_CHAR : QUESTION;
}

/**
 * The 5×7 bitmap of a character (row-major, 1 = ink); `?`'s for characters the font
 * lacks. A view into the font's table: do not modify it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const i = glyph("I".charCodeAt(0));
 * assert.deepEqual([...i.subarray(0, 5)], [0, 1, 1, 1, 0]); // the top bar of an I
 * assert.deepEqual(glyph(0x263a), glyph("?".charCodeAt(0)));
 * ```
 */
export function glyph(code: number): Uint8Array {
  const g = glyphIndex(code);
  return BITMAPS.subarray(g * 35, g * 35 + 35);
}

/**
 * Width in pixels of `text` drawn at `scale` (no trailing spacing column).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(textWidth("car 0.97"), 8 * 6 - 1);
 * assert.equal(textWidth("ab", 2), 22);
 * assert.equal(textWidth(""), 0);
 * ```
 */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * GLYPH_ADVANCE - 1) * scale;
}

/** An RGB or RGBA colour, 0–255 per channel (alpha 255 when absent). */
export type Color = readonly [number, number, number] | readonly [number, number, number, number];

/**
 * Draws `text` into an RGBA buffer with its top-left corner at `(x, y)`: each font pixel
 * becomes a `scale × scale` square set to `color` (replaced, not blended); the rest of
 * the cell is left as it is. Pixels outside the frame are clipped. Returns the x after
 * the last character.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const width = 20, height = 10;
 * const rgba = new Uint8Array(width * height * 4);
 * drawText(rgba, width, height, 1, 1, "T", [255, 255, 255]);
 * const alphaAt = (x: number, y: number) => rgba[(y * width + x) * 4 + 3];
 * assert.deepEqual([alphaAt(1, 1), alphaAt(3, 1), alphaAt(5, 1)], [255, 255, 255]); // the bar
 * assert.deepEqual([alphaAt(3, 7), alphaAt(1, 7)], [255, 0]); // the stem, and nothing else
 * ```
 */
export function drawText(
  rgba: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  text: string,
  color: Color,
  scale = 1,
): number {
  if (rgba.length < width * height * 4) {
    throw new RangeError(
      `drawText(): rgba: expected at least ${width}×${height}×4 = ${
        width * height * 4
      } bytes, found ${rgba.length}`,
    );
  }
  if (!Number.isInteger(scale) || scale < 1) {
    throw new RangeError(`drawText(): scale: expected a positive integer, found ${scale}`);
  }
  x = Math.round(x);
  y = Math.round(y);
  const [r, g, b] = color;
  const a = color.length === 4 ? color[3] : 255;
  let penX = x;
  for (let c = 0; c < text.length; c++) {
    const bitmap = glyph(text.charCodeAt(c));
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      for (let col = 0; col < GLYPH_WIDTH; col++) {
        if (bitmap[row * GLYPH_WIDTH + col] === 0) continue;
        const px0 = penX + col * scale, py0 = y + row * scale;
        for (let sy = 0; sy < scale; sy++) {
          const py = py0 + sy;
          if (py < 0 || py >= height) continue;
          for (let sx = 0; sx < scale; sx++) {
            const px = px0 + sx;
            if (px < 0 || px >= width) continue;
            const o = (py * width + px) * 4;
            rgba[o] = r;
            rgba[o + 1] = g;
            rgba[o + 2] = b;
            rgba[o + 3] = a;
          }
        }
      }
    }
    penX += GLYPH_ADVANCE * scale;
  }
  return penX;
}
